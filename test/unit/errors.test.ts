// The error contract of docs/errors.md: every code has one name, the page lists exactly the codes
// of ERROR_CODES, `isTaprootHwError` matches across package copies and nothing else, one status
// table serves both app clients, and each layer raises its codes for real input.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as main from '../../host/index.ts';
import { ERROR_CODES, isTaprootHwError, TaprootHwError, type ErrorCode } from '../../apdu/errors.ts';
import { parsePath } from '../../apdu/path.ts';
import { DeviceStatusError, STATUS, SW } from '../../apdu/status.ts';
import { parseTemplate } from '../../bitcoin/descriptor/parser.ts';
import { decodeHidFrames, HID_PACKET_SIZE } from '../../devices/framing/hid.ts';
import { openTransport } from '../../devices/open.ts';
import { decodeInvite } from '../../coordinator/invite.ts';
import { EmulatedDevice } from '../../emulator/index.ts';
import { BitcoinAppClient, TapAppClient } from '../../host/index.ts';
import { main as cli } from '../../cli/main.ts';
import { emulated } from './host-tap/helpers.ts';

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw, got none');
}

describe('ERROR_CODES and docs/errors.md', () => {
  it('gives every code its own name, and the page lists exactly these codes with their names', () => {
    const names = Object.values(ERROR_CODES);
    expect(new Set(names).size).toBe(names.length);
    const documented = new Set([...DOC.matchAll(/`(E_[A-Z0-9_]+)`/g)].map((m) => m[1]!));
    // The status rows are given as a range in the list of all codes, and one by one above it.
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, name] of Object.entries(ERROR_CODES)) if (code !== 'E_DEVICE_STATUS') expect(DOC, code).toMatch(new RegExp(`\`${code}\`[^\\n]*\\b${name}\\b`));
  });

  it('maps every failing status word to a code, and the page shows each row', () => {
    for (const [sw, info] of STATUS) {
      const err = new DeviceStatusError(sw, 'CMD');
      expect([err.code, err.statusName, err.name]).toEqual([info.code, info.name, ERROR_CODES[info.code]]);
      expect(DOC).toMatch(new RegExp(`\\| [0-9A-F, ]*${sw.toString(16).toUpperCase().padStart(4, '0')}[0-9A-F, ]* \\|[^\\n]*\`${info.code}\``));
    }
    expect(new DeviceStatusError(0x6f00).code).toBe('E_DEVICE_STATUS');
  });
});

describe('isTaprootHwError', () => {
  it('matches our errors by code, also when thrown by another copy of the package', () => {
    const ours = new TaprootHwError('E_LOCKED', 'locked');
    expect(isTaprootHwError(ours)).toBe(true);
    expect(isTaprootHwError(ours, 'E_LOCKED')).toBe(true);
    expect(isTaprootHwError(ours, 'E_USER_REFUSED')).toBe(false);
    // Another copy has its own classes but brands its errors with the same registered symbol.
    const copy = Object.defineProperty(Object.assign(new Error('locked'), { code: 'E_LOCKED' }), Symbol.for('taproot-hw.error'), { value: true });
    expect(ours instanceof Error && !(copy instanceof TaprootHwError)).toBe(true);
    expect(isTaprootHwError(copy, 'E_LOCKED')).toBe(true);
  });

  it('does not match errors that merely carry a code, or non-errors', () => {
    expect(isTaprootHwError(Object.assign(new Error('refused'), { code: 'E_LOCKED' }), 'E_LOCKED')).toBe(false);
    expect(isTaprootHwError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(false);
    for (const v of [undefined, null, 'E_LOCKED', 42, { code: 'E_LOCKED' }]) expect(isTaprootHwError(v)).toBe(false);
  });

  it('is exported from the main entry with the classes and the tables', () => {
    for (const name of ['TaprootHwError', 'isTaprootHwError', 'ERROR_CODES', 'STATUS', 'CodecError', 'DeviceStatusError', 'TransportError', 'HostError', 'WrongAppError', 'DeviceSignatureError', 'MusigSignerError', 'InvalidPartialSignatureError'])
      expect(main, name).toHaveProperty(name);
  });
});

describe('each layer raises its codes', () => {
  const cases: [ErrorCode, string, () => unknown][] = [
    ['E_CODEC', 'CodecError', () => parsePath("m/86'/x")],
    ['E_DESCRIPTOR', 'DescriptorError', () => parseTemplate('foo(@0/**)')],
    ['E_HID_FRAMING', 'HidFramingError', () => decodeHidFrames([new Uint8Array(HID_PACKET_SIZE - 1)])],
    ['E_INVITE', 'InviteError', () => decodeInvite('nonsense')],
    ['E_SEED', 'SeedError', () => new EmulatedDevice({ seed: 'abandon abandon' })],
  ];
  it.each(cases)('%s (%s)', (code, name, f) => {
    const err = thrown(f);
    expect(isTaprootHwError(err, code)).toBe(true);
    expect((err as Error).name).toBe(name);
    expect((err as Error).message).toMatch(/expected|got|not /);
  });

  it('a descriptor error names the rule it broke', () => {
    expect(thrown(() => parseTemplate('foo(@0/**)'))).toMatchObject({ code: 'E_DESCRIPTOR', rule: 'unknown-fragment' });
  });

  it('a transport spec nobody understands is E_TRANSPORT_SPEC', async () => {
    await expect(openTransport('carrier-pigeon://x')).rejects.toMatchObject({ code: 'E_TRANSPORT_SPEC', name: 'TransportSpecError' });
  });

  it('both app clients turn the same status word into the same code, from the one table', async () => {
    for (const app of ['tap', 'bitcoin-test'] as const) {
      const { device, transport } = emulated({ app });
      const clients = [new BitcoinAppClient(transport), new TapAppClient(transport)];
      // The other app's CLA is refused with 6E00 by the Taproot Assets app; the Bitcoin app checks P2
      // first and knows no protocol 2, so the Taproot Assets client's command is 6A86 there.
      const wrong = app === 'tap' ? clients[0]! : clients[1]!;
      const expected = app === 'tap' ? { code: 'E_WRONG_APP', statusCode: SW.CLA_NOT_SUPPORTED } : { code: 'E_WRONG_P1P2', statusCode: SW.WRONG_P1P2 };
      await expect(wrong.getMasterFingerprint()).rejects.toMatchObject(expected);
      device.lock();
      for (const c of clients) await expect(c.getMasterFingerprint()).rejects.toMatchObject({ code: 'E_LOCKED', name: 'LockedDeviceError', statusCode: SW.LOCKED_DEVICE });
    }
  });

  it('an app check against another open app is E_WRONG_APP naming it', async () => {
    const { transport } = emulated({ app: 'bitcoin-test' });
    await expect(new TapAppClient(transport).assertTapApp()).rejects.toMatchObject({ code: 'E_WRONG_APP', name: 'WrongAppError', openApp: 'Bitcoin Test' });
    const tap = emulated({ app: 'tap' });
    await expect(new BitcoinAppClient(tap.transport).assertBitcoinApp()).rejects.toMatchObject({ code: 'E_WRONG_APP', openApp: 'Taproot Assets' });
  });

  it('a CLI usage error exits 2, any other error 1', async () => {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (l: string) => void err.push(l) };
    expect(await cli(['xpub'], io)).toBe(2);
    expect(await cli(['--transport', 'carrier-pigeon://x', 'fingerprint'], io)).toBe(1);
    expect(err[1]).toContain('TransportSpecError: ');
  });
});
