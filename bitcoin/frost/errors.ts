// Errors of FROST key generation (docs/frost.md, docs/errors.md): FrostDkgError, code E_FROST_DKG,
// `rule` says which rule the input broke and `participant` names the one at fault, when one is.

import { BitcoinError } from '../errors.ts';

/** Why a DKG step refused its input. */
export type FrostDkgErrorCode =
  | 'transcript' // the round-1 transcript is malformed, omits or alters this participant's package, or differs from round 2's
  | 'proof' // a round-1 package's proof of knowledge or commitment does not verify
  | 'share' // an encrypted share does not decrypt, or does not match its sender's commitment
  | 'state'; // the step does not follow the previous one (replayed or out of order)

export class FrostDkgError extends BitcoinError {
  constructor(
    /** Which rule the input broke. */
    readonly rule: FrostDkgErrorCode,
    message: string,
    /** The participant whose package or share is at fault, when one is. */
    readonly participant?: number,
  ) {
    super('E_FROST_DKG', participant === undefined ? message : `participant ${participant}: ${message}`);
  }
}
