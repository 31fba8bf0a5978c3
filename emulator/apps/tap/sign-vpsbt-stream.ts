// SIGN_VPSBT, protocol version 2 (docs/tap-app-protocol.md §5.5): the host pushes the stream of
// apdu/tap-app/vpsbt-stream.ts in full 255-byte APDUs; the device reads it with the one reader
// (vpsbt-stream-reader.ts), verifies each item as it completes and shows its pages before it answers
// the APDU (NBGL streaming review: pace by the reply). Everything a signature depends on is known
// after the root and the signers, before the first output; the outputs are folded into the split
// root as they arrive (assets/mssmt/sorted-root.ts). One pass: after Finish the device signs with
// the sighashes it computed during the stream, and answers the last chunk with the first result batch.
//
// State kept across APDUs is bounded by the 32-input limit, never by the number of outputs: per
// input a record, the root, the split fold's fixed stack, the review's running totals, and while an
// item streams in, that item's long value (an input leaf, an explicit root or leaf, at most a few
// hundred bytes; firmware parses these as they arrive, the emulator gathers then parses them).

import { createHash } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, equal } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { HARDENED } from '../../../apdu/path.ts';
import { RequestError } from '../../../apdu/tap-app/spec.ts';
import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import {
  SignVpsbtP1,
  StreamMode,
  StreamWarning,
  encodeResultBatches,
  expectedChunkLength,
  type StreamHeader,
  type StreamResult,
  type StreamSigner,
} from '../../../apdu/tap-app/vpsbt-stream.ts';
import { VpsbtStreamReader, type OutputFields, type StreamEvent } from '../../../apdu/tap-app/vpsbt-stream-reader.ts';
import { decodeAddressTlv, parseCourierUrl } from '../../../assets/address/address.ts';
import { chainParamsForHrp } from '../../../assets/address/params.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { assetLeafValue, decodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { ZERO_PREV_ID, decodePrevId, encodePrevId, type PrevId } from '../../../assets/asset/prev-id.ts';
import { Point, parsePoint, taprootTweak } from '../../../assets/crypto.ts';
import { TransferReviewBuilder, TRANSFER_REVIEW_TITLE, type TransferOutput } from '../../../assets/display/transfer-review.ts';
import { AssetVerifyError } from '../../../assets/errors.ts';
import { leafNode, nodeEqual } from '../../../assets/mssmt/node.ts';
import { SortedMssmtRoot } from '../../../assets/mssmt/sorted-root.ts';
import { decodeTapscriptPreimage } from '../../../assets/tapscript-preimage.ts';
import { checkPubKey } from '../../../assets/tlv/values.ts';
import { canonicalRoot, canonicalSplitLeaf } from '../../../assets/vtx/split-leaf.ts';
import { splitLocatorKey } from '../../../assets/vtx/verify.ts';
import { inputPrevOut, virtualTx, virtualTxSighash, type VirtualTx } from '../../../assets/vtx/virtual-tx.ts';
import type { AppContext } from '../../app.ts';
import type { ReviewPair } from '../../ui/review.ts';
import { popSession, storeSession, type MusigSession } from '../common/musig-sessions.ts';
import { TapError, denied, incorrectData } from './errors.ts';
import { publicKeyAt } from './keys.ts';
import { signWithScriptKey, type HeldScriptKey } from './script-key.ts';
import { musigInput, musigPubNonce, musigSign, ownPubNonceMatches, type MusigInput } from './vpsbt-musig.ts';
import { checkFrostSigner, signFrostInput, type FrostStreamSigning } from './frost/vpsbt.ts';
import type { NonceSlots } from './nonce-slots.ts';

/** The split fold's stack (design limit, a device's fixed array). */
export const MAX_PENDING_SUBTREES = 32;

