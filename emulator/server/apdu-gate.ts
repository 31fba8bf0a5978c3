// One APDU in flight across all servers, as Speculos's endpoint_lock does for POST /apdu
// (speculos/api/apdu.py): a second client's command waits until the first one is answered, so two
// clients cannot interleave the Bitcoin app's client-command exchanges by accident.

import type { SpeculosSurface } from './surface.ts';

export class ApduGate {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly device: Pick<SpeculosSurface, 'exchange'>) {}

  /**
   * Queues the APDU behind the one in flight. When `signal` fires the caller is released at once,
   * while the gate stays closed until the device has really answered: a command the device is still
   * working on (a review on screen) keeps the next one waiting, as on Speculos.
   */
  exchange(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const run = this.tail.then(() => {
      signal?.throwIfAborted();
      return this.device.exchange(apdu, signal ? { signal } : undefined);
    });
    this.tail = run.catch(() => undefined);
    return signal ? untilAborted(run, signal) : run;
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
