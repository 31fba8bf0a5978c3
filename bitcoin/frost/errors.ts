// Errors of FROST key generation and signing (docs/frost.md), each with a stable `name` and, where
// one participant is at fault, its participant number.

/** Why a DKG step refused its input. */
export type FrostDkgErrorCode =
  | 'transcript' // the round-1 transcript is malformed, omits or alters this participant's package, or differs from round 2's
  | 'proof' // a round-1 package's proof of knowledge or commitment does not verify
  | 'share' // an encrypted share does not decrypt, or does not match its sender's commitment
  | 'state'; // the step does not follow the previous one (replayed or out of order)

export class FrostDkgError extends Error {
  override readonly name = 'FrostDkgError';
  constructor(
    readonly code: FrostDkgErrorCode,
    message: string,
    /** The participant whose package or share is at fault, when one is. */
    readonly participant?: number,
  ) {
    super(participant === undefined ? message : `participant ${participant}: ${message}`);
  }
}