/**
 * Fixed buffers of the v2 state machine (docs/tap-app-protocol.md §5.5.6): APDU buffer, the split
 * fold (stack of 32 × (depth, node), the current node, the last locator), four SHA-256 contexts,
 * running sums and counters, one output's display pairs, input 0's genesis / group key / burn key,
 * the root's values and the virtual transaction's input root and output.
 */
const FIXED_STATE_BYTES = 260 + (32 * 41 + 41 + 32) + 4 * 108 + 32 + 640 + 203 + 98 + 80;
/** Per input: prev ID hash, leaf hash, amount, x-only script key; reused from its signer on for the signing data. */
const INPUT_RECORD_BYTES = 105;
/** A FROST signer kept until it signs (docs/frost.md §2.6): handle, wrapped share, key-set ID, group key, t, n, index, tweak; plus its commitment list. */
const FROST_SIGNER_BYTES = 32 + 49 + 32 + 33 + 3 + 32;

const SESSION_TAG = new TextEncoder().encode('TAP-v2-musig');

/** The split fold hashes up to 256 blocks an output: Node's SHA-256 (same bytes) keeps 1,000 outputs within the bench's 2 s. */
const foldHash = (block: Uint8Array): Uint8Array => createHash('sha256').update(block).digest();

interface InputRecord {
  prevId: PrevId;
  asset: Asset;
}

interface Signing {
  input: number;
  sighash: Uint8Array;
  sighashType: number;
  key?: HeldScriptKey;
  musig?: { m: MusigInput; pubnonces: Uint8Array[] };
  frost?: FrostStreamSigning;
}

/** Runs a decoder or check from assets/ on host data: a failure is 6A80. */
function parse<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AssetVerifyError && e.code === 'E_MSSMT_STACK_LIMIT') throw new TapError(TAP_SW.NOT_SUPPORTED, e.message);
    if (e instanceof CodecError || e instanceof AssetVerifyError || e instanceof RangeError) throw incorrectData(e.message);
    throw e;
  }
}

const xonly = (k: Uint8Array): Uint8Array => (k.length === 33 ? k.subarray(1) : k);

/** One SIGN_VPSBT v2 call in progress: from START to the last result batch. */
export class VpsbtStreamSession {
  private readonly reader = new VpsbtStreamReader();
  private offset = 0;
  private header: StreamHeader | undefined;
  private streamLength = 0;
  private readonly warnings: string[] = [];
  private coinType = 0;
  private review: TransferReviewBuilder | undefined;
  private pairs: ReviewPair[] = [];
  private reviewShown = false;
  private readonly inputs: InputRecord[] = [];
  private readonly prevIds: PrevId[] = [];
  private root: Asset | undefined;
  private vtx: VirtualTx | undefined;
  private readonly signing: Signing[] = [];
  private signer: (Omit<StreamSigner, 'pubnonces'> & { pubnonces: Uint8Array[] }) | undefined;
  private frostSigner: Extract<StreamEvent, { type: 'frostSignerStart' }>['signer'] | undefined;
  private frostKeyPackage: Uint8Array | undefined;
  private approved = false;
  private session: MusigSession | undefined;
  private readonly sessionDigest = sha256.create();
  private sessionId: Uint8Array | undefined;
  private fold: SortedMssmtRoot | undefined;
  private outputs = 0;
  private splitRootOutputs = 0;
  private totalIn = 0n;
  private pending: Uint8Array[] = [];
  private pendingStart: Extract<StreamEvent, { type: 'outputStart' | 'inputStart' }> | undefined;
  private held = 0;
  /** Result batches not yet read (RESULTS). */
  private batches: Uint8Array[] = [];
  private peak = 0;

  constructor(
    private readonly ctx: AppContext,
    /** The app's RAM nonce slots: a FROST signer signs with the nonce FROST_COMMIT left there. */
    private readonly slots: NonceSlots,
  ) {}

  /** Most vPSBT-dependent bytes held at one time (the bench's peakDeviceBytes). */
  get peakDeviceBytes(): number {
    return this.peak;
  }

