// Errors of MuSig2 orchestration, each with a stable `name`; those about one participant carry
// the signer's name and its index in KeyAgg order.

/** The session cannot start: signers and participants do not match, or the aggregate differs. */
export class MusigSessionError extends Error {
  override readonly name = 'MusigSessionError';
}

/** A signer failed (threw, or returned a malformed value) in round 1 or round 2. */
export class MusigSignerError extends Error {
  override readonly name = 'MusigSignerError';
  constructor(
    readonly signer: string,
    readonly participantIndex: number,
    readonly round: 1 | 2,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`MuSig2 round ${round}: signer "${signer}" (participant ${participantIndex}) ${message}`, options);
  }
}

/** PartialSigVerify (BIP-327) failed for one or more signers; `signer` names the first. */
export class InvalidPartialSignatureError extends Error {
  override readonly name = 'InvalidPartialSignatureError';
  readonly signer: string;
  readonly participantIndex: number;
  constructor(readonly faulty: readonly { signer: string; participantIndex: number }[]) {
    super(
      `MuSig2: partial signature of ${faulty.map((f) => `"${f.signer}" (participant ${f.participantIndex})`).join(', ')} does not verify (BIP-327 PartialSigVerify): expected a valid partial signature for the session's aggregate nonce and message`,
    );
    this.signer = faulty[0]!.signer;
    this.participantIndex = faulty[0]!.participantIndex;
  }
}

/** Every partial signature verified, yet the aggregate does not (a bug, never a signer's fault). */
export class MusigAggregateError extends Error {
  override readonly name = 'MusigAggregateError';
}
