// In-process transport to anything that answers APDUs, typically the emulator (docs/architecture.md:
// "emulator in-process"). Bytes are copied both ways, so neither side can alias the other's buffers.

import { GuardedTransport } from './guarded.ts';
import type { ApduExchanger } from './transport.ts';

export class LoopbackTransport extends GuardedTransport {
  readonly kind = 'loopback';

  constructor(private readonly device: ApduExchanger) {
    super();
  }

  protected async transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const response = await this.device.exchange(apdu.slice(), { signal });
    return response.slice();
  }

  protected async release(): Promise<void> {}

  /** Simulates the device going away (cable pulled): listeners hear `reason`, later exchanges fail. */
  unplug(reason: Error): void {
    this.disconnected(reason);
  }
}