  /** Whether a review page was shown (a failure then ends the review with a status page). */
  get reviewing(): boolean {
    return this.reviewShown;
  }

  get finished(): boolean {
    return this.reader.done;
  }

  private measure(extra = 0): void {
    const n = FIXED_STATE_BYTES + INPUT_RECORD_BYTES * (this.header?.inputCount ?? 0) + this.held + extra;
    this.peak = Math.max(this.peak, n);
  }

  /** START / NEXT: consumes one chunk; answers empty, or with the first result batch when the chunk ends the stream. */
  async chunk(p1: number, data: Uint8Array): Promise<Uint8Array> {
    if (p1 === SignVpsbtP1.NEXT && this.header === undefined) throw new TapError(TAP_SW.BAD_STATE, 'NEXT before a START');
    if (this.reader.done) throw new TapError(TAP_SW.BAD_STATE, 'the stream already ended');
    if (this.header && data.length !== expectedChunkLength(this.streamLength, this.offset))
      throw new TapError(TAP_SW.WRONG_DATA_LENGTH, `chunk: expected ${expectedChunkLength(this.streamLength, this.offset)} bytes, got ${data.length}`);
    let events: StreamEvent[];
    try {
      events = this.reader.push(data);
    } catch (e) {
      if (e instanceof RequestError) throw new TapError(e.statusWord, e.message);
      if (e instanceof CodecError) throw new TapError(TAP_SW.WRONG_DATA_LENGTH, e.message);
      throw e;
    }
    const start = this.offset;
    this.offset += data.length;
    this.measure();
    // The session id digests the stream from hrp_len to the root's end (§5.5.7): mode and length left out.
    const digestEnd = this.reader.rootEnd ?? this.offset;
    if (this.sessionId === undefined && digestEnd > 5) this.sessionDigest.update(data.subarray(Math.max(0, 5 - start), digestEnd - start));
    if (this.sessionId === undefined && this.reader.rootEnd !== undefined) this.sessionId = sha256(concat(SESSION_TAG, this.sessionDigest.digest()));
    for (const e of events) await this.event(e, start === 0 ? data.length : undefined);
    if (this.header === undefined) throw new TapError(TAP_SW.WRONG_DATA_LENGTH, 'START: expected the whole header in the first chunk');
    if (!this.reader.done) return new Uint8Array();
    return await this.results();
  }

  /** RESULTS: the next batch. */
  nextBatch(): Uint8Array {
    const b = this.batches.shift();
    if (!b) throw new TapError(TAP_SW.BAD_STATE, 'RESULTS: no result left');
    return b;
  }

  get resultsLeft(): number {
    return this.batches.length;
  }

  private async show(): Promise<void> {
    if (this.pairs.length === 0) return;
    const pairs = this.pairs;
    this.pairs = [];
    this.reviewShown = true;
    if (!(await this.ctx.reviewStreaming({ kind: 'pairs', pairs, reject: 'Reject transfer' }))) throw denied();
  }

  private async event(e: StreamEvent, firstChunk: number | undefined): Promise<void> {
    switch (e.type) {
      case 'header':
        return this.onHeader(e.header, e.streamLength, firstChunk!);
      case 'inputStart':
      case 'outputStart':
        this.pendingStart = e;
        this.pending = [];
        return;
      case 'rootStart':
        this.pending = [];
        return;
      case 'data':
        this.pending.push(e.bytes);
        this.held += e.bytes.length;
        this.measure();
        return;
      case 'inputEnd':
        return this.onInput(e.index);
      case 'root':
        return this.onRoot(
          parse(() =>
            canonicalRoot(this.inputs[0]!.asset.genesis, this.inputs[0]!.asset.groupKey, this.prevIds, {
              version: e.root.version,
              amount: e.root.amount,
              lockTime: e.root.lockTime,
              relativeLockTime: e.root.relativeLockTime,
              ...(e.root.splitRoot ? { splitCommitmentRoot: e.root.splitRoot } : {}),
              scriptKey: e.root.scriptKey,
            }),
          ),
        );
      case 'rootEnd':
        return this.onRoot(this.explicitRoot(this.takePending()));
      case 'signerStart':
        this.signer = { ...e.signer, pubnonces: [] };
        this.held += 33 * e.signer.participants.length;
        this.measure();
        return;
      case 'pubnonce':
        this.signer!.pubnonces.push(e.pubnonce);
        this.measure(66 * this.signer!.pubnonces.length);
        return;
      case 'signerEnd':
        return this.onSigner();
      case 'frostSignerStart':
        this.frostSigner = e.signer;
        this.pending = [];
        return;
      case 'frostCommitments':
        this.frostKeyPackage = this.takePending();
        return;
      case 'frostSignerEnd':
        return this.onFrostSigner();
      case 'outputEnd':
        return this.onOutput(e.index, e.fields);
      case 'end':
        return this.onEnd();
    }
  }

