// What the device computes from a decoded SIGN_VPSBT v2 stream for its split check (design §3.5,
// §3.6), as a test oracle: each output's leaf rebuilt (canonical) or taken (explicit), its locator,
// tree order, the fold into the split root, the running total. The emulator does the same as the
// bytes stream in; here the whole stream is at hand.

import { decodeAsset, assetLeafValue } from '../../../assets/asset/leaf.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { leafNode, type MssmtNode } from '../../../assets/mssmt/node.ts';
import { SortedMssmtRoot } from '../../../assets/mssmt/sorted-root.ts';
import { canonicalSplitLeaf } from '../../../assets/vtx/split-leaf.ts';
import { splitLocatorKey } from '../../../assets/vtx/verify.ts';
import type { VpsbtStream } from '../../../apdu/tap-app/vpsbt-stream.ts';

export function rebuildSplitRoot(s: VpsbtStream): { root: MssmtNode; total: bigint; peakPending: number } {
  const first = decodeAsset(s.inputs[0]!.leaf, 'inputs[0].leaf');
  if (s.root.form !== 'canonical') throw new Error('oracle: expected a canonical root');
  const ctx = { genesis: first.genesis, lockTime: s.root.lockTime, relativeLockTime: s.root.relativeLockTime, ...(first.groupKey ? { groupKey: first.groupKey } : {}) };
  const id = assetId(first.genesis);
  const tree = new SortedMssmtRoot(32);
  let total = 0n;
  s.outputs.forEach((o, j) => {
    const leaf =
      o.leaf.form === 'canonical'
        ? canonicalSplitLeaf(ctx, o.leaf.version, o.leaf.amount, o.leaf.scriptKey)
        : o.leaf.form === 'explicit'
          ? decodeAsset(o.leaf.bytes, `outputs[${j}].leaf`)
          : undefined;
    if (!leaf) throw new Error('oracle: expected split leaves');
    tree.add(splitLocatorKey(o.anchorOutputIndex, id, leaf.scriptKey), leafNode(assetLeafValue(leaf), leaf.amount), `outputs[${j}]`);
    total += leaf.amount;
  });
  return { root: tree.root(), total, peakPending: tree.peakPending };
}
