// The SIGN_VPSBT v2 stream read as a device reads it (design §3, §5): bytes pushed chunk by chunk,
// events out as soon as a field is complete, and the long values (input leaves, explicit roots and
// leaves) passed through in pieces, never held. The grammar lives here once: decodeVpsbtStream
// runs the same reader over a whole buffer, so host tests and the emulated device cannot read the
// stream differently. The reader holds at most one fixed field (≤ 255 bytes) at a time.

import { concat } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { SW } from '../status.ts';
import { MAX_PARTICIPANTS } from './keyagg.ts';
import { MAX_KEY_PACKAGE_LENGTH, MAX_NONCE_COMMITMENTS_LENGTH } from './frost-data.ts';
import { FROST_HANDLE_LENGTH, WRAPPED_SHARE_LENGTH } from './frost.ts';
import { PUBNONCE_LENGTH } from './musig.ts';
import { RequestError } from './spec.ts';
import {
  LeafForm,
  MAX_HRP_LENGTH,
  MAX_SHORT_FIELD,
  MAX_STREAM_INPUTS,
  OutputFlag,
  PREV_ID_BYTES,
  StreamMode,
  StreamTag,
  StreamWarning,
  type SplitRoot,
  type StreamFrostSigner,
  type StreamHeader,
  type StreamLeaf,
  type StreamModeValue,
  type StreamOutput,
  type StreamRoot,
  type StreamSigner,
  type VpsbtStream,
} from './vpsbt-stream.ts';

/** The optional fields after an output's leaf. */
export type OutputFields = Omit<StreamOutput, 'type' | 'anchorOutputIndex' | 'leaf'>;

export type StreamEvent =
  | { type: 'header'; header: StreamHeader; streamLength: number }
  /** The input's leaf follows as `data` events, `leafLength` bytes in all. */
  | { type: 'inputStart'; index: number; prevId: Uint8Array; leafLength: number }
  | { type: 'inputEnd'; index: number }
  | { type: 'root'; root: Extract<StreamRoot, { form: 'canonical' }> }
  /** An explicit root: `length` bytes of `data` follow, then `rootEnd`. */
  | { type: 'rootStart'; length: number }
  | { type: 'rootEnd' }
  /** A signer's fixed part; its pubnonces follow one `pubnonce` event each, then `signerEnd`. */
  | { type: 'signerStart'; signer: Omit<StreamSigner, 'pubnonces'> }
  | { type: 'pubnonce'; participant: number; pubnonce: Uint8Array }
  | { type: 'signerEnd'; input: number }
  /** A FROST signer's fixed part; its key package follows as `data` (`keyPackageLength` bytes). */
  | { type: 'frostSignerStart'; signer: Omit<StreamFrostSigner, 'frost'> & { frost: { handle: Uint8Array; wrappedShare: Uint8Array } }; keyPackageLength: number }
  /** The key package ended; the nonce commitments follow as `data` (`length` bytes), then `frostSignerEnd`. */
  | { type: 'frostCommitments'; length: number }
  | { type: 'frostSignerEnd'; input: number }
  /** An output's fixed part; an explicit leaf follows as `data` (`leafLength` bytes), then `outputEnd`. */
  | { type: 'outputStart'; index: number; output: { type: number; anchorOutputIndex: number; leaf: Exclude<StreamLeaf, { form: 'explicit' }> | { form: 'explicit'; length: number } } }
  | { type: 'outputEnd'; index: number; fields: OutputFields }
  /** A piece of the long value announced by the last *Start event. */
  | { type: 'data'; bytes: Uint8Array }
  | { type: 'end' };

type Step = { need: number } | { pass: number } | { emit: StreamEvent };

const bad = (what: string, msg: string, sw: number = SW.INCORRECT_DATA): never => {
  throw new RequestError(`${what}: ${msg}`, sw);
};

const be = (b: Uint8Array): number => b.reduce((n, x) => n * 256 + x, 0);
const be64 = (b: Uint8Array): bigint => b.reduce((n, x) => (n << 8n) | BigInt(x), 0n);

/** The reader's view of how many declared bytes are left (the generator decides where mode 1 ends). */
interface Position {
  remaining(): number;
}

function* bytes(n: number): Generator<Step, Uint8Array, Uint8Array> {
  return yield { need: n };
}

function* u8(): Generator<Step, number, Uint8Array> {
  return (yield* bytes(1))[0]!;
}

