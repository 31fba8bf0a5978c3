// Errors of the Taproot Assets app client. Every class has a stable `name` (switch on `err.name`):
// the app's own status words B010..B014 are TapAppStatusError (apdu/tap-app/status.ts:
// 'NonceSessionUnknownError', 'NonceSessionMismatchError', 'BlindSigningDisabledError',
// 'KeyNotHeldError', 'NonceSlotsFullError'); the shared ones are DeviceStatusError
// ('UserRefusedError' for 6985, 'LockedDeviceError' for 5515, 'WrongAppError' for 6E00, ...).

/** Name under which the Taproot Assets app answers B0 01 (docs/tap-app-protocol.md §1). */
export const TAP_APP_NAME = 'Taproot Assets';

/** B0 01 named another app (or the dashboard, "BOLOS"). */
export class TapWrongAppError extends Error {
  override readonly name = 'WrongAppError';
  constructor(readonly openApp: string) {
    super(`expected the "${TAP_APP_NAME}" app to be open, got "${openApp}": open the Taproot Assets app on the device`);
  }
}

/** The device's answer broke the protocol (bad length, a signature that does not verify, a bad yield). */
export class TapDeviceResponseError extends Error {
  override readonly name = 'TapDeviceResponseError';
}

