// A FROST key set in @noble/curves' shapes and ours (apdu/tap-app/frost-data.ts), and the Taproot
// tweak of docs/frost.md §2.5: the group key the DKG outputs is an internal key; a signature for
// an output of it is made with the tweaked share against the tweaked package.

import { __TEST as secp256k1Internals, schnorr_FROST } from '@noble/curves/secp256k1.js';
import type { FrostPublic as NobleFrostPublic, FrostSecret as NobleFrostSecret, NonceCommitments as NobleNonceCommitments } from '@noble/curves/abstract/frost.js';
import type { TArg } from '@noble/curves/utils.js';
import { frostIdentifier, type FrostKeyPackage, type FrostNonceCommitment } from '../../apdu/tap-app/frost-data.ts';
import { tweakMerkleRoot, type FrostTweak } from '../../apdu/tap-app/frost.ts';

/** noble's shapes as its functions accept them (any Uint8Array). */
export type FrostPublic = TArg<NobleFrostPublic>;
export type FrostSecret = TArg<NobleFrostSecret>;
export type NonceCommitments = TArg<NobleNonceCommitments>;

// @noble/curves 2.4.0 (the newest release) implements the BIP-341 tweak of a FROST package (the one
// its DKG applies with an empty merkle root) but exports it only under __TEST, and its public FROST
// interface takes no merkle root; re-deriving it would be FROST arithmetic of our own (docs/frost.md
// §7). This file is the one place that uses it.
const { frostTweakPublic, frostTweakSecret } = secp256k1Internals;

export function toFrostPublic(p: FrostKeyPackage): FrostPublic {
  const verifyingShares: Record<string, Uint8Array> = {};
  p.verifyingShares.forEach((v, i) => (verifyingShares[frostIdentifier(i + 1)] = v));
  return { signers: { min: p.threshold, max: p.verifyingShares.length }, commitments: p.commitments, verifyingShares };
}

export function fromFrostPublic(pub: FrostPublic): FrostKeyPackage {
  const n = pub.signers.max;
  const verifyingShares: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) {
    const v = pub.verifyingShares[frostIdentifier(i)];
    if (!v) throw new RangeError(`key package: expected a verifying share for participant ${i}, got none`);
    verifyingShares.push(v);
  }
  return { threshold: pub.signers.min, commitments: pub.commitments, verifyingShares };
}

/** The package a signature under `tweak` verifies against (its commitments[0] is the output key). */
export function tweakedPublic(p: FrostKeyPackage, tweak: FrostTweak): FrostPublic {
  const root = tweakMerkleRoot(tweak);
  const pub = toFrostPublic(p);
  return root === undefined ? pub : frostTweakPublic(pub, root);
}

export function tweakedSecret(secret: FrostSecret, p: FrostKeyPackage, tweak: FrostTweak): FrostSecret {
  const root = tweakMerkleRoot(tweak);
  return root === undefined ? secret : frostTweakSecret(secret, toFrostPublic(p), root);
}

/** The x-only key a signature under `tweak` verifies against: the group key, or a Taproot output key of it. */
export function signingKeyXOnly(p: FrostKeyPackage, tweak: FrostTweak): Uint8Array {
  return tweakedPublic(p, tweak).commitments[0]!.slice(1);
}

export function toNonceCommitments(list: readonly FrostNonceCommitment[]): NonceCommitments[] {
  return list.map((c) => ({ identifier: frostIdentifier(c.index), hiding: c.hiding, binding: c.binding }));
}

/**
 * RFC 9591 §5.4 verify_signature_share: whether `share` is participant `index`'s signature share
 * over `message` for the session of `commitments`, under `tweak`.
 */
export function signatureShareVerifies(
  p: FrostKeyPackage,
  tweak: FrostTweak,
  commitments: readonly FrostNonceCommitment[],
  message: Uint8Array,
  index: number,
  share: Uint8Array,
): boolean {
  try {
    return schnorr_FROST.verifyShare(tweakedPublic(p, tweak), toNonceCommitments(commitments), message, frostIdentifier(index), share);
  } catch {
    return false;
  }
}

/** The secret share of participant `index` checked against the package (RFC 9591 App. C.2 vss_verify). */
export function checkedSecret(p: FrostKeyPackage, index: number, signingShare: Uint8Array): FrostSecret | undefined {
  const secret = { identifier: frostIdentifier(index), signingShare };
  try {
    schnorr_FROST.validateSecret(secret, toFrostPublic(p));
    return secret;
  } catch {
    return undefined;
  }
}