/** CompactSize as ByteReader.varint reads it: canonical only, at most `max`. */
function* varint(what: string, max: number): Generator<Step, number, Uint8Array> {
  const first = yield* u8();
  let v: number;
  let min: number;
  if (first < 0xfd) return first;
  if (first === 0xfd) [v, min] = [be((yield* bytes(2)).slice().reverse()), 0xfd];
  else if (first === 0xfe) [v, min] = [be((yield* bytes(4)).slice().reverse()), 0x10000];
  else {
    const w = be64((yield* bytes(8)).slice().reverse());
    if (w > BigInt(Number.MAX_SAFE_INTEGER)) throw new CodecError(`stream.${what}: expected at most ${max}, got ${w}`);
    [v, min] = [Number(w), 0x100000000];
  }
  if (v < min) throw new CodecError(`stream.${what}: non-canonical varint`);
  if (v > max) throw new CodecError(`stream.${what}: expected at most ${max}, got ${v}`);
  return v;
}

function* short(pos: Position, what: string): Generator<Step, Uint8Array, Uint8Array> {
  const n = yield* varint(`${what}.length`, pos.remaining());
  if (n > MAX_SHORT_FIELD) bad(`stream.${what}`, `expected at most ${MAX_SHORT_FIELD} bytes, got ${n}`, SW.NOT_SUPPORTED);
  return (yield* bytes(n)).slice();
}

function* tag(expected: number[], what: string): Generator<Step, number, Uint8Array> {
  const t = yield* u8();
  if (!expected.includes(t)) bad(what, `expected tag ${expected.map((e) => `0x0${e}`).join(' or ')}, got 0x${t.toString(16).padStart(2, '0')}`);
  return t;
}

function* header(): Generator<Step, { header: StreamHeader; streamLength: number }, Uint8Array> {
  const streamLength = be(yield* bytes(4));
  const mode = yield* u8();
  if (mode > 1) bad('stream.header.mode', `expected 0 or 1, got ${mode}`);
  const hrpLength = yield* u8();
  const hrpBytes = yield* bytes(hrpLength);
  if (hrpLength === 0 || hrpLength > MAX_HRP_LENGTH || hrpBytes.some((b) => b < 0x61 || b > 0x7a))
    bad('stream.header.hrp', `expected 1..${MAX_HRP_LENGTH} lowercase letters, got ${hrpLength} bytes`);
  const inputCount = yield* u8();
  if (inputCount === 0) bad('stream.header.inputCount', 'expected at least one input, got 0');
  if (inputCount > MAX_STREAM_INPUTS) bad('stream.header.inputCount', `expected at most ${MAX_STREAM_INPUTS}, got ${inputCount}`, SW.NOT_SUPPORTED);
  const outputCount = be(yield* bytes(2));
  if (outputCount === 0) bad('stream.header.outputCount', 'expected at least one output, got 0');
  const warnings = yield* u8();
  if (warnings & ~StreamWarning.burn) bad('stream.header.warnings', `expected only bit 0, got 0x${warnings.toString(16)}`);
  const hrp = String.fromCharCode(...hrpBytes);
  return { header: { mode: mode as StreamModeValue, hrp, inputCount, outputCount, warnings }, streamLength };
}

function* root(pos: Position): Generator<Step, void, Uint8Array> {
  const form = yield* u8();
  if (form === 1) {
    const length = yield* varint('root.length', pos.remaining());
    yield { emit: { type: 'rootStart', length } };
    yield { pass: length };
    yield { emit: { type: 'rootEnd' } };
    return;
  }
  if (form !== 0) bad('stream.root.form', `expected 0 or 1, got ${form}`);
  const version = yield* u8();
  const amount = be64(yield* bytes(8));
  const lockTime = be64(yield* bytes(8));
  const relativeLockTime = be64(yield* bytes(8));
  const hasSplit = yield* u8();
  if (hasSplit > 1) bad('stream.root.hasSplit', `expected 0 or 1, got ${hasSplit}`);
  let splitRoot: SplitRoot | undefined;
  if (hasSplit) splitRoot = { hash: (yield* bytes(32)).slice(), sum: be64(yield* bytes(8)) };
  const scriptKey = (yield* bytes(33)).slice();
  yield { emit: { type: 'root', root: { form: 'canonical', version, amount, lockTime, relativeLockTime, ...(splitRoot ? { splitRoot } : {}), scriptKey } } };
}

