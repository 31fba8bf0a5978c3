// One interface for every MuSig2 participant the orchestrator drives (BIP-327): a device through
// the Taproot Assets app's MUSIG_ROUND1/2, a device through the Bitcoin app's SIGN_PSBT rounds,
// or a software key. Round 1 returns the public nonce and a continuation that produces the partial
// signature once the aggregate nonce is known; the continuation runs at most once, as a secret
// nonce may sign only once.

/** The key side and the message of one MuSig2 signing session. */
export interface MusigSessionKey {
  /** Participant keys (33-byte compressed) in KeyAgg order. */
  readonly participants: readonly Uint8Array[];
  /** Tweaks applied after KeyAgg, in order, each plain or x-only (isXonly[i]). */
  readonly tweaks: readonly Uint8Array[];
  readonly isXonly: readonly boolean[];
  /** Set for a script-path spend of a leaf holding the aggregate (BIP-373 keydata; PSBT signers need it). */
  readonly leafHash?: Uint8Array | undefined;
}

export interface MusigSession extends MusigSessionKey {
  /** 32-byte message (a BIP-341 sighash). */
  readonly message: Uint8Array;
  /** The fully tweaked aggregate, compressed: what BIP-373 fields and the Bitcoin app name it by. */
  readonly aggregatePubkey: Uint8Array;
  /** Its x-only form: the key the final signature verifies against. */
  readonly aggregateXOnly: Uint8Array;
}

export interface Round2Input {
  readonly aggnonce: Uint8Array;
  /** Every participant's pubnonce, in KeyAgg order. */
  readonly pubnonces: readonly Uint8Array[];
}

export interface SignerRound1 {
  readonly pubnonce: Uint8Array;
  round2(input: Round2Input): Promise<Uint8Array>;
}

export interface MusigSigner {
  /** Shown in errors that name a faulty signer, e.g. "device f5acc2fd (tap app)". */
  readonly name: string;
  /** The participant key this signer signs for (33 bytes). */
  readonly publicKey: Uint8Array;
  round1(session: MusigSession): Promise<SignerRound1>;
}

/** A signer of plain BIP-340 signatures, for CHECKSIGADD and recovery leaves. */
export interface SchnorrSigner {
  readonly name: string;
  /** x-only key (32 bytes) as the leaf script names it. */
  readonly xOnlyPublicKey: Uint8Array;
  signSchnorr(message: Uint8Array): Promise<Uint8Array>;
}
