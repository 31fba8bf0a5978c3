// Transition proofs (proof/proof.go, records.go): the magic `TAPP` followed by a TLV stream.
// Types: 0 version (u32), 2 prev out, 4 block header (80 bytes), 6 anchor tx, 8 tx merkle proof,
// 10 asset, 12 inclusion proof, 13 exclusion proofs, 15 split root proof, 17 meta reveal,
// 19 additional inputs, 21 challenge witness, 22 block height (u32), 23 genesis reveal,
// 25 group key reveal, 27 alt leaves.
//
// What a signer reviews is typed (version, anchor outpoint, block header and height, anchor tx,
// the asset); the nested commitment proofs stay as carried, so the proof re-encodes byte for
// byte. Their verification against the chain is outside this model.

import { ByteReader, concat, u32be } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { RawTx } from '@scure/btc-signer';
import { decodeKnownStream, encodeWithUnknown, record, type TlvRecord } from '../tlv/stream.ts';
import { readValue } from '../tlv/values.ts';
import { decodeAsset, encodeAsset, type Asset } from '../asset/leaf.ts';
import { encodeOutPointTlv, readOutPointTlv, type OutPoint } from '../asset/outpoint.ts';

export const PROOF_MAGIC = Uint8Array.of(0x54, 0x41, 0x50, 0x50);

export const ProofType = {
  version: 0,
  prevOut: 2,
  blockHeader: 4,
  anchorTx: 6,
  txMerkleProof: 8,
  asset: 10,
  inclusionProof: 12,
  exclusionProofs: 13,
  splitRootProof: 15,
  metaReveal: 17,
  additionalInputs: 19,
  challengeWitness: 21,
  blockHeight: 22,
  genesisReveal: 23,
  groupKeyReveal: 25,
  altLeaves: 27,
} as const;

type Opaque = 'txMerkleProof' | 'inclusionProof' | 'exclusionProofs' | 'splitRootProof' | 'metaReveal' | 'additionalInputs' | 'challengeWitness' | 'genesisReveal' | 'groupKeyReveal' | 'altLeaves';
const OPAQUE: Opaque[] = ['txMerkleProof', 'inclusionProof', 'exclusionProofs', 'splitRootProof', 'metaReveal', 'additionalInputs', 'challengeWitness', 'genesisReveal', 'groupKeyReveal', 'altLeaves'];
const REQUIRED = ['version', 'prevOut', 'blockHeader', 'anchorTx', 'txMerkleProof', 'asset', 'inclusionProof'] as const;

export interface TransitionProof {
  version: number;
  prevOut: OutPoint;
  blockHeader: Uint8Array;
  /** The anchor transaction, serialized as carried. */
  anchorTx: Uint8Array;
  asset: Asset;
  blockHeight?: number;
  /** Nested proof records kept verbatim, by name. */
  records: Partial<Record<Opaque, Uint8Array>>;
  unknownOddTypes: TlvRecord[];
}

const NAMES: Record<string, string> = Object.fromEntries(Object.entries(ProofType).map(([k, v]) => [String(v), k]));

export function decodeProof(bytes: Uint8Array, what = 'proof'): TransitionProof {
  const r = new ByteReader(bytes, what);
  const magic = r.bytesN(4, 'magic');
  if (!magic.every((b, i) => b === PROOF_MAGIC[i])) throw new CodecError(`${what}.magic: expected "TAPP", got ${String.fromCharCode(...magic)}`);
  const p: Partial<TransitionProof> = { records: {} };
  const seen = new Set<string>();
  const known: Record<string, (v: Uint8Array, f: string) => void> = {
    [ProofType.version]: (v, f) => (p.version = readValue(v, f, (x) => x.u32be('u32'))),
    [ProofType.prevOut]: (v, f) => (p.prevOut = readValue(v, f, (x) => readOutPointTlv(x, 'value'))),
    [ProofType.blockHeader]: (v, f) => {
      if (v.length !== 80) throw new CodecError(`${f}: expected 80 bytes, got ${v.length}`);
      p.blockHeader = v;
    },
    [ProofType.anchorTx]: (v, f) => {
      try {
        RawTx.decode(v);
      } catch (e) {
        throw new CodecError(`${f}: expected a serialized transaction, got ${(e as Error).message}`);
      }
      p.anchorTx = v;
    },
    [ProofType.asset]: (v, f) => (p.asset = decodeAsset(v, f)),
    [ProofType.blockHeight]: (v, f) => (p.blockHeight = readValue(v, f, (x) => x.u32be('u32'))),
  };
  for (const name of OPAQUE) known[ProofType[name]] = (v) => (p.records![name] = v);
  const tracked = Object.fromEntries(Object.entries(known).map(([k, fn]) => [k, (v: Uint8Array, f: string) => (seen.add(NAMES[k]!), fn(v, f))]));
  const unknown = decodeKnownStream(r.rest(), what, tracked, NAMES);
  for (const name of REQUIRED) if (!seen.has(name)) throw new CodecError(`${what}.${name}: expected record ${ProofType[name]}, got none`);
  return { ...(p as TransitionProof), unknownOddTypes: unknown };
}

export function encodeProof(p: TransitionProof): Uint8Array {
  const recs: TlvRecord[] = [
    record(ProofType.version, u32be(p.version)),
    record(ProofType.prevOut, encodeOutPointTlv(p.prevOut)),
    record(ProofType.blockHeader, p.blockHeader),
    record(ProofType.anchorTx, p.anchorTx),
    record(ProofType.asset, encodeAsset(p.asset)),
  ];
  if (p.blockHeight !== undefined) recs.push(record(ProofType.blockHeight, u32be(p.blockHeight)));
  for (const name of OPAQUE) {
    const v = p.records[name];
    if (v) recs.push(record(ProofType[name], v));
  }
  return concat(PROOF_MAGIC, encodeWithUnknown(recs, p.unknownOddTypes));
}
