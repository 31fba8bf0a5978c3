// FROST_COMMIT and FROST_SIGN (docs/frost.md §2.5, §3): RFC 9591 signing rounds with the secret
// nonce kept under the MuSig2 custody rules (docs/tap-app-protocol.md §4, §7 rule 3): a RAM nonce
// slot named by a random handle, used once, wiped before the signature share exists, gone after a
// restart. Every command carries the wrapped share and the key package; the device opens the share
// with its seed for exactly that package and checks it against the package before using it.

import { schnorr, schnorr_FROST } from '@noble/curves/secp256k1.js';
import { concat, equal, toHex } from '../../../../apdu/bytes.ts';
import {
  decodeKeyPackage,
  decodeNonceCommitments,
  encodeNonceCommitment,
  type FrostKeyPackage,
  type FrostNonceCommitment,
  type PreimageCommitment,
} from '../../../../apdu/tap-app/frost-data.ts';
import { frostCommit, frostSign, type FrostTweak } from '../../../../apdu/tap-app/frost.ts';
import { TAP_SW } from '../../../../apdu/tap-app/status.ts';
import { checkedSecret, signingKeyXOnly, toNonceCommitments, tweakedPublic, tweakedSecret } from '../../../../bitcoin/frost/key-package.ts';
import type { FrostSecret } from '../../../../bitcoin/frost/key-package.ts';
import type { AppContext } from '../../../app.ts';
import type { ReviewFlow } from '../../../ui/review.ts';
import type { TapCommand, TapHandler } from '../command.ts';
import { decodeBody } from '../decode.ts';
import type { NonceSlots } from '../nonce-slots.ts';
import { TapError, denied, incorrectData } from '../errors.ts';
import { fetchCommitted } from './fetch.ts';
import { unwrapShare } from './secrets.ts';

const BINDING_TAG = 'TAP-FROST-binding';

export interface KeySet {
  keyPackage: FrostKeyPackage;
  keySetId: Uint8Array;
  index: number;
  secret: FrostSecret;
}

/**
 * Opens the wrapped share for `keyPackage`, whose encoding hashes to `keySetId` (the caller checked
 * that), and checks the share against the package (B022 otherwise). The caller wipes the secret.
 */
export function openKeySet(ctx: AppContext, keyPackage: FrostKeyPackage, keySetId: Uint8Array, wrappedShare: Uint8Array): KeySet {
  const opened = unwrapShare(ctx, keySetId, wrappedShare);
  if (!opened) throw new TapError(TAP_SW.WRAPPED_SHARE_INVALID, 'the wrapped share does not open for this key package');
  const secret = opened.index <= keyPackage.verifyingShares.length ? checkedSecret(keyPackage, opened.index, opened.share) : undefined;
  if (!secret) {
    opened.share.fill(0);
    throw new TapError(TAP_SW.WRAPPED_SHARE_INVALID, 'the wrapped share does not match the key package');
  }
  return { keyPackage, keySetId, index: opened.index, secret };
}

export const wipeKeySet = (k: KeySet): void => void (k.secret.signingShare as Uint8Array).fill(0);

/** Fetches the key package a command names by commitment and opens the wrapped share for it. */
async function fetchKeySet(cmd: TapCommand, keyPackage: PreimageCommitment, wrappedShare: Uint8Array): Promise<KeySet> {
  const { value } = await fetchCommitted(cmd.host, keyPackage, 'key package', decodeKeyPackage);
  // The fetched bytes hash to keyPackage.hash: that hash is the key-set ID the share is sealed to.
  return openKeySet(cmd.ctx, value, keyPackage.hash, wrappedShare);
}

/** What a nonce commits to: the key set, the device's own public commitment, and the message if bound. */
function binding(keySetId: Uint8Array, own: FrostNonceCommitment, message: Uint8Array | undefined): Uint8Array {
  return schnorr.utils.taggedHash(BINDING_TAG, keySetId, encodeNonceCommitment(own), message ? concat(Uint8Array.of(1), message) : Uint8Array.of(0));
}

export const frostCommitHandler: TapHandler = async (cmd) => {
  const req = decodeBody(frostCommit, cmd.body);
  const keySet = await fetchKeySet(cmd, req.keyPackage, req.wrappedShare);
  try {
    if (cmd.state.slots.free === 0) throw new TapError(TAP_SW.NONCE_SLOTS_FULL, 'every nonce slot is in use');
    const { nonces, commitments } = schnorr_FROST.commit(keySet.secret, (n = 32) => cmd.ctx.random(n));
    const handle = cmd.ctx.random(32);
    const own = { index: keySet.index, hiding: commitments.hiding, binding: commitments.binding };
    cmd.state.slots.store({
      handle,
      secnonce: concat(nonces.hiding, nonces.binding),
      binding: binding(keySet.keySetId, own, req.message),
      messageBound: req.message !== undefined,
    });
    nonces.hiding.fill(0);
    nonces.binding.fill(0);
    return frostCommit.encodeResponse({ handle, hiding: own.hiding, binding: own.binding });
  } finally {
    wipeKeySet(keySet);
  }
};

