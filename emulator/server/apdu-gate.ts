// One APDU in flight across all servers, as Speculos's endpoint_lock does for POST /apdu
// (speculos/api/apdu.py): a second client's command waits until the first one is answered, so two
// clients cannot interleave the Bitcoin app's client-command exchanges by accident.

import type { SpeculosSurface } from './surface.ts';

export class ApduGate {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly device: Pick<SpeculosSurface, 'exchange'>) {}

  /** Queues the APDU behind the one in flight; a signal aborted while queued skips it. */
  exchange(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const run = this.tail.then(() => {
      signal?.throwIfAborted();
      return this.device.exchange(apdu, signal ? { signal } : undefined);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
