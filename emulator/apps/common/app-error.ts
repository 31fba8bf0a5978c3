// How an app command ends early with a status word (and, for the Bitcoin app since 2.4.0, the
// optional 2-byte error code sent before it: SEND_SW_EC). Shared because the host channel ends a
// command this way when the host does not CONTINUE, in either app; each dispatcher turns it into
// the final response, so no path can leave an APDU unanswered.

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
