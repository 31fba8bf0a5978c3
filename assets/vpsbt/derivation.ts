// BIP-174 / BIP-371 key-origin values and tapd's lnd-style paths (tappsbt/interface.go):
// `fingerprint[4] || u32le path…`, and for Taproot `CompactSize n || n × leaf hash || origin`.

import { ByteReader, concat, encodeVarint, u32le } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { checkPubKey } from '../tlv/values.ts';
import { liftX } from '../crypto.ts';

export interface Bip32Derivation {
  pubKey: Uint8Array;
  /** Master key fingerprint as the 4 bytes carried (tapd writes 00000000). */
  fingerprint: Uint8Array;
  path: number[];
}

export interface TaprootBip32Derivation {
  xOnlyPubKey: Uint8Array;
  leafHashes: Uint8Array[];
  fingerprint: Uint8Array;
  path: number[];
}

export const HARDENED = 0x80000000;
/** keychain.BIP0043Purpose: lnd's internal purpose 1017'. */
export const LND_PURPOSE = 1017;
/** asset.TaprootAssetsKeyFamily. */
export const TAPROOT_ASSETS_KEY_FAMILY = 212;

function readOrigin(r: ByteReader): { fingerprint: Uint8Array; path: number[] } {
  const fingerprint = r.bytesN(4, 'fingerprint');
  if (r.remaining % 4 !== 0) throw new CodecError(`${r.what}.path: expected whole 4-byte elements, got ${r.remaining} bytes`);
  const path: number[] = [];
  while (!r.done) path.push(r.u32le('path'));
  return { fingerprint, path };
}

export function encodeBip32Value(d: { fingerprint: Uint8Array; path: number[] }): Uint8Array {
  return concat(d.fingerprint, ...d.path.map(u32le));
}

export function decodeBip32(keyData: Uint8Array, value: Uint8Array, what: string): Bip32Derivation {
  const pubKey = checkPubKey(keyData, `${what}.pubKey`, false);
  return { pubKey, ...readOrigin(new ByteReader(value, what)) };
}

export function encodeTapBip32Value(d: TaprootBip32Derivation): Uint8Array {
  return concat(encodeVarint(d.leafHashes.length), ...d.leafHashes, encodeBip32Value(d));
}

export function decodeTapBip32(keyData: Uint8Array, value: Uint8Array, what: string): TaprootBip32Derivation {
  if (keyData.length !== 32) throw new CodecError(`${what}.xOnlyPubKey: expected 32 bytes, got ${keyData.length}`);
  liftX(keyData, `${what}.xOnlyPubKey`);
  const r = new ByteReader(value, what);
  const n = r.varintNumber('leaf hash count', Math.floor(value.length / 32));
  const leafHashes = Array.from({ length: n }, (_, i) => r.bytesN(32, `leafHashes[${i}]`));
  return { xOnlyPubKey: keyData, leafHashes, ...readOrigin(r) };
}

/** Key family and index of an lnd-style path `m/1017'/coin'/family'/0/index` (extractLocatorFromPath). */
export function keyLocatorFromPath(path: number[], what: string): { coinType: number; family: number; index: number } {
  if (path.length !== 5) throw new CodecError(`${what}: expected a 5-element lnd path, got ${path.length} elements`);
  if (path[0] !== LND_PURPOSE + HARDENED) throw new CodecError(`${what}: expected purpose 1017', got ${path[0]}`);
  if (path[1]! < HARDENED || path[2]! < HARDENED) throw new CodecError(`${what}: expected hardened coin type and key family`);
  return { coinType: path[1]! - HARDENED, family: path[2]! - HARDENED, index: path[4]! };
}
