// The asset leaf TLV (asset/records.go, asset/encoding.go, docs/taproot-assets.md §4) and its nested
// witness stream. Leaf types: 0 version, 2 genesis, 4 type, 6 amount, 7 lock time, 9 relative lock
// time, 11 prev witnesses, 13 split commitment root, 14 script version, 16 script key, 17 group key.
// Witness types: 1 prev ID, 3 tx witness, 5 split commitment.
//
// Canonical form only: tapd never writes a zero lock time, an empty witness list or an empty tx
// witness, and writes the type twice (record 4 and inside the genesis); inputs that break those
// rules would not re-encode to the same bytes, so they are refused with the field named.

import { ByteReader, concat, u16be, u64be } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { encodeBigSize, readBigSizeNumber } from '../tlv/bigsize.ts';
import { decodeKnownStream, encodeWithUnknown, record, type TlvRecord } from '../tlv/stream.ts';
import { checkPubKey, decodeU16, decodeU8, decodeVarIntValue, encodeInlineBytes, readInlineBytes, readValue } from '../tlv/values.ts';
import { decodeCompressedProof, encodeCompressedProof, type CompressedMssmtProof } from '../mssmt/proof.ts';
import { leafNode, type MssmtNode } from '../mssmt/node.ts';
import { encodeGenesis, readGenesis, type Genesis } from './genesis.ts';
import { PREV_ID_LENGTH, encodePrevId, decodePrevId, type PrevId } from './prev-id.ts';

export const LeafType = {
  version: 0,
  genesis: 2,
  type: 4,
  amount: 6,
  lockTime: 7,
  relativeLockTime: 9,
  prevWitnesses: 11,
  splitCommitmentRoot: 13,
  scriptVersion: 14,
  scriptKey: 16,
  groupKey: 17,
} as const;

export const WitnessType = { prevId: 1, txWitness: 3, splitCommitment: 5 } as const;

/** tapd limits: witness lists and stack items are capped at 2^16-1 (asset/encoding.go). */
const MAX_ITEMS = 0xffff;
/** asset.MaxAssetEncodeSizeBytes = blockchain.MaxBlockWeight (LeafDecoder). */
export const MAX_ASSET_ENCODE_SIZE = 4_000_000;

export interface SplitCommitment {
  /** Kept compressed, exactly as carried, so it re-encodes byte for byte. */
  proof: CompressedMssmtProof;
  rootAsset: Asset;
}

export interface Witness {
  prevId?: PrevId;
  /** Witness stack; empty means the record is absent. */
  txWitness: Uint8Array[];
  splitCommitment?: SplitCommitment;
  unknownOddTypes: TlvRecord[];
}

export interface Asset {
  version: number;
  genesis: Genesis;
  amount: bigint;
  lockTime: bigint;
  relativeLockTime: bigint;
  /** Empty means the record is absent. */
  prevWitnesses: Witness[];
  splitCommitmentRoot?: MssmtNode;
  scriptVersion: number;
  /** 33-byte compressed key, as carried (tapd may also carry 33 zero bytes). */
  scriptKey: Uint8Array;
  /** 33-byte compressed tweaked group key. */
  groupKey?: Uint8Array;
  unknownOddTypes: TlvRecord[];
}

const LEAF_NAMES: Record<string, string> = Object.fromEntries(Object.entries(LeafType).map(([k, v]) => [String(v), k]));
const WITNESS_NAMES: Record<string, string> = Object.fromEntries(Object.entries(WitnessType).map(([k, v]) => [String(v), k]));

export interface AssetEncodeOptions {
  /** Leave out every tx witness (tapd EncodeNoWitness, the V1 "segwit" leaf encoding). */
  noWitness?: boolean;
}

