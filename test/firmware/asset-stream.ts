// An asset leaf TLV (docs/taproot-assets.md §4, assets/asset/leaf.ts) parsed as it streams in, for the
// output assets of SIGN_VPSBT (docs/tap-app-protocol.md §5.5). It is the reference the firmware's C
// parser (firmware/tap-app/core/tap_asset.c) is checked against through test/firmware/vectors.ts;
// the emulator's SIGN_VPSBT reads each leaf whole, so it lives with the firmware tests. A split output's asset carries its
// split commitment: an MS-SMT proof that grows with log2(outputs) and a copy of the root asset. The
// device never holds either: it keeps the fields it shows and checks, and digests of the rest.
//
// It refuses what assets/'s decodeAsset refuses (same canonical rules, same decoders on every record
// read whole), and computes on request, from the same single pass:
//   * the split leaf: SHA-256 of the leaf value tapd's vm.validateSplit puts in the split tree (the
//     asset with the root's lock times and its witness without the split commitment) and its amount;
//     the witness' new length is known once the split commitment's header is read, so only the prev
//     ID record before it is held back (at most 103 bytes);
//   * the stripped digest (for a root asset): SHA-256 over its records with every tx witness left out,
//     the witness list written as `11 || count || per witness: its other records || 00` (type 0 is
//     never a witness record, so the form is unambiguous); two assets have the same digest exactly
//     when they are equal once tx witnesses are stripped.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, u64be } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { assetId, readGenesis } from '../../assets/asset/genesis.ts';
import { LeafType, WitnessType } from '../../assets/asset/leaf.ts';
import { PREV_ID_LENGTH, decodePrevId } from '../../assets/asset/prev-id.ts';
import { MSSMT_DEPTH, type MssmtNode } from '../../assets/mssmt/node.ts';
import { bigSizeLength, encodeBigSize } from '../../assets/tlv/bigsize.ts';
import { encodeTlvStream, record } from '../../assets/tlv/stream.ts';
import { checkPubKey, decodeU16, decodeU8, decodeVarIntValue, readValue } from '../../assets/tlv/values.ts';
import { MAX_PULL, type Pull, type PullSource } from './pull.ts';

/** tapd limits witness lists and stack items to 2^16-1 (asset/encoding.go). */
const MAX_ITEMS = 0xffff;
const SHA256_STATE = 104;
/**
 * Fixed parse state of one asset: version, asset ID, amount, script key, the two type bytes, script
 * version, witness count, the first witness' facts (node count, nodes hash, bit map, root digest),
 * the running leaf or stripped hash and the running nodes hash.
 */
export const ASSET_PARSE_STATE = 1 + 32 + 8 + 33 + 2 + 2 + 2 + (2 + 32 + 32 + 32) + 2 * SHA256_STATE;
/** A split leaf's node size, as the proof fold holds it. */
export const NODE_BYTES = 40;

/** Records read whole, with their longest valid length (a genesis: outpoint, tag <= 64, meta hash, index, type). */
const WHOLE_RECORDS: Record<number, number> = {
  [LeafType.version]: 1,
  [LeafType.genesis]: MAX_PULL,
  [LeafType.type]: 1,
  [LeafType.amount]: 9,
  [LeafType.lockTime]: 9,
  [LeafType.relativeLockTime]: 9,
  [LeafType.splitCommitmentRoot]: NODE_BYTES,
  [LeafType.scriptVersion]: 2,
  [LeafType.scriptKey]: 33,
  [LeafType.groupKey]: 33,
};
const LEAF_NAMES: Record<string, string> = Object.fromEntries(Object.entries(LeafType).map(([k, v]) => [String(v), k]));

export interface StreamedSplitCommitment {
  /** Number of explicit (non-empty) siblings of the embedded compressed proof. */
  nodeCount: number;
  /** SHA-256(0x00 || the nodes as carried): the leaf hash under which the device asks the host for them again. */
  nodesHash: Uint8Array;
  /** The proof's 256-bit emptiness map, LSB first: bit i set means sibling i (bottom-up) is an empty subtree. */
  bits: Uint8Array;
  /** Stripped digest of the root asset it names. */
  rootAsset: Uint8Array;
}

export interface StreamedWitness {
  txWitness: boolean;
  splitCommitment?: StreamedSplitCommitment;
}