/** A FROST signing request apart from its message: the opened key set and the session's commitments. */
export interface FrostSigning {
  handle: Uint8Array;
  keySet: KeySet;
  commitments: FrostNonceCommitment[];
  tweak: FrostTweak;
}

/**
 * B010 unless the slot of `s.handle` lives; B011 (and the slot wiped) unless FROST_COMMIT made it
 * for this key set, this device's commitment in the list and, when it bound one, `message`.
 */
export function checkNonceSlot(slots: NonceSlots, s: FrostSigning, message: Uint8Array): void {
  const slot = slots.find(s.handle);
  if (!slot) throw new TapError(TAP_SW.NONCE_SESSION_UNKNOWN, 'no live FROST nonce has this handle');
  const own = s.commitments.find((c) => c.index === s.keySet.index);
  if (!own || !equal(binding(s.keySet.keySetId, own, slot.messageBound ? message : undefined), slot.binding)) {
    slots.wipe(s.handle);
    throw new TapError(TAP_SW.NONCE_SESSION_MISMATCH, 'key set, own commitment or message differs from FROST_COMMIT');
  }
}

/**
 * The signature share of `message` with the nonce of `s.handle`, once `authorize` (the review of
 * where the message came from) approves. FROST_SIGN authorizes a host-supplied hash under the
 * blind-signing guard; SIGN_VPSBT derives the message itself from the vPSBT and passes the person's
 * approval of its review (docs/frost.md §2.6).
 */
export async function signWithNonceSlot(
  slots: NonceSlots,
  s: FrostSigning,
  message: Uint8Array,
  authorize: (signingKey: Uint8Array) => Promise<void>,
): Promise<Uint8Array> {
  checkNonceSlot(slots, s, message);
  const { keySet, tweak } = s;
  await authorize(signingKeyXOnly(keySet.keyPackage, tweak));
  // The review yielded the device to other APDUs: the slot must still be there. Wiped here,
  // before the signature share exists (§7 rule 3).
  const secnonce = slots.take(s.handle);
  if (!secnonce) throw new TapError(TAP_SW.NONCE_SESSION_UNKNOWN, 'the nonce was used while this command waited');
  const nonces = { hiding: secnonce.slice(0, 32), binding: secnonce.slice(32) };
  secnonce.fill(0);
  const secret = tweakedSecret(keySet.secret, keySet.keyPackage, tweak);
  try {
    return schnorr_FROST.signShare(secret, tweakedPublic(keySet.keyPackage, tweak), nonces, toNonceCommitments(s.commitments), message);
  } catch (e) {
    throw incorrectData(`FROST sign: ${(e as Error).message}`);
  } finally {
    nonces.hiding.fill(0);
    nonces.binding.fill(0);
    (secret.signingShare as Uint8Array).fill(0);
  }
}

function blindSignReview(message: Uint8Array, signingKey: Uint8Array, keyPackage: FrostKeyPackage): ReviewFlow {
  return {
    intro: 'Blind sign FROST',
    pairs: [
      { item: 'Message hash', value: toHex(message) },
      { item: 'Signing key', value: toHex(signingKey) },
      { item: 'FROST key set', value: `${keyPackage.threshold} of ${keyPackage.verifyingShares.length}` },
    ],
    finish: { text: 'Sign FROST message', action: 'hold' },
    approved: 'Message signed',
    rejected: 'Message rejected',
    reject: 'Reject message',
  };
}

export const frostSignHandler: TapHandler = async (cmd) => {
  const req = decodeBody(frostSign, cmd.body);
  const { slots } = cmd.state;
  if (!slots.find(req.handle)) throw new TapError(TAP_SW.NONCE_SESSION_UNKNOWN, 'no live FROST nonce has this handle');
  const keySet = await fetchKeySet(cmd, req.keyPackage, req.wrappedShare);
  try {
    const n = keySet.keyPackage.verifyingShares.length;
    const { value: commitments } = await fetchCommitted(cmd.host, req.commitments, 'commitments', (b) => decodeNonceCommitments(b, keySet.keyPackage.threshold, n));
    const signing = { handle: req.handle, keySet, commitments, tweak: req.tweak };
    const share = await signWithNonceSlot(slots, signing, req.message, async (signingKey) => {
      // The host supplied this message: signing it is blind signing (docs/tap-app-protocol.md §7 rules 1-2).
      if (!cmd.ctx.settings.blindSigning) throw new TapError(TAP_SW.BLIND_SIGNING_DISABLED, 'blind signing is off');
      if (!(await cmd.ctx.review(blindSignReview(req.message, signingKey, keySet.keyPackage)))) {
        slots.wipe(req.handle);
        throw denied();
      }
    });
    return frostSign.encodeResponse(share);
  } finally {
    wipeKeySet(keySet);
  }
};
