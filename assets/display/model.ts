// The display model of a vPSBT: the ordered list of what a person must see to approve it
// (issue 4): network, asset ID and name, amounts in and out, each recipient (Taproot Asset
// address or script key), which outputs return to this signer, split and anchor outputs, lock
// times and proof courier. Plain data in a fixed order, so a button device and a touch device
// show the same content and a snapshot can be reviewed as text.

import { toHex } from '../../apdu/bytes.ts';
import { assetId } from '../asset/genesis.ts';
import { deriveBurnKey } from '../asset/burn.ts';
import { formatOutPoint } from '../asset/outpoint.ts';
import { encodeAddress } from '../address/address.ts';
import { chainParamsForHrp } from '../address/params.ts';
import type { VPacket } from '../vpsbt/packet.ts';

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
}

export interface DisplayContext {
  /** X-only script keys this signer controls (derived by the caller from its own paths). */
  ownScriptKeys?: readonly Uint8Array[];
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function units(n: bigint): string {
  return `${n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')} units`;
}

export function describeVPacket(p: VPacket, ctx: DisplayContext = {}): DisplayModel {
  const items: DisplayItem[] = [];
  const warnings: string[] = [];
  const net = chainParamsForHrp(p.chainHrp);
  const own = ctx.ownScriptKeys ?? [];
  const isOwn = (xonly: Uint8Array): boolean => own.some((k) => same(k.length === 33 ? k.subarray(1) : k, xonly));

  items.push({ label: 'Network', value: net.name });
  const ids = [...new Set(p.inputs.map((i) => toHex(i.prevId.assetId)))];
  if (ids.length === 1) items.push({ label: 'Asset ID', value: ids[0]! });
  else {
    ids.forEach((id, n) => items.push({ label: `Asset ID ${n + 1}`, value: id }));
    warnings.push(ids.length === 0 ? 'The packet spends no inputs.' : 'The inputs carry different asset IDs.');
  }
  // The name is shown only when it is committed to by the asset ID being spent.
  const named = p.inputs.find((i) => i.asset && same(assetId(i.asset.genesis), i.prevId.assetId));
  items.push({ label: 'Asset name', value: named ? named.asset!.genesis.tag || '(empty)' : '(unknown)' });
  const group = p.inputs.find((i) => i.asset?.groupKey)?.asset?.groupKey;
  if (group) items.push({ label: 'Asset group key', value: toHex(group) });

  let totalIn: bigint | undefined = 0n;
  p.inputs.forEach((vin, n) => {
    items.push({ label: `Input ${n + 1} spends`, value: formatOutPoint(vin.prevId.outPoint) });
    if (vin.asset) items.push({ label: `Input ${n + 1} amount`, value: units(vin.asset.amount) });
    else {
      items.push({ label: `Input ${n + 1} amount`, value: '(not provided)' });
      totalIn = undefined;
    }
    if (totalIn !== undefined && vin.asset) totalIn += vin.asset.amount;
  });
  if (totalIn === undefined) warnings.push('Input amounts are missing: the total spent cannot be shown.');
  else items.push({ label: 'Total in', value: units(totalIn) });

  const firstPrev = p.inputs[0]?.prevId;
  const burnKey = firstPrev ? deriveBurnKey(firstPrev) : undefined;
  let totalOut = 0n;
  p.outputs.forEach((o, n) => {
    const k = `Output ${n + 1}`;
    totalOut += o.amount;
    items.push({ label: `${k} amount`, value: units(o.amount) });
    if (burnKey && same(o.scriptKey, burnKey)) {
      items.push({ label: `${k} recipient`, value: 'BURN (provably unspendable)' });
      warnings.push(`Output ${n + 1} burns ${units(o.amount)}.`);
    } else if (isOwn(o.scriptKey)) items.push({ label: `${k} recipient`, value: 'this signer (change)' });
    else if (o.address) items.push({ label: `${k} recipient`, value: encodeAddress(o.address, p.chainHrp) });
    else items.push({ label: `${k} recipient`, value: `script key ${toHex(o.scriptKey)}` });
    if (o.type === 1) items.push({ label: `${k} kind`, value: 'split root (carries the change and the transfer witness)' });
    items.push({ label: `${k} anchor`, value: `BTC output #${o.anchorOutputIndex}${o.interactive ? ', interactive' : ''}` });
    if (o.lockTime) items.push({ label: `${k} lock time`, value: o.lockTime.toString() });
    if (o.relativeLockTime) items.push({ label: `${k} relative lock time`, value: o.relativeLockTime.toString() });
    if (o.proofDeliveryAddress) items.push({ label: `${k} proof courier`, value: o.proofDeliveryAddress });
  });
  items.push({ label: 'Total out', value: units(totalOut) });
  if (totalIn !== undefined && totalIn !== totalOut) warnings.push(`Outputs (${units(totalOut)}) differ from inputs (${units(totalIn)}).`);

  return { title: 'Review asset transfer', items, warnings };
}

/** The model as readable text (snapshots, logs); renderers may paginate but not reorder. */
export function formatDisplayModel(m: DisplayModel): string {
  const lines = [m.title, ...m.warnings.map((w) => `! ${w}`), ...m.items.map((i) => `${i.label}: ${i.value}`)];
  return `${lines.join('\n')}\n`;
}
