// SIGN_VPSBT on the emulated device (docs/tap-app-protocol.md §5.5): the honest stream is signed and
// every signature verifies; a person's rejection, a packet without a key of this device and packets
// whose outputs are not the leaves of the signed split root end in a status word and no result; the
// retired version 1 (P2 = 1) is refused like any command at P2 = 1. What each shown field binds is
// review-binding.test.ts; the fold against lying streams, test/unit/tap-v2.

import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { encodeCommand } from '../../../apdu/apdu.ts';
import { CLA_TAP, TAP_INS } from '../../../apdu/tap-app/spec.ts';
import type { VPacket } from '../../../assets/vpsbt/packet.ts';
import { tapDevice, walkStreamedReview } from './device.ts';
import { deviceScriptKey, runSignVpsbt, sighashes, transferPacket } from './vpsbt-fixture.ts';

const COURIER = 'authmailbox+universerpc://courier.example:10029';

describe('Taproot Assets app: SIGN_VPSBT', () => {
  it('signs each held input; every signature verifies (BIP-340) against its script key over the assets/ sighash', async () => {
    const { pending, packet } = await runSignVpsbt(transferPacket({ inputs: [600_000n, 400_000n], recipients: 1, courier: COURIER }));
    const run = await pending;
    expect(run.statusWord).toBe(0x9000);
    const hashes = sighashes(packet);
    expect(run.results.map((r) => r.input)).toEqual([0, 1]);
    for (const r of run.results) {
      if (r.kind !== 'signature') throw new Error(`expected signatures, got ${r.kind}`);
      expect(schnorr.verify(r.signature, hashes[r.input]!, packet.inputs[r.input]!.prevId.scriptKey.subarray(1))).toBe(true);
    }
  });

  it('rejected review -> 6985 and no result', async () => {
    const { t, pending } = await runSignVpsbt(transferPacket(), { autoApprove: false });
    await walkStreamedReview(t.device, 'Reject');
    expect(await pending).toMatchObject({ statusWord: 0x6985, results: [] });
  });

  it('no input held by this device -> B013, no result', async () => {
    const p = transferPacket();
    for (const vin of p.inputs) vin.trBip32Derivation = [];
    expect(await (await runSignVpsbt(p)).pending).toMatchObject({ statusWord: 0xb013, results: [] });
  });

  describe('the outputs shown are the leaves the signed root commits to (§5.5.5)', () => {
    const refusals: [string, (p: VPacket) => void][] = [
      [
        'an output that is not in the split tree (recipient script key swapped)',
        (p) => {
          const o = p.outputs[1]!;
          o.asset!.scriptKey = deviceScriptKey(77).scriptKey;
          o.scriptKey = o.asset!.scriptKey.subarray(1);
        },
      ],
      ['an output shown twice', (p) => void p.outputs.push(structuredClone(p.outputs[1]!))],
      ['an output shown twice in place of another of the same amount', (p) => void (p.outputs[2] = structuredClone(p.outputs[1]!))],
      ['an omitted output', (p) => void p.outputs.splice(2, 1)],
      ['a changed amount', (p) => void (p.outputs[1]!.asset!.amount = 2n)],
      ['a changed amount, the root lowered to balance', (p) => {
        p.outputs[1]!.asset!.amount = 2n;
        p.outputs[0]!.asset!.amount -= 1n;
      }],
      ["a single output whose amount is not the inputs' total", (p) => {
        p.outputs = [p.outputs[0]!];
        p.outputs[0]!.type = 0;
        delete p.outputs[0]!.asset!.splitCommitmentRoot;
        delete p.outputs[0]!.splitAsset;
      }],
    ];
    for (const [what, change] of refusals)
      it(`${what} -> 6a80, no result`, async () => {
        const p = transferPacket({ recipients: 2 });
        change(p);
        expect(await (await runSignVpsbt(p)).pending).toMatchObject({ statusWord: 0x6a80, results: [] });
      });
  });

  it('P2 = 1 (the retired version 1) -> 6a86 like every command at P2 = 1, and CLA E1 at P2 = 1 reads 6e00', async () => {
    const t = tapDevice();
    const at = (cla: number, p2: number) => t.device.exchange(encodeCommand({ cla, ins: TAP_INS.SIGN_VPSBT, p1: 0, p2, data: new Uint8Array(33) }));
    expect(toHex(await at(CLA_TAP, 1))).toBe('6a86');
    expect(toHex(await at(0xe1, 1))).toBe('6e00');
  });
});
