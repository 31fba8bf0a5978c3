// Byte helpers shared by every layer. Public APIs take and return Uint8Array, never Buffer,
// so the same code runs in browsers and Node (see docs/architecture.md §8).

import { CodecError } from './errors.ts';

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array');
}

/** Asserts a Uint8Array, optionally of an exact length; `what` names the value in the error. */
export function abytes(value: unknown, length?: number, what = 'bytes'): Uint8Array {
  if (!isBytes(value)) throw new TypeError(`${what}: expected Uint8Array, got ${typeof value}`);
  if (length !== undefined && value.length !== length)
    throw new RangeError(`${what}: expected ${length} bytes, got ${value.length}`);
  return value;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

export function fromHex(hex: string, what = 'hex'): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError(`${what}: expected hex string, got ${typeof hex}`);
  if (hex.length % 2 !== 0) throw new RangeError(`${what}: expected an even number of hex digits, got ${hex.length}`);
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`${what}: expected only hex digits`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time comparison for secrets such as HMACs (the length is not secret). */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Lexicographic order of byte strings, as PSBT and merkleized maps sort keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export const utf8 = {
  encode: (s: string): Uint8Array => new TextEncoder().encode(s),
  // ignoreBOM: a leading EF BB BF is text like any other; stripped, a decoded name would re-encode
  // to other bytes than the ones hashed (an asset's genesis tag, a policy name).
  decode: (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b),
};

export function u16be(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, false);
  return out;
}

export function u32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
}

export function u64be(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), false);
  return out;
}

export function u64le(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return out;
}

/** Bitcoin CompactSize ("varint") encoding, as used by the Ledger Bitcoin app and PSBT. */
export function encodeVarint(n: number | bigint): Uint8Array {
  return encodeSizePrefixed(n, true, 'varint');
}

/**
 * The size prefix Bitcoin's CompactSize and BOLT-1's BigSize share: a value below 0xfd is its own
 * byte; 0xfd, 0xfe and 0xff announce the value in 2, 4 or 8 bytes, from the smallest value that
 * needs them. CompactSize writes those bytes little-endian, BigSize big-endian; both refuse a longer
 * form than the value needs.
 */
const SIZE_PREFIXES = [
  { prefix: 0xfd, width: 2, min: 0xfdn },
  { prefix: 0xfe, width: 4, min: 0x10000n },
  { prefix: 0xff, width: 8, min: 0x100000000n },
] as const;

/** Writes `n` (0..2^64-1) with a size prefix in its shortest form; `what` names it in the error. */
export function encodeSizePrefixed(n: number | bigint, littleEndian: boolean, what: string): Uint8Array {
  const v = BigInt(n);
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${what}: expected 0..2^64-1, got ${v}`);
  const p = SIZE_PREFIXES.findLast((s) => v >= s.min);
  if (!p) return Uint8Array.of(Number(v));
  const out = new Uint8Array(1 + p.width);
  out[0] = p.prefix;
  for (let i = 0; i < p.width; i++) out[1 + (littleEndian ? i : p.width - 1 - i)] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Reads a size-prefixed value; `minimal` is false where a shorter form would have held it. */
export function readSizePrefixed(r: ByteReader, field: string, littleEndian: boolean): { value: bigint; minimal: boolean } {
  const first = r.u8(field);
  const p = SIZE_PREFIXES.find((s) => s.prefix === first);
  if (!p) return { value: BigInt(first), minimal: true };
  const b = r.bytesN(p.width, field);
  let value = 0n;
  for (let i = 0; i < p.width; i++) value = (value << 8n) | BigInt(b[littleEndian ? p.width - 1 - i : i]!);
  return { value, minimal: value >= p.min };
}

/**
 * Cursor over a byte string. Every read checks bounds and throws CodecError naming the field,
 * so malformed input from either party never turns into an out-of-range crash.
 */
export class ByteReader {
  private pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what = 'data',
  ) {}

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  get done(): boolean {
    return this.pos === this.bytes.length;
  }

  bytesN(n: number, field = 'bytes'): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new CodecError(`${this.what}.${field}: invalid length ${n}`);
    if (this.remaining < n)
      throw new CodecError(`${this.what}.${field}: expected ${n} bytes, got ${this.remaining}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  rest(): Uint8Array {
    return this.bytesN(this.remaining);
  }
  u8(field = 'u8'): number {
    return this.bytesN(1, field)[0]!;
  }
  u16be(field = 'u16'): number {
    const b = this.bytesN(2, field);
    return (b[0]! << 8) | b[1]!;
  }
  u32be(field = 'u32'): number {
    const b = this.bytesN(4, field);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  }
  u32le(field = 'u32'): number {
    const b = this.bytesN(4, field);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
  u64be(field = 'u64'): bigint {
    const b = this.bytesN(8, field);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  }
  u64le(field = 'u64'): bigint {
    const b = this.bytesN(8, field);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
  /** CompactSize; refuses non-canonical encodings as Bitcoin Core does. */
  varint(field = 'varint'): bigint {
    const { value, minimal } = readSizePrefixed(this, field, true);
    if (!minimal) throw new CodecError(`${this.what}.${field}: non-canonical varint`);
    return value;
  }
  /** CompactSize that must fit a JS number no larger than `max`. */
  varintNumber(field = 'varint', max = Number.MAX_SAFE_INTEGER): number {
    const v = this.varint(field);
    if (v > BigInt(max)) throw new CodecError(`${this.what}.${field}: expected at most ${max}, got ${v}`);
    return Number(v);
  }
  /** Throws unless every byte was consumed: trailing bytes are a framing error, not ignorable. */
  end(): void {
    if (!this.done) throw new CodecError(`${this.what}: expected end of data, got ${this.remaining} extra bytes`);
  }
}
