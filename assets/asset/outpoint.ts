// Bitcoin outpoints as tapd serialises them. Two encodings exist and both matter:
// TLV records (OutPointEncoder, asset/encoding.go) write `hash || u32be(index)`, while hashes such
// as the asset ID and PrevID.Hash() use wire.WriteOutPoint: `hash || u32le(index)`.

import { ByteReader, concat, fromHex, toHex, u32be, u32le } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';

export interface OutPoint {
  /** Transaction hash in wire (internal) byte order; displayed reversed. */
  txid: Uint8Array;
  index: number;
}

export function encodeOutPointTlv(op: OutPoint): Uint8Array {
  return concat(op.txid, u32be(op.index));
}

export function encodeOutPointWire(op: OutPoint): Uint8Array {
  return concat(op.txid, u32le(op.index));
}

export function readOutPointTlv(r: ByteReader, field: string): OutPoint {
  const txid = r.bytesN(32, `${field}.txid`);
  return { txid, index: r.u32be(`${field}.index`) };
}

/** `txid:index` with the txid in display order, as chainhash and tapd's JSON print it. */
export function formatOutPoint(op: OutPoint): string {
  return `${toHex(op.txid.slice().reverse())}:${op.index}`;
}

export function parseOutPoint(s: string, what: string): OutPoint {
  const m = /^([0-9a-fA-F]{64}):(\d{1,10})$/.exec(s);
  if (!m) throw new CodecError(`${what}: expected "<64 hex txid>:<index>", got ${JSON.stringify(s)}`);
  const index = Number(m[2]);
  if (index > 0xffffffff) throw new CodecError(`${what}: expected index below 2^32, got ${index}`);
  return { txid: fromHex(m[1]!, what).reverse(), index };
}
