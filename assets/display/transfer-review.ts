// The review of an asset transfer (docs/tap-app-protocol.md §6, table "field shown → what binds it"),
// built from one definition for every party: the device's SIGN_VPSBT pages and the host's preview
// (describeVPacket, show-vpsbt) are both the output of this builder, so they are equal by
// construction. It is fed incrementally — begin, each input, each output, finish — and keeps a
// fixed amount of state (running totals, the asset ID and group key, the first input's burn key,
// the lock times, and a 32-byte hash per input, of which a packet has at most 64), so a device that
// streams the packet can feed it field by field and show each page as soon as it is built. An output
// needs only the summary a streaming parser keeps of its asset (version, asset ID, amount, script
// key), except the signed root, which is held whole anyway; fed the root first, every check of an
// output is made when it is added. A burn reaches the sink as a warning when its output is added: a
// one-pass review that must show warnings first declares them up front and compares at the end.
//
// It refuses (AssetVerifyError, naming the field) whatever it would otherwise show without the
// signature binding it: an address that does not re-derive from its output's asset, inputs and a
// signed root of different genesis or group, 0x7c/0x7d lock times other than the root's, a root
// whose prev witnesses are not the inputs in order (which is where tapd derives the burn key
// from), duplicate prev IDs, input amounts that are not their asset's, totals that differ.

import { equal, toHex } from '../../apdu/bytes.ts';
import { encodeAddress, type TapAddress } from '../address/address.ts';
import { chainParamsForHrp } from '../address/params.ts';
import { deriveBurnKey } from '../asset/burn.ts';
import { assetId } from '../asset/genesis.ts';
import type { Asset } from '../asset/leaf.ts';
import { formatOutPoint } from '../asset/outpoint.ts';
import { prevIdHash, type PrevId } from '../asset/prev-id.ts';
import { parsePoint, tapLeafHash, taprootTweak } from '../crypto.ts';
import { AssetVerifyError } from '../errors.ts';
import { NonSpendLeafVersion, nonSpendableLeafScript } from '../group/group-key.ts';
import { encodeTapscriptPreimage, type TapscriptPreimage } from '../tapscript-preimage.ts';
import { escapeText, units } from './text.ts';

export const TRANSFER_REVIEW_TITLE = 'Review asset transfer';

/** Where the pages go: a device streams them to its screen, the host collects them. */
export interface ReviewSink {
  item(label: string, value: string): void;
  /** Shown before the items, one page each (a burn). */
  warning(text: string): void;
}

export interface TransferInput {
  prevId: PrevId;
  /** The asset the input spends (0x79): its genesis, amount and group key are shown. */
  asset: Asset;
}

/** An output's asset as a streaming reader keeps it (0x76); the whole asset is needed only for the signed root. */
export interface OutputAssetSummary {
  version: number;
  assetId: Uint8Array;
  amount: bigint;
  /** 33 bytes. */
  scriptKey: Uint8Array;
}

export interface TransferOutput {
  asset: OutputAssetSummary;
  /** The whole asset of the output the inputs sign (isSignedRoot): its genesis, group key, lock times and prev witnesses. */
  root?: Asset;
  /** 0x70: 1 for the split root. */
  type: number;
  /** 0x72. */
  anchorOutputIndex: bigint;
  /** 0x7c / 0x7d; absent reads as 0. */
  lockTime?: bigint;
  relativeLockTime?: bigint;
  /** 0x7a. */
  proofCourier?: string;
  /** 0x7f. */
  address?: TapAddress;
  /** 0x73: the anchor output's internal key (33 bytes). */
  anchorInternalKey?: Uint8Array;
  /** 0x78: the anchor output's tapscript sibling. */
  anchorTapscriptSibling?: TapscriptPreimage;
  /** The signer derives the asset's script key itself (the caller checked its derivation). */
  change: boolean;
}

/** The output whose asset the inputs sign: the split root, or the only output (§5.5). */
export function isSignedRoot(type: number, outputCount: number): boolean {
  return type === 1 || outputCount === 1;
}

const refuse = (field: string, message: string): never => {
  throw new AssetVerifyError(field, message);
};

const xonly = (k: Uint8Array): Uint8Array => (k.length === 33 ? k.subarray(1) : k);
/** Group keys are compared whole: the leaf commits to all 33 bytes, and 02||x and 03||x are two groups. */
const sameKey = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => (a === undefined || b === undefined ? a === b : equal(a, b));

/**
 * The x-only script key an address pays for `id` (address.go ScriptKeyForAssetID): the address' own
 * before V2; for V2 the unique key of the asset ID, its key tweaked by the Pedersen non-spendable
 * leaf over the ID (asset.DeriveUniqueScriptKey).
 */
