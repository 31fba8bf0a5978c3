// A FROST participant in software: the same DKG steps as the device (bitcoin/frost/dkg.ts) with an
// encryption key and polynomial from crypto randomness, and the share held in memory. For tests,
// benchmarks and hosts that take part in a key set alongside devices.

import { schnorr_FROST, secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from '@noble/hashes/utils.js';
import type { DkgTranscript, EncryptedShare, FrostNonceCommitment } from '../../apdu/tap-app/frost-data.ts';
import { dkgRound1, dkgRound2, dkgRound3, type DkgState } from '../../bitcoin/frost/dkg.ts';
import { toNonceCommitments, tweakedPublic, tweakedSecret, type FrostSecret } from '../../bitcoin/frost/key-package.ts';
import { frostIdentifier } from '../../apdu/tap-app/frost-data.ts';
import type { FrostCommitted, FrostDkgParticipant, FrostSigner, FrostSigningSession } from './participant.ts';

export class SoftwareFrostParticipant implements FrostDkgParticipant {
  private readonly encryptionSecret = secp256k1.utils.randomSecretKey();
  private state: DkgState | undefined;

  constructor(readonly name: string) {}

  async round1(threshold: number, participants: number, index: number) {
    const r = dkgRound1(index, threshold, participants, secp256k1.getPublicKey(this.encryptionSecret), randomBytes);
    this.state = r.state;
    return r.round1;
  }

  private dkg(): DkgState {
    if (!this.state) throw new Error(`${this.name}: round 1 has not run`);
    return this.state;
  }

  async round2(transcript: DkgTranscript): Promise<EncryptedShare[]> {
    return dkgRound2(this.dkg(), transcript, this.encryptionSecret, randomBytes);
  }

  async round3(transcript: DkgTranscript, shares: readonly EncryptedShare[]) {
    const state = this.dkg();
    const r = dkgRound3(state, transcript, shares, this.encryptionSecret);
    this.encryptionSecret.fill(0);
    const share = Uint8Array.from(r.secret.signingShare);
    return { keyPackage: r.keyPackage, signer: new SoftwareFrostSigner(this.name, state.index, r.secret), share };
  }
}

export class SoftwareFrostSigner implements FrostSigner {
  constructor(
    readonly name: string,
    readonly index: number,
    private readonly secret: FrostSecret,
  ) {}

  /** The signer of participant `index` from its signing share (what round 3 returned as `share`). */
  static fromShare(name: string, index: number, share: Uint8Array): SoftwareFrostSigner {
    return new SoftwareFrostSigner(name, index, { identifier: frostIdentifier(index), signingShare: share });
  }

  async commit(session: FrostSigningSession): Promise<FrostCommitted> {
    const { nonces, commitments } = schnorr_FROST.commit(this.secret);
    const commitment: FrostNonceCommitment = { index: this.index, hiding: commitments.hiding, binding: commitments.binding };
    let used = false;
    const secret = this.secret;
    return {
      commitment,
      async sign(list: readonly FrostNonceCommitment[]) {
        if (used) throw new Error('this nonce already signed');
        used = true;
        const { keyPackage, tweak, message } = session;
        return schnorr_FROST.signShare(tweakedSecret(secret, keyPackage, tweak), tweakedPublic(keyPackage, tweak), nonces, toNonceCommitments(list), message);
      },
    };
  }
}
