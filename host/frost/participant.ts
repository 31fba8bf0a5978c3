// One interface for every FROST participant the orchestrator drives (docs/frost.md §5): a device
// through the Taproot Assets app's FROST commands, or a software participant. A DKG participant
// runs the three rounds once and then signs for the key set it made; signing is commit, then the
// share once every signer's commitment is known (a nonce signs at most once).

import type { DkgTranscript, EncryptedShare, FrostKeyPackage, FrostNonceCommitment, FrostRound1Package } from '../../apdu/tap-app/frost-data.ts';
import type { FrostTweak } from '../../apdu/tap-app/frost.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import type { NonSpendLeafVersion } from '../../assets/group/group-key.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';

export interface FrostDkgOutcome {
  keyPackage: FrostKeyPackage;
  signer: FrostSigner;
  share: Uint8Array;
}

export interface FrostDkgParticipant {
  /** Shown in errors that name a faulty participant. */
  readonly name: string;
  round1(threshold: number, participants: number, index: number): Promise<FrostRound1Package>;
  /** The shares sealed to every other participant. */
  round2(transcript: DkgTranscript): Promise<EncryptedShare[]>;
  /**
   * Opens the shares sealed to this participant; returns the key package, its signer, and `share`:
   * what restores the signer later with the key package (a device's wrapped share, a software
   * participant's signing share).
   */
  round3(transcript: DkgTranscript, shares: readonly EncryptedShare[]): Promise<FrostDkgOutcome>;
}

/** What one signing session signs: a 32-byte message under the key set, with a Taproot tweak. */
export interface FrostSigningSession {
  readonly keyPackage: FrostKeyPackage;
  readonly message: Uint8Array;
  readonly tweak: FrostTweak;
  /**
   * Where the message comes from when it is the sighash of a vPSBT input: a device then signs
   * through SIGN_VPSBT, deriving the message itself from the vPSBT it reviews (docs/frost.md §2.6).
   */
  readonly vpsbt?: { readonly packet: VPacket; readonly input: number };
  /**
   * Or the group witness of a grouped genesis: a device then signs through FROST_SIGN_GROUP_GENESIS,
   * deriving the message and the V1 group key itself and reviewing the asset group.
   */
  readonly groupGenesis?: FrostGroupGenesis;
}

/** A genesis whose V1 group key is a FROST group key under the non-spendable leaf over the anchor's asset ID. */
export interface FrostGroupGenesis {
  readonly asset: Asset;
  /** tapd's NonSpendLeafVersion: 1 OP_RETURN, 2 Pedersen. */
  readonly leafVersion: NonSpendLeafVersion;
  /** The group anchor's asset ID when re-issuing; absent: the minted asset's own (a new group). */
  readonly anchorAssetId?: Uint8Array;
}

export interface FrostCommitted {
  readonly commitment: FrostNonceCommitment;
  /** The signature share over the session, given every signer's commitment (this one's included). */
  sign(commitments: readonly FrostNonceCommitment[]): Promise<Uint8Array>;
}

export interface FrostSigner {
  readonly name: string;
  /** Participant number in the key set (1..n). */
  readonly index: number;
  commit(session: FrostSigningSession): Promise<FrostCommitted>;
}
