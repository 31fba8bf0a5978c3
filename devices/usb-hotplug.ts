// Waiting for a Ledger to be plugged in. The `usb` package (3.x: prebuilt per platform as optional
// packages, no install script) reports USB attach events; HID enumeration then finds the device. `usb`
// is an optional dependency like node-hid: without it the wait falls back to enumerating on a timer.

import { createRequire } from 'node:module';
import { LEDGER_USB_VENDOR_ID } from './models.ts';

/** Wakes a waiter when something may have been plugged in. */
export interface AttachWatcher {
  /** Resolves at the next Ledger attach event, or after `ms` when none comes. */
  next(ms: number): Promise<void>;
  close(): void;
}

/** The native attach emitter of `usb` 3 (its WebUSB wrapper rethrows enumeration failures, such as a missing /sys/bus/usb in a container, as uncaught exceptions, so it is not used). */
export interface UsbAttachEmitter {
  addAttach(callback: (device: { vendorId?: number }) => void): Promise<void>;
  removeAttach(): Promise<void>;
}

export type UsbLoader = () => UsbAttachEmitter | undefined;

const defaultUsb: UsbLoader = () => {
  try {
    const { Emitter } = createRequire(import.meta.url)('usb/index.js') as { Emitter?: new () => UsbAttachEmitter };
    return Emitter ? new Emitter() : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Watches USB attach events of Ledger devices (vendor 2c97). Without the `usb` package, or when it
 * cannot load or watch, `next` is a plain timer, so a waiter still re-enumerates.
 */
export function watchLedgerAttach(loadUsb: UsbLoader = defaultUsb): AttachWatcher {
  const usb = loadUsb();
  let pending = 0;
  let wake: (() => void) | undefined;
  // A failing native watcher leaves the timer: the waiter still re-enumerates.
  const attached = usb
    ?.addAttach((device) => {
      if (device?.vendorId !== LEDGER_USB_VENDOR_ID) return;
      pending++;
      wake?.();
    })
    .then(
      () => true,
      () => false,
    );
  return {
    next(ms) {
      if (pending > 0) {
        pending = 0;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wake = undefined;
          pending = 0;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
    close() {
      void attached?.then((on) => (on ? usb!.removeAttach().catch(() => undefined) : undefined));
      wake?.();
    },
  };
}
