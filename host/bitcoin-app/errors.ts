// The error of a failing Bitcoin app status word: the one status table of apdu/status.ts gives its
// code and name, and the 2-byte error code app 2.4.x sends before some words (SEND_SW_EC) is named.

import { DeviceStatusError } from '../../apdu/status.ts';
import { REGISTER_WALLET_ERROR, SIGN_PSBT_ERROR, describeErrorCode, readErrorCode } from '../../apdu/bitcoin-app/error-codes.ts';

const CODE_NAMES: Record<string, Record<number, string>> = {
  REGISTER_WALLET: Object.fromEntries(Object.entries(REGISTER_WALLET_ERROR).map(([k, v]) => [v, k])),
  SIGN_PSBT: Object.fromEntries(Object.entries(SIGN_PSBT_ERROR).map(([k, v]) => [v, k])),
};

/** The typed error for a failing status word `sw` of `command`, given the response data. */
export function statusError(sw: number, command: string, data: Uint8Array = new Uint8Array()): DeviceStatusError {
  const errorCode = readErrorCode(data);
  if (errorCode === undefined) return new DeviceStatusError(sw, command);
  return new DeviceStatusError(sw, { command, errorCode, errorCodeName: CODE_NAMES[command]?.[errorCode], detail: describeErrorCode(command, errorCode) });
}