function addressScriptKey(a: TapAddress, id: Uint8Array): Uint8Array {
  if (a.version !== 2) return xonly(a.scriptKey);
  const leaf = tapLeafHash(nonSpendableLeafScript(NonSpendLeafVersion.pedersen, id));
  return taprootTweak(parsePoint(a.scriptKey, 'address.scriptKey'), leaf).toBytes(true).subarray(1);
}

/**
 * The checks a Taproot Asset address must pass to be shown as an output's recipient: what it commits
 * to (address.go: asset ID or group, script key, amount, asset version, internal key, tapscript
 * sibling) re-derives from the output, as tapd derives an output from an address. The internal key
 * and sibling are compared when the packet carries the anchor's (0x73 / 0x78).
 */
function checkAddress(what: string, a: TapAddress, o: TransferOutput, groupKey: Uint8Array | undefined): void {
  const f = `${what}.address`;
  if (a.assetId.some((b) => b !== 0)) {
    if (!equal(a.assetId, o.asset.assetId)) refuse(f, `names asset ${toHex(a.assetId)}, the output carries ${toHex(o.asset.assetId)}`);
  } else if (!a.groupKey || !sameKey(a.groupKey, groupKey)) refuse(f, `names a group the transferred asset is not in`);
  if (a.groupKey && !sameKey(a.groupKey, groupKey)) refuse(f, `names group key ${toHex(a.groupKey)}, the asset's is ${groupKey ? toHex(groupKey) : 'none'}`);
  const payTo = addressScriptKey(a, o.asset.assetId);
  if (!equal(payTo, xonly(o.asset.scriptKey)))
    refuse(f, `pays script key ${toHex(payTo)}, the output's asset pays ${toHex(xonly(o.asset.scriptKey))}`);
  // A V2 address may leave the amount to the sender (0), and a V2 group address may be paid in
  // several packets, one per asset ID: then this output carries at most the amount it names.
  const groupV2 = a.version === 2 && a.assetId.every((b) => b === 0);
  if (!(a.version === 2 && a.amount === 0n) && (groupV2 ? o.asset.amount > a.amount : a.amount !== o.asset.amount))
    refuse(f, `names ${a.amount} units, the output's asset carries ${o.asset.amount}`);
  if (a.assetVersion !== o.asset.version) refuse(f, `names asset version ${a.assetVersion}, the output's asset is version ${o.asset.version}`);
  if (o.anchorInternalKey && !equal(a.internalKey, o.anchorInternalKey))
    refuse(f, `names internal key ${toHex(a.internalKey)}, the output's anchor uses ${toHex(o.anchorInternalKey)}`);
  if (o.anchorTapscriptSibling) {
    const sibling = encodeTapscriptPreimage(o.anchorTapscriptSibling);
    if (!a.tapscriptSibling || !equal(encodeTapscriptPreimage(a.tapscriptSibling), sibling))
      refuse(f, `names another tapscript sibling than the output's anchor carries`);
  }
}

/**
 * A streamed review (SIGN_VPSBT v2, docs/tap-app-protocol.md §5.5): warnings are declared before
 * any output and shown at the start, the signed root is given once (setRoot) before the outputs,
 * and its lock times are shown then. A burn output that was not declared is refused when it is
 * added, a declared burn that never came at finish.
 */
export interface StreamedReview {
  /** The header's BURN warning bit. */
  burn: boolean;
}

export const BURN_WARNING = 'This transfer burns assets: an output pays a provably unspendable key.';

export class TransferReviewBuilder {
  private readonly hrp: string;
  private burnSeen = false;
  private inputs = 0;
  private outputs = 0;
  private totalIn = 0n;
  private totalOut = 0n;
  private assetId: Uint8Array | undefined;
  private groupKey: Uint8Array | undefined;
  private burnKey: Uint8Array | undefined;
  /** prevIdHash of every input in order: duplicates refused, the root's witnesses compared. */
  private readonly prevIds: Uint8Array[] = [];
  private locks: { lockTime: bigint; relativeLockTime: bigint } | undefined;
  private root: Asset | undefined;
  private rootOutputSeen = false;

  constructor(
    hrp: string,
    private readonly counts: { inputs: number; outputs: number },
    private readonly sink: ReviewSink,
    private readonly streamed?: StreamedReview,
  ) {
    this.hrp = hrp;
    if (counts.inputs < 1) refuse('inputs', 'expected at least one input, got none');
    if (counts.outputs < 1) refuse('outputs', 'expected at least one output, got none');
    const network = chainParamsForHrp(hrp, 'global.chainParamsHrp').name;
    if (streamed?.burn) sink.warning(BURN_WARNING);
    sink.item('Network', network);
  }