  private takePending(): Uint8Array {
    const bytes = concat(...this.pending);
    this.pending = [];
    this.held -= bytes.length;
    return bytes;
  }

  private async onHeader(h: StreamHeader, streamLength: number, firstChunk: number): Promise<void> {
    this.header = h;
    this.streamLength = streamLength;
    if (firstChunk !== Math.min(255, streamLength)) throw new TapError(TAP_SW.WRONG_DATA_LENGTH, `START: expected ${Math.min(255, streamLength)} bytes, got ${firstChunk}`);
    const net = parse(() => chainParamsForHrp(h.hrp, 'stream.header.hrp'));
    this.coinType = net.coinType;
    if (h.mode === StreamMode.musigRound1) return;
    const sink = { item: (item: string, value: string) => void this.pairs.push({ item, value }), warning: (text: string) => this.warnings.push(text) };
    this.review = parse(() => new TransferReviewBuilder(h.hrp, { inputs: h.inputCount, outputs: h.outputCount }, sink, { burn: (h.warnings & StreamWarning.burn) !== 0 }));
    this.reviewShown = true;
    if (!(await this.ctx.reviewStreaming({ kind: 'start', intro: TRANSFER_REVIEW_TITLE, reject: 'Reject transfer' }))) throw denied();
    // Declared warnings come right after the start page (NBGL: the warning is part of Start).
    for (const text of this.warnings) if (!(await this.ctx.warn({ title: 'Warning', text }))) throw denied();
    await this.show();
  }

  private async onInput(i: number): Promise<void> {
    const start = this.pendingStart as Extract<StreamEvent, { type: 'inputStart' }>;
    const leaf = this.takePending();
    const what = `inputs[${i}]`;
    const prevId = parse(() => decodePrevId(start.prevId, `${what}.prevId`));
    const asset = parse(() => decodeAsset(leaf, `${what}.leaf`));
    // The leaf is hashed as sent into the input tree: it must be the asset's leaf value, byte for byte.
    if (!equal(parse(() => assetLeafValue(asset)), leaf)) throw incorrectData(`${what}.leaf: expected the asset's MS-SMT leaf value encoding`);
    if (this.review) parse(() => this.review!.addInput({ prevId, asset }));
    else this.checkInput(what, prevId, asset);
    this.inputs.push({ prevId, asset });
    this.prevIds.push(prevId);
    this.totalIn = parse(() => {
      const t = this.totalIn + asset.amount;
      if (t > 0xffffffffffffffffn) throw new RangeError(`${what}.amount: the inputs' total exceeds 2^64-1`);
      return t;
    });
    await this.show();
  }

