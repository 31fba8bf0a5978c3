// Value codecs of lnd's tlv primitives (tlv/primitive.go) and tapd's helpers (asset/encoding.go).
// All integers are big-endian; "inline var bytes" carry their own BigSize length prefix.

import { ByteReader, concat, u16be, u32be, u64be } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { isEmptyKey, parsePoint } from '../crypto.ts';
import { encodeBigSize, readBigSize, readBigSizeNumber } from './bigsize.ts';

/** Runs `body` over a fixed value and requires every byte to be consumed. */
export function readValue<T>(value: Uint8Array, what: string, body: (r: ByteReader) => T): T {
  const r = new ByteReader(value, what);
  const out = body(r);
  r.end();
  return out;
}

export const encodeU8 = (n: number): Uint8Array => Uint8Array.of(n & 0xff);
export const encodeU16 = (n: number): Uint8Array => u16be(n);
export const encodeU32 = (n: number): Uint8Array => u32be(n);
export const encodeU64 = (n: bigint): Uint8Array => u64be(n);

export function decodeU8(value: Uint8Array, what: string): number {
  if (value.length !== 1) throw new CodecError(`${what}: expected 1 byte, got ${value.length}`);
  return value[0]!;
}
export function decodeU16(value: Uint8Array, what: string): number {
  return readValue(value, what, (r) => r.u16be('u16'));
}
export function decodeU64(value: Uint8Array, what: string): bigint {
  return readValue(value, what, (r) => r.u64be('u64'));
}

/** A record value that is one BigSize (tapd's VarIntEncoder, used for amounts and lock times). */
export function decodeVarIntValue(value: Uint8Array, what: string): bigint {
  return readValue(value, what, (r) => readBigSize(r, 'varint'));
}

/** BigSize length prefix followed by the bytes (tapd InlineVarBytesEncoder). */
export function encodeInlineBytes(bytes: Uint8Array): Uint8Array {
  return concat(encodeBigSize(bytes.length), bytes);
}
export function readInlineBytes(r: ByteReader, field: string, max: number): Uint8Array {
  const len = readBigSizeNumber(r, `${field} length`);
  if (len > max) throw new CodecError(`${r.what}.${field}: expected at most ${max} bytes, got ${len}`);
  return r.bytesN(len, field);
}

/**
 * A 33-byte compressed key that must lie on the curve; tapd also accepts 33 zero bytes as the
 * "empty key" (CompressedPubKeyDecoder), so `allowEmpty` mirrors that where tapd does.
 */
export function checkPubKey(key: Uint8Array, what: string, allowEmpty: boolean): Uint8Array {
  if (key.length !== 33) throw new CodecError(`${what}: expected 33-byte compressed key, got ${key.length} bytes`);
  if (allowEmpty && isEmptyKey(key)) return key;
  parsePoint(key, what);
  return key;
}
export function readPubKey(r: ByteReader, field: string, allowEmpty: boolean): Uint8Array {
  return checkPubKey(r.bytesN(33, field), `${r.what}.${field}`, allowEmpty);
}
