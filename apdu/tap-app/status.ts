// Status words of the Taproot Assets app (docs/tap-app-protocol.md §3) as a named table, and the
// host-side errors they become. The words shared with the Ledger apps (6985, 6A80, ...) become the
// DeviceStatusError of apdu/status.ts with its stable names; the app's own B010..B014 become
// TapAppStatusError with a stable name per word.

import { DeviceStatusError, SW, formatStatusWord } from '../status.ts';

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
  NONCE_SESSION_UNKNOWN: 0xb010,
  NONCE_SESSION_MISMATCH: 0xb011,
  BLIND_SIGNING_DISABLED: 0xb012,
  KEY_NOT_HELD: 0xb013,
  NONCE_SLOTS_FULL: 0xb014,
} as const;

export type TapStatusName = keyof typeof TAP_SW;

const TAP_ONLY: Record<number, { name: TapStatusName; error: string; hint: string }> = {
  [TAP_SW.NONCE_SESSION_UNKNOWN]: {
    name: 'NONCE_SESSION_UNKNOWN',
    error: 'NonceSessionUnknownError',
    hint: 'no live MuSig2 session has this handle (already used, wiped, or made before the app restarted): run round 1 again',
  },
  [TAP_SW.NONCE_SESSION_MISMATCH]: {
    name: 'NONCE_SESSION_MISMATCH',
    error: 'NonceSessionMismatchError',
    hint: 'round 2 named different participants, tweaks, key path or message than round 1; the session was wiped',
  },
  [TAP_SW.BLIND_SIGNING_DISABLED]: {
    name: 'BLIND_SIGNING_DISABLED',
    error: 'BlindSigningDisabledError',
    hint: 'the device did not derive this message itself: enable blind signing in the app settings on the device',
  },
  [TAP_SW.KEY_NOT_HELD]: {
    name: 'KEY_NOT_HELD',
    error: 'KeyNotHeldError',
    hint: "the device's key is not among the participants, or no input or group key belongs to this device",
  },
  [TAP_SW.NONCE_SLOTS_FULL]: {
    name: 'NONCE_SLOTS_FULL',
    error: 'NonceSlotsFullError',
    hint: 'every MuSig2 nonce slot is in use: finish or abandon a session (or restart the app) first',
  },
};

/** A B01x status word of the Taproot Assets app. `name` is stable: switch on it, not instanceof. */
export class TapAppStatusError extends Error {
  override readonly name: string;
  readonly statusCode: number;
  readonly statusName: TapStatusName;

  constructor(statusCode: number, context?: string) {
    const info = TAP_ONLY[statusCode];
    if (!info) throw new RangeError(`TapAppStatusError: expected a B01x status word, got ${formatStatusWord(statusCode)}`);
    super(`${context ? `${context}: ` : ''}device answered ${formatStatusWord(statusCode)} ${info.name}: ${info.hint}`);
    this.name = info.error;
    this.statusCode = statusCode;
    this.statusName = info.name;
  }
}

export function tapStatusName(sw: number): string {
  const own = TAP_ONLY[sw]?.name;
  if (own) return own;
  const shared = (Object.keys(TAP_SW) as TapStatusName[]).find((k) => TAP_SW[k] === sw);
  return shared ?? 'UNKNOWN';
}

/** The error a host raises for a non-success status word of this app. */
export function tapStatusError(sw: number, context?: string): TapAppStatusError | DeviceStatusError {
  return TAP_ONLY[sw] ? new TapAppStatusError(sw, context) : new DeviceStatusError(sw, context);
}

export function assertTapStatus(sw: number, context?: string): void {
  if (sw !== TAP_SW.OK) throw tapStatusError(sw, context);
}
