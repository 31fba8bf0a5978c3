// Status words of the Taproot Assets app (docs/tap-app-protocol.md §3). The words it shares with
// the Ledger apps (6985, 6A80, ...) and its own B010..B014 and B020..B022 (FROST) are rows of the one status table of
// apdu/status.ts, so a failing word becomes the same DeviceStatusError as for the Bitcoin app.

import { SW } from '../status.ts';

export const TAP_SW = {
  OK: SW.OK,
  INTERRUPTED: SW.INTERRUPTED_EXECUTION,
  DENY: SW.DENY,
  INCORRECT_DATA: SW.INCORRECT_DATA,
  NOT_SUPPORTED: SW.NOT_SUPPORTED,
  WRONG_P1P2: SW.WRONG_P1P2,
  WRONG_DATA_LENGTH: SW.WRONG_DATA_LENGTH,
  INS_NOT_SUPPORTED: SW.INS_NOT_SUPPORTED,
  CLA_NOT_SUPPORTED: SW.CLA_NOT_SUPPORTED,
  BAD_STATE: SW.BAD_STATE,
  NONCE_SESSION_UNKNOWN: SW.NONCE_SESSION_UNKNOWN,
  NONCE_SESSION_MISMATCH: SW.NONCE_SESSION_MISMATCH,
  BLIND_SIGNING_DISABLED: SW.BLIND_SIGNING_DISABLED,
  KEY_NOT_HELD: SW.KEY_NOT_HELD,
  NONCE_SLOTS_FULL: SW.NONCE_SLOTS_FULL,
  // FROST (docs/frost.md §4)
  DKG_SESSION_UNKNOWN: SW.DKG_SESSION_UNKNOWN,
  DKG_SHARE_INVALID: SW.DKG_SHARE_INVALID,
  WRAPPED_SHARE_INVALID: SW.WRAPPED_SHARE_INVALID,
} as const;

export type TapStatusName = keyof typeof TAP_SW;
