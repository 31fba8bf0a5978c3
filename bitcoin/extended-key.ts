// Extended public keys (BIP-32 serialization) for either network family: the version bytes say
// whether a key is an xpub (mainnet) or a tpub (testnet, regtest, signet). Private extended keys are
// refused: wallet policies and descriptors here only ever carry public keys.

import { createBase58check } from '@scure/base';
import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { NETWORKS } from './networks.ts';
import { BitcoinError } from './errors.ts';

const base58check = createBase58check(sha256);

export type KeyFamily = 'mainnet' | 'test';

export interface ExtendedPublicKey {
  readonly hd: HDKey;
  readonly family: KeyFamily;
  /** The text as given (checksummed base58). */
  readonly text: string;
}

const VERSIONS: Readonly<Record<KeyFamily, { public: number; private: number }>> = {
  mainnet: NETWORKS.mainnet.bip32,
  test: NETWORKS.testnet.bip32,
};

export function decodeExtendedPublicKey(text: string): ExtendedPublicKey {
  let raw: Uint8Array;
  try {
    raw = base58check.decode(text);
  } catch {
    throw new BitcoinError('E_KEY_INFO', `extended key: expected base58check text, got "${text}" (bad character or checksum)`);
  }
  if (raw.length !== 78) throw new BitcoinError('E_KEY_INFO', `extended key: expected 78 bytes, got ${raw.length} in "${text}"`);
  const version = new DataView(raw.buffer, raw.byteOffset).getUint32(0);
  const family = (Object.keys(VERSIONS) as KeyFamily[]).find((f) => VERSIONS[f].public === version);
  if (!family) {
    const isPrivate = version === VERSIONS.mainnet.private || version === VERSIONS.test.private;
    throw new BitcoinError('E_KEY_INFO', isPrivate
        ? `extended key: expected a public key (xpub/tpub), got a private one`
        : `extended key: expected xpub or tpub version bytes, got 0x${version.toString(16).padStart(8, '0')}`,
    );
  }
  let hd: HDKey;
  try {
    hd = HDKey.fromExtendedKey(text, VERSIONS[family]);
  } catch (e) {
    throw new BitcoinError('E_KEY_INFO', `extended key: "${text}" does not decode: ${(e as Error).message}`);
  }
  return { hd, family, text };
}

/** Serializes an HDKey's public part with the version bytes of the given family. */
export function encodeExtendedPublicKey(hd: HDKey, family: KeyFamily): string {
  const pub = new HDKey({
    versions: VERSIONS[family],
    depth: hd.depth,
    index: hd.index,
    parentFingerprint: hd.parentFingerprint,
    chainCode: hd.chainCode!,
    publicKey: hd.publicKey!,
  });
  return pub.publicExtendedKey;
}