  /** Round 1 (no review): the input checks the review builder makes, without pages. */
  private checkInput(what: string, prevId: PrevId, asset: Asset): void {
    parse(() => new TransferReviewBuilder(this.header!.hrp, { inputs: 1, outputs: 1 }, { item: () => {}, warning: () => {} }).addInput({ prevId, asset }));
    const first = this.inputs[0];
    if (!first) return;
    if (!equal(prevId.assetId, first.prevId.assetId)) throw incorrectData(`${what}.prevId.assetId: expected the first input's asset`);
    const sameGroup = first.asset.groupKey === undefined ? asset.groupKey === undefined : asset.groupKey !== undefined && equal(first.asset.groupKey, asset.groupKey);
    if (!sameGroup) throw incorrectData(`${what}.asset.groupKey: expected the first input's group key`);
    if (this.inputs.some((x) => equal(encodePrevId(x.prevId), encodePrevId(prevId)))) throw incorrectData(`${what}.prevId: spends the same prev ID as an earlier input`);
  }

  private explicitRoot(bytes: Uint8Array): Asset {
    const root = parse(() => decodeAsset(bytes, 'root'));
    if (root.prevWitnesses.length !== this.inputs.length) throw incorrectData(`root.prevWitnesses: expected one per input (${this.inputs.length}), got ${root.prevWitnesses.length}`);
    root.prevWitnesses.forEach((w, i) => {
      if (w.txWitness.length > 0 || w.splitCommitment) throw incorrectData(`root.prevWitnesses[${i}]: expected a bare prev ID, got a witness or split commitment`);
      if (!w.prevId || !equal(encodePrevId(w.prevId), encodePrevId(this.prevIds[i]!)))
        throw incorrectData(`root.prevWitnesses[${i}].prevId: expected input ${i}'s prev ID: the witnesses must be in input order`);
    });
    const first = this.inputs[0]!.asset;
    if (!equal(assetId(root.genesis), assetId(first.genesis))) throw incorrectData("root.genesis: expected the inputs' asset");
    const sameGroup = first.groupKey === undefined ? root.groupKey === undefined : root.groupKey !== undefined && equal(first.groupKey, root.groupKey);
    if (!sameGroup) throw incorrectData("root.groupKey: expected the inputs' group key");
    return root;
  }

  private async onRoot(root: Asset): Promise<void> {
    const h = this.header!;
    if (root.scriptVersion !== 0) throw incorrectData(`root.scriptVersion: expected 0, got ${root.scriptVersion}`);
    parse(() => parsePoint(root.scriptKey, 'root.scriptKey'));
    if (!root.splitCommitmentRoot && h.outputCount !== 1) throw incorrectData(`root: without a split commitment the transfer has one output, the header says ${h.outputCount}`);
    this.root = root;
    this.held += parse(() => assetLeafValue(root)).length;
    this.measure();
    this.vtx = parse(() => virtualTx(root, this.inputs));
    if (root.splitCommitmentRoot) this.fold = new SortedMssmtRoot(MAX_PENDING_SUBTREES, foldHash);
    if (this.review) {
      parse(() => this.review!.setRoot(root));
      await this.show();
    }
  }

  private scriptKeyPath(keyIndex: number): number[] {
    return [1017 + HARDENED, this.coinType + HARDENED, 212 + HARDENED, 0, keyIndex];
  }

