// How a command of the Bitcoin app ends early: handlers throw AppError (emulator/apps/common) with
// the status word and, since app 2.4.0, the optional 2-byte error code sent before it (SEND_SW_EC in
// src/error_codes.h, the table in apdu/bitcoin-app/error-codes.ts). These are its shorthands.

import { SW } from '../../../apdu/status.ts';
import { AppError } from '../common/app-error.ts';

export { AppError };

export const incorrectData = (reason: string, ec?: number): AppError => new AppError(SW.INCORRECT_DATA, reason, ec);
export const wrongLength = (reason: string): AppError => new AppError(SW.WRONG_DATA_LENGTH, reason);
export const notSupported = (reason: string, ec?: number): AppError => new AppError(SW.NOT_SUPPORTED, reason, ec);
export const badState = (reason: string): AppError => new AppError(SW.BAD_STATE, reason);
export const denied = (reason = 'rejected on the device'): AppError => new AppError(SW.DENY, reason);
