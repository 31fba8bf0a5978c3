// Errors of the transport layer (docs/errors.md): one class, TransportError, whose stable `code`
// says what happened (E_TRANSPORT_BUSY, E_DISCONNECTED, E_HID_OPEN, ...) and gives the `name`
// callers switched on before codes (TransportBusyError, TransportDisconnectedError, HidOpenError).
// Ledger's own "TransportRaceCondition" kept changing name and home (docs/architecture.md §6);
// these do not. The subclasses below exist only for their fields.

import { TaprootHwError } from '../apdu/errors.ts';

export class TransportError extends TaprootHwError {}

/** The messages of the errors every transport raises, naming the transport's `kind`. */
export const transportErrors = {
  busy: (kind: string) =>
    new TransportError('E_TRANSPORT_BUSY', `${kind} transport: expected one exchange at a time, got a second while one is in flight; await the first`),
  aborted: (kind: string, cause?: unknown) => new TransportError('E_ABORTED', `${kind} transport: exchange aborted by the caller`, { cause }),
  timeout: (kind: string, timeoutMs: number) =>
    new TransportError('E_TIMEOUT', `${kind} transport: expected an answer within ${timeoutMs} ms, got none (is a review waiting on the device?)`),
  closed: (kind: string, reason?: Error) =>
    new TransportError('E_TRANSPORT_CLOSED', `${kind} transport: closed${reason ? ` (${reason.message})` : ''}`, { cause: reason }),
};

/** An HTTP request to a Speculos-compatible server got a non-success answer. */
export class SpeculosHttpError extends TransportError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super('E_SPECULOS_HTTP', `${method} ${url}: expected HTTP 200, got ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}
