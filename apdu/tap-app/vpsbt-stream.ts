// SIGN_VPSBT, protocol version 2: the byte stream the host pushes in full 255-byte APDUs, and the
// result batches the device answers (design §1, §3, §7). One definition for the host encoder, the
// emulated device and the tests. The stream carries what the signature commits to, in the order
// the device needs it:
//
//   header || input{n_inputs} || root || signer* || output{n_outputs}     (mode 0, sign)
//   header || input{n_inputs} || root || signer+                          (mode 1, MuSig2 round 1)
//
// A signer is a key of this device (tag 04: single or MuSig2) or a FROST share (tag 06, mode 0 only,
// docs/frost.md §2.6).
//
// Every item after the header begins with its tag. This file encodes; vpsbt-stream-reader.ts reads
// (as a device does, chunk by chunk) and decodes, checking the shape and the ranges a device checks
// before any cryptography (a RequestError carries 6A80 or 6A82; short or trailing data is a
// CodecError, 6A87 on the wire); what the values mean is the device's check.

import { ByteReader, concat, encodeVarint, u16be, u32be, u64be } from '../bytes.ts';
import { MAX_APDU_DATA, type CommandApdu } from '../apdu.ts';
import { CodecError } from '../errors.ts';
import { MAX_PARTICIPANTS } from './keyagg.ts';
import { MAX_KEY_PACKAGE_LENGTH, MAX_NONCE_COMMITMENTS_LENGTH } from './frost-data.ts';
import { FROST_HANDLE_LENGTH, SIGNATURE_SHARE_LENGTH, WRAPPED_SHARE_LENGTH } from './frost.ts';
import { PARTIAL_SIGNATURE_LENGTH, PUBNONCE_LENGTH } from './musig.ts';
import { CLA_TAP, TAP_INS, TAP_PROTOCOL_VERSION } from './spec.ts';

/** P1 of SIGN_VPSBT v2. */
export const SignVpsbtP1 = { START: 0x00, NEXT: 0x01, RESULTS: 0x02 } as const;

export const StreamMode = { sign: 0, musigRound1: 1 } as const;
export type StreamModeValue = (typeof StreamMode)[keyof typeof StreamMode];

/** Header warnings, shown at the start of the review and checked against the outputs. */
export const StreamWarning = { burn: 0x01 } as const;

export const StreamTag = { input: 0x02, root: 0x03, signer: 0x04, output: 0x05, frostSigner: 0x06 } as const;

export const MAX_STREAM_INPUTS = 32;
export const MAX_STREAM_OUTPUTS = 0xffff;
/** Tweaks, anchor siblings, courier URLs and address TLVs: held whole, compared or shown. */
export const MAX_SHORT_FIELD = 255;
export const PREV_ID_BYTES = 101;

export interface StreamHeader {
  mode: StreamModeValue;
  /** Taproot Asset HRP naming the network ('tapbc', 'taptb', 'taprt', 'tapsb'; the device checks which). */
  hrp: string;
  inputCount: number;
  outputCount: number;
  /** StreamWarning bits. */
  warnings: number;
}

export interface StreamInput {
  /** tapd PrevID, 101 bytes: outpoint (TLV form) || asset ID || 33-byte script key. */
  prevId: Uint8Array;
  /** The input asset's MS-SMT leaf value: V0 its full encoding, V1 without tx witnesses. */
  leaf: Uint8Array;
}

export interface SplitRoot {
  hash: Uint8Array;
  sum: bigint;
}

/**
 * The signed root asset. Canonical: genesis and group key are input 0's, the prev witnesses are the
 * inputs' prev IDs in input order, script version 0. Explicit: its TLV encoding without tx witnesses.
 */
export type StreamRoot =
  | { form: 'canonical'; version: number; amount: bigint; lockTime: bigint; relativeLockTime: bigint; splitRoot?: SplitRoot; scriptKey: Uint8Array }
  | { form: 'explicit'; bytes: Uint8Array };

