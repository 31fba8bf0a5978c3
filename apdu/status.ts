// Status words as a named table (app-bitcoin-new src/boilerplate/sw.h, @ledgerhq/errors StatusCodes,
// docs/bitcoin-app-protocol.md §1 and §11), and the device errors they turn into on the host.
//
// Every device error carries a stable `name` and its `statusCode`; callers switch on `name` (not
// `instanceof`, which breaks across package copies). The message adds a hint a person can act on.

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
  /** Name of the error class a host raises for it. */
  error: string;
  hint: string;
}

const INFO: Record<number, StatusInfo> = {
  [SW.SECURITY_STATUS_NOT_SATISFIED]: {
    name: 'SECURITY_STATUS_NOT_SATISFIED',
    error: 'SecurityStatusError',
    hint: 'security status not satisfied: unlock the device and retry',
  },
  [SW.DENY]: { name: 'DENY', error: 'UserRefusedError', hint: 'the person rejected the request on the device' },
  [SW.INCORRECT_DATA]: { name: 'INCORRECT_DATA', error: 'IncorrectDataError', hint: 'the device rejected the data as incorrect' },
  [SW.NOT_SUPPORTED]: {
    name: 'NOT_SUPPORTED',
    error: 'NotSupportedError',
    hint: 'not supported by the app (a non-standard path needs display=true, or the policy is unsupported)',
  },
  [SW.WRONG_P1P2]: { name: 'WRONG_P1P2', error: 'WrongP1P2Error', hint: 'wrong P1/P2: is the protocol version supported by this app?' },
  [SW.WRONG_DATA_LENGTH]: { name: 'WRONG_DATA_LENGTH', error: 'WrongDataLengthError', hint: 'wrong data length for this command' },
  [SW.FAIL_SWAP]: { name: 'FAIL_SWAP', error: 'SwapFailedError', hint: 'swap validation failed' },
  [SW.INS_NOT_SUPPORTED]: {
    name: 'INS_NOT_SUPPORTED',
    error: 'InsNotSupportedError',
    hint: 'INS not supported: is the app too old for this command?',
  },
  [SW.CLA_NOT_SUPPORTED]: { name: 'CLA_NOT_SUPPORTED', error: 'WrongAppError', hint: 'CLA not supported: is the right app open?' },
  [SW.WRONG_RESPONSE_LENGTH]: { name: 'WRONG_RESPONSE_LENGTH', error: 'WrongResponseLengthError', hint: 'the host answered a client command with the wrong length' },
  [SW.BAD_STATE]: { name: 'BAD_STATE', error: 'BadStateError', hint: 'bad state: no command in progress, or no MuSig2 session for this PSBT' },
  [SW.SIGNATURE_FAIL]: { name: 'SIGNATURE_FAIL', error: 'SignatureFailError', hint: 'HMAC or signature check failed: is the wallet policy registered on this device?' },
  [SW.LOCKED_DEVICE]: { name: 'LOCKED_DEVICE', error: 'LockedDeviceError', hint: 'the device is locked: enter the PIN and retry' },
  [SW.USER_REFUSED_ON_DEVICE]: { name: 'USER_REFUSED_ON_DEVICE', error: 'UserRefusedError', hint: 'the person refused on the device' },
  [SW.APP_NOT_FOUND]: { name: 'APP_NOT_FOUND', error: 'AppNotFoundError', hint: 'app not installed on the device' },
  [SW.APP_NOT_FOUND_OR_INVALID_CONTEXT]: {
    name: 'APP_NOT_FOUND_OR_INVALID_CONTEXT',
    error: 'AppNotFoundError',
    hint: 'app not found, or the command needs the dashboard: quit the open app first',
  },
  [SW.INVALID_APP_NAME_LENGTH]: { name: 'INVALID_APP_NAME_LENGTH', error: 'InvalidAppNameError', hint: 'invalid app name length' },
  [SW.WRONG_LENGTH]: { name: 'WRONG_LENGTH', error: 'WrongDataLengthError', hint: 'wrong length' },
};

export function statusName(sw: number): string {
  return INFO[sw]?.name ?? (sw === SW.OK ? 'OK' : sw === SW.INTERRUPTED_EXECUTION ? 'INTERRUPTED_EXECUTION' : 'UNKNOWN');
}

export function formatStatusWord(sw: number): string {
  return sw.toString(16).padStart(4, '0');
}

/**
 * A non-success status word from the device. `name` is one of the stable names in the table above
 * (for example 'LockedDeviceError', 'WrongAppError', 'UserRefusedError'), or 'DeviceStatusError'.
 * `errorCode` is the 2-byte code some 2.4.x commands put before the status word (SEND_SW_EC).
 */
export class DeviceStatusError extends Error {
  override readonly name: string;
  readonly statusCode: number;
  readonly statusName: string;
  readonly errorCode: number | undefined;

  constructor(statusCode: number, context?: string, errorCode?: number) {
    const info = INFO[statusCode];
    const where = context ? `${context}: ` : '';
    const code = errorCode === undefined ? '' : ` (error code 0x${errorCode.toString(16).padStart(4, '0')})`;
    super(`${where}device answered ${formatStatusWord(statusCode)} ${info?.name ?? 'UNKNOWN'}${code}: ${info?.hint ?? 'unknown status word'}`);
    this.name = info?.error ?? 'DeviceStatusError';
    this.statusCode = statusCode;
    this.statusName = info?.name ?? 'UNKNOWN';
    this.errorCode = errorCode;
  }
}

/** Throws DeviceStatusError unless `sw` is one of `ok` (default: 9000). */
export function assertStatus(sw: number, context?: string, data?: Uint8Array, ok: readonly number[] = [SW.OK]): void {
  if (ok.includes(sw)) return;
  const errorCode = data && data.length === 2 ? (data[0]! << 8) | data[1]! : undefined;
  throw new DeviceStatusError(sw, context, errorCode);
}
