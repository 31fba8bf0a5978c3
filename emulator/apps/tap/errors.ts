// How a command of the Taproot Assets app ends early: handlers throw TapError with the status word
// of docs/tap-app-protocol.md §3; the dispatcher turns it into the final response.

import { TAP_SW } from '../../../apdu/tap-app/status.ts';

export class TapError extends Error {
  override readonly name = 'TapError';
  constructor(
    readonly statusWord: number,
    readonly reason: string,
  ) {
    super(`${reason} (SW ${statusWord.toString(16).padStart(4, '0')})`);
  }
}

export const incorrectData = (reason: string): TapError => new TapError(TAP_SW.INCORRECT_DATA, reason);
export const denied = (reason = 'rejected on the device'): TapError => new TapError(TAP_SW.DENY, reason);
/** A client-command answer that does not verify (§7 rule 4): the host lied or omitted something. */
export const unverified = (what: string): TapError => incorrectData(`${what}: the host's answer does not verify`);