  private onSigner(): void {
    const s = this.signer!;
    this.signer = undefined;
    this.held -= 33 * s.participants.length;
    const what = `signers[${s.input}]`;
    const vin = this.inputs[s.input]!;
    if (s.keyIndex >= HARDENED) throw incorrectData(`${what}.keyIndex: expected an unhardened index, got ${s.keyIndex}`);
    const path = this.scriptKeyPath(s.keyIndex);
    const scriptKeyX = xonly(vin.asset.scriptKey);
    const sighash = parse(() => virtualTxSighash(this.vtx!, this.root!, s.input, inputPrevOut(vin.asset, `inputs[${s.input}]`), { sighashType: s.sighashType }));
    const mode = this.header!.mode;
    if (s.participants.length === 0) {
      if (mode === StreamMode.musigRound1) throw incorrectData(`${what}: round 1 takes MuSig2 signers only`);
      const tweaked = parse(() => taprootTweak(Point.fromBytes(publicKeyAt(this.ctx, path)), s.tweak).toBytes(true).subarray(1));
      if (!equal(tweaked, scriptKeyX)) throw incorrectData(`${what}: the key at m/1017'/${this.coinType}'/212'/0/${s.keyIndex} tweaked by the input's tweak is not its script key`);
      this.signing.push({ input: s.input, sighash, sighashType: s.sighashType, key: { path, scriptKey: tweaked, tweak: s.tweak } });
      return;
    }
    if (s.sighashType !== 0) throw incorrectData(`${what}.sighashType: a MuSig2 script key signs with SIGHASH_DEFAULT only`);
    const own = publicKeyAt(this.ctx, path);
    if (!s.participants.some((p) => equal(p, own))) throw new TapError(TAP_SW.KEY_NOT_HELD, `${what}: the device's key is not a participant`);
    const m = musigInput(this.ctx, `${what}.participants`, s.input, s.participants, { ownPath: path, scriptKeyXOnly: scriptKeyX, tweak: s.tweak });
    if (mode === StreamMode.sign) {
      // Round 2 needs round 1's session: looked up (not taken) before any output page.
      this.session ??= this.peekSession();
      if (!ownPubNonceMatches(this.ctx, this.session, m, s.pubnonces)) throw incorrectData(`${what}.pubnonces: the device's pubnonce is not the one of this session`);
    }
    this.signing.push({ input: s.input, sighash, sighashType: 0, musig: { m, pubnonces: s.pubnonces } });
  }

  /** A FROST signer (tag 06): checked before any output page, its key set shown (docs/frost.md §2.6). */
  private async onFrostSigner(): Promise<void> {
    const s = this.frostSigner!;
    const keyPackage = this.frostKeyPackage!;
    const commitments = this.takePending();
    this.frostSigner = this.frostKeyPackage = undefined;
    // One nonce signs once: a second signer naming it would pass its check now and fail after the person approved.
    const earlier = this.signing.find((x) => x.frost && equal(x.frost.handle, s.frost.handle));
    if (earlier) throw incorrectData(`signers[${s.input}].frost.handle: input ${earlier.input}'s FROST signer already names this nonce`);
    const vin = this.inputs[s.input]!;
    const sighash = parse(() => virtualTxSighash(this.vtx!, this.root!, s.input, inputPrevOut(vin.asset, `inputs[${s.input}]`), { sighashType: 0 }));
    const { signing, pairs } = parse(() => checkFrostSigner(this.ctx, this.slots, s, keyPackage, commitments, xonly(vin.asset.scriptKey), sighash));
    this.held += FROST_SIGNER_BYTES + commitments.length;
    this.measure();
    this.signing.push({ input: s.input, sighash, sighashType: 0, frost: signing });
    this.pairs.push(...pairs);
    await this.show();
  }

  private peekSession(): MusigSession {
    const s = popSession(this.ctx.nvram, this.sessionId!);
    if (!s) throw new TapError(TAP_SW.BAD_STATE, 'no MuSig2 session for this vPSBT: run round 1 (again)');
    storeSession(this.ctx.nvram, s);
    return s;
  }