function* signer(pos: Position, h: StreamHeader, previous: number, i: number): Generator<Step, number, Uint8Array> {
  const what = `stream.signers[${i}]`;
  const input = yield* u8();
  if (input >= h.inputCount || input <= previous) bad(`${what}.input`, `expected an input index below ${h.inputCount}, above ${previous}, got ${input}`);
  const sighashType = yield* u8();
  if (sighashType > 1) bad(`${what}.sighashType`, `expected 0 (DEFAULT) or 1 (ALL), got ${sighashType}`);
  const keyIndex = be(yield* bytes(4));
  const tweak = yield* short(pos, `signers[${i}].tweak`);
  const n = yield* u8();
  if (n === 1 || n > MAX_PARTICIPANTS) bad(`${what}.participants`, `expected 0 or 2..${MAX_PARTICIPANTS}, got ${n}`);
  const participants: Uint8Array[] = [];
  for (let j = 0; j < n; j++) participants.push((yield* bytes(33)).slice());
  yield { emit: { type: 'signerStart', signer: { input, sighashType, keyIndex, tweak, participants } } };
  if (h.mode === StreamMode.sign) for (let j = 0; j < n; j++) yield { emit: { type: 'pubnonce', participant: j, pubnonce: (yield* bytes(PUBNONCE_LENGTH)).slice() } };
  yield { emit: { type: 'signerEnd', input } };
  return input;
}

/** Tag 06 (docs/frost.md §2.6): mode 0 only, so the grammar never reaches it in mode 1. */
function* frostSigner(pos: Position, h: StreamHeader, previous: number, i: number): Generator<Step, number, Uint8Array> {
  const what = `stream.signers[${i}]`;
  const input = yield* u8();
  if (input >= h.inputCount || input <= previous) bad(`${what}.input`, `expected an input index below ${h.inputCount}, above ${previous}, got ${input}`);
  const sighashType = yield* u8();
  if (sighashType !== 0) bad(`${what}.sighashType`, `expected 0 (DEFAULT): a FROST script key signs with SIGHASH_DEFAULT only, got ${sighashType}`);
  const tweak = yield* short(pos, `signers[${i}].tweak`);
  if (tweak.length !== 0 && tweak.length !== 32) bad(`${what}.tweak`, `expected 0 (BIP-86) or 32 bytes (a script tree root), got ${tweak.length}`);
  const handle = (yield* bytes(FROST_HANDLE_LENGTH)).slice();
  const wrappedShare = (yield* bytes(WRAPPED_SHARE_LENGTH)).slice();
  const long = function* (name: string, max: number): Generator<Step, number, Uint8Array> {
    const n = yield* varint(`signers[${i}].frost.${name}.length`, pos.remaining());
    if (n < 1 || n > max) bad(`${what}.frost.${name}`, `expected 1..${max} bytes, got ${n}`);
    return n;
  };
  const keyPackageLength = yield* long('keyPackage', MAX_KEY_PACKAGE_LENGTH);
  yield { emit: { type: 'frostSignerStart', signer: { input, sighashType, tweak, frost: { handle, wrappedShare } }, keyPackageLength } };
  yield { pass: keyPackageLength };
  const commitmentsLength = yield* long('commitments', MAX_NONCE_COMMITMENTS_LENGTH);
  yield { emit: { type: 'frostCommitments', length: commitmentsLength } };
  yield { pass: commitmentsLength };
  yield { emit: { type: 'frostSignerEnd', input } };
  return input;
}

