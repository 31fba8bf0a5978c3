// The display model of a vPSBT: the ordered list of what a person must see to approve it (issue 4),
// as the device shows it. It is the output of the one review builder (transfer-review.ts) that the
// device's SIGN_VPSBT runs too, fed with the decoded packet; a packet the device would refuse has
// no items, only the refusal naming the field. Plain data in a fixed order, so a button device and
// a touch device show the same content and a snapshot can be reviewed as text.

import { equal } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { deriveBurnKey } from '../asset/burn.ts';
import { assetId } from '../asset/genesis.ts';
import { AssetVerifyError } from '../errors.ts';
import { compareTreeOrder } from '../mssmt/sorted-root.ts';
import type { VOutput, VPacket } from '../vpsbt/packet.ts';
import { splitLocatorKey } from '../vtx/verify.ts';
import { TRANSFER_REVIEW_TITLE, TransferReviewBuilder, isSignedRoot, type TransferOutput } from './transfer-review.ts';

export interface DisplayItem {
  /** Short, stable label, e.g. "Asset ID" or "Output 1 amount". */
  label: string;
  value: string;
}

export interface DisplayModel {
  title: string;
  items: DisplayItem[];
  /** Things the person must be warned about before approving (shown first by renderers). */
  warnings: string[];
  /** Why the device refuses this packet (nothing is shown then), naming the field. */
  refused?: string;
}

export interface DisplayContext {
  /** X-only script keys this signer controls (derived by the caller from its own paths). */
  ownScriptKeys?: readonly Uint8Array[];
}

const required = <T>(v: T | undefined, field: string): T => {
  if (v === undefined) throw new AssetVerifyError(field, 'expected the field, got none');
  return v;
};

function transferOutput(o: VOutput, j: number, own: readonly Uint8Array[]): TransferOutput {
  const asset = required(o.asset, `outputs[${j}].asset`);
  const x = asset.scriptKey.subarray(1);
  return {
    asset: { version: asset.version, assetId: assetId(asset.genesis), amount: asset.amount, scriptKey: asset.scriptKey },
    type: o.type,
    anchorOutputIndex: BigInt(o.anchorOutputIndex),
    ...(o.lockTime !== undefined ? { lockTime: o.lockTime } : {}),
    ...(o.relativeLockTime !== undefined ? { relativeLockTime: o.relativeLockTime } : {}),
    ...(o.proofDeliveryAddress !== undefined ? { proofCourier: o.proofDeliveryAddress } : {}),
    ...(o.address ? { address: o.address } : {}),
    ...(o.anchorOutputInternalKey ? { anchorInternalKey: o.anchorOutputInternalKey } : {}),
    ...(o.anchorOutputTapscriptSibling ? { anchorTapscriptSibling: o.anchorOutputTapscriptSibling } : {}),
    change: own.some((k) => equal(k.length === 33 ? k.subarray(1) : k, x)),
  };
}

/**
 * The order the device reviews the outputs in (SIGN_VPSBT v2 streams them so, docs/tap-app-protocol.md
 * §5.5): by split locator in MS-SMT tree order. An output without an asset keeps its place (the
 * builder refuses it).
 */
export function reviewOutputOrder(p: VPacket): number[] {
  const order = p.outputs.map((o, j) => ({ j, locator: o.asset && splitLocatorKey(o.anchorOutputIndex, assetId(o.asset.genesis), o.asset.scriptKey) }));
  if (order.some((x) => !x.locator)) return order.map((x) => x.j);
  return order.sort((a, b) => compareTreeOrder(a.locator!, b.locator!)).map((x) => x.j);
}

/** The device's streamed review of `p` (SIGN_VPSBT v2): declared burn first, the signed root before the outputs in tree order. */
export function describeVPacket(p: VPacket, ctx: DisplayContext = {}): DisplayModel {
  const items: DisplayItem[] = [];
  const warnings: string[] = [];
  try {
    const first = required(p.inputs[0]?.asset, 'inputs[0].asset') && p.inputs[0]!;
    const burnKey = deriveBurnKey(first.prevId);
    const burn = p.outputs.some((o) => o.asset && o.asset.scriptKey[0] === 0x02 && equal(o.asset.scriptKey.subarray(1), burnKey));
    const review = new TransferReviewBuilder(
      p.chainHrp,
      { inputs: p.inputs.length, outputs: p.outputs.length },
      { item: (label, value) => items.push({ label, value }), warning: (text) => warnings.push(text) },
      { burn },
    );
    p.inputs.forEach((vin, i) => review.addInput({ prevId: vin.prevId, asset: required(vin.asset, `inputs[${i}].asset`) }));
    const roots = p.outputs.filter((o) => isSignedRoot(o.type, p.outputs.length));
    if (roots.length !== 1) throw new AssetVerifyError('outputs', `expected one split root output (or a single output), got ${roots.length}`);
    review.setRoot(required(roots[0]!.asset, 'root.asset'));
    for (const j of reviewOutputOrder(p)) review.addOutput(transferOutput(p.outputs[j]!, j, ctx.ownScriptKeys ?? []));
    review.finish();
  } catch (e) {
    if (e instanceof AssetVerifyError || e instanceof CodecError) return { title: TRANSFER_REVIEW_TITLE, items: [], warnings: [], refused: e.message };
    throw e;
  }
  return { title: TRANSFER_REVIEW_TITLE, items, warnings };
}

/** The model as readable text (snapshots, logs); renderers may paginate but not reorder. */
export function formatDisplayModel(m: DisplayModel): string {
  if (m.refused !== undefined) return `${m.title}\nRefused: ${m.refused}\n`;
  const lines = [m.title, ...m.warnings.map((w) => `! ${w}`), ...m.items.map((i) => `${i.label}: ${i.value}`)];
  return `${lines.join('\n')}\n`;
}