  private async onOutput(j: number, fields: OutputFields): Promise<void> {
    const start = (this.pendingStart as Extract<StreamEvent, { type: 'outputStart' }>).output;
    const explicit = start.leaf.form === 'explicit' ? this.takePending() : undefined;
    if (j === 0 && this.signing.length === 0) throw new TapError(TAP_SW.KEY_NOT_HELD, 'no input this device signs for');
    const what = `outputs[${j}]`;
    const root = this.root!;
    const id = assetId(root.genesis);
    let leaf: Asset;
    if (start.leaf.form === 'none') {
      if (root.splitCommitmentRoot) throw incorrectData(`${what}.leaf: expected a split leaf under the root's split commitment`);
      leaf = root;
    } else {
      if (!root.splitCommitmentRoot) throw incorrectData(`${what}.leaf: the root has no split commitment to hold it`);
      if (start.leaf.form === 'canonical') {
        const l = start.leaf;
        leaf = parse(() => canonicalSplitLeaf(root, l.version, l.amount, l.scriptKey));
      } else {
        leaf = parse(() => decodeAsset(explicit!, `${what}.leaf`));
        this.checkExplicitLeaf(what, leaf, root);
      }
      parse(() => parsePoint(leaf.scriptKey, `${what}.leaf.scriptKey`));
      const bytes = explicit ?? parse(() => assetLeafValue(leaf));
      parse(() => this.fold!.add(splitLocatorKey(start.anchorOutputIndex, id, leaf.scriptKey), leafNode(bytes, leaf.amount), what));
    }
    if (start.type === 1) this.splitRootOutputs++;
    this.outputs++;
    const out: TransferOutput = {
      asset: { version: leaf.version, assetId: id, amount: leaf.amount, scriptKey: leaf.scriptKey },
      type: start.type,
      anchorOutputIndex: BigInt(start.anchorOutputIndex),
      ...(fields.lockTime !== undefined ? { lockTime: fields.lockTime } : {}),
      ...(fields.relativeLockTime !== undefined ? { relativeLockTime: fields.relativeLockTime } : {}),
      ...(fields.proofCourier ? { proofCourier: parse(() => parseCourierUrl(fields.proofCourier!, `${what}.proofCourier`)) } : {}),
      ...(fields.address ? { address: parse(() => decodeAddressTlv(fields.address!, `${what}.address`)) } : {}),
      ...(fields.anchorInternalKey ? { anchorInternalKey: parse(() => checkPubKey(fields.anchorInternalKey!, `${what}.anchorInternalKey`, false)) } : {}),
      ...(fields.anchorSibling ? { anchorTapscriptSibling: parse(() => decodeTapscriptPreimage(fields.anchorSibling!, `${what}.anchorSibling`)) } : {}),
      change: fields.changeKeyIndex !== undefined && this.isOwnChange(what, fields.changeKeyIndex, leaf.scriptKey),
    };
    parse(() => this.review!.addOutput(out));
    await this.show();
  }

  /** A change index must name the device's BIP-86 script key of this output (else the host lied: 6A80). */
  private isOwnChange(what: string, index: number, scriptKey: Uint8Array): boolean {
    if (index >= HARDENED) throw incorrectData(`${what}.changeKeyIndex: expected an unhardened index, got ${index}`);
    const key = parse(() => taprootTweak(Point.fromBytes(publicKeyAt(this.ctx, this.scriptKeyPath(index))), new Uint8Array()).toBytes(true).subarray(1));
    if (!equal(key, xonly(scriptKey))) throw incorrectData(`${what}.changeKeyIndex: m/1017'/${this.coinType}'/212'/0/${index} does not give the output's script key`);
    return true;
  }

  /** An explicit split leaf is tapd's split asset in all but odd records: the root's genesis and group, one bare zero prev ID. */
  private checkExplicitLeaf(what: string, leaf: Asset, root: Asset): void {
    if (!equal(assetId(leaf.genesis), assetId(root.genesis))) throw incorrectData(`${what}.leaf.genesis: expected the root's`);
    const sameGroup = root.groupKey === undefined ? leaf.groupKey === undefined : leaf.groupKey !== undefined && equal(root.groupKey, leaf.groupKey);
    if (!sameGroup) throw incorrectData(`${what}.leaf.groupKey: expected the root's`);
    const w = leaf.prevWitnesses;
    if (w.length !== 1 || !w[0]!.prevId || !equal(encodePrevId(w[0]!.prevId), encodePrevId(ZERO_PREV_ID)) || w[0]!.txWitness.length > 0 || w[0]!.splitCommitment)
      throw incorrectData(`${what}.leaf.prevWitnesses: expected one witness of the zero prev ID, bare`);
    if (leaf.splitCommitmentRoot) throw incorrectData(`${what}.leaf.splitCommitmentRoot: expected none in a split leaf`);
    if (leaf.scriptVersion !== 0) throw incorrectData(`${what}.leaf.scriptVersion: expected 0`);
    if (leaf.lockTime !== root.lockTime || leaf.relativeLockTime !== root.relativeLockTime) throw incorrectData(`${what}.leaf: expected the root's lock times`);
  }