export interface StreamedAsset {
  version: number;
  assetId: Uint8Array;
  amount: bigint;
  scriptKey: Uint8Array;
  witnessCount: number;
  /** The first prev witness: what a split output's check needs. */
  firstWitness?: StreamedWitness;
  /** With `splitLeaf`: the MS-SMT leaf the asset occupies as a split (hash and sum), or why it has none. */
  splitLeaf?: MssmtNode;
  splitLeafProblem?: string;
  /** With `stripped`: the digest of the asset with its tx witnesses left out. */
  stripped?: Uint8Array;
}

export interface AssetStreamOptions {
  /** The signed root's lock times, which a split leaf takes (vm.validateSplit). */
  splitLeaf?: { lockTime: bigint; relativeLockTime: bigint };
  stripped?: boolean;
}

/** Writes the split leaf value into its hash as the records go by. */
class SplitLeafWriter {
  private readonly h = sha256.create();
  private locksWritten = false;
  problem: string | undefined;

  constructor(private readonly root: { lockTime: bigint; relativeLockTime: bigint }) {}

  write(b: Uint8Array): void {
    if (this.problem === undefined) this.h.update(b);
  }

  fail(problem: string): void {
    this.problem ??= problem;
  }

  /** Before a top-level record of `type`: the root's lock times (records 7 and 9) go in their place. */
  before(type: bigint): void {
    if (this.locksWritten || type < BigInt(LeafType.lockTime)) return;
    this.locksWritten = true;
    const recs = [];
    if (this.root.lockTime > 0n) recs.push(record(LeafType.lockTime, encodeBigSize(this.root.lockTime)));
    if (this.root.relativeLockTime > 0n) recs.push(record(LeafType.relativeLockTime, encodeBigSize(this.root.relativeLockTime)));
    this.write(encodeTlvStream(recs));
  }

  finish(version: number, amount: bigint): MssmtNode | undefined {
    if (version !== 0 && version !== 1) this.fail(`expected asset version 0 or 1 to build a commitment leaf, got ${version}`);
    this.before(BigInt(Number.MAX_SAFE_INTEGER));
    if (this.problem !== undefined) return undefined;
    this.h.update(u64be(amount));
    return { hash: this.h.digest(), sum: amount };
  }
}

type Sinks = { leaf: SplitLeafWriter | undefined; stripped: ReturnType<typeof sha256.create> | undefined };

function* recordHeader(s: PullSource, what: string, last: bigint): Pull<{ type: bigint; len: number; header: Uint8Array }> {
  const type = yield* s.bigSize(`${what}: type`);
  if (type <= last) throw new CodecError(`${what}: expected TLV types in strictly increasing order, got type ${type} after ${last}`);
  const len = yield* s.length(`${what}.type ${type} length`, Number.MAX_SAFE_INTEGER);
  return { type, len, header: concat(encodeBigSize(type), encodeBigSize(len)) };
}

