// Errors the host raises itself (docs/errors.md): the device's answer breaks the protocol or does
// not verify, a MuSig2 signer misbehaves, a tapd document or group PSBT is not what the flow needs.
// Status words the device answers are DeviceStatusError (apdu/status.ts). The subclasses below
// exist only for their fields: which input, which signer.

import { TaprootHwError } from '../apdu/errors.ts';

export class HostError extends TaprootHwError {}

/**
 * B0 01 named another app (or the dashboard, "BOLOS"). A 6E00 answer is E_WRONG_APP too, as a
 * DeviceStatusError (the device does not say which app is open then).
 */
export class WrongAppError extends HostError {
  constructor(
    /** The app that is expected, e.g. '"Bitcoin" or "Bitcoin Test"'. */
    expected: string,
    /** The app that answered B0 01. */
    readonly openApp: string,
  ) {
    super('E_WRONG_APP', `expected the ${expected} app to be open, got "${openApp}": open it on the device`);
  }
}

/** SIGN_PSBT returned a signature (or nonce) for input `inputIndex` that does not verify. */
export class DeviceSignatureError extends HostError {
  constructor(
    readonly inputIndex: number,
    detail: string,
  ) {
    super('E_DEVICE_SIGNATURE', `SIGN_PSBT input ${inputIndex}: ${detail}; the device (or something between it and the host) returned a result that does not verify`);
  }
}

/** A MuSig2 signer failed (threw, or returned a malformed value) in round 1 or round 2. */
export class MusigSignerError extends HostError {
  constructor(
    readonly signer: string,
    readonly participantIndex: number,
    readonly round: 1 | 2,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('E_MUSIG_SIGNER', `MuSig2 round ${round}: signer "${signer}" (participant ${participantIndex}) ${message}`, options);
  }
}

/** PartialSigVerify (BIP-327) failed for one or more signers; `signer` names the first. */
export class InvalidPartialSignatureError extends HostError {
  readonly signer: string;
  readonly participantIndex: number;
  constructor(readonly faulty: readonly { signer: string; participantIndex: number }[]) {
    super(
      'E_INVALID_PARTIAL_SIGNATURE',
      `MuSig2: partial signature of ${faulty.map((f) => `"${f.signer}" (participant ${f.participantIndex})`).join(', ')} does not verify (BIP-327 PartialSigVerify): expected a valid partial signature for the session's aggregate nonce and message`,
    );
    this.signer = faulty[0]!.signer;
    this.participantIndex = faulty[0]!.participantIndex;
  }
}
