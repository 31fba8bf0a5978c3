// `taproot-hw --transport emulator --app tap sign-vpsbt FILE` as a person runs it (the CLI from the
// sources in its own process, so a stale dist/ never stands in for an edit: the exit code and the
// one line on stderr are the point): a vPSBT whose 0x7f address names another script key than its
// output's asset pays is refused, naming the field; the same packet with the recipient's true
// address is signed, and the signatures verify (@noble/curves) over the virtual-transaction sighash
// from assets/.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../apdu/bytes.ts';
import { encodeAddress } from '../../assets/address/address.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import { main } from '../../cli/main.ts';
import { decodeVPacket, encodeVPacket } from '../../assets/vpsbt/codec.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { foreignKey, sighashes, transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { runCli } from '../compat/emulator-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'taproot-hw-address-'));

/** The transfer of the unit tests with output 1 carrying an address for `scriptKey`. */
function packetWithAddress(scriptKey: Uint8Array): VPacket {
  const p = transferPacket();
  const o = p.outputs[1]!;
  o.anchorOutputInternalKey = foreignKey(40);
  o.address = {
    version: 1,
    assetVersion: o.asset!.version,
    assetId: assetId(o.asset!.genesis),
    scriptKey,
    internalKey: foreignKey(40),
    amount: o.asset!.amount,
    proofCourierAddr: 'authmailbox+universerpc://courier.example:10029',
    unknownOddTypes: [],
  };
  return p;
}

function signVpsbt(p: VPacket, name: string) {
  const file = join(dir, name);
  writeFileSync(file, encodeVPacket(p));
  return runCli(['--transport', 'emulator', '--app', 'tap', '--json', 'sign-vpsbt', file]);
}

describe('taproot-hw sign-vpsbt and the 0x7f address', () => {
  it("show-vpsbt previews with the device's builder: the forged packet is an error naming the field, the honest one shows the address", async () => {
    const run = async (p: VPacket, name: string) => {
      const file = join(dir, name);
      writeFileSync(file, encodeVPacket(p));
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['show-vpsbt', file], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
      return { code, out: out.join('\n'), err };
    };
    const forged = await run(packetWithAddress(foreignKey(50)), 'preview-forged.vpsbt');
    expect(forged.code).not.toBe(0);
    expect(forged.err).toHaveLength(1);
    expect(forged.err[0]).toContain('outputs[1].address');
    const honest = packetWithAddress(transferPacket().outputs[1]!.asset!.scriptKey);
    const shown = await run(honest, 'preview-honest.vpsbt');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(encodeAddress(honest.outputs[1]!.address!, 'taprt'));
  });

  it('an address that does not match the output asset: non-zero exit, one line naming outputs[1].address, nothing printed', async () => {
    const r = await signVpsbt(packetWithAddress(foreignKey(50)), 'forged.vpsbt');
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toBe('');
    // Besides the transport's notice that reviews are approved automatically, one error line.
    const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('taproot-hw sign-vpsbt:'));
    expect(errors).toHaveLength(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(errors[0]).toContain('outputs[1].address');
    // The client runs the device's review builder first and does not stream a packet it refuses; the
    // device's own 6A80 for the same stream is test/unit/tap-app/review-binding.test.ts's.
    expect(errors[0]).toContain('SIGN_VPSBT not sent');
  }, 60_000);

  it('the same packet with the matching address is signed; the signatures verify', async () => {
    const honest = packetWithAddress(transferPacket().outputs[1]!.asset!.scriptKey);
    const r = await signVpsbt(honest, 'honest.vpsbt');
    expect(r.stderr).not.toContain('sign-vpsbt:');
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { vpsbt: string; results: { inputIndex: number; pubkey: string; signature: string }[] };
    const signed = decodeVPacket(base64.decode(out.vpsbt));
    const hashes = sighashes(signed);
    expect(out.results.map((y) => y.inputIndex)).toEqual([0, 1]);
    for (const y of out.results) expect(schnorr.verify(fromHex(y.signature), hashes[y.inputIndex]!, fromHex(y.pubkey))).toBe(true);
  }, 60_000);
});
