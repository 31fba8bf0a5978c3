// What the Speculos-compatible servers need from the emulated device, and nothing more: the servers
// stay independent of how the device renders screens or runs apps (docs/architecture.md §5). EmulatedDevice
// (emulator/device.ts) has this shape.

import type { TextEvent } from '../../devices/framing/speculos-http.ts';
import type { DeviceModel } from '../../devices/models.ts';

export type { TextEvent };

export type ButtonSide = 'left' | 'right';

export interface SpeculosSurface {
  readonly model: DeviceModel;
  /**
   * Answers one command APDU with `data || SW`; never rejects for bad input. The device is the one
   * queue: one APDU in flight across every server and caller, as Speculos's endpoint_lock does for
   * POST /apdu, so two clients cannot interleave the Bitcoin app's client-command exchanges. A
   * fired `signal` releases its caller at once (rejecting with its reason).
   */
  exchange(apdu: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  buttonEvent(button: ButtonSide, pressed: boolean): void;
  /** A finger press or release; a release acts on the pressed position after the time held. */
  touch(x: number, y: number, options: { action: 'press' | 'release' }): void;
  /** Subscribes to text events as they are drawn (clear events included); returns an unsubscribe. */
  on(event: 'text', listener: (event: TextEvent) => void): () => void;
  /** Every non-clear event since start or the last clearEvents(). */
  events(): readonly TextEvent[];
  /** The events of the screen shown now. */
  currentScreen(): readonly TextEvent[];
  clearEvents(): void;
  /** Installs a Speculos v1 automation rules document; throws when it is not valid JSON or not v1. */
  setAutomation(document: string): void;
  /** PNG of the current screen at the model's resolution. */
  screenshot(): Uint8Array;
}