function* pullWitness(s: PullSource, what: string, wlen: number, sinks: Sinks): Pull<StreamedWitness> {
  const out: StreamedWitness = { txWitness: false };
  const { leaf, stripped } = sinks;
  let prevIdRecord: Uint8Array | undefined;
  let last = -1n;
  while (s.left > 0) {
    const { type, len, header } = yield* recordHeader(s, what, last);
    last = type;
    if (type === BigInt(WitnessType.prevId)) {
      if (len !== PREV_ID_LENGTH) throw new CodecError(`${what}.prevId: expected ${PREV_ID_LENGTH} bytes, got ${len}`);
      const v = yield* s.bytes(len, `${what}.prevId`);
      decodePrevId(v, `${what}.prevId`);
      prevIdRecord = concat(header, v);
      // Held back until the split commitment's header gives the leaf witness its length.
      s.hold(prevIdRecord.length);
      stripped?.update(prevIdRecord);
    } else if (type === BigInt(WitnessType.txWitness)) {
      out.txWitness = true;
      leaf?.fail('a split output carries a tx witness');
      s.enter(len, `${what}.txWitness`);
      const n = yield* s.length(`${what}.txWitness item count`, MAX_ITEMS);
      if (n === 0) throw new CodecError(`${what}.txWitness: expected at least one stack item (an empty witness is omitted), got 0`);
      for (let i = 0; i < n; i++) {
        const itemLen = yield* s.length(`${what}.txWitness.items[${i}] length`, MAX_ITEMS);
        yield* s.pieces(itemLen, `${what}.txWitness.items[${i}]`, () => {});
      }
      s.leave(`${what}.txWitness`);
    } else if (type === BigInt(WitnessType.splitCommitment)) {
      if (stripped) throw new CodecError(`${what}.splitCommitment: expected none in a split root asset's own witnesses, got one`);
      const leafWitness = wlen - header.length - len;
      const leafList = bigSizeLength(1) + bigSizeLength(leafWitness) + leafWitness;
      leaf?.write(concat(encodeBigSize(LeafType.prevWitnesses), encodeBigSize(leafList), encodeBigSize(1), encodeBigSize(leafWitness), prevIdRecord ?? new Uint8Array()));
      out.splitCommitment = yield* pullSplitCommitment(s, `${what}.splitCommitment`, len);
    } else if (type % 2n === 0n) {
      throw new CodecError(`${what}: expected only known even TLV types, got unknown even type ${type}`);
    } else {
      if (!out.splitCommitment) leaf?.fail('a split output carries no split commitment');
      leaf?.write(header);
      stripped?.update(header);
      yield* s.pieces(len, `${what}.type ${type}`, (p) => {
        leaf?.write(p);
        stripped?.update(p);
      });
    }
  }
  if (!out.splitCommitment) leaf?.fail('a split output carries no split commitment');
  if (prevIdRecord) s.release(prevIdRecord.length);
  stripped?.update(Uint8Array.of(0));
  return out;
}

function* pullSplitCommitment(s: PullSource, what: string, len: number): Pull<StreamedSplitCommitment> {
  s.enter(len, what);
  const proofLen = yield* s.length(`${what}.proof length`, len);
  s.enter(proofLen, `${what}.proof`);
  const nodeCount = yield* s.u16be(`${what}.proof node count`);
  const nodes = sha256.create().update(Uint8Array.of(0));
  for (let i = 0; i < nodeCount; i++) nodes.update(yield* s.bytes(NODE_BYTES, `${what}.proof.nodes[${i}]`));
  const bits = yield* s.bytes(MSSMT_DEPTH / 8, `${what}.proof.bits`);
  s.leave(`${what}.proof`);
  let empty = 0;
  for (const b of bits) for (let i = 0; i < 8; i++) empty += (b >> i) & 1;
  if (MSSMT_DEPTH - empty !== nodeCount)
    throw new CodecError(`${what}.proof: expected ${MSSMT_DEPTH - empty} explicit nodes for the bit map, got ${nodeCount}`);
  const rootLen = yield* s.length(`${what}.rootAsset length`, len);
  s.enter(rootLen, `${what}.rootAsset`);
  const root = yield* pullAsset(s, `${what}.rootAsset`, { stripped: true });
  s.release(ASSET_PARSE_STATE);
  s.leave(`${what}.rootAsset`);
  s.leave(what);
  return { nodeCount, nodesHash: nodes.digest(), bits, rootAsset: root.stripped! };
}

function* pullWitnessList(s: PullSource, what: string, len: number, sinks: Sinks): Pull<{ count: number; first: StreamedWitness }> {
  s.enter(len, what);
  const count = yield* s.length(`${what} count`, MAX_ITEMS);
  if (count === 0) throw new CodecError(`${what}: expected at least one witness (an empty list is omitted), got 0`);
  if (count !== 1) sinks.leaf?.fail(`a split output carries ${count} prev witnesses`);
  sinks.stripped?.update(encodeBigSize(count));
  let first: StreamedWitness | undefined;
  for (let i = 0; i < count; i++) {
    const wlen = yield* s.length(`${what}[${i}] length`, MAX_ITEMS);
    s.enter(wlen, `${what}[${i}]`);
    const w = yield* pullWitness(s, `${what}[${i}]`, wlen, { leaf: i === 0 ? sinks.leaf : undefined, stripped: sinks.stripped });
    s.leave(`${what}[${i}]`);
    first ??= w;
  }
  s.leave(what);
  return { count, first: first! };
}