  /**
   * Streamed review: the signed root, after the inputs and before any output. Its genesis, group
   * key and prev witnesses are checked against the inputs; its lock times are shown.
   */
  setRoot(root: Asset): void {
    if (!this.streamed) throw new Error('TransferReviewBuilder.setRoot: only a streamed review takes the root first');
    if (this.inputs !== this.counts.inputs) refuse('root', `expected all ${this.counts.inputs} inputs first, got ${this.inputs}`);
    if (this.root) refuse('root', 'expected one signed root, got a second one');
    this.checkRoot('root', root);
    this.root = root;
    this.locks = { lockTime: root.lockTime, relativeLockTime: root.relativeLockTime };
    this.showLocks(root);
  }

  private showLocks(root: Asset): void {
    if (root.lockTime !== 0n) this.sink.item('Lock time', root.lockTime.toString());
    if (root.relativeLockTime !== 0n) this.sink.item('Relative lock time', root.relativeLockTime.toString());
  }

  addInput(vin: TransferInput): void {
    const n = this.inputs;
    const what = `inputs[${n}]`;
    if (n >= this.counts.inputs) refuse(what, `expected ${this.counts.inputs} inputs, got more`);
    const id = assetId(vin.asset.genesis);
    // The asset ID is shown from the genesis it hashes from, so the name beside it is that genesis' tag.
    if (!equal(id, vin.prevId.assetId)) refuse(`${what}.asset.genesis`, `hashes to asset ${toHex(id)}, the prev ID names ${toHex(vin.prevId.assetId)}`);
    if (!equal(vin.asset.scriptKey, vin.prevId.scriptKey)) refuse(`${what}.asset.scriptKey`, "differs from its prev ID's");
    const hash = prevIdHash(vin.prevId);
    // The virtual input commits to the inputs by an MS-SMT keyed by prev ID: a repeated one would be counted once.
    if (this.prevIds.some((h) => equal(h, hash))) refuse(`${what}.prevId`, 'spends the same prev ID as an earlier input');
    if (n === 0) {
      this.assetId = id;
      this.groupKey = vin.asset.groupKey;
      this.burnKey = deriveBurnKey(vin.prevId);
      this.sink.item('Asset ID', toHex(id));
      this.sink.item('Asset name', vin.asset.genesis.tag === '' ? '(empty)' : escapeText(vin.asset.genesis.tag));
      if (this.groupKey) this.sink.item('Asset group key', toHex(this.groupKey));
    } else {
      if (!equal(id, this.assetId!)) refuse(`${what}.prevId.assetId`, `expected the first input's asset ${toHex(this.assetId!)}, got ${toHex(id)}`);
      if (!sameKey(vin.asset.groupKey, this.groupKey)) refuse(`${what}.asset.groupKey`, "expected the first input's group key");
    }
    this.prevIds.push(hash);
    this.inputs++;
    this.totalIn += vin.asset.amount;
    this.sink.item(`Input ${n + 1} spends`, formatOutPoint(vin.prevId.outPoint));
    this.sink.item(`Input ${n + 1} amount`, units(vin.asset.amount));
    if (this.inputs === this.counts.inputs) this.sink.item('Total in', units(this.totalIn));
  }

  private checkRoot(what: string, root: Asset): void {
    const id = assetId(root.genesis);
    if (!equal(id, this.assetId!)) refuse(`${what}.asset.genesis`, `the signed root moves asset ${toHex(id)}, the inputs hold ${toHex(this.assetId!)}`);
    if (!sameKey(root.groupKey, this.groupKey)) refuse(`${what}.asset.groupKey`, "the signed root's group key is not the inputs'");
    // tapd derives the burn key from the root's first prev witness (asset.IsBurnKey); with the
    // witnesses in input order that is the first input, whose burn key the outputs are shown against.
    if (root.prevWitnesses.length !== this.counts.inputs)
      refuse(`${what}.asset.prevWitnesses`, `expected one per input (${this.counts.inputs}), got ${root.prevWitnesses.length}`);
    root.prevWitnesses.forEach((w, i) => {
      if (!w.prevId || !equal(prevIdHash(w.prevId), this.prevIds[i]!))
        refuse(`${what}.asset.prevWitnesses[${i}].prevId`, `expected input ${i}'s prev ID: the witnesses must be in input order`);
    });
  }

  /** The virtual tx is signed with the root's lock times (nLockTime / nSequence); every 0x7c/0x7d must say the same. */
  private checkLocks(what: string, o: TransferOutput): void {
    const own = { lockTime: o.lockTime ?? 0n, relativeLockTime: o.relativeLockTime ?? 0n };
    const same = (a: typeof own, b: typeof own) => a.lockTime === b.lockTime && a.relativeLockTime === b.relativeLockTime;
    const show = (l: typeof own) => `lock time ${l.lockTime} / relative lock time ${l.relativeLockTime}`;
    if (o.root) {
      const signed = { lockTime: o.root.lockTime, relativeLockTime: o.root.relativeLockTime };
      if (!same(own, signed)) refuse(`${what}.lockTime`, `the signed root has ${show(signed)}, 0x7c/0x7d say ${show(own)}`);
      if (this.locks && !same(this.locks, signed)) refuse(`${what}.asset.lockTime`, `the signed root has ${show(signed)}, an earlier output's 0x7c/0x7d say ${show(this.locks)}`);
      this.locks = signed;
    } else if (!this.locks) this.locks = own;
    else if (!same(own, this.locks)) refuse(`${what}.lockTime`, `expected ${show(this.locks)} as every output's (the signed root's), got ${show(own)}`);
  }