export interface StreamSigner {
  /** The input this device signs; signers come in strictly increasing input order. */
  input: number;
  /** 0 SIGHASH_DEFAULT, 1 SIGHASH_ALL. */
  sighashType: number;
  /** Last step of the script-key path m/1017'/c'/212'/0/keyIndex (c from the network). */
  keyIndex: number;
  /** The input's 0x18 value (tapd's script-key tweak); empty for BIP-86. */
  tweak: Uint8Array;
  /** MuSig2: the BIP-373 participant keys in their order (2..16); empty for a single key. */
  participants: Uint8Array[];
  /** MuSig2 round 2 (mode 0): one pubnonce per participant, in participant order. */
  pubnonces: Uint8Array[];
}

/**
 * A FROST signer (tag 06, mode 0): the input's script key is the Taproot tweak of a FROST group key
 * this device holds a share of (docs/frost.md §2.6). The device opens `wrappedShare` for the key
 * package, checks that the package's key tweaked by `tweak` is the input's script key, and signs with
 * the nonce FROST_COMMIT left in the slot of `handle`, over the sighash it computes itself.
 */
export interface StreamFrostSigner {
  input: number;
  /** 0 SIGHASH_DEFAULT (the only one FROST signs, as MuSig2). */
  sighashType: number;
  /** The input's 0x18 value: empty (BIP-86) or a 32-byte script tree root. */
  tweak: Uint8Array;
  frost: {
    handle: Uint8Array;
    wrappedShare: Uint8Array;
    /** The encoded key package (apdu/tap-app/frost-data.ts); its SHA-256 is the key-set ID. */
    keyPackage: Uint8Array;
    /** The encoded nonce commitments of every signer of the session, this device's included. */
    commitments: Uint8Array;
  };
}

export type AnyStreamSigner = StreamSigner | StreamFrostSigner;

export const isFrostSigner = (s: AnyStreamSigner): s is StreamFrostSigner => 'frost' in s;

/** Both kinds of signer in the order they are streamed: by input. */
export function streamedSigners(s: Pick<VpsbtStream, 'signers' | 'frostSigners'>): AnyStreamSigner[] {
  return [...s.signers, ...(s.frostSigners ?? [])].sort((a, b) => a.input - b.input);
}

/**
 * An output's split leaf. Canonical: tapd's split asset rebuilt from the root (genesis, lock times,
 * group key, a zero prev ID witness) and these three values. Explicit: the leaf value as hashed.
 * None: the only output of a transfer without a split commitment (its values are the root's).
 */
export type StreamLeaf =
  | { form: 'none' }
  | { form: 'canonical'; version: number; amount: bigint; scriptKey: Uint8Array }
  | { form: 'explicit'; bytes: Uint8Array };

export const LeafForm = { none: 0, canonical: 1, explicit: 2 } as const;

export interface StreamOutput {
  /** 0 simple, 1 split root. */
  type: number;
  anchorOutputIndex: number;
  leaf: StreamLeaf;
  /** 0x7c / 0x7d, when the packet carries them. */
  lockTime?: bigint;
  relativeLockTime?: bigint;
  /** 0x73, 33 bytes. */
  anchorInternalKey?: Uint8Array;
  /** 0x78 value (tapscript preimage). */
  anchorSibling?: Uint8Array;
  /** 0x7a value (URL bytes). */
  proofCourier?: Uint8Array;
  /** 0x7f value (address TLV). */
  address?: Uint8Array;
  /** The 0x07 derivation's last step when it names this device's script-key path (change). */
  changeKeyIndex?: number;
}

export interface VpsbtStream {
  header: StreamHeader;
  inputs: StreamInput[];
  root: StreamRoot;
  signers: StreamSigner[];
  /** Mode 0: streamed among `signers` in input order (one input has at most one signer of either kind). */
  frostSigners?: StreamFrostSigner[];
  /** Empty in mode 1. */
  outputs: StreamOutput[];
}

/** Which optional output fields follow (the `flags` byte). */
export const OutputFlag = {
  lockTime: 0x01,
  relativeLockTime: 0x02,
  anchorInternalKey: 0x04,
  anchorSibling: 0x08,
  proofCourier: 0x10,
  address: 0x20,
  change: 0x40,
} as const;

const HEADER_FIXED = 4 + 1 + 1 + 1 + 2 + 1;
/** The HRP field's bound; which HRPs name a network is the device's check. */
export const MAX_HRP_LENGTH = 16;

