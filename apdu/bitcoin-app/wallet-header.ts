// The serialized wallet policy header the app receives (docs/bitcoin-app-protocol.md §5, doc/wallet.md,
// src/common/wallet.c read_wallet_policy_header). Version 2:
//   0x02 || name_len:u8 || name || varint(len(template)) || sha256(template) || varint(n_keys) || keys_root
// Version 1 (legacy) carries the template itself instead of its hash. The wallet id is the SHA-256
// of these bytes; the template and the key strings are revealed on request (GET_PREIMAGE, Merkle proofs).

import { ByteReader, concat, encodeVarint } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { bytesField } from './spec.ts';

export const WALLET_POLICY_V1 = 1;
export const WALLET_POLICY_V2 = 2;
export const MAX_WALLET_NAME_LENGTH = 64;
export const MAX_DESCRIPTOR_TEMPLATE_LENGTH_V1 = 40;
export const MAX_DESCRIPTOR_TEMPLATE_LENGTH_V2 = 512;
/** The header refuses more than 252 keys (one-byte varint); the app's policy limit is 15. */
export const MAX_HEADER_KEYS = 252;

export type WalletPolicyHeader =
  | {
      version: 2;
      name: Uint8Array;
      templateLength: number;
      templateHash: Uint8Array;
      keyCount: number;
      keysRoot: Uint8Array;
    }
  | {
      version: 1;
      name: Uint8Array;
      template: Uint8Array;
      keyCount: number;
      keysRoot: Uint8Array;
    };

export function encodeWalletPolicyHeader(h: WalletPolicyHeader): Uint8Array {
  if (h.name.length > MAX_WALLET_NAME_LENGTH)
    throw new RangeError(`wallet policy name: expected at most ${MAX_WALLET_NAME_LENGTH} bytes, got ${h.name.length}`);
  if (!Number.isInteger(h.keyCount) || h.keyCount < 0 || h.keyCount > MAX_HEADER_KEYS)
    throw new RangeError(`wallet policy key count: expected 0..${MAX_HEADER_KEYS}, got ${h.keyCount}`);
  const body =
    h.version === WALLET_POLICY_V2
      ? concat(encodeVarint(h.templateLength), bytesField(h.templateHash, 32, 'wallet policy template hash'))
      : concat(encodeVarint(h.template.length), h.template);
  return concat(
    Uint8Array.of(h.version, h.name.length),
    h.name,
    body,
    encodeVarint(h.keyCount),
    bytesField(h.keysRoot, 32, 'wallet policy keys root'),
  );
}

/** Reads a header from `r` as the app does; throws CodecError for anything the app refuses. */
export function readWalletPolicyHeader(r: ByteReader): WalletPolicyHeader {
  const version = r.u8('version');
  if (version !== WALLET_POLICY_V1 && version !== WALLET_POLICY_V2)
    throw new CodecError(`${r.what}.version: expected 1 or 2, got ${version}`);
  const nameLength = r.u8('name.length');
  if (nameLength > MAX_WALLET_NAME_LENGTH)
    throw new CodecError(`${r.what}.name: expected at most ${MAX_WALLET_NAME_LENGTH} bytes, got ${nameLength}`);
  const name = r.bytesN(nameLength, 'name').slice();
  const max = version === WALLET_POLICY_V1 ? MAX_DESCRIPTOR_TEMPLATE_LENGTH_V1 : MAX_DESCRIPTOR_TEMPLATE_LENGTH_V2;
  const templateLength = r.varint('template.length');
  if (templateLength > BigInt(max))
    throw new CodecError(`${r.what}.template: expected at most ${max} bytes, got ${templateLength}`);
  if (version === WALLET_POLICY_V1) {
    const template = r.bytesN(Number(templateLength), 'template').slice();
    const keyCount = readKeyCount(r);
    return { version, name, template, keyCount, keysRoot: r.bytesN(32, 'keysRoot').slice() };
  }
  const templateHash = r.bytesN(32, 'templateHash').slice();
  const keyCount = readKeyCount(r);
  return { version, name, templateLength: Number(templateLength), templateHash, keyCount, keysRoot: r.bytesN(32, 'keysRoot').slice() };
}

function readKeyCount(r: ByteReader): number {
  const n = r.varint('keyCount');
  if (n > BigInt(MAX_HEADER_KEYS)) throw new CodecError(`${r.what}.keyCount: expected at most ${MAX_HEADER_KEYS}, got ${n}`);
  return Number(n);
}

/** Decodes a whole serialized policy (no trailing bytes: the wallet id covers exactly these bytes). */
export function decodeWalletPolicyHeader(bytes: Uint8Array): WalletPolicyHeader {
  const r = new ByteReader(bytes, 'wallet policy');
  const h = readWalletPolicyHeader(r);
  r.end();
  return h;
}