function* output(pos: Position, j: number): Generator<Step, void, Uint8Array> {
  const what = `outputs[${j}]`;
  const type = yield* u8();
  if (type > 1) bad(`stream.${what}.type`, `expected 0 or 1, got ${type}`);
  const form = yield* u8();
  if (form > LeafForm.explicit) bad(`stream.${what}.leafForm`, `expected 0, 1 or 2, got ${form}`);
  const flags = yield* u8();
  if (flags & 0x80) bad(`stream.${what}.flags`, `expected bit 7 clear, got 0x${flags.toString(16)}`);
  const anchorOutputIndex = be(yield* bytes(4));
  let length = 0;
  let leaf: Extract<StreamEvent, { type: 'outputStart' }>['output']['leaf'];
  if (form === LeafForm.none) leaf = { form: 'none' };
  else if (form === LeafForm.canonical) leaf = { form: 'canonical', version: yield* u8(), amount: be64(yield* bytes(8)), scriptKey: (yield* bytes(33)).slice() };
  else leaf = { form: 'explicit', length: (length = yield* varint(`${what}.leaf.length`, pos.remaining())) };
  yield { emit: { type: 'outputStart', index: j, output: { type, anchorOutputIndex, leaf } } };
  if (length > 0) yield { pass: length };
  const has = (f: number) => (flags & f) !== 0;
  const fields: OutputFields = {};
  if (has(OutputFlag.lockTime)) fields.lockTime = be64(yield* bytes(8));
  if (has(OutputFlag.relativeLockTime)) fields.relativeLockTime = be64(yield* bytes(8));
  if (has(OutputFlag.anchorInternalKey)) fields.anchorInternalKey = (yield* bytes(33)).slice();
  if (has(OutputFlag.anchorSibling)) fields.anchorSibling = yield* short(pos, `${what}.anchorSibling`);
  if (has(OutputFlag.proofCourier)) fields.proofCourier = yield* short(pos, `${what}.proofCourier`);
  if (has(OutputFlag.address)) fields.address = yield* short(pos, `${what}.address`);
  if (has(OutputFlag.change)) fields.changeKeyIndex = be(yield* bytes(4));
  yield { emit: { type: 'outputEnd', index: j, fields } };
}

function* grammar(pos: Position): Generator<Step, void, Uint8Array> {
  const { header: h, streamLength } = yield* header();
  yield { emit: { type: 'header', header: h, streamLength } };
  for (let i = 0; i < h.inputCount; i++) {
    yield* tag([StreamTag.input], `stream.inputs[${i}]`);
    const prevId = (yield* bytes(PREV_ID_BYTES)).slice();
    const leafLength = yield* varint(`inputs[${i}].leaf.length`, pos.remaining());
    yield { emit: { type: 'inputStart', index: i, prevId, leafLength } };
    yield { pass: leafLength };
    yield { emit: { type: 'inputEnd', index: i } };
  }
  yield* tag([StreamTag.root], 'stream.root');
  yield* root(pos);
  const outputs = h.mode === StreamMode.sign ? h.outputCount : 0;
  let signers = 0;
  let previous = -1;
  let j = 0;
  while (pos.remaining() > 0) {
    if (h.mode === StreamMode.sign && j === outputs) bad('stream', `expected the end after ${outputs} outputs, got ${pos.remaining()} more bytes`);
    const allowed = j > 0 ? [StreamTag.output] : h.mode === StreamMode.sign ? [StreamTag.signer, StreamTag.frostSigner, StreamTag.output] : [StreamTag.signer];
    const t = yield* tag(allowed, `stream.items[${h.inputCount + 1 + signers + j}]`);
    if (t === StreamTag.signer) previous = yield* signer(pos, h, previous, signers++);
    else if (t === StreamTag.frostSigner) previous = yield* frostSigner(pos, h, previous, signers++);
    else yield* output(pos, j++);
  }
  if (j !== outputs) bad('stream.outputs', `expected ${outputs}, got ${j}`);
  yield { emit: { type: 'end' } };
}

/**
 * Push the stream's bytes in any pieces; each push returns the events they completed. The declared
 * length bounds the stream: a byte past it is a CodecError (6A87), as is `finish()` before the end.
 */
export class VpsbtStreamReader {
  private readonly gen: Generator<Step, void, Uint8Array>;
  private step: IteratorResult<Step, void>;
  private held: Uint8Array[] = [];
  private heldLength = 0;
  private passLeft = 0;
  private consumed = 0;
  private declared: number | undefined;
  private rootEndAt: number | undefined;

  constructor() {
    this.gen = grammar({ remaining: () => (this.declared ?? Infinity) - this.consumed });
    this.step = this.gen.next();
  }

  /**
   * Stream offset just past the root item, once read: the MuSig2 session id digests the stream up
   * to there (docs/tap-app-protocol.md §5.5.7).
   */
  get rootEnd(): number | undefined {
    return this.rootEndAt;
  }

  /** True once the whole declared stream was read. */
  get done(): boolean {
    return this.step.done === true;
  }

