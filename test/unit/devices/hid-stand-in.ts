// A stand-in for node-hid's device handle (there is no emulator of HID hardware): it plays the
// device side of our HID framing in front of the emulator, so the bytes a transport writes and reads
// are those a Ledger would take and send.

import { toHex } from '../../../apdu/bytes.ts';
import { encodeHidFrames, HidReassembler } from '../../../devices/framing/hid.ts';
import type { HidBackend, HidDeviceInfo, HidHandle } from '../../../devices/node-hid.ts';
import { deviceOptions, EmulatedDevice } from '../../../emulator/index.ts';

/**
 * A HID handle in front of the emulator: output reports (report id 0x00 + packet) are reassembled as
 * a device does, the emulator answers, and the answer is framed into input reports on the host's
 * channel. `unplug()` makes the next read fail as node-hid does when the device goes away.
 */
export class EmulatorHidHandle implements HidHandle {
  readonly written: Uint8Array[] = [];
  closed = false;
  private readonly inbox: Uint8Array[] = [];
  private readonly device = new HidReassembler();
  private wake: (() => void) | undefined;
  private gone = false;
  /** Rewrites the channel of answers, to play a device that answers on the wrong one. */
  answerChannel: number | undefined;
  /** Takes commands without answering (a device about to be unplugged). */
  silent = false;

  constructor(readonly emulator: EmulatedDevice) {}

  async write(report: number[]): Promise<number> {
    if (this.gone) throw new Error('Cannot write to hid device');
    const bytes = Uint8Array.from(report);
    this.written.push(bytes);
    if (bytes.length !== 65 || bytes[0] !== 0) throw new Error(`expected report id 0 and a 64-byte packet, got ${toHex(bytes)}`);
    const message = this.device.push(bytes.subarray(1));
    if (message !== undefined && !this.silent) {
      const channel = this.answerChannel ?? (bytes[1]! << 8) | bytes[2]!;
      void this.emulator.exchange(message).then((answer) => {
        this.inbox.push(...encodeHidFrames(answer, channel));
        this.wake?.();
      });
    }
    return bytes.length;
  }

  async read(timeoutMs?: number): Promise<Uint8Array | undefined> {
    if (this.inbox.length === 0 && !this.gone)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs ?? 2 ** 31 - 1);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    this.wake = undefined;
    if (this.gone) throw new Error('could not read from HID device');
    return this.inbox.shift();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  unplug(): void {
    this.gone = true;
    this.wake?.();
  }
}

/** A backend listing `devices`, each opened as a fresh emulator with the Bitcoin Test app (reviews approved). */
export function emulatorBackend(devices: HidDeviceInfo[], opened: EmulatorHidHandle[] = []): HidBackend {
  return {
    devices: async () => devices,
    open: async (path) => {
      if (!devices.some((d) => d.path === path)) throw new Error(`no device at ${path}`);
      const handle = new EmulatorHidHandle(new EmulatedDevice(deviceOptions({ autoApprove: true })));
      opened.push(handle);
      return handle;
    },
  };
}