export function encodeWitness(w: Witness, opts: AssetEncodeOptions = {}): Uint8Array {
  const recs: TlvRecord[] = [];
  if (w.prevId) recs.push(record(WitnessType.prevId, encodePrevId(w.prevId)));
  if (w.txWitness.length > 0 && !opts.noWitness)
    recs.push(record(WitnessType.txWitness, concat(encodeBigSize(w.txWitness.length), ...w.txWitness.map(encodeInlineBytes))));
  if (w.splitCommitment)
    recs.push(
      record(
        WitnessType.splitCommitment,
        concat(encodeInlineBytes(encodeCompressedProof(w.splitCommitment.proof)), encodeInlineBytes(encodeAsset(w.splitCommitment.rootAsset))),
      ),
    );
  return encodeWithUnknown(recs, w.unknownOddTypes);
}

export function decodeWitness(bytes: Uint8Array, what = 'witness'): Witness {
  const w: Witness = { txWitness: [], unknownOddTypes: [] };
  w.unknownOddTypes = decodeKnownStream(
    bytes,
    what,
    {
      [WitnessType.prevId]: (v, f) => {
        if (v.length !== PREV_ID_LENGTH) throw new CodecError(`${f}: expected ${PREV_ID_LENGTH} bytes, got ${v.length}`);
        w.prevId = decodePrevId(v, f);
      },
      [WitnessType.txWitness]: (v, f) => {
        w.txWitness = readValue(v, f, (r) => {
          const n = readBigSizeNumber(r, 'item count', MAX_ITEMS);
          if (n === 0) throw new CodecError(`${f}: expected at least one stack item (an empty witness is omitted), got 0`);
          return Array.from({ length: n }, (_, i) => readInlineBytes(r, `items[${i}]`, MAX_ITEMS));
        });
      },
      [WitnessType.splitCommitment]: (v, f) => {
        w.splitCommitment = readValue(v, f, (r) => {
          const proof = decodeCompressedProof(readInlineBytes(r, 'proof', v.length), `${f}.proof`);
          const rootAsset = decodeAsset(readInlineBytes(r, 'rootAsset', v.length), `${f}.rootAsset`);
          return { proof, rootAsset };
        });
      },
    },
    WITNESS_NAMES,
  );
  return w;
}

export function encodeAsset(a: Asset, opts: AssetEncodeOptions = {}): Uint8Array {
  const recs: TlvRecord[] = [
    record(LeafType.version, Uint8Array.of(a.version)),
    record(LeafType.genesis, encodeGenesis(a.genesis)),
    record(LeafType.type, Uint8Array.of(a.genesis.type)),
    record(LeafType.amount, encodeBigSize(a.amount)),
  ];
  if (a.lockTime > 0n) recs.push(record(LeafType.lockTime, encodeBigSize(a.lockTime)));
  if (a.relativeLockTime > 0n) recs.push(record(LeafType.relativeLockTime, encodeBigSize(a.relativeLockTime)));
  if (a.prevWitnesses.length > 0) recs.push(record(LeafType.prevWitnesses, encodeWitnessList(a.prevWitnesses, opts)));
  if (a.splitCommitmentRoot)
    recs.push(record(LeafType.splitCommitmentRoot, concat(a.splitCommitmentRoot.hash, u64be(a.splitCommitmentRoot.sum))));
  recs.push(record(LeafType.scriptVersion, u16be(a.scriptVersion)));
  recs.push(record(LeafType.scriptKey, a.scriptKey));
  if (a.groupKey) recs.push(record(LeafType.groupKey, a.groupKey));
  return encodeWithUnknown(recs, a.unknownOddTypes);
}

function encodeWitnessList(ws: Witness[], opts: AssetEncodeOptions): Uint8Array {
  return concat(encodeBigSize(ws.length), ...ws.map((w) => encodeInlineBytes(encodeWitness(w, opts))));
}