  push(chunk: Uint8Array): StreamEvent[] {
    const out: StreamEvent[] = [];
    let at = 0;
    for (;;) {
      while (!this.step.done && 'emit' in this.step.value) {
        const e = this.step.value.emit;
        if (e.type === 'header') this.declared = e.streamLength;
        if (e.type === 'root' || e.type === 'rootEnd') this.rootEndAt = this.consumed;
        out.push(e);
        this.step = this.gen.next();
      }
      if (this.declared !== undefined && this.consumed > this.declared)
        throw new CodecError(`stream: the header declares ${this.declared} bytes, got more`);
      if (this.step.done) {
        if (at < chunk.length) throw new CodecError(`stream: expected the end after ${this.declared} bytes, got ${chunk.length - at} more`);
        return out;
      }
      const s = this.step.value;
      // Empty values take no bytes: step over them even when this push has none left.
      if ('need' in s && s.need === 0) {
        this.step = this.gen.next(new Uint8Array());
        continue;
      }
      if ('pass' in s && this.passLeft === 0) {
        if (s.pass === 0) {
          this.step = this.gen.next();
          continue;
        }
        this.passLeft = s.pass;
      }
      if (at === chunk.length) return out;
      if ('pass' in s) {
        const k = Math.min(this.passLeft, chunk.length - at);
        if (k > 0) out.push({ type: 'data', bytes: chunk.slice(at, at + k) });
        at += k;
        this.consumed += k;
        this.passLeft -= k;
        if (this.passLeft === 0) this.step = this.gen.next();
        continue;
      }
      if ('need' in s) {
        const k = Math.min(s.need - this.heldLength, chunk.length - at);
        this.held.push(chunk.subarray(at, at + k));
        this.heldLength += k;
        at += k;
        this.consumed += k;
        if (this.heldLength === s.need) {
          const value = concat(...this.held);
          this.held = [];
          this.heldLength = 0;
          this.step = this.gen.next(value);
        }
      }
    }
  }

  /** No more bytes will come: throws unless the declared stream was read to its end. */
  finish(): void {
    if (!this.done) throw new CodecError(`stream: truncated after ${this.consumed} bytes${this.declared === undefined ? '' : ` of ${this.declared}`}`);
  }
}

/** Decodes a whole stream with the device's reader, long values gathered. */
export function decodeVpsbtStream(bytes: Uint8Array): VpsbtStream {
  const reader = new VpsbtStreamReader();
  const events = reader.push(bytes);
  reader.finish();
  let header: StreamHeader | undefined;
  let rootItem: StreamRoot | undefined;
  const inputs: VpsbtStream['inputs'] = [];
  const signers: StreamSigner[] = [];
  const frostSigners: StreamFrostSigner[] = [];
  let frost: Extract<StreamEvent, { type: 'frostSignerStart' }>['signer'] | undefined;
  let keyPackage: Uint8Array | undefined;
  const outputs: StreamOutput[] = [];
  let pieces: Uint8Array[] = [];
  let pending: Extract<StreamEvent, { type: 'outputStart' }>['output'] | undefined;
  let prevId: Uint8Array | undefined;
  for (const e of events) {
    switch (e.type) {
      case 'header':
        header = e.header;
        break;
      case 'inputStart':
        prevId = e.prevId;
        break;
      case 'inputEnd':
        inputs.push({ prevId: prevId!, leaf: concat(...pieces) });
        pieces = [];
        break;
      case 'root':
        rootItem = e.root;
        break;
      case 'rootEnd':
        rootItem = { form: 'explicit', bytes: concat(...pieces) };
        pieces = [];
        break;
      case 'signerStart':
        signers.push({ ...e.signer, pubnonces: [] });
        break;
      case 'pubnonce':
        signers[signers.length - 1]!.pubnonces.push(e.pubnonce);
        break;
      case 'frostSignerStart':
        frost = e.signer;
        break;
      case 'frostCommitments':
        keyPackage = concat(...pieces);
        pieces = [];
        break;
      case 'frostSignerEnd':
        frostSigners.push({ ...frost!, frost: { ...frost!.frost, keyPackage: keyPackage!, commitments: concat(...pieces) } });
        pieces = [];
        break;
      case 'outputStart':
        pending = e.output;
        break;
      case 'outputEnd': {
        const leaf: StreamLeaf = pending!.leaf.form === 'explicit' ? { form: 'explicit', bytes: concat(...pieces) } : pending!.leaf;
        outputs.push({ type: pending!.type, anchorOutputIndex: pending!.anchorOutputIndex, leaf, ...e.fields });
        pieces = [];
        break;
      }
      case 'data':
        pieces.push(e.bytes);
        break;
      case 'rootStart':
      case 'signerEnd':
      case 'end':
        break;
    }
  }
  return { header: header!, inputs, root: rootItem!, signers, ...(frostSigners.length > 0 ? { frostSigners } : {}), outputs };
}
