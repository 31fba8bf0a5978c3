// PrevID: the outpoint, asset ID and script key of a spent asset (asset/asset.go). Its TLV form is
// 101 bytes (`outpoint_tlv || id || key33`); its hash, the MS-SMT key of the virtual input tree,
// is SHA256(outpoint (wire) || id || xonly(key)).

import { ByteReader, concat } from '../../apdu/bytes.ts';
import { sha256 } from '../crypto.ts';
import { readPubKey, readValue } from '../tlv/values.ts';
import { encodeOutPointTlv, encodeOutPointWire, readOutPointTlv, type OutPoint } from './outpoint.ts';

export interface PrevId {
  outPoint: OutPoint;
  assetId: Uint8Array;
  /** 33-byte compressed script key (33 zero bytes for the genesis "zero PrevID"). */
  scriptKey: Uint8Array;
}

export const PREV_ID_LENGTH = 36 + 32 + 33;

export const ZERO_PREV_ID: PrevId = Object.freeze({
  outPoint: { txid: new Uint8Array(32), index: 0 },
  assetId: new Uint8Array(32),
  scriptKey: new Uint8Array(33),
});

export function encodePrevId(p: PrevId): Uint8Array {
  return concat(encodeOutPointTlv(p.outPoint), p.assetId, p.scriptKey);
}

export function readPrevId(r: ByteReader, field: string): PrevId {
  const outPoint = readOutPointTlv(r, `${field}.outPoint`);
  const assetId = r.bytesN(32, `${field}.assetId`);
  return { outPoint, assetId, scriptKey: readPubKey(r, `${field}.scriptKey`, true) };
}

export function decodePrevId(bytes: Uint8Array, what = 'prevId'): PrevId {
  return readValue(bytes, what, (r) => readPrevId(r, 'prevId'));
}

export function prevIdHash(p: PrevId): Uint8Array {
  return sha256(concat(encodeOutPointWire(p.outPoint), p.assetId, p.scriptKey.subarray(1)));
}

export function isZeroPrevId(p: PrevId): boolean {
  return [p.outPoint.txid, p.assetId, p.scriptKey].every((b) => b.every((x) => x === 0)) && p.outPoint.index === 0;
}
