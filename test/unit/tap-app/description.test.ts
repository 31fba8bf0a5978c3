// The emulated app and the host client are derived from the app's description (apdu/tap-app/app.ts):
// the device serves exactly the commands listed there, at the P1 values each takes, and answers a
// truncated request with the status word the command's spec names; the client sends no other
// command. The status words it lists are rows of the one status table.

import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { statusName } from '../../../apdu/status.ts';
import { getAppAndVersion } from '../../../apdu/app-and-version.ts';
import { TAP_APP, takesP1, tapCommand } from '../../../apdu/tap-app/index.ts';
import { checkTruncations } from '../apdu/truncated-requests.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { TapAppClient } from '../../../host/tap-app/client.ts';
import { tapDevice } from './device.ts';

const h32 = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const H = 0x80000000;

/** A valid request of every command the description lists, by command name. */
const SAMPLES: Record<string, unknown> = {
  GET_APP_INFO: undefined,
  GET_MASTER_FINGERPRINT: undefined,
  GET_KEY: { display: false, path: [86 + H, 1 + H, 0 + H] },
  MUSIG_ROUND1: { keyAgg: { length: 100, hash: h32(1) }, message: h32(2) },
  MUSIG_ROUND2: { handle: h32(3), aggnonce: new Uint8Array(66).fill(2), message: h32(4), keyAgg: { length: 100, hash: h32(5) } },
  SIGN_VPSBT: new Uint8Array(255).fill(6),
  SIGN_GROUP_GENESIS: { assetLength: 300, assetHash: h32(7), keyVersion: 1, groupKeyPath: [86 + H, 1 + H, 0 + H, 0, 0] },
  FROST_DKG_ROUND1: { threshold: 2, participants: 3, index: 1 },
  FROST_DKG_ROUND2: { handle: h32(9), transcript: { length: 200, hash: h32(10) } },
  FROST_DKG_ROUND3: { handle: h32(11), transcript: { length: 200, hash: h32(10) }, shares: { length: 100, hash: h32(12) } },
  FROST_COMMIT: { wrappedShare: new Uint8Array(49).fill(13), keyPackage: { length: 134, hash: h32(14) } },
  FROST_SIGN: { handle: h32(15), wrappedShare: new Uint8Array(49).fill(13), keyPackage: { length: 134, hash: h32(18) }, message: h32(16), tweak: { kind: 'bip86' }, commitments: { length: 135, hash: h32(17) } },
  FROST_SIGN_GROUP_GENESIS: {
    handle: h32(15),
    wrappedShare: new Uint8Array(49).fill(13),
    keyPackage: { length: 134, hash: h32(18) },
    commitments: { length: 135, hash: h32(17) },
    asset: { length: 300, hash: h32(19) },
    leafVersion: 1,
    anchorAssetId: h32(20),
  },
};

describe('Taproot Assets app: one description', () => {
  it('answers every truncated request with the status word its spec decoder names', async () => {
    const { device } = tapDevice();
    const checked = await checkTruncations(device, TAP_APP, SAMPLES, tapCommand);
    expect(checked).toBeGreaterThan(300);
  });

  it('answers 6D00 to exactly the INS values its description does not list, and 6A86 to a P1 a command does not take', async () => {
    const { device } = tapDevice();
    const listed = new Set(TAP_APP.commands.map((c) => c.ins));
    for (let ins = 0; ins < 256; ins++) {
      const answer = toHex(await device.exchange(Uint8Array.of(TAP_APP.cla, ins, 0, TAP_APP.protocolVersion, 0)));
      expect(answer === '6d00', `INS ${ins.toString(16)}: ${answer}`).toBe(!listed.has(ins));
    }
    for (const spec of TAP_APP.commands)
      for (const p1 of [1, 2, 3, 0xff]) {
        // NEXT and RESULTS without a stream are B007 (§5.5.1): the P1 itself is taken.
        const answer = toHex(await device.exchange(Uint8Array.of(TAP_APP.cla, spec.ins, p1, TAP_APP.protocolVersion, 0)));
        expect(answer === '6a86', `${spec.name} P1 ${p1}: ${answer}`).toBe(!takesP1(spec.ins, p1));
      }
  });

  it('every status word it lists is a row of the one status table (apdu/status.ts)', () => {
    for (const [name, sw] of Object.entries(TAP_APP.statusWords)) expect(statusName(sw), name).not.toBe('UNKNOWN');
    expect(statusName(0x6a99)).toBe('UNKNOWN');
  });

  it("the host client answers to the description's name and sends only its commands", async () => {
    const t = tapDevice();
    const client = new TapAppClient(new LoopbackTransport(t.device));
    expect((await client.assertTapApp()).name).toBe(TAP_APP.name);
    await expect(client.call(getAppAndVersion, undefined)).rejects.toThrow(/expected a command of the Taproot Assets app, got GET_APP_AND_VERSION/);
  });
});
