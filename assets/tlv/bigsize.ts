// BigSize: the BOLT-1 variable-length integer lnd's tlv package uses for types and lengths. It is
// Bitcoin's CompactSize written big-endian (apdu/bytes.ts has the prefix both use), and non-minimal
// encodings are refused (lnd tlv.ReadVarInt returns ErrVarIntNotCanonical).

import { CodecError } from '../../apdu/errors.ts';
import { encodeSizePrefixed, readSizePrefixed, type ByteReader } from '../../apdu/bytes.ts';

export function encodeBigSize(value: number | bigint): Uint8Array {
  return encodeSizePrefixed(value, false, 'BigSize');
}

export function bigSizeLength(value: number | bigint): number {
  const v = BigInt(value);
  return v < 0xfdn ? 1 : v <= 0xffffn ? 3 : v <= 0xffffffffn ? 5 : 9;
}

export function readBigSize(r: ByteReader, field: string): bigint {
  const { value, minimal } = readSizePrefixed(r, field, false);
  if (!minimal) throw new CodecError(`${r.what}.${field}: expected a minimally encoded BigSize, got non-canonical ${value}`);
  return value;
}

/** BigSize that must fit a safe JS number no larger than `max` (lengths, counts). */
export function readBigSizeNumber(r: ByteReader, field: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = readBigSize(r, field);
  if (v > BigInt(max)) throw new CodecError(`${r.what}.${field}: expected at most ${max}, got ${v}`);
  return Number(v);
}
