// BIP-32 derivation paths: text <-> number arrays <-> the wire form the Ledger apps use
// (`n:u8 || n × u32 BE`, docs/bitcoin-app-protocol.md §1). The depth limit is the app's MAX_BIP32_PATH_STEPS (10).

import { ByteReader, concat, u32be } from './bytes.ts';
import { CodecError } from './errors.ts';

export const HARDENED = 0x80000000;
export const MAX_PATH_DEPTH = 10;

/** A path given as text ("m/86'/1'/0'", "m/86h/1h/0h", "86'/1'/0'") or as numbers. */
export type PathLike = string | readonly number[];

export function isHardened(index: number): boolean {
  return index >= HARDENED;
}

export function parsePath(path: PathLike): number[] {
  if (typeof path !== 'string') return checkPath(path);
  const text = path.trim();
  const parts = text.split('/');
  if (parts[0] === 'm' || parts[0] === 'M') parts.shift();
  if (parts.length === 1 && parts[0] === '') parts.pop();
  const out = parts.map((part) => {
    const m = /^(\d+)(['hH]?)$/.exec(part);
    if (!m) throw new CodecError(`path: expected elements like 86' or 86h or 0, got "${part}" in "${path}"`);
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n >= HARDENED)
      throw new CodecError(`path: expected an index below 2^31, got ${m[1]} in "${path}"`);
    return m[2] ? n + HARDENED : n;
  });
  return checkPath(out);
}

function checkPath(path: readonly number[]): number[] {
  if (!Array.isArray(path)) throw new CodecError(`path: expected string or number[], got ${typeof path}`);
  if (path.length > MAX_PATH_DEPTH)
    throw new CodecError(`path: expected at most ${MAX_PATH_DEPTH} elements, got ${path.length}`);
  for (const n of path)
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
      throw new CodecError(`path: expected u32 elements, got ${String(n)}`);
  return [...path];
}

/** Formats as "m/86'/1'/0'" (apostrophes, as tapcli and the Ledger apps print them). */
export function formatPath(path: readonly number[], { prefix = true, hardenedMark = "'" } = {}): string {
  const body = checkPath(path).map((n) => (isHardened(n) ? `${n - HARDENED}${hardenedMark}` : String(n)));
  return prefix ? ['m', ...body].join('/') : body.join('/');
}

export function encodePath(path: PathLike): Uint8Array {
  const p = parsePath(path);
  return concat(Uint8Array.of(p.length), ...p.map(u32be));
}

export function readPath(r: ByteReader, field = 'path'): number[] {
  const n = r.u8(`${field}.length`);
  if (n > MAX_PATH_DEPTH) throw new CodecError(`${field}: expected at most ${MAX_PATH_DEPTH} elements, got ${n}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.u32be(`${field}[${i}]`));
  return out;
}
