// The behaviour every transport shares (docs/architecture.md §6: Ledger's single-flight
// exchangeAtomicImpl plus Trezor-style AbortSignal): one exchange at a time, cancellation, timeouts,
// close, and disconnect listeners. A concrete transport only moves bytes (`transmit`) and frees its
// resources (`release`).
//
// An aborted or timed-out exchange rejects at once, but the device may still be working on the command
// (for example showing a review), and its late answer must not be taken for the next command's. So the
// transport stays busy until the underlying exchange settles, and that late answer is dropped.

import { abytes } from '../apdu/bytes.ts';
import { TransportError, transportErrors } from './errors.ts';
import type { ExchangeOptions, Transport } from './transport.ts';

export abstract class GuardedTransport implements Transport {
  abstract readonly kind: string;
  private inFlight = false;
  private closed = false;
  private closeReason: Error | undefined;
  private failCurrent: ((err: Error) => void) | undefined;
  private readonly listeners = new Set<(reason?: Error) => void>();

  /**
   * Sends one command and resolves with `data || SW`. `signal` fires when the caller gave up (abort,
   * timeout, close); implementations that can cancel (an HTTP request) should.
   */
  protected abstract transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
  /** Frees the connection; called once, by close() or after the other end went away. */
  protected abstract release(): Promise<void>;

  get busy(): boolean {
    return this.inFlight;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  exchange(apdu: Uint8Array, options: ExchangeOptions = {}): Promise<Uint8Array> {
    try {
      abytes(apdu, undefined, `${this.kind} exchange apdu`);
    } catch (err) {
      return Promise.reject(err);
    }
    const { signal, timeoutMs } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0))
      return Promise.reject(new RangeError(`timeoutMs: expected a number >= 0, got ${timeoutMs}`));
    if (this.closed) return Promise.reject(transportErrors.closed(this.kind, this.closeReason));
    if (this.inFlight) return Promise.reject(transportErrors.busy(this.kind));
    if (signal?.aborted) return Promise.reject(transportErrors.aborted(this.kind, signal.reason));

    this.inFlight = true;
    const cancel = new AbortController();
    let op: Promise<Uint8Array>;
    try {
      op = this.transmit(apdu, cancel.signal);
    } catch (err) {
      op = Promise.reject(err);
    }
    // Free the transport only when the device side is done, whatever happened to the caller.
    op.then(
      () => (this.inFlight = false),
      () => (this.inFlight = false),
    );

    return new Promise<Uint8Array>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => fail(transportErrors.aborted(this.kind, signal?.reason));
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.failCurrent === fail) this.failCurrent = undefined;
      };
      const fail = (err: Error) => {
        cleanup();
        cancel.abort(err);
        reject(err);
      };
      this.failCurrent = fail;
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs) timer = setTimeout(() => fail(transportErrors.timeout(this.kind, timeoutMs)), timeoutMs);
      op.then(
        (response) => {
          cleanup();
          if (response.length < 2)
            reject(new TransportError('E_TRANSPORT_RESPONSE', `${this.kind} transport: expected data || SW (at least 2 bytes), got ${response.length}`));
          else resolve(response);
        },
        (err: unknown) => {
          cleanup();
          reject(err);
        },
      );
    });
  }

  /** Closes the transport: an exchange in flight fails with TransportClosedError; listeners hear once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.shutDown(undefined);
    await this.release();
  }

  onDisconnect(listener: (reason?: Error) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** For subclasses: the other end went away. Fails the exchange in flight, releases, tells listeners. */
  protected disconnected(reason: Error): void {
    if (this.closed) return;
    this.shutDown(reason);
    this.release().catch(() => undefined);
  }

  private shutDown(reason: Error | undefined): void {
    this.closed = true;
    this.closeReason = reason;
    this.failCurrent?.(reason ?? transportErrors.closed(this.kind));
    for (const listener of [...this.listeners]) {
      try {
        listener(reason);
      } catch {
        // A listener's failure must not stop the others from hearing about the disconnect.
      }
    }
    this.listeners.clear();
  }
}
