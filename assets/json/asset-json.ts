// tapd's JSON test-vector shape of an asset leaf (asset/mock.go TestAsset) <-> our Asset.
// The checks and their order follow TestAsset.ToAsset, so each vector error case fails here too.

import { toHex } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { base64 } from '@scure/base';
import type { TlvRecord } from '../tlv/stream.ts';
import { decodeCompressedProof, encodeCompressedProof } from '../mssmt/proof.ts';
import { formatOutPoint, parseOutPoint } from '../asset/outpoint.ts';
import type { Asset, Witness } from '../asset/leaf.ts';
import type { PrevId } from '../asset/prev-id.ts';
import { arr, hex, isAbsent, obj, str, u16, u32, u64, u8, type Json, type JsonObject } from './fields.ts';

export function assetFromJson(v: Json, what = 'asset'): Asset {
  const j = obj(v, what);
  if (str(j.genesis_first_prev_out, `${what}.genesis_first_prev_out`) === '' || str(j.genesis_meta_hash, `${what}.genesis_meta_hash`) === '')
    throw new CodecError(`${what}.genesis: missing genesis fields (genesis_first_prev_out, genesis_meta_hash)`);
  const scriptKeyHex = str(j.script_key, `${what}.script_key`);
  if (scriptKeyHex === '') throw new CodecError(`${what}.script_key: missing script key`);
  const scriptKey = hex(j.script_key, `${what}.script_key`);
  if (scriptKey.length !== 33) throw new CodecError(`${what}.script_key: invalid script key length, expected 33 bytes, got ${scriptKey.length}`);
  let groupKey: Uint8Array | undefined;
  if (!isAbsent(j.group_key)) {
    const g = obj(j.group_key, `${what}.group_key`);
    if (str(g.group_key, `${what}.group_key.group_key`) === '') throw new CodecError(`${what}.group_key: missing group key`);
    groupKey = hex(g.group_key, `${what}.group_key.group_key`);
    if (groupKey.length !== 33) throw new CodecError(`${what}.group_key: invalid group key length, expected 33 bytes, got ${groupKey.length}`);
  }
  const genesisType = u8(j.genesis_type, `${what}.genesis_type`);
  const a: Asset = {
    version: u8(j.version, `${what}.version`),
    genesis: {
      firstPrevOut: parseOutPoint(str(j.genesis_first_prev_out, ''), `${what}.genesis_first_prev_out`),
      tag: str(j.genesis_tag, `${what}.genesis_tag`),
      metaHash: hex(j.genesis_meta_hash, `${what}.genesis_meta_hash`, 32),
      outputIndex: u32(j.genesis_output_index, `${what}.genesis_output_index`),
      type: genesisType,
    },
    amount: u64(j.amount, `${what}.amount`),
    lockTime: u64(j.lock_time, `${what}.lock_time`),
    relativeLockTime: u64(j.relative_lock_time, `${what}.relative_lock_time`),
    prevWitnesses: arr(j.prev_witnesses, `${what}.prev_witnesses`).map((w, i) => witnessFromJson(w, `${what}.prev_witnesses[${i}]`)),
    scriptVersion: u16(j.script_version, `${what}.script_version`),
    scriptKey,
    unknownOddTypes: typeMapFromJson(j.unknown_odd_types, `${what}.unknown_odd_types`),
  };
  if (!isAbsent(j.split_commitment_root)) {
    const n = obj(j.split_commitment_root, `${what}.split_commitment_root`);
    a.splitCommitmentRoot = { hash: hex(n.hash, `${what}.split_commitment_root.hash`, 32), sum: u64(n.sum, `${what}.split_commitment_root.sum`) };
  }
  if (groupKey) a.groupKey = groupKey;
  return a;
}

export function prevIdFromJson(v: Json, what: string): PrevId | undefined {
  const j = obj(v, what);
  const op = str(j.out_point, `${what}.out_point`);
  const id = str(j.asset_id, `${what}.asset_id`);
  const key = str(j.script_key, `${what}.script_key`);
  if (op === '' || id === '' || key === '') return undefined;
  return { outPoint: parseOutPoint(op, `${what}.out_point`), assetId: hex(id, `${what}.asset_id`, 32), scriptKey: hex(key, `${what}.script_key`, 33) };
}

function witnessFromJson(v: Json, what: string): Witness {
  const j = obj(v, what);
  const w: Witness = {
    txWitness: arr(j.tx_witness, `${what}.tx_witness`).map((x, i) => hex(x, `${what}.tx_witness[${i}]`)),
    unknownOddTypes: [],
  };
  if (!isAbsent(j.prev_id)) {
    const p = prevIdFromJson(j.prev_id, `${what}.prev_id`);
    if (p) w.prevId = p;
  }
  if (!isAbsent(j.split_commitment)) {
    const s = obj(j.split_commitment, `${what}.split_commitment`);
    w.splitCommitment = {
      proof: decodeCompressedProof(hex(s.proof, `${what}.split_commitment.proof`), `${what}.split_commitment.proof`),
      rootAsset: assetFromJson(s.root_asset, `${what}.split_commitment.root_asset`),
    };
  }
  return w;
}

/** lnd tlv.TypeMap in JSON: `{ "<type>": "<base64 value>" }`. */
export function typeMapFromJson(v: Json, what: string): TlvRecord[] {
  if (isAbsent(v)) return [];
  const j = obj(v, what);
  return Object.entries(j)
    .map(([k, val]) => {
      if (!/^\d+$/.test(k)) throw new CodecError(`${what}: expected decimal TLV type keys, got ${JSON.stringify(k)}`);
      return { type: BigInt(k), value: base64.decode(str(val, `${what}.${k}`)) };
    })
    .sort((a, b) => (a.type < b.type ? -1 : 1));
}

export function assetToJson(a: Asset): JsonObject {
  return {
    version: a.version,
    genesis_first_prev_out: formatOutPoint(a.genesis.firstPrevOut),
    genesis_tag: a.genesis.tag,
    genesis_meta_hash: toHex(a.genesis.metaHash),
    genesis_output_index: a.genesis.outputIndex,
    genesis_type: a.genesis.type,
    amount: a.amount.toString(),
    lock_time: a.lockTime.toString(),
    relative_lock_time: a.relativeLockTime.toString(),
    prev_witnesses: a.prevWitnesses.length
      ? a.prevWitnesses.map((w) => ({
          prev_id: w.prevId
            ? { out_point: formatOutPoint(w.prevId.outPoint), asset_id: toHex(w.prevId.assetId), script_key: toHex(w.prevId.scriptKey) }
            : null,
          tx_witness: w.txWitness.length ? w.txWitness.map(toHex) : null,
          split_commitment: w.splitCommitment
            ? { proof: toHex(encodeCompressedProof(w.splitCommitment.proof)), root_asset: assetToJson(w.splitCommitment.rootAsset) }
            : null,
        }))
      : null,
    split_commitment_root: a.splitCommitmentRoot ? { hash: toHex(a.splitCommitmentRoot.hash), sum: a.splitCommitmentRoot.sum.toString() } : null,
    script_version: a.scriptVersion,
    script_key: toHex(a.scriptKey),
    group_key: a.groupKey ? { group_key: toHex(a.groupKey) } : null,
    unknown_odd_types: a.unknownOddTypes.length
      ? Object.fromEntries(a.unknownOddTypes.map((r) => [r.type.toString(), base64.encode(r.value)]))
      : null,
  };
}

