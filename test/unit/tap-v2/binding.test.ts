// Why the v2 device needs no split proofs (design §2, §3.6): a host that streams outputs other than
// the leaves of the signed split tree — one amount moved to another output, one left out, one
// added, one repeated, two swapped, an anchor index changed — is caught by the fold (root mismatch)
// or the order check, whatever the sums say. Run against the device model of device-model.ts.

import { describe, expect, it } from 'vitest';
import type { StreamOutput, VpsbtStream } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { encodeVpsbtStreamFor } from '../../../host/tap-app/vpsbt-stream.ts';
import { FINGERPRINT } from '../tap-app/vpsbt-fixture.ts';
import { rebuildSplitRoot } from './device-model.ts';
import { streamedTransfer } from './transfers.ts';

const packet = streamedTransfer(6);
const honest = encodeVpsbtStreamFor(packet, { fingerprint: FINGERPRINT }).stream;
const signedRoot = packet.outputs[0]!.asset!.splitCommitmentRoot!;

function canonical(o: StreamOutput) {
  if (o.leaf.form !== 'canonical') throw new Error('expected canonical leaves');
  return o.leaf;
}

const withOutputs = (outputs: StreamOutput[]): VpsbtStream => ({ ...honest, outputs });

/**
 * Rebuilds each variant; those out of tree order are refused by the order check anyway. At least
 * one must pass the order check (so the fold is what refuses it), and none may give the signed root.
 */
function noneRebuilds(variants: StreamOutput[][]): void {
  const roots = variants.flatMap((outs) => {
    try {
      return [rebuildSplitRoot(withOutputs(outs)).root];
    } catch (e) {
      expect(String(e)).toMatch(/tree order/);
      return [];
    }
  });
  expect(roots.length).toBeGreaterThan(0);
  for (const r of roots) expect(r).not.toEqual(signedRoot);
}
const amountOf = (o: StreamOutput, amount: bigint): StreamOutput => ({ ...o, leaf: { ...canonical(o), amount } });

describe('SIGN_VPSBT v2: the outputs shown are exactly the leaves of the signed split tree', () => {
  it('the honest stream rebuilds the signed root', () => {
    expect(rebuildSplitRoot(honest).root).toEqual(signedRoot);
  });

  it('a unit moved between two outputs (same total) does not rebuild it', () => {
    const out = [...honest.outputs];
    const [a, b] = [out.findIndex((o) => o.type === 0), out.findLastIndex((o) => o.type === 0)];
    out[a] = amountOf(out[a]!, canonical(out[a]!).amount + 1n);
    out[b] = amountOf(out[b]!, canonical(out[b]!).amount - 1n);
    const r = rebuildSplitRoot(withOutputs(out));
    expect(r.total).toBe(signedRoot.sum);
    expect(r.root).not.toEqual(signedRoot);
  });

  it('an output left out, or a zero-amount one added, does not rebuild it', () => {
    expect(rebuildSplitRoot(withOutputs(honest.outputs.slice(1))).root).not.toEqual(signedRoot);
    const last = honest.outputs[honest.outputs.length - 1]!;
    // A zero-amount leaf (tombstone-like) at a fresh anchor index, appended.
    noneRebuilds(Array.from({ length: 64 }, (_, k) => [...honest.outputs, amountOf({ ...last, anchorOutputIndex: 1000 + k }, 0n)]));
  });

  it('an output repeated or two swapped break the tree order', () => {
    const out = honest.outputs;
    expect(() => rebuildSplitRoot(withOutputs([out[0]!, out[0]!, ...out.slice(1)]))).toThrow(/repeats the previous key/);
    expect(() => rebuildSplitRoot(withOutputs([out[1]!, out[0]!, ...out.slice(2)]))).toThrow(/comes before the previous key/);
  });

  it('an anchor output index changed does not rebuild it (the index is inside the locator)', () => {
    const out = honest.outputs;
    const last = out[out.length - 1]!;
    noneRebuilds(Array.from({ length: 64 }, (_, k) => [...out.slice(0, -1), { ...last, anchorOutputIndex: 1000 + k }]));
  });
});