function range(n: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${what}: expected ${min}..${max}, got ${n}`);
  return n;
}

function fixed(b: Uint8Array, n: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== n) throw new RangeError(`${what}: expected ${n} bytes, got ${b instanceof Uint8Array ? b.length : typeof b}`);
  return b;
}

function u64(n: bigint, what: string): Uint8Array {
  if (typeof n !== 'bigint' || n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`${what}: expected 0..2^64-1, got ${n}`);
  return u64be(n);
}

const withLength = (b: Uint8Array): Uint8Array => concat(encodeVarint(b.length), b);

function shortField(b: Uint8Array, what: string): Uint8Array {
  if (b.length > MAX_SHORT_FIELD) throw new RangeError(`${what}: expected at most ${MAX_SHORT_FIELD} bytes, got ${b.length}`);
  return withLength(b);
}

function encodeHeader(h: StreamHeader, streamLength: number): Uint8Array {
  if (!/^[a-z]+$/.test(h.hrp) || h.hrp.length > MAX_HRP_LENGTH) throw new RangeError(`stream.header.hrp: expected 1..${MAX_HRP_LENGTH} lowercase letters, got ${JSON.stringify(h.hrp)}`);
  return concat(
    u32be(streamLength),
    Uint8Array.of(range(h.mode, 0, 1, 'stream.header.mode'), h.hrp.length),
    new TextEncoder().encode(h.hrp),
    Uint8Array.of(range(h.inputCount, 1, MAX_STREAM_INPUTS, 'stream.header.inputCount')),
    u16be(range(h.outputCount, 1, MAX_STREAM_OUTPUTS, 'stream.header.outputCount')),
    Uint8Array.of(range(h.warnings, 0, StreamWarning.burn, 'stream.header.warnings')),
  );
}

function encodeInput(x: StreamInput, i: number): Uint8Array {
  return concat(Uint8Array.of(StreamTag.input), fixed(x.prevId, PREV_ID_BYTES, `stream.inputs[${i}].prevId`), withLength(x.leaf));
}

function encodeRoot(r: StreamRoot): Uint8Array {
  const tag = Uint8Array.of(StreamTag.root);
  if (r.form === 'explicit') return concat(tag, Uint8Array.of(1), withLength(r.bytes));
  return concat(
    tag,
    Uint8Array.of(0, range(r.version, 0, 255, 'stream.root.version')),
    u64(r.amount, 'stream.root.amount'),
    u64(r.lockTime, 'stream.root.lockTime'),
    u64(r.relativeLockTime, 'stream.root.relativeLockTime'),
    r.splitRoot ? concat(Uint8Array.of(1), fixed(r.splitRoot.hash, 32, 'stream.root.splitRoot.hash'), u64(r.splitRoot.sum, 'stream.root.splitRoot.sum')) : Uint8Array.of(0),
    fixed(r.scriptKey, 33, 'stream.root.scriptKey'),
  );
}

function encodeSigner(s: StreamSigner, mode: StreamModeValue, i: number): Uint8Array {
  const what = `stream.signers[${i}]`;
  const n = s.participants.length;
  if (n === 1 || n > MAX_PARTICIPANTS) throw new RangeError(`${what}.participants: expected 0 or 2..${MAX_PARTICIPANTS}, got ${n}`);
  const nonces = mode === StreamMode.sign && n > 0 ? n : 0;
  if (s.pubnonces.length !== nonces) throw new RangeError(`${what}.pubnonces: expected ${nonces} in mode ${mode}, got ${s.pubnonces.length}`);
  return concat(
    Uint8Array.of(StreamTag.signer, range(s.input, 0, MAX_STREAM_INPUTS - 1, `${what}.input`), range(s.sighashType, 0, 1, `${what}.sighashType`)),
    u32be(range(s.keyIndex, 0, 0xffffffff, `${what}.keyIndex`)),
    shortField(s.tweak, `${what}.tweak`),
    Uint8Array.of(n),
    ...s.participants.map((k, j) => fixed(k, 33, `${what}.participants[${j}]`)),
    ...s.pubnonces.map((p, j) => fixed(p, PUBNONCE_LENGTH, `${what}.pubnonces[${j}]`)),
  );
}

function encodeFrostSigner(s: StreamFrostSigner, mode: StreamModeValue, i: number): Uint8Array {
  const what = `stream.signers[${i}]`;
  if (mode !== StreamMode.sign) throw new RangeError(`${what}: expected no FROST signer in mode ${mode} (MuSig2 round 1)`);
  if (s.tweak.length !== 0 && s.tweak.length !== 32) throw new RangeError(`${what}.tweak: expected 0 or 32 bytes, got ${s.tweak.length}`);
  const long = (b: Uint8Array, max: number, name: string) => {
    if (b.length < 1 || b.length > max) throw new RangeError(`${what}.frost.${name}: expected 1..${max} bytes, got ${b.length}`);
    return withLength(b);
  };
  return concat(
    Uint8Array.of(StreamTag.frostSigner, range(s.input, 0, MAX_STREAM_INPUTS - 1, `${what}.input`), range(s.sighashType, 0, 0, `${what}.sighashType`)),
    withLength(s.tweak),
    fixed(s.frost.handle, FROST_HANDLE_LENGTH, `${what}.frost.handle`),
    fixed(s.frost.wrappedShare, WRAPPED_SHARE_LENGTH, `${what}.frost.wrappedShare`),
    long(s.frost.keyPackage, MAX_KEY_PACKAGE_LENGTH, 'keyPackage'),
    long(s.frost.commitments, MAX_NONCE_COMMITMENTS_LENGTH, 'commitments'),
  );
}

function encodeLeafForm(l: StreamLeaf): number {
  return LeafForm[l.form];
}

function encodeLeafBody(l: StreamLeaf, what: string): Uint8Array {
  switch (l.form) {
    case 'none':
      return new Uint8Array();
    case 'canonical':
      return concat(Uint8Array.of(range(l.version, 0, 255, `${what}.version`)), u64(l.amount, `${what}.amount`), fixed(l.scriptKey, 33, `${what}.scriptKey`));
    case 'explicit':
      return withLength(l.bytes);
  }
}

function encodeOutput(o: StreamOutput, j: number): Uint8Array {
  const what = `stream.outputs[${j}]`;
  let flags = 0;
  const opt: Uint8Array[] = [];
  const add = (flag: number, bytes: Uint8Array | undefined) => {
    if (bytes === undefined) return;
    flags |= flag;
    opt.push(bytes);
  };
  add(OutputFlag.lockTime, o.lockTime === undefined ? undefined : u64(o.lockTime, `${what}.lockTime`));
  add(OutputFlag.relativeLockTime, o.relativeLockTime === undefined ? undefined : u64(o.relativeLockTime, `${what}.relativeLockTime`));
  add(OutputFlag.anchorInternalKey, o.anchorInternalKey && fixed(o.anchorInternalKey, 33, `${what}.anchorInternalKey`));
  add(OutputFlag.anchorSibling, o.anchorSibling && shortField(o.anchorSibling, `${what}.anchorSibling`));
  add(OutputFlag.proofCourier, o.proofCourier && shortField(o.proofCourier, `${what}.proofCourier`));
  add(OutputFlag.address, o.address && shortField(o.address, `${what}.address`));
  add(OutputFlag.change, o.changeKeyIndex === undefined ? undefined : u32be(range(o.changeKeyIndex, 0, 0xffffffff, `${what}.changeKeyIndex`)));
  return concat(
    Uint8Array.of(StreamTag.output, range(o.type, 0, 1, `${what}.type`), encodeLeafForm(o.leaf), flags),
    u32be(range(o.anchorOutputIndex, 0, 0xffffffff, `${what}.anchorOutputIndex`)),
    encodeLeafBody(o.leaf, `${what}.leaf`),
    ...opt,
  );
}

/** The whole stream, its declared length included. */
export function encodeVpsbtStream(s: VpsbtStream): Uint8Array {
  const h = s.header;
  if (s.inputs.length !== h.inputCount) throw new RangeError(`stream.inputs: expected ${h.inputCount} (header), got ${s.inputs.length}`);
  const outputs = h.mode === StreamMode.sign ? h.outputCount : 0;
  if (s.outputs.length !== outputs) throw new RangeError(`stream.outputs: expected ${outputs} in mode ${h.mode}, got ${s.outputs.length}`);
  const signers = streamedSigners(s);
  signers.forEach((x, i) => {
    if (x.input >= h.inputCount || (i > 0 && x.input <= signers[i - 1]!.input))
      throw new RangeError(`stream.signers[${i}].input: expected an input index below ${h.inputCount}, above the previous signer's, got ${x.input}`);
  });
  const body = concat(
    ...s.inputs.map(encodeInput),
    encodeRoot(s.root),
    ...signers.map((x, i) => (isFrostSigner(x) ? encodeFrostSigner(x, h.mode, i) : encodeSigner(x, h.mode, i))),
    ...s.outputs.map(encodeOutput),
  );
  const length = HEADER_FIXED + h.hrp.length + body.length;
  if (length > 0xffffffff) throw new RangeError(`stream: expected at most 2^32-1 bytes, got ${length}`);
  return concat(encodeHeader(h, length), body);
}

