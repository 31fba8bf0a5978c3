// Errors of FROST orchestration (docs/frost.md §5, docs/errors.md), each a HostError with a stable
// code; those about one participant carry its name and participant number.

import { HostError } from '../errors.ts';

/** The DKG or signing session cannot start: counts, indices or the key package do not fit. */
export class FrostSessionError extends HostError {
  constructor(message: string) {
    super('E_FROST_SESSION', message);
  }
}

/** A participant failed (threw, or returned something malformed or inconsistent) in one step. */
export class FrostParticipantError extends HostError {
  constructor(
    readonly participant: string,
    readonly index: number,
    readonly step: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('E_FROST_PARTICIPANT', `FROST ${step}: participant ${index} ("${participant}") ${message}`, options);
  }
}

/** RFC 9591 verify_signature_share failed for one or more signers; `participant` names the first. */
export class InvalidSignatureShareError extends HostError {
  readonly participant: string;
  readonly index: number;
  constructor(readonly faulty: readonly { participant: string; index: number }[]) {
    super(
      'E_INVALID_SIGNATURE_SHARE',
      `FROST: signature share of ${faulty.map((f) => `participant ${f.index} ("${f.participant}")`).join(', ')} does not verify (RFC 9591 §5.4): expected a valid share for the session's commitments and message`,
    );
    this.participant = faulty[0]!.participant;
    this.index = faulty[0]!.index;
  }
}

/** Every share verified, yet the aggregate does not (a bug, never a signer's fault). */
export class FrostAggregateError extends HostError {
  constructor(message: string) {
    super('E_FROST_AGGREGATE', message);
  }
}
