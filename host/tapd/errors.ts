// Errors of the tapd flows (group key, group virtual PSBT). Every class has a stable `name`; the
// device's own refusals keep the clients' names ('UserRefusedError' for 6985 on either app,
// 'WrongAppError', 'LockedDeviceError', 'KeyNotHeldError' for the Taproot Assets app's B013).

/** The input is not tapd's group_virtual_psbt (docs/taproot-assets.md §3); the message names what is missing. */
export class NotGroupVirtualPsbtError extends Error {
  override readonly name = 'NotGroupVirtualPsbtError';
}

/** The device does not hold the group internal key the PSBT (or the requested path) names. */
export class GroupKeyNotHeldError extends Error {
  override readonly name = 'GroupKeyNotHeldError';
}

/** Network disagreement: the PSBT's coin type or key versions, --network, or the open app. */
export class WrongNetworkError extends Error {
  override readonly name = 'WrongNetworkError';
}

/** The group key cannot be reproduced the way the chosen app needs (policy, key version, asset). */
export class GroupKeyShapeError extends Error {
  override readonly name = 'GroupKeyShapeError';
}

/** The genesis asset given with the PSBT does not describe the PSBT's group virtual transaction. */
export class GroupAssetMismatchError extends Error {
  override readonly name = 'GroupAssetMismatchError';
}

/** The device returned a signature (or key) that does not verify: nothing is printed. */
export class GroupSignatureError extends Error {
  override readonly name = 'GroupSignatureError';
}

/** A tapd JSON document (e.g. `tapcli assets mint fund` output) lacks what the flow needs. */
export class TapdResponseError extends Error {
  override readonly name = 'TapdResponseError';
}