/**
 * `B` of the exchange-count model (design §9): the bytes of the field values the device reads,
 * each once, without tags, forms, flags, lengths, the stream length or the mode.
 */
export function streamFieldBytes(s: VpsbtStream): number {
  const h = s.header;
  let b = h.hrp.length + 1 + 2 + 1;
  for (const x of s.inputs) b += PREV_ID_BYTES + x.leaf.length;
  b += s.root.form === 'explicit' ? s.root.bytes.length : 1 + 8 + 8 + 8 + (s.root.splitRoot ? 40 : 0) + 33;
  for (const x of streamedSigners(s))
    b += isFrostSigner(x)
      ? 1 + 1 + x.tweak.length + FROST_HANDLE_LENGTH + WRAPPED_SHARE_LENGTH + x.frost.keyPackage.length + x.frost.commitments.length
      : 1 + 1 + 4 + x.tweak.length + 33 * x.participants.length + PUBNONCE_LENGTH * x.pubnonces.length;
  for (const o of s.outputs) {
    b += 1 + 4;
    if (o.leaf.form === 'canonical') b += 1 + 8 + 33;
    if (o.leaf.form === 'explicit') b += o.leaf.bytes.length;
    if (o.lockTime !== undefined) b += 8;
    if (o.relativeLockTime !== undefined) b += 8;
    if (o.anchorInternalKey) b += 33;
    b += (o.anchorSibling?.length ?? 0) + (o.proofCourier?.length ?? 0) + (o.address?.length ?? 0);
    if (o.changeKeyIndex !== undefined) b += 4;
  }
  return b;
}

