// The MuSig2 nonce slots of §4: four slots in RAM only, each {handle, secnonce, binding, msg_bound}.
// They live in the app instance, so closing the app (quit, reset, a new device) forgets them all.

import { equal } from '../../../apdu/bytes.ts';

export const NONCE_SLOTS = 4;

export interface NonceSlot {
  handle: Uint8Array;
  /** BIP-327 secnonce (97 bytes: k1 || k2 || pk). */
  secnonce: Uint8Array;
  binding: Uint8Array;
  messageBound: boolean;
}

export class NonceSlots {
  private readonly slots: (NonceSlot | undefined)[] = new Array(NONCE_SLOTS).fill(undefined);

  get free(): number {
    return this.slots.filter((s) => s === undefined).length;
  }

  find(handle: Uint8Array): NonceSlot | undefined {
    return this.slots.find((s) => s !== undefined && equal(s.handle, handle));
  }

  /** Stores a slot; false when all are in use. */
  store(slot: NonceSlot): boolean {
    const i = this.slots.indexOf(undefined);
    if (i < 0) return false;
    this.slots[i] = slot;
    return true;
  }

  /** Removes the slot and zeroes its secret nonce; returns a copy of the secnonce for one use. */
  take(handle: Uint8Array): Uint8Array | undefined {
    const i = this.slots.findIndex((s) => s !== undefined && equal(s.handle, handle));
    if (i < 0) return undefined;
    const slot = this.slots[i]!;
    this.slots[i] = undefined;
    const copy = slot.secnonce.slice();
    slot.secnonce.fill(0);
    return copy;
  }

  wipe(handle: Uint8Array): void {
    this.take(handle)?.fill(0);
  }

  wipeAll(): void {
    for (const s of this.slots) s?.secnonce.fill(0);
    this.slots.fill(undefined);
  }
}
