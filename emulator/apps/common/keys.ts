// Keys inside the device: BIP-32 extended public keys in the app's own 78-byte form
// (serialized_extended_pubkey_t), public derivation that also returns the BIP-32 tweak (MuSig2
// needs it, BIP-328), and private derivation under the OS path restrictions. Each function reports
// the secure-element operations the real app's counterpart performs (crypto.c), so that the
// device's Speculos-compatible randomness stays in step (AppContext.rngCharge).

import { bytesToNumberBE } from '@noble/curves/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createBase58check } from '@scure/base';
import { concat, equal, u32be } from '../../../apdu/bytes.ts';
import { HARDENED } from '../../../apdu/path.ts';
import type { AppContext, CryptoOperation } from '../../app.ts';

const b58c = createBase58check(sha256);
const Point = secp256k1.Point;
const N = Point.Fn.ORDER;

/** What derivation needs of an app's network: its BIP-44 coin type and xpub version bytes. */
export interface KeyNetwork {
  coinType: number;
  xpubVersion: number;
}

/** Where an operation is reported: the device's rngCharge, or nothing for pure host-side uses. */
export type Meter = (operation: CryptoOperation) => void;

export const meterOf =
  (ctx: AppContext): Meter =>
  (operation) =>
    ctx.rngCharge?.(operation);

export interface ExtendedPubkey {
  version: number;
  depth: number;
  parentFingerprint: number;
  childNumber: number;
  chainCode: Uint8Array;
  /** 33-byte compressed key. */
  pubkey: Uint8Array;
}

export const hash160 = (data: Uint8Array): Uint8Array => ripemd160(sha256(data));

export function fingerprintOf(pubkey: Uint8Array): number {
  const h = hash160(pubkey);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

export function serializeXpub(k: ExtendedPubkey): Uint8Array {
  return concat(u32be(k.version), Uint8Array.of(k.depth), u32be(k.parentFingerprint), u32be(k.childNumber), k.chainCode, k.pubkey);
}

export function encodeXpub(k: ExtendedPubkey): string {
  return b58c.encode(serializeXpub(k));
}

/** Decodes a base58check extended public key; undefined if malformed (parse_policy_map_key_info). */
export function decodeXpub(text: string): ExtendedPubkey | undefined {
  let raw: Uint8Array;
  try {
    raw = b58c.decode(text);
  } catch {
    return undefined;
  }
  if (raw.length !== 78) return undefined;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  return {
    version: dv.getUint32(0),
    depth: raw[4]!,
    parentFingerprint: dv.getUint32(5),
    childNumber: dv.getUint32(9),
    chainCode: raw.slice(13, 45),
    pubkey: raw.slice(45, 78),
  };
}

export function xpubEqual(a: ExtendedPubkey, b: ExtendedPubkey): boolean {
  return equal(serializeXpub(a), serializeXpub(b));
}

/**
 * CKDpub for an unhardened index; also returns I_L, the additive tweak (BIP-32, BIP-328). Like
 * bip32_CKDpub it costs one scalar multiplication (I_L·G).
 */
export function ckdPub(parent: ExtendedPubkey, index: number, meter?: Meter): { child: ExtendedPubkey; tweak: Uint8Array } {
  if (index >= HARDENED) throw new RangeError(`ckdPub: expected an unhardened index, got ${index}`);
  const I = hmac(sha512, parent.chainCode, concat(parent.pubkey, u32be(index)));
  const tweak = I.slice(0, 32);
  const t = bytesToNumberBE(tweak);
  if (t >= N) throw new RangeError('ckdPub: I_L out of range');
  meter?.('point-mul');
  const child = Point.fromBytes(parent.pubkey).add(Point.BASE.multiply(t));
  return {
    child: {
      version: parent.version,
      depth: parent.depth + 1,
      parentFingerprint: fingerprintOf(parent.pubkey),
      childNumber: index,
      chainCode: I.slice(32),
      pubkey: child.toBytes(true),
    },
    tweak,
  };
}

/**
 * The OS refuses to derive outside the app's allowed paths (Makefile PATH_APP_LOAD_PARAMS since
 * 2.4.3): "any purpose / coin'" (any purpose with the app's coin type second), `4541509'/...` (Electrum) and
 * `45'/...` (BIP-45).
 */
export function isPathAllowed(path: readonly number[], net: KeyNetwork): boolean {
  if (path.length >= 1 && (path[0] === 4541509 + HARDENED || path[0] === 45 + HARDENED)) return true;
  return path.length >= 2 && path[1] === net.coinType + HARDENED;
}

export class PathNotAllowedError extends Error {
  override readonly name = 'PathNotAllowedError';
}

/** The private key at `path` (bip32_derive_init_privkey_256), 32 bytes. */
export function privateKeyAt(ctx: AppContext, path: readonly number[], net: KeyNetwork): Uint8Array {
  if (!isPathAllowed(path, net)) throw new PathNotAllowedError(`derivation outside the app's allowed paths`);
  ctx.rngCharge?.({ derive: path });
  let node = ctx.master;
  for (const i of path) node = node.deriveChild(i);
  if (!node.privateKey) throw new Error('private key unavailable');
  return node.privateKey;
}

/**
 * The extended public key at `path` (get_extended_pubkey_at_path): the parent's fingerprint comes
 * from the master key identifier at depth 1, else from the parent's public key
 * (bip32_derive_get_pubkey_256: derivation plus cx_ecfp_generate_pair), then the key itself.
 */
export function xpubAt(ctx: AppContext, path: readonly number[], net: KeyNetwork): ExtendedPubkey {
  if (!isPathAllowed(path, net)) throw new PathNotAllowedError(`derivation outside the app's allowed paths`);
  // crypto.c get_extended_pubkey_at_path derives the parent first, for its fingerprint: a path whose
  // parent the OS refuses (m/84'/1', m/5'/1' on the testnet app) fails although the path itself is
  // allowed — as seen on Speculos with the Bitcoin Test 2.4.6 app.
  if (path.length > 1 && !isPathAllowed(path.slice(0, -1), net)) throw new PathNotAllowedError(`parent derivation outside the app's allowed paths`);
  if (path.length === 1) ctx.rngCharge?.('master-key-id');
  else if (path.length > 1) {
    ctx.rngCharge?.({ derive: path.slice(0, -1) });
    ctx.rngCharge?.('point-mul');
  }
  ctx.rngCharge?.({ derive: path });
  ctx.rngCharge?.('point-mul');
  let node = ctx.master;
  let parent = ctx.master;
  for (const i of path) {
    parent = node;
    node = node.deriveChild(i);
  }
  return {
    version: net.xpubVersion,
    depth: path.length,
    parentFingerprint: path.length === 0 ? 0 : fingerprintOf(parent.publicKey!),
    childNumber: path.length === 0 ? 0 : path[path.length - 1]!,
    chainCode: node.chainCode!,
    pubkey: node.publicKey!,
  };
}

/** crypto_get_master_key_fingerprint (os_perso_get_master_key_identifier). */
export function masterFingerprint(ctx: AppContext): number {
  ctx.rngCharge?.('master-key-id');
  return fingerprintOf(ctx.master.publicKey!);
}