/** The APDUs that carry `stream`: START with the first 255 bytes, NEXT with each following 255. */
export function streamCommands(stream: Uint8Array): CommandApdu[] {
  const out: CommandApdu[] = [];
  for (let at = 0; at < stream.length; at += MAX_APDU_DATA)
    out.push({ cla: CLA_TAP, ins: TAP_INS.SIGN_VPSBT, p1: at === 0 ? SignVpsbtP1.START : SignVpsbtP1.NEXT, p2: TAP_PROTOCOL_VERSION, data: stream.subarray(at, at + MAX_APDU_DATA) });
  return out;
}

export function resultsCommand(): CommandApdu {
  return { cla: CLA_TAP, ins: TAP_INS.SIGN_VPSBT, p1: SignVpsbtP1.RESULTS, p2: TAP_PROTOCOL_VERSION, data: new Uint8Array() };
}

/** The chunk size a device requires of the chunk starting at `offset` of a `streamLength`-byte stream. */
export function expectedChunkLength(streamLength: number, offset: number): number {
  return Math.min(MAX_APDU_DATA, streamLength - offset);
}

export type StreamResult =
  | { kind: 'signature'; input: number; signature: Uint8Array }
  | { kind: 'pubnonce'; input: number; pubnonce: Uint8Array }
  | { kind: 'partialSignature'; input: number; partialSignature: Uint8Array }
  | { kind: 'frostSignatureShare'; input: number; signatureShare: Uint8Array };

/** Entry codes: 00 signature (DEFAULT), 01 signature || 01 (ALL), 02 pubnonce, 03 partial signature, 04 FROST signature share. */
export const ResultCode = { signature: 0x00, signatureAll: 0x01, pubnonce: 0x02, partialSignature: 0x03, frostSignatureShare: 0x04 } as const;

