// Curve and hash helpers shared by the asset model (BIP-340/341 conventions).

import { bytesToNumberBE } from '@noble/curves/utils.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CodecError } from '../apdu/errors.ts';
import { encodeVarint } from '../apdu/bytes.ts';

export { sha256 };

export const Point = secp256k1.Point;
export type Point = InstanceType<typeof secp256k1.Point>;
export const CURVE_ORDER = Point.Fn.ORDER;

export function taggedHash(tag: string, ...parts: Uint8Array[]): Uint8Array {
  return schnorr.utils.taggedHash(tag, ...parts);
}

/** 33 zero bytes: tapd's "empty key" placeholder (asset/encoding.go), accepted where tapd accepts it. */
export function isEmptyKey(key: Uint8Array): boolean {
  return key.length === 33 && key.every((b) => b === 0);
}

/** Parses a compressed SEC1 key, throwing CodecError naming `what` if it is not on the curve. */
export function parsePoint(key: Uint8Array, what: string): Point {
  if (key.length !== 33) throw new CodecError(`${what}: expected 33-byte compressed key, got ${key.length} bytes`);
  try {
    return Point.fromBytes(key);
  } catch {
    throw new CodecError(`${what}: expected a point on secp256k1, got invalid key`);
  }
}

/** Lifts a 32-byte x-only key to the even-Y point (BIP-340 lift_x). */
export function liftX(xonly: Uint8Array, what: string): Point {
  if (xonly.length !== 32) throw new CodecError(`${what}: expected 32-byte x-only key, got ${xonly.length} bytes`);
  try {
    return schnorr.utils.lift_x(bytesToNumberBE(xonly));
  } catch {
    throw new CodecError(`${what}: expected an x coordinate on secp256k1`);
  }
}

export function xOnly(key: Uint8Array): Uint8Array {
  if (key.length === 32) return key;
  if (key.length === 33) return key.subarray(1);
  throw new CodecError(`key: expected 32 or 33 bytes, got ${key.length}`);
}

/**
 * BIP-341 taproot_tweak_pubkey generalised to any tweak data (tapd's ComputeTaprootOutputKey also
 * takes longer data, e.g. for burn keys): Q = lift_x(P) + int(hashTapTweak(x(P) || data))·G.
 */
export function taprootTweak(internal: Point, data: Uint8Array): Point {
  const x = internal.toBytes(true).subarray(1);
  const even = liftX(x, 'internal key');
  const t = bytesToNumberBE(taggedHash('TapTweak', x, data));
  if (t >= CURVE_ORDER) throw new CodecError('taproot tweak: tweak exceeds the curve order');
  return even.add(Point.BASE.multiply(t));
}

/** The BIP-341 tapleaf hash of one script. */
export function tapLeafHash(script: Uint8Array, leafVersion = 0xc0): Uint8Array {
  return taggedHash('TapLeaf', Uint8Array.of(leafVersion), encodeVarint(script.length), script);
}

/** The BIP-341 tapbranch hash: children sorted lexicographically. */
export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < 32; i++) {
    if (a[i]! < b[i]!) return taggedHash('TapBranch', a, b);
    if (a[i]! > b[i]!) return taggedHash('TapBranch', b, a);
  }
  return taggedHash('TapBranch', a, b);
}

export function verifySchnorr(sig: Uint8Array, msg: Uint8Array, xonlyKey: Uint8Array): boolean {
  try {
    return schnorr.verify(sig, msg, xonlyKey);
  } catch {
    return false;
  }
}