  addOutput(o: TransferOutput): void {
    const j = this.outputs;
    const what = `outputs[${j}]`;
    if (this.inputs !== this.counts.inputs) refuse(what, `expected all ${this.counts.inputs} inputs first, got ${this.inputs}`);
    if (j >= this.counts.outputs) refuse(what, `expected ${this.counts.outputs} outputs, got more`);
    const isRoot = isSignedRoot(o.type, this.counts.outputs);
    if (this.streamed) {
      const root = this.root ?? refuse(what, 'expected the signed root before the outputs');
      if (o.root) refuse(`${what}.asset`, 'the signed root was given before the outputs');
      if (isRoot && this.rootOutputSeen) refuse(what, 'expected one split root output, got a second one');
      // The split root output's leaf is the root's own place in its split tree: same amount and script key.
      if (isRoot && (o.asset.amount !== root.amount || !equal(o.asset.scriptKey, root.scriptKey)))
        refuse(`${what}.asset`, "expected the signed root's amount and script key");
      if (isRoot) this.rootOutputSeen = true;
    } else {
      if (isRoot && this.root) refuse(what, 'expected one split root output, got a second one');
      if (isRoot !== (o.root !== undefined)) refuse(`${what}.asset`, isRoot ? 'expected the signed root asset' : 'is not the signed root');
      if (o.root) {
        this.checkRoot(what, o.root);
        this.root = o.root;
      }
    }
    if (!equal(o.asset.assetId, this.assetId!)) refuse(`${what}.asset`, `expected the inputs' asset ${toHex(this.assetId!)}, got ${toHex(o.asset.assetId)}`);
    this.checkLocks(what, o);
    if (o.address) checkAddress(what, o.address, o, this.groupKey);
    this.outputs++;
    this.totalOut += o.asset.amount;
    const k = `Output ${j + 1}`;
    this.sink.item(`${k} amount`, units(o.asset.amount));
    // tapd's asset.IsBurnKey compares the whole key: the burn key has an even Y.
    if (o.asset.scriptKey.length === 33 && o.asset.scriptKey[0] === 0x02 && equal(o.asset.scriptKey.subarray(1), this.burnKey!)) {
      if (this.streamed && !this.streamed.burn) refuse(`${what}.asset.scriptKey`, 'pays the burn key, but no burn was declared before the outputs');
      this.burnSeen = true;
      this.sink.item(`${k} recipient`, 'BURN (provably unspendable)');
      if (!this.streamed) this.sink.warning(`${k} burns ${units(o.asset.amount)}.`);
    } else if (o.change) this.sink.item(`${k} recipient`, 'this signer (change)');
    else if (o.address) this.sink.item(`${k} recipient`, encodeAddress(o.address, this.hrp));
    else this.sink.item(`${k} recipient`, `script key ${toHex(xonly(o.asset.scriptKey))}`);
    if (o.type === 1) this.sink.item(`${k} kind`, 'split root (carries the change and the transfer witness)');
    // A split output's anchor index is part of its split locator, which the signed root commits to;
    // an unsplit output's is not signed by the asset signature.
    const unsplit = isRoot && !(o.root ?? this.root)!.splitCommitmentRoot;
    this.sink.item(`${k} anchor${unsplit ? ' (not signed)' : ''}`, `BTC output #${o.anchorOutputIndex}`);
    if (o.proofCourier !== undefined) this.sink.item(`${k} proof courier (not signed)`, escapeText(o.proofCourier));
  }

  finish(): void {
    if (this.outputs !== this.counts.outputs) refuse('outputs', `expected ${this.counts.outputs} outputs, got ${this.outputs}`);
    const root = this.root ?? refuse('outputs', 'expected a split root output (or a single output)');
    if (this.streamed) {
      if (!this.rootOutputSeen) refuse('outputs', 'expected a split root output (or a single output)');
      if (this.streamed.burn && !this.burnSeen) refuse('outputs', 'a burn was declared, but no output pays the burn key');
    } else this.showLocks(root);
    if (this.totalOut !== this.totalIn) refuse('outputs', `they carry ${this.totalOut} units, the inputs ${this.totalIn}`);
    this.sink.item('Total out', units(this.totalOut));
  }
}
