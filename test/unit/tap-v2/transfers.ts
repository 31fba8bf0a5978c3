// Transfers of any size for the SIGN_VPSBT v2 tests: the suite's transfer (vpsbt-fixture.ts: two
// inputs held by the device, a split root back to it, recipients of one unit at anchor outputs
// 1..n), with the split commitment root computed in one sorted pass instead of per-leaf proofs.
// The recipients' split commitments (proof and root copy) are left out: the v2 stream never
// carries them, and the equivalence test shows the stream equals the one of the proof-carrying
// fixture. Recipient j pays foreignKey(j mod 32): a key derivation per recipient would dominate
// the run time at 10,000 outputs, and the anchor index alone already makes every locator distinct.

import { concat } from '../../../apdu/bytes.ts';
import { deriveBurnKey } from '../../../assets/asset/burn.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { assetLeafValue, type Asset } from '../../../assets/asset/leaf.ts';
import { ZERO_PREV_ID } from '../../../assets/asset/prev-id.ts';
import { leafNode } from '../../../assets/mssmt/node.ts';
import { SortedMssmtRoot, compareTreeOrder } from '../../../assets/mssmt/sorted-root.ts';
import { splitLocatorKey } from '../../../assets/vtx/verify.ts';
import type { VOutput, VPacket } from '../../../assets/vpsbt/packet.ts';
import { foreignKey, transferPacket } from '../tap-app/vpsbt-fixture.ts';

const DISTINCT_KEYS = 32;
const keys = new Map<number, Uint8Array>();
const recipientKey = (j: number): Uint8Array => {
  const k = j % DISTINCT_KEYS;
  if (!keys.has(k)) keys.set(k, foreignKey(k));
  return keys.get(k)!;
};

export interface StreamedTransferOptions {
  /** Recipient 0 and the root carry an unknown odd TLV record (type 31), as a newer tapd might write. */
  oddRecord?: boolean;
  /** Recipient 0 pays the burn key of input 0 (asset.DeriveBurnKey). */
  burn?: boolean;
}

const ODD = [{ type: 31n, value: Uint8Array.of(1) }];

/** The suite's transfer with `recipients` recipients besides the split root (transferPacket's shape). */
export function streamedTransfer(recipients: number, opts: StreamedTransferOptions = {}): VPacket {
  const base = transferPacket({ recipients: 0 });
  const rootOutput = base.outputs[0]!;
  const baseRoot = rootOutput.asset!;
  const total = baseRoot.amount;
  const rootAmount = total - BigInt(recipients);
  const id = assetId(baseRoot.genesis);
  const split = (amount: bigint, scriptKey: Uint8Array): Asset => ({
    ...rootOutput.splitAsset!,
    amount,
    scriptKey,
    prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }],
  });
  const leaves = [
    { anchor: 0, asset: split(rootAmount, baseRoot.scriptKey) },
    ...Array.from({ length: recipients }, (_, j) => {
      const burn = j === 0 && opts.burn;
      const asset = split(1n, burn ? concat(Uint8Array.of(0x02), deriveBurnKey(base.inputs[0]!.prevId)) : recipientKey(j));
      return { anchor: 1 + j, asset: j === 0 && opts.oddRecord ? { ...asset, unknownOddTypes: ODD } : asset };
    }),
  ].map((l) => ({ ...l, locator: splitLocatorKey(l.anchor, id, l.asset.scriptKey) }));
  const tree = new SortedMssmtRoot();
  for (const l of [...leaves].sort((a, b) => compareTreeOrder(a.locator, b.locator))) tree.add(l.locator, leafNode(assetLeafValue(l.asset), l.asset.amount));
  const root: Asset = { ...baseRoot, amount: rootAmount, splitCommitmentRoot: tree.root(), ...(opts.oddRecord ? { unknownOddTypes: ODD } : {}) };
  const [rootLeaf, ...recipientLeaves] = leaves;
  const { splitAsset: _rootsOwn, ...plain } = rootOutput;
  const outputs: VOutput[] = [
    { ...rootOutput, amount: rootAmount, asset: root, splitAsset: rootLeaf!.asset },
    ...recipientLeaves.map((l) => ({
      ...plain,
      amount: 1n,
      scriptKey: l.asset.scriptKey.subarray(1),
      type: 0,
      anchorOutputIndex: l.anchor,
      trBip32Derivation: [],
      asset: l.asset,
    })),
  ];
  return { ...base, outputs };
}

/** All of the inputs to one output of the device's, without a split commitment (a full-value send to itself). */
export function unsplitTransfer(): VPacket {
  const base = transferPacket({ recipients: 0 });
  const { splitAsset: _none, ...out } = base.outputs[0]!;
  const { splitCommitmentRoot: _gone, ...root } = out.asset!;
  return { ...base, outputs: [{ ...out, type: 0, asset: root }] };
}
