// Status words as a named table (app-bitcoin-new src/boilerplate/sw.h, @ledgerhq/errors StatusCodes,
// docs/bitcoin-app-protocol.md §1 and §11; the Taproot Assets app's own B010..B014 and B020..B022 of
// docs/tap-app-protocol.md §3), and the one error every non-success word becomes on the host.
//
// STATUS is the one status word → error table both app clients use: each word has its stable
// error code (apdu/errors.ts), which also gives the error its `name`, and a hint a person can act on.

import { TaprootHwError, type ErrorCode } from './errors.ts';

export const SW = {
  OK: 0x9000,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  DENY: 0x6985,
  INCORRECT_DATA: 0x6a80,
  NOT_SUPPORTED: 0x6a82,
  WRONG_P1P2: 0x6a86,
  WRONG_DATA_LENGTH: 0x6a87,
  FAIL_SWAP: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  WRONG_RESPONSE_LENGTH: 0xb000,
  BAD_STATE: 0xb007,
  SIGNATURE_FAIL: 0xb008,
  // The Taproot Assets app's own words.
  NONCE_SESSION_UNKNOWN: 0xb010,
  NONCE_SESSION_MISMATCH: 0xb011,
  BLIND_SIGNING_DISABLED: 0xb012,
  KEY_NOT_HELD: 0xb013,
  NONCE_SLOTS_FULL: 0xb014,
  // Its FROST commands (docs/frost.md §4).
  DKG_SESSION_UNKNOWN: 0xb020,
  DKG_SHARE_INVALID: 0xb021,
  WRAPPED_SHARE_INVALID: 0xb022,
  INTERRUPTED_EXECUTION: 0xe000,
  // Dashboard / OS.
  LOCKED_DEVICE: 0x5515,
  USER_REFUSED_ON_DEVICE: 0x5501,
  APP_NOT_FOUND: 0x6807,
  APP_NOT_FOUND_OR_INVALID_CONTEXT: 0x5123,
  INVALID_APP_NAME_LENGTH: 0x670a,
  WRONG_LENGTH: 0x6700,
} as const;

export type StatusName = keyof typeof SW;

interface StatusInfo {
  name: StatusName;
  code: ErrorCode;
  hint: string;
}

const row = (name: StatusName, code: ErrorCode, hint: string): [number, StatusInfo] => [SW[name], { name, code, hint }];

/** Every failing status word a device may answer, the error code it becomes, and what to do. */
export const STATUS: ReadonlyMap<number, StatusInfo> = new Map([
  row('SECURITY_STATUS_NOT_SATISFIED', 'E_SECURITY_STATUS', 'security status not satisfied: unlock the device and retry'),
  row('DENY', 'E_USER_REFUSED', 'the person rejected the request on the device'),
  row('INCORRECT_DATA', 'E_INCORRECT_DATA', 'the device rejected the data as incorrect'),
  row('NOT_SUPPORTED', 'E_NOT_SUPPORTED', 'not supported by the app (a non-standard path needs display=true, or the policy is unsupported)'),
  row('WRONG_P1P2', 'E_WRONG_P1P2', 'wrong P1/P2: is the protocol version supported by this app?'),
  row('WRONG_DATA_LENGTH', 'E_WRONG_LENGTH', 'wrong data length for this command'),
  row('FAIL_SWAP', 'E_SWAP_FAILED', 'swap validation failed'),
  row('INS_NOT_SUPPORTED', 'E_INS_NOT_SUPPORTED', 'INS not supported: is the app too old for this command?'),
  row('CLA_NOT_SUPPORTED', 'E_WRONG_APP', 'CLA not supported: is the right app open?'),
  row('WRONG_RESPONSE_LENGTH', 'E_WRONG_RESPONSE_LENGTH', 'the host answered a client command with the wrong length'),
  row('BAD_STATE', 'E_BAD_STATE', 'bad state: no command in progress, or no MuSig2 session for this PSBT'),
  row('SIGNATURE_FAIL', 'E_SIGNATURE_FAIL', 'HMAC or signature check failed: is the wallet policy registered on this device?'),
  row(
    'NONCE_SESSION_UNKNOWN',
    'E_NONCE_SESSION_UNKNOWN',
    'no live MuSig2 session has this handle (already used, wiped, or made before the app restarted): run round 1 again',
  ),
  row('NONCE_SESSION_MISMATCH', 'E_NONCE_SESSION_MISMATCH', 'round 2 named different participants, tweaks, key path or message than round 1; the session was wiped'),
  row('BLIND_SIGNING_DISABLED', 'E_BLIND_SIGNING_DISABLED', 'the device did not derive this message itself: enable blind signing in the app settings on the device'),
  row('KEY_NOT_HELD', 'E_KEY_NOT_HELD', "the device's key is not among the participants, or no input or group key belongs to this device"),
  row('NONCE_SLOTS_FULL', 'E_NONCE_SLOTS_FULL', 'every MuSig2 nonce slot is in use: finish or abandon a session (or restart the app) first'),
  row(
    'DKG_SESSION_UNKNOWN',
    'E_DKG_SESSION_UNKNOWN',
    'no FROST DKG in progress has this handle at this round (finished, replaced, replayed, or begun before the app restarted): start the DKG again',
  ),
  row('DKG_SHARE_INVALID', 'E_DKG_SHARE_INVALID', "an encrypted DKG share does not decrypt, or does not match its sender's commitment; the DKG was aborted"),
  row(
    'WRAPPED_SHARE_INVALID',
    'E_WRAPPED_SHARE_INVALID',
    "the wrapped FROST share does not open under this device's seed for this key package (another key set, another device, or altered)",
  ),
  row('LOCKED_DEVICE', 'E_LOCKED', 'the device is locked: enter the PIN and retry'),
  row('USER_REFUSED_ON_DEVICE', 'E_USER_REFUSED', 'the person refused on the device'),
  row('APP_NOT_FOUND', 'E_APP_NOT_FOUND', 'app not installed on the device'),
  row('APP_NOT_FOUND_OR_INVALID_CONTEXT', 'E_APP_NOT_FOUND', 'app not found, or the command needs the dashboard: quit the open app first'),
  row('INVALID_APP_NAME_LENGTH', 'E_INVALID_APP_NAME', 'invalid app name length'),
  row('WRONG_LENGTH', 'E_WRONG_LENGTH', 'wrong length'),
]);

