// Errors of the transport layer. Each has a stable `name` (docs/architecture.md §6 and §7: Ledger's
// "TransportRaceCondition" kept changing name and home), so callers switch on `err.name`.

/** A second exchange was started while one is in flight on the same transport. */
export class TransportBusyError extends Error {
  override readonly name = 'TransportBusyError';
  constructor(kind: string) {
    super(`${kind} transport: expected one exchange at a time, got a second while one is in flight; await the first`);
  }
}

/** The caller's AbortSignal fired before the device answered. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(kind: string, cause?: unknown) {
    super(`${kind} transport: exchange aborted by the caller`, { cause });
  }
}

/** The device did not answer within `timeoutMs`. */
export class TransportTimeoutError extends Error {
  override readonly name = 'TransportTimeoutError';
  constructor(
    kind: string,
    readonly timeoutMs: number,
  ) {
    super(`${kind} transport: expected an answer within ${timeoutMs} ms, got none (is a review waiting on the device?)`);
  }
}

/** The transport was closed by this side; nothing more can be exchanged. */
export class TransportClosedError extends Error {
  override readonly name = 'TransportClosedError';
  constructor(kind: string, reason?: Error) {
    super(`${kind} transport: closed${reason ? ` (${reason.message})` : ''}`, { cause: reason });
  }
}

/** The other end went away: socket closed, device unplugged, server gone. */
export class TransportDisconnectedError extends Error {
  override readonly name = 'TransportDisconnectedError';
}

/** The other end answered something that is not a framed `data || SW` response. */
export class TransportResponseError extends Error {
  override readonly name = 'TransportResponseError';
}

/** An HTTP request to a Speculos-compatible server got a non-success answer. */
export class SpeculosHttpError extends Error {
  override readonly name = 'SpeculosHttpError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url}: expected HTTP 200, got ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}

/** A transport spec that `openTransport` does not understand, or a device choice it cannot make. */
export class TransportSpecError extends Error {
  override readonly name = 'TransportSpecError';
}
