// BigSize: the BOLT-1 variable-length integer lnd's tlv package uses for types and lengths.
// Unlike Bitcoin's CompactSize it is big-endian, and non-minimal encodings are refused
// (lnd tlv.ReadVarInt returns ErrVarIntNotCanonical).

import { CodecError } from '../../apdu/errors.ts';
import type { ByteReader } from '../../apdu/bytes.ts';

export const BIGSIZE_MAX = 0xffffffffffffffffn;

export function encodeBigSize(value: number | bigint): Uint8Array {
  const v = BigInt(value);
  if (v < 0n || v > BIGSIZE_MAX) throw new RangeError(`BigSize: expected 0..2^64-1, got ${v}`);
  if (v < 0xfdn) return Uint8Array.of(Number(v));
  const width = v <= 0xffffn ? 2 : v <= 0xffffffffn ? 4 : 8;
  const out = new Uint8Array(1 + width);
  out[0] = width === 2 ? 0xfd : width === 4 ? 0xfe : 0xff;
  let rest = v;
  for (let i = width; i >= 1; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

export function bigSizeLength(value: number | bigint): number {
  const v = BigInt(value);
  return v < 0xfdn ? 1 : v <= 0xffffn ? 3 : v <= 0xffffffffn ? 5 : 9;
}

export function readBigSize(r: ByteReader, field: string): bigint {
  const first = r.u8(field);
  if (first < 0xfd) return BigInt(first);
  let v: bigint;
  let min: bigint;
  if (first === 0xfd) {
    v = BigInt(r.u16be(field));
    min = 0xfdn;
  } else if (first === 0xfe) {
    v = BigInt(r.u32be(field));
    min = 0x10000n;
  } else {
    v = r.u64be(field);
    min = 0x100000000n;
  }
  if (v < min) throw new CodecError(`${r.what}.${field}: expected a minimally encoded BigSize, got non-canonical ${v}`);
  return v;
}

/** BigSize that must fit a safe JS number no larger than `max` (lengths, counts). */
export function readBigSizeNumber(r: ByteReader, field: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = readBigSize(r, field);
  if (v > BigInt(max)) throw new CodecError(`${r.what}.${field}: expected at most ${max}, got ${v}`);
  return Number(v);
}