function encodeResult(e: StreamResult): Uint8Array {
  const input = range(e.input, 0, MAX_STREAM_INPUTS - 1, 'result.input');
  switch (e.kind) {
    case 'signature': {
      const n = e.signature.length;
      if (n === 65 && e.signature[64] !== 0x01) throw new RangeError(`result.signature: expected a 65th byte of 01 (SIGHASH_ALL), got ${e.signature[64]}`);
      if (n !== 64 && n !== 65) throw new RangeError(`result.signature: expected 64 or 65 bytes, got ${n}`);
      return concat(Uint8Array.of(n === 64 ? ResultCode.signature : ResultCode.signatureAll, input), e.signature);
    }
    case 'pubnonce':
      return concat(Uint8Array.of(ResultCode.pubnonce, input), fixed(e.pubnonce, PUBNONCE_LENGTH, 'result.pubnonce'));
    case 'partialSignature':
      return concat(Uint8Array.of(ResultCode.partialSignature, input), fixed(e.partialSignature, PARTIAL_SIGNATURE_LENGTH, 'result.partialSignature'));
    case 'frostSignatureShare':
      return concat(Uint8Array.of(ResultCode.frostSignatureShare, input), fixed(e.signatureShare, SIGNATURE_SHARE_LENGTH, 'result.signatureShare'));
  }
}

/**
 * The result batches of a finished stream: `remaining:u8 || entries`, as many whole entries as fit
 * in 255 bytes; the first is the answer to the last chunk, the others answer RESULTS.
 */
export function encodeResultBatches(results: readonly StreamResult[]): Uint8Array[] {
  const entries = results.map(encodeResult);
  const batches: Uint8Array[][] = [[]];
  let size = 1;
  for (const e of entries) {
    if (size + e.length > MAX_APDU_DATA) {
      batches.push([]);
      size = 1;
    }
    batches[batches.length - 1]!.push(e);
    size += e.length;
  }
  let remaining = entries.length;
  return batches.map((b) => {
    remaining -= b.length;
    return concat(Uint8Array.of(remaining), ...b);
  });
}

/** Decodes one batch as the host receives it (it trusts nothing in it: shapes and codes checked). */
export function decodeResultBatch(data: Uint8Array): { remaining: number; results: StreamResult[] } {
  const r = new ByteReader(data, 'SIGN_VPSBT result batch');
  const remaining = r.u8('remaining');
  const results: StreamResult[] = [];
  while (!r.done) {
    const code = r.u8('code');
    const input = r.u8('input');
    if (input >= MAX_STREAM_INPUTS) throw new CodecError(`SIGN_VPSBT result batch.input: expected below ${MAX_STREAM_INPUTS}, got ${input}`);
    if (code === ResultCode.signature) results.push({ kind: 'signature', input, signature: r.bytesN(64, 'signature').slice() });
    else if (code === ResultCode.signatureAll) {
      const signature = r.bytesN(65, 'signature').slice();
      if (signature[64] !== 0x01) throw new CodecError(`SIGN_VPSBT result batch.signature: expected sighash byte 01, got ${signature[64]}`);
      results.push({ kind: 'signature', input, signature });
    } else if (code === ResultCode.pubnonce) results.push({ kind: 'pubnonce', input, pubnonce: r.bytesN(PUBNONCE_LENGTH, 'pubnonce').slice() });
    else if (code === ResultCode.partialSignature) results.push({ kind: 'partialSignature', input, partialSignature: r.bytesN(PARTIAL_SIGNATURE_LENGTH, 'partialSignature').slice() });
    else if (code === ResultCode.frostSignatureShare) results.push({ kind: 'frostSignatureShare', input, signatureShare: r.bytesN(SIGNATURE_SHARE_LENGTH, 'signatureShare').slice() });
    else throw new CodecError(`SIGN_VPSBT result batch.code: expected 00..04, got 0x${code.toString(16).padStart(2, '0')}`);
  }
  if (results.length === 0 && data.length > 1) throw new CodecError('SIGN_VPSBT result batch: expected entries');
  return { remaining, results };
}

/** Exchanges of a SIGN_VPSBT v2 call: the chunks, plus one RESULTS per batch after the first. */
export function streamExchanges(streamLength: number, results: readonly StreamResult[]): number {
  return Math.ceil(streamLength / MAX_APDU_DATA) + encodeResultBatches(results).length - 1;
}