/** Parses one asset leaf from `s` (the whole of the current region); leaves ASSET_PARSE_STATE held. */
export function* pullAsset(s: PullSource, what: string, opts: AssetStreamOptions = {}): Pull<StreamedAsset> {
  s.hold(ASSET_PARSE_STATE);
  const sinks: Sinks = { leaf: opts.splitLeaf && new SplitLeafWriter(opts.splitLeaf), stripped: opts.stripped ? sha256.create() : undefined };
  let version: number | undefined;
  let id: Uint8Array | undefined;
  let genesisType: number | undefined;
  let type: number | undefined;
  let amount: bigint | undefined;
  let scriptVersion: number | undefined;
  let scriptKey: Uint8Array | undefined;
  let witnesses: { count: number; first: StreamedWitness } | undefined;
  let last = -1n;
  while (s.left > 0) {
    const { type: t, len, header } = yield* recordHeader(s, what, last);
    last = t;
    const f = `${what}.${LEAF_NAMES[t.toString()] ?? t}`;
    sinks.leaf?.before(t);
    if (t === BigInt(LeafType.prevWitnesses)) {
      sinks.stripped?.update(encodeBigSize(t));
      witnesses = yield* pullWitnessList(s, f, len, sinks);
      continue;
    }
    const max = WHOLE_RECORDS[Number(t)];
    if (max === undefined) {
      if (t % 2n === 0n) throw new CodecError(`${what}: expected only known even TLV types, got unknown even type ${t}`);
      sinks.leaf?.write(header);
      sinks.stripped?.update(header);
      yield* s.pieces(len, f, (p) => {
        sinks.leaf?.write(p);
        sinks.stripped?.update(p);
      });
      continue;
    }
    if (len > max) throw new CodecError(`${f}: expected at most ${max} bytes, got ${len}`);
    const v = yield* s.bytes(len, f);
    switch (Number(t)) {
      case LeafType.version:
        version = decodeU8(v, f);
        break;
      case LeafType.genesis: {
        const g = readValue(v, f, (r) => readGenesis(r, 'value'));
        id = assetId(g);
        genesisType = g.type;
        break;
      }
      case LeafType.type:
        type = decodeU8(v, f);
        break;
      case LeafType.amount:
        amount = decodeVarIntValue(v, f);
        break;
      case LeafType.lockTime:
      case LeafType.relativeLockTime:
        if (decodeVarIntValue(v, f) === 0n) throw new CodecError(`${f}: expected a non-zero value (zero is encoded by omission), got 0`);
        break;
      case LeafType.splitCommitmentRoot:
        readValue(v, f, (r) => {
          r.bytesN(32, 'hash');
          r.u64be('sum');
        });
        break;
      case LeafType.scriptVersion:
        scriptVersion = decodeU16(v, f);
        break;
      case LeafType.scriptKey:
        scriptKey = checkPubKey(v, f, true).slice();
        break;
      case LeafType.groupKey:
        checkPubKey(v, f, true);
        break;
    }
    // A split leaf takes the root's lock times instead of its own (written by before()).
    const ownLock = t === BigInt(LeafType.lockTime) || t === BigInt(LeafType.relativeLockTime);
    if (!ownLock) sinks.leaf?.write(concat(header, v));
    sinks.stripped?.update(concat(header, v));
  }
  const missing = (name: keyof typeof LeafType): never => {
    throw new CodecError(`${what}.${name}: expected record ${LeafType[name]}, got none`);
  };
  if (version === undefined) missing('version');
  if (id === undefined) missing('genesis');
  if (type === undefined) missing('type');
  if (amount === undefined) missing('amount');
  if (scriptVersion === undefined) missing('scriptVersion');
  if (scriptKey === undefined) missing('scriptKey');
  if (type !== genesisType) throw new CodecError(`${what}.type: expected the genesis type ${genesisType}, got ${type}`);
  const out: StreamedAsset = { version: version!, assetId: id!, amount: amount!, scriptKey: scriptKey!, witnessCount: witnesses?.count ?? 0 };
  if (witnesses) out.firstWitness = witnesses.first;
  else sinks.leaf?.fail('a split output carries no prev witness');
  if (sinks.leaf) {
    const node = sinks.leaf.finish(version!, amount!);
    if (node) out.splitLeaf = node;
    else out.splitLeafProblem = sinks.leaf.problem!;
  }
  if (sinks.stripped) out.stripped = sinks.stripped.digest();
  return out;
}
