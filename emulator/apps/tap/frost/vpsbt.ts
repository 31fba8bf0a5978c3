// A FROST signer inside SIGN_VPSBT v2 (docs/frost.md §2.6, docs/tap-app-protocol.md §5.5.3 tag 06):
// an input whose script key is the Taproot tweak of a FROST group key this device holds a share
// of. The signer item carries the wrapped share and the key package whole (the stream has no
// client commands), the handle of a FROST_COMMIT nonce and the session's commitment list. The
// device checks all of it before any output page — the share opens for this package on this seed,
// the package's key tweaked by the input's tweak is the input's script key, the nonce slot was
// committed for this key set, list and sighash — shows what binds, and after the person approved
// the transfer signs the sighash it computed itself with signWithNonceSlot: not blind signing.

import { sha256 } from '@noble/hashes/sha2.js';
import { equal, toHex } from '../../../../apdu/bytes.ts';
import { decodeKeyPackage, decodeNonceCommitments, groupKeyXOnly, type FrostKeyPackage, type FrostNonceCommitment } from '../../../../apdu/tap-app/frost-data.ts';
import type { FrostTweak } from '../../../../apdu/tap-app/frost.ts';
import type { StreamFrostSigner } from '../../../../apdu/tap-app/vpsbt-stream.ts';
import { signingKeyXOnly } from '../../../../bitcoin/frost/key-package.ts';
import type { AppContext } from '../../../app.ts';
import type { ReviewPair } from '../../../ui/review.ts';
import { incorrectData } from '../errors.ts';
import type { NonceSlots } from '../nonce-slots.ts';
import { checkNonceSlot, openKeySet, signWithNonceSlot, wipeKeySet } from './sign.ts';

/** What the device keeps of a checked FROST signer until it signs: public data and the wrapped share, no secret. */
export interface FrostStreamSigning {
  input: number;
  handle: Uint8Array;
  wrappedShare: Uint8Array;
  keyPackage: FrostKeyPackage;
  keySetId: Uint8Array;
  commitments: FrostNonceCommitment[];
  tweak: FrostTweak;
}

/**
 * Checks the FROST signer of input `s.input` (script key `scriptKeyXOnly`, sighash `sighash`) and
 * returns what signing needs with the review pairs that show it. Fails with B022 (the share does
 * not open for this package), 6A80 (a key that is not the input's), B010 (no nonce) or B011 (a
 * nonce of another key set, list or message: wiped); a malformed package or list throws the
 * codec's RequestError, which the stream answers 6A80.
 */
export function checkFrostSigner(
  ctx: AppContext,
  slots: NonceSlots,
  s: Omit<StreamFrostSigner, 'frost'> & { frost: Omit<StreamFrostSigner['frost'], 'keyPackage' | 'commitments'> },
  keyPackageBytes: Uint8Array,
  commitmentsBytes: Uint8Array,
  scriptKeyXOnly: Uint8Array,
  sighash: Uint8Array,
): { signing: FrostStreamSigning; pairs: ReviewPair[] } {
  const what = `signers[${s.input}].frost`;
  const keyPackage = decodeKeyPackage(keyPackageBytes);
  const n = keyPackage.verifyingShares.length;
  const commitments = decodeNonceCommitments(commitmentsBytes, keyPackage.threshold, n);
  const tweak: FrostTweak = s.tweak.length === 0 ? { kind: 'bip86' } : { kind: 'merkleRoot', root: s.tweak };
  const keySetId = sha256(keyPackageBytes);
  const keySet = openKeySet(ctx, keyPackage, keySetId, s.frost.wrappedShare);
  try {
    const signingKey = signingKeyXOnly(keyPackage, tweak);
    if (!equal(signingKey, scriptKeyXOnly)) throw incorrectData(`${what}: the key set's key tweaked by the input's tweak is ${toHex(signingKey)}, not the input's script key`);
    checkNonceSlot(slots, { handle: s.frost.handle, keySet, commitments, tweak }, sighash);
    const k = s.input + 1;
    return {
      signing: { input: s.input, handle: s.frost.handle, wrappedShare: s.frost.wrappedShare, keyPackage, keySetId, commitments, tweak },
      pairs: [
        { item: `Input ${k} FROST key set`, value: `${keyPackage.threshold} of ${n}, this device participant ${keySet.index}` },
        { item: `Input ${k} FROST group key`, value: toHex(groupKeyXOnly(keyPackage)) },
        { item: `Input ${k} signing key`, value: toHex(signingKey) },
      ],
    };
  } finally {
    wipeKeySet(keySet);
  }
}

/** The signature share of `sighash` for a checked signer, after the person approved the transfer. */
export async function signFrostInput(ctx: AppContext, slots: NonceSlots, f: FrostStreamSigning, sighash: Uint8Array, approved: () => boolean): Promise<Uint8Array> {
  const keySet = openKeySet(ctx, f.keyPackage, f.keySetId, f.wrappedShare);
  try {
    return await signWithNonceSlot(slots, { handle: f.handle, keySet, commitments: f.commitments, tweak: f.tweak }, sighash, async () => {
      if (!approved()) throw incorrectData('FROST signer: the transfer was not approved');
    });
  } finally {
    wipeKeySet(keySet);
  }
}
