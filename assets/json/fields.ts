// Field readers for tapd's JSON test-vector shapes: every failure names the JSON path.

import { fromHex } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';

export type Json = unknown;
export type JsonObject = Record<string, Json>;

export function obj(v: Json, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CodecError(`${what}: expected an object, got ${kind(v)}`);
  return v as JsonObject;
}

export function arr(v: Json, what: string): Json[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new CodecError(`${what}: expected an array, got ${kind(v)}`);
  return v;
}

export function str(v: Json, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new CodecError(`${what}: expected a string, got ${kind(v)}`);
  return v;
}

export function hex(v: Json, what: string, length?: number): Uint8Array {
  const s = str(v, what);
  const b = fromHex(s, what);
  if (length !== undefined && b.length !== length) throw new CodecError(`${what}: expected ${length} bytes, got ${b.length}`);
  return b;
}

/** Integers arrive as JSON numbers or, for 64-bit values, decimal strings. */
export function uint(v: Json, what: string, max: bigint): bigint {
  if (v === undefined || v === null) return 0n;
  let n: bigint;
  if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^\d+$/.test(v)) n = BigInt(v);
  else throw new CodecError(`${what}: expected an unsigned integer, got ${kind(v)}`);
  if (n > max) throw new CodecError(`${what}: expected at most ${max}, got ${n}`);
  return n;
}

export const u8 = (v: Json, what: string): number => Number(uint(v, what, 0xffn));
export const u16 = (v: Json, what: string): number => Number(uint(v, what, 0xffffn));
export const u32 = (v: Json, what: string): number => Number(uint(v, what, 0xffffffffn));
export const u64 = (v: Json, what: string): bigint => uint(v, what, 0xffffffffffffffffn);

export function isAbsent(v: Json): boolean {
  return v === undefined || v === null;
}

function kind(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
