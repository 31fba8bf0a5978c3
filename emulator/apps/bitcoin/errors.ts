// How a command of the Bitcoin app ends early. Handlers throw AppError with the status word (and,
// since app 2.4.0, the optional 2-byte error code sent before it: SEND_SW_EC in src/error_codes.h);
// the dispatcher turns it into the final response, so no path can leave an APDU unanswered.

import { SW } from '../../../apdu/status.ts';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly statusWord: number,
    readonly reason: string,
    readonly errorCode?: number,
  ) {
    super(`${reason} (SW ${statusWord.toString(16).padStart(4, '0')})`);
  }
}

/** Error codes of app-bitcoin-new 2.4.x (src/error_codes.h) that the emulator sends. */
export const EC = {
  REGISTER_WALLET_UNACCEPTABLE_POLICY_NAME: 0x0000,
  REGISTER_WALLET_POLICY_NOT_SANE: 0x0001,
  REGISTER_WALLET_POLICY_HAS_NO_INTERNAL_KEY: 0x0002,
  SIGN_PSBT_MISSING_HMAC_FOR_NONDEFAULT_POLICY: 0x0000,
  SIGN_PSBT_NO_NAME_FOR_DEFAULT_POLICY: 0x0001,
  SIGN_PSBT_WALLET_POLICY_HAS_NO_INTERNAL_KEY: 0x0002,
  SIGN_PSBT_MISSING_NONWITNESSUTXO_AND_WITNESSUTXO: 0x0003,
  SIGN_PSBT_NONWITNESSUTXO_CHECK_FAILED: 0x0004,
  SIGN_PSBT_NONWITNESSUTXO_AND_WITNESSUTXO_MISMATCH: 0x0005,
  SIGN_PSBT_MISSING_NONWITNESSUTXO_OR_UNEXPECTED_WITNESSUTXO_FOR_LEGACY: 0x0006,
  SIGN_PSBT_MISSING_WITNESSUTXO_FOR_SEGWIT: 0x0007,
  SIGN_PSBT_UNALLOWED_SIGHASH_SINGLE: 0x0008,
  SIGN_PSBT_TOO_MANY_CHANGE_OUTPUTS: 0x0009,
  SIGN_PSBT_MISMATCHING_WITNESS_SCRIPT: 0x000a,
  SIGN_PSBT_MISMATCHING_REDEEM_SCRIPT: 0x000b,
  SIGN_PSBT_WALLET_POLICY_TOO_MANY_INTERNAL_KEYS: 0x000c,
} as const;

export const incorrectData = (reason: string, ec?: number): AppError => new AppError(SW.INCORRECT_DATA, reason, ec);
export const wrongLength = (reason: string): AppError => new AppError(SW.WRONG_DATA_LENGTH, reason);
export const notSupported = (reason: string, ec?: number): AppError => new AppError(SW.NOT_SUPPORTED, reason, ec);
export const badState = (reason: string): AppError => new AppError(SW.BAD_STATE, reason);
export const denied = (reason = 'rejected on the device'): AppError => new AppError(SW.DENY, reason);
