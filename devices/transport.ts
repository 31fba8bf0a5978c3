// The host's view of a device: one APDU at a time, cancellable, closable (docs/architecture.md §6:
// Ledger's exchangeAtomicImpl single flight, Trezor's AbortSignal).

export interface ExchangeOptions {
  signal?: AbortSignal;
  /** Fails the exchange with TransportTimeoutError after this many milliseconds (0 or absent: wait). */
  timeoutMs?: number;
}

/**
 * Anything that answers a command APDU with `data || SW`. The emulator implements this structurally,
 * without importing devices/, which is how the in-process loopback transport reaches it.
 */
export interface ApduExchanger {
  exchange(apdu: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

export interface Transport extends ApduExchanger {
  /** Short label for logs and errors: 'loopback', 'speculos-tcp', 'speculos-http', 'hid', 'replay'. */
  readonly kind: string;
  /** True while an exchange is in flight; a second exchange now fails with TransportBusyError. */
  readonly busy: boolean;
  exchange(apdu: Uint8Array, options?: ExchangeOptions): Promise<Uint8Array>;
  close(): Promise<void>;
  /** Subscribes to the transport going away (device unplugged, socket closed); returns an unsubscribe. */
  onDisconnect(listener: (reason?: Error) => void): () => void;
}
