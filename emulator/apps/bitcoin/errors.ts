// How a command of the Bitcoin app ends early. Handlers throw AppError with the status word (and,
// since app 2.4.0, the optional 2-byte error code sent before it: SEND_SW_EC in src/error_codes.h,
// the table in apdu/bitcoin-app/error-codes.ts); the dispatcher turns it into the final response,
// so no path can leave an APDU unanswered.

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

export const incorrectData = (reason: string, ec?: number): AppError => new AppError(SW.INCORRECT_DATA, reason, ec);
export const wrongLength = (reason: string): AppError => new AppError(SW.WRONG_DATA_LENGTH, reason);
export const notSupported = (reason: string, ec?: number): AppError => new AppError(SW.NOT_SUPPORTED, reason, ec);
export const badState = (reason: string): AppError => new AppError(SW.BAD_STATE, reason);
export const denied = (reason = 'rejected on the device'): AppError => new AppError(SW.DENY, reason);
