// Resolves a key expression to a public key for one address: placeholders through the policy's
// key information, literal keys (hex, WIF, xpub), and musig() by aggregate-then-derive (BIP-390) or
// derive-then-aggregate when the participants carry the wildcard (descriptors only).

import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { DerivationStep, KeyExpr } from './ast.ts';
import type { KeyInfo } from '../key-info.ts';
import { decodeExtendedPublicKey } from '../extended-key.ts';
import { derivePublicPath, type PublicNode } from '../bip32-public.ts';
import { aggregateKeys, syntheticNode, type DerivedAggregate } from '../musig/aggregate.ts';
import { DescriptorError } from '../errors.ts';
import { HARDENED } from '../../apdu/path.ts';
import { concat, fromHex } from '../../apdu/bytes.ts';

/** Which address: `branch` picks among `<a;b;...>` (0 = receive, 1 = change), `index` fills `*`. */
export interface AddressPoint {
  readonly branch: number;
  readonly index: number;
}

export interface DerivedKey {
  /** 33-byte compressed key (65 bytes only for an uncompressed literal in legacy scripts). */
  readonly publicKey: Uint8Array;
  /** Set for musig(): participants, untweaked aggregate, path and tweaks from the synthetic xpub. */
  readonly musig: DerivedAggregate | undefined;
}

export function deriveKey(key: KeyExpr, at: AddressPoint, keyInfos: readonly KeyInfo[] = []): DerivedKey {
  const path = resolvePath(key.derivation.steps, at);
  switch (key.kind) {
    case 'placeholder': {
      const info = keyInfos[key.index];
      if (!info) throw new DescriptorError('keys-count', `no key information for placeholder @${key.index}`);
      return { publicKey: deriveFrom(nodeOf(info.xpub.hd), path, `@${key.index}`), musig: undefined };
    }
    case 'literal':
      return { publicKey: deriveLiteral(key.text, path), musig: undefined };
    case 'musig': {
      const participants = key.participants.map((p) => deriveKey(p, at, keyInfos).publicKey);
      const agg = aggregateKeys(participants);
      checkUnhardened(path, 'musig()');
      const { node, tweaks } = derivePublicPath(syntheticNode(agg.aggregate), path);
      return { publicKey: node.publicKey, musig: { ...agg, publicKey: node.publicKey, path, tweaks } };
    }
  }
}

export function resolvePath(steps: readonly DerivationStep[], at: AddressPoint): number[] {
  return steps.map((s) => {
    if (s.kind === 'index') return s.index + (s.hardened ? HARDENED : 0);
    if (s.kind === 'wildcard') return at.index + (s.hardened ? HARDENED : 0);
    const alt = s.alternatives[at.branch];
    if (!alt)
      throw new DescriptorError('derivation', `expected branch below ${s.alternatives.length} for <..;..>, got ${at.branch}`);
    return alt.index + (alt.hardened ? HARDENED : 0);
  });
}

function checkUnhardened(path: readonly number[], what: string): void {
  if (path.some((i) => i >= HARDENED))
    throw new DescriptorError('derivation', `${what}: hardened derivation needs a private key, got a public one`);
}

function nodeOf(hd: { publicKey: Uint8Array | null; chainCode: Uint8Array | null }): PublicNode {
  return { publicKey: hd.publicKey!, chainCode: hd.chainCode! };
}

function deriveFrom(node: PublicNode, path: readonly number[], what: string): Uint8Array {
  checkUnhardened(path, what);
  return derivePublicPath(node, path).node.publicKey;
}

const base58check = createBase58check(sha256);

function deriveLiteral(text: string, path: readonly number[]): Uint8Array {
  if (/^[xt]pub/.test(text)) {
    let xpub;
    try {
      xpub = decodeExtendedPublicKey(text);
    } catch (e) {
      throw new DescriptorError('key', (e as Error).message);
    }
    return deriveFrom(nodeOf(xpub.hd), path, text.slice(0, 12));
  }
  if (path.length) throw new DescriptorError('derivation', `only extended keys can be derived, got "${text.slice(0, 16)}..."`);
  if (/^[0-9a-fA-F]+$/.test(text)) {
    const raw = fromHex(text);
    // an x-only key stands for the point with even Y (BIP-340)
    const full = raw.length === 32 ? concat(Uint8Array.of(2), raw) : raw;
    try {
      secp256k1.Point.fromBytes(full);
    } catch {
      throw new DescriptorError('key', `"${text.slice(0, 16)}..." is not a point on secp256k1`);
    }
    return full;
  }
  let raw: Uint8Array;
  try {
    raw = base58check.decode(text);
  } catch {
    throw new DescriptorError('key', `expected a hex public key, a WIF private key or an xpub, got "${text.slice(0, 16)}..."`);
  }
  const compressed = raw.length === 34 && raw[33] === 0x01;
  if ((raw[0] !== 0x80 && raw[0] !== 0xef) || !(compressed || raw.length === 33))
    throw new DescriptorError('key', `"${text.slice(0, 8)}..." is not a WIF private key`);
  try {
    return secp256k1.getPublicKey(raw.slice(1, 33), compressed);
  } catch {
    throw new DescriptorError('key', 'WIF private key out of range');
  }
}