/** Decodes one asset leaf. Records tapd always writes (0, 2, 4, 6, 14, 16) are required. */
export function decodeAsset(bytes: Uint8Array, what = 'asset'): Asset {
  if (bytes.length > MAX_ASSET_ENCODE_SIZE)
    throw new CodecError(`${what}: expected at most ${MAX_ASSET_ENCODE_SIZE} bytes, got ${bytes.length}`);
  let version: number | undefined;
  let genesis: Genesis | undefined;
  let type: number | undefined;
  let amount: bigint | undefined;
  let scriptVersion: number | undefined;
  let scriptKey: Uint8Array | undefined;
  const a: Partial<Asset> = { lockTime: 0n, relativeLockTime: 0n, prevWitnesses: [] };
  const unknown = decodeKnownStream(
    bytes,
    what,
    {
      [LeafType.version]: (v, f) => (version = decodeU8(v, f)),
      [LeafType.genesis]: (v, f) => (genesis = readValue(v, f, (r) => readGenesis(r, 'value'))),
      [LeafType.type]: (v, f) => (type = decodeU8(v, f)),
      [LeafType.amount]: (v, f) => (amount = decodeVarIntValue(v, f)),
      [LeafType.lockTime]: (v, f) => (a.lockTime = nonZero(decodeVarIntValue(v, f), f)),
      [LeafType.relativeLockTime]: (v, f) => (a.relativeLockTime = nonZero(decodeVarIntValue(v, f), f)),
      [LeafType.prevWitnesses]: (v, f) => (a.prevWitnesses = decodeWitnessList(v, f)),
      [LeafType.splitCommitmentRoot]: (v, f) =>
        (a.splitCommitmentRoot = readValue(v, f, (r) => ({ hash: r.bytesN(32, 'hash'), sum: r.u64be('sum') }))),
      [LeafType.scriptVersion]: (v, f) => (scriptVersion = decodeU16(v, f)),
      [LeafType.scriptKey]: (v, f) => (scriptKey = checkPubKey(v, f, true)),
      [LeafType.groupKey]: (v, f) => (a.groupKey = checkPubKey(v, f, true)),
    },
    LEAF_NAMES,
  );
  const missing = (name: string): never => {
    throw new CodecError(`${what}.${name}: expected record ${LeafType[name as keyof typeof LeafType]}, got none`);
  };
  if (version === undefined) missing('version');
  if (genesis === undefined) missing('genesis');
  if (type === undefined) missing('type');
  if (amount === undefined) missing('amount');
  if (scriptVersion === undefined) missing('scriptVersion');
  if (scriptKey === undefined) missing('scriptKey');
  if (type !== genesis!.type)
    throw new CodecError(`${what}.type: expected the genesis type ${genesis!.type}, got ${type}`);
  return {
    version: version!,
    genesis: genesis!,
    amount: amount!,
    lockTime: a.lockTime!,
    relativeLockTime: a.relativeLockTime!,
    prevWitnesses: a.prevWitnesses!,
    ...(a.splitCommitmentRoot ? { splitCommitmentRoot: a.splitCommitmentRoot } : {}),
    scriptVersion: scriptVersion!,
    scriptKey: scriptKey!,
    ...(a.groupKey ? { groupKey: a.groupKey } : {}),
    unknownOddTypes: unknown,
  };
}

function nonZero(v: bigint, what: string): bigint {
  if (v === 0n) throw new CodecError(`${what}: expected a non-zero value (zero is encoded by omission), got 0`);
  return v;
}

function decodeWitnessList(v: Uint8Array, what: string): Witness[] {
  return readValue(v, what, (r: ByteReader) => {
    const n = readBigSizeNumber(r, 'count', MAX_ITEMS);
    if (n === 0) throw new CodecError(`${what}: expected at least one witness (an empty list is omitted), got 0`);
    return Array.from({ length: n }, (_, i) => decodeWitness(readInlineBytes(r, `[${i}]`, MAX_ITEMS), `${what}[${i}]`));
  });
}

/**
 * The asset as an MS-SMT leaf (Asset.Leaf): V0 commits to the full encoding, V1 leaves the tx
 * witnesses out ("segwit"); the leaf sum is the amount.
 */
export function assetLeafNode(a: Asset): MssmtNode {
  return leafNode(assetLeafValue(a), a.amount);
}

export function assetLeafValue(a: Asset): Uint8Array {
  if (a.version === 0) return encodeAsset(a);
  if (a.version === 1) return encodeAsset(a, { noWitness: true });
  throw new CodecError(`asset.version: expected 0 or 1 to build a commitment leaf, got ${a.version}`);
}
