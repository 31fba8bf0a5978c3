// Errors of the Bitcoin app client. Every class has a stable `name` (switch on `err.name`).
// Status words become DeviceStatusError (apdu/status.ts) with the table's name, except three that
// callers always handle on their own: the wrong app is open, the device is locked, the person
// refused. 2.4.x error codes (SEND_SW_EC) are named on the error too.

import { DeviceStatusError, SW } from '../../apdu/status.ts';
import { REGISTER_WALLET_ERROR, SIGN_PSBT_ERROR, describeErrorCode, readErrorCode } from '../../apdu/bitcoin-app/error-codes.ts';

/** The Bitcoin app is not the open app: 6E00 (CLA not supported), or B0 01 named another app. */
export class WrongAppError extends Error {
  override readonly name = 'WrongAppError';
  constructor(
    /** The app that answered B0 01 ('BOLOS' in the dashboard), when known. */
    readonly openApp: string | undefined,
    readonly statusCode?: number,
  ) {
    super(
      openApp === undefined
        ? `expected the Bitcoin app to be open, but the device refused its commands (${statusCode?.toString(16)}): open "Bitcoin" or "Bitcoin Test"`
        : `expected the Bitcoin app ("Bitcoin" or "Bitcoin Test"), got "${openApp}" open: open the Bitcoin app on the device`,
    );
  }
}

/** 5515: the device is locked. */
export class LockedDeviceError extends DeviceStatusError {
  override readonly name = 'LockedDeviceError';
}

/** 6985: the person rejected the review on the device. */
export class UserRefusedError extends DeviceStatusError {
  override readonly name = 'UserRefusedError';
}

const CODE_NAMES: Record<string, Record<number, string>> = {
  REGISTER_WALLET: Object.fromEntries(Object.entries(REGISTER_WALLET_ERROR).map(([k, v]) => [v, k])),
  SIGN_PSBT: Object.fromEntries(Object.entries(SIGN_PSBT_ERROR).map(([k, v]) => [v, k])),
};

/** Any other failing status word of a Bitcoin app command, with its 2.4.x error code when sent. */
export class BitcoinAppStatusError extends DeviceStatusError {
  /** e.g. 'MISSING_WITNESSUTXO_FOR_SEGWIT' for SIGN_PSBT 6A80 / 0x0007. */
  readonly errorCodeName: string | undefined;
  constructor(
    statusCode: number,
    readonly command: string,
    errorCode?: number,
  ) {
    const detail = errorCode === undefined ? undefined : describeErrorCode(command, errorCode);
    super(statusCode, detail ? `${command} (${detail})` : command, errorCode);
    this.errorCodeName = errorCode === undefined ? undefined : CODE_NAMES[command]?.[errorCode];
  }
}

/** The typed error for a failing status word `sw` of `command`, given the response data. */
export function statusError(sw: number, command: string, data: Uint8Array = new Uint8Array()): Error {
  if (sw === SW.CLA_NOT_SUPPORTED) return new WrongAppError(undefined, sw);
  if (sw === SW.LOCKED_DEVICE) return new LockedDeviceError(sw, command);
  if (sw === SW.DENY) return new UserRefusedError(sw, command);
  return new BitcoinAppStatusError(sw, command, readErrorCode(data));
}

/** The device's answer broke the protocol (wrong length, address mismatch, bad yield). */
export class DeviceResponseError extends Error {
  override readonly name: string = 'DeviceResponseError';
}