  private async onEnd(): Promise<void> {
    const h = this.header!;
    if (h.mode === StreamMode.musigRound1) {
      if (this.signing.length === 0) throw new TapError(TAP_SW.KEY_NOT_HELD, 'round 1: no MuSig2 input this device takes part in');
      return;
    }
    const root = this.root!;
    if (root.splitCommitmentRoot) {
      if (this.splitRootOutputs !== 1) throw incorrectData(`outputs: expected one split root output, got ${this.splitRootOutputs}`);
      const rebuilt = this.fold!.root();
      if (!nodeEqual(rebuilt, root.splitCommitmentRoot))
        throw incorrectData('outputs: they do not rebuild the signed split commitment root: an output is missing, added, repeated or altered');
      if (root.splitCommitmentRoot.sum !== this.totalIn) throw incorrectData(`outputs: the signed split commitment holds ${root.splitCommitmentRoot.sum} units, the inputs ${this.totalIn}`);
    } else if (root.amount !== this.totalIn) throw incorrectData(`root.amount: the signed root moves ${root.amount} units, the inputs hold ${this.totalIn}`);
    parse(() => this.review!.finish());
    await this.show();
    const approved = await this.ctx.reviewStreaming({
      kind: 'finish',
      flow: { finish: { text: 'Sign asset transfer', action: 'hold' }, approved: 'Asset transfer signed', rejected: 'Asset transfer rejected', reject: 'Reject transfer' },
    });
    this.reviewShown = false;
    if (!approved) throw denied();
    this.approved = true;
  }

  private async results(): Promise<Uint8Array> {
    const results: StreamResult[] = [];
    if (this.header!.mode === StreamMode.musigRound1) {
      // A fresh rand_root for this packet; a stored session of the same id is replaced (§5.5.7).
      popSession(this.ctx.nvram, this.sessionId!);
      const session = { id: this.sessionId!, randRoot: this.ctx.random(32) };
      for (const s of this.signing) results.push({ kind: 'pubnonce', input: s.input, pubnonce: musigPubNonce(this.ctx, session, s.musig!.m) });
      storeSession(this.ctx.nvram, session);
    } else {
      // Approved: the round-2 session leaves NVRAM before any partial signature exists, so its nonces sign once.
      const session = this.signing.some((s) => s.musig) ? popSession(this.ctx.nvram, this.sessionId!) : undefined;
      if (this.signing.some((s) => s.musig) && !session) throw new TapError(TAP_SW.BAD_STATE, 'the MuSig2 session is gone');
      for (const s of this.signing) {
        if (s.key) {
          const sig = signWithScriptKey(this.ctx, s.key, s.sighash);
          results.push({ kind: 'signature', input: s.input, signature: s.sighashType === 0 ? sig : Uint8Array.of(...sig, s.sighashType) });
        } else if (s.frost) {
          // The approved review is the authorization (docs/frost.md §2.6): the sighash is the device's own.
          const share = await signFrostInput(this.ctx, this.slots, s.frost, s.sighash, () => this.approved);
          results.push({ kind: 'frostSignatureShare', input: s.input, signatureShare: share });
        } else {
          const psig = musigSign(this.ctx, `inputs[${s.input}].musig2`, session!, s.musig!.m, s.musig!.pubnonces, s.sighash);
          results.push({ kind: 'partialSignature', input: s.input, partialSignature: psig });
        }
      }
    }
    const [first, ...rest] = encodeResultBatches(results);
    this.batches = rest;
    return first!;
  }
}