export function statusName(sw: number): string {
  return STATUS.get(sw)?.name ?? (sw === SW.OK ? 'OK' : sw === SW.INTERRUPTED_EXECUTION ? 'INTERRUPTED_EXECUTION' : 'UNKNOWN');
}

export function formatStatusWord(sw: number): string {
  return sw.toString(16).padStart(4, '0');
}

/** What a caller knows about a failing response besides its status word. */
export interface StatusContext {
  /** The command, e.g. 'SIGN_PSBT'; the message starts with it. */
  command?: string;
  /** The 2-byte code some Bitcoin app 2.4.x commands send before the status word (SEND_SW_EC). */
  errorCode?: number;
  /** That code's name for the command, e.g. 'MISSING_WITNESSUTXO_FOR_SEGWIT'. */
  errorCodeName?: string;
  /** What the code means, for the message. */
  detail?: string;
}

/**
 * A non-success status word from the device (or, on the emulator side, the word a command ends
 * with). `code` is the table's (E_LOCKED, E_WRONG_APP, E_USER_REFUSED, ...; E_DEVICE_STATUS for a
 * word not in it), and gives the `name` (LockedDeviceError, WrongAppError, UserRefusedError, ...).
 */
export class DeviceStatusError extends TaprootHwError {
  readonly statusCode: number;
  readonly statusName: string;
  readonly command: string | undefined;
  readonly errorCode: number | undefined;
  readonly errorCodeName: string | undefined;

  constructor(statusCode: number, context: string | StatusContext = {}) {
    const ctx = typeof context === 'string' ? { command: context } : context;
    const info = STATUS.get(statusCode);
    const where = ctx.command ? `${ctx.command}${ctx.detail ? ` (${ctx.detail})` : ''}: ` : '';
    const ec = ctx.errorCode === undefined ? '' : ` (error code 0x${ctx.errorCode.toString(16).padStart(4, '0')})`;
    super(info?.code ?? 'E_DEVICE_STATUS', `${where}device answered ${formatStatusWord(statusCode)} ${info?.name ?? 'UNKNOWN'}${ec}: ${info?.hint ?? 'unknown status word'}`);
    this.statusCode = statusCode;
    this.statusName = info?.name ?? 'UNKNOWN';
    this.command = ctx.command;
    this.errorCode = ctx.errorCode;
    this.errorCodeName = ctx.errorCodeName;
  }
}

/** Throws DeviceStatusError unless `sw` is one of `ok` (default: 9000). */
export function assertStatus(sw: number, context?: string, data?: Uint8Array, ok: readonly number[] = [SW.OK]): void {
  if (ok.includes(sw)) return;
  const errorCode = data && data.length === 2 ? (data[0]! << 8) | data[1]! : undefined;
  throw new DeviceStatusError(sw, { command: context, errorCode });
}
