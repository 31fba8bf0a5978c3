// One interface over every device a test can talk to: our emulator (in-process, over its Speculos
// TCP port, over its REST API), real Speculos, and a USB device. Test suites written against it run
// unchanged on each (docs/architecture.md §4).

import type { TextEvent } from '../devices/framing/speculos-http.ts';
import type { DeviceModel } from '../devices/models.ts';
import type { Transport } from '../devices/transport.ts';

export type { TextEvent };

export type BackendKind = 'emulator' | 'emulator-tcp' | 'emulator-http' | 'native' | 'speculos' | 'usb';

/** Low-level input and screen access; navigation is built on it (harness/navigate.ts). */
export interface Screen {
  /** Text events of the screen shown now. */
  current(): Promise<TextEvent[]>;
  /** Presses and releases a button (Nano models). */
  press(button: 'left' | 'right' | 'both'): Promise<void>;
  /** Taps, or holds for `holdMs`, at (x, y) (touch models). */
  touch(x: number, y: number, holdMs?: number): Promise<void>;
  screenshot(): Promise<Uint8Array>;
}

export interface Backend {
  readonly kind: BackendKind;
  readonly model: DeviceModel;
  readonly transport: Transport;
  /** Undefined for a USB device: a person is at the buttons, the harness cannot see the screen. */
  readonly screen: Screen | undefined;
  /** Resolves with the first event matching `text` on the current screen (polling until timeoutMs). */
  waitForText(text: string | RegExp, options?: { timeoutMs?: number }): Promise<TextEvent>;
  /** Walks the review on screen to its approve action (both buttons, Approve, Hold to sign), at
   * most `maxPages` pages (default 200). */
  approve(options?: { timeoutMs?: number; maxPages?: number }): Promise<void>;
  /** Walks the review on screen to its reject action. */
  reject(options?: { timeoutMs?: number }): Promise<void>;
  /** Back to a freshly started app with the same seed (new process for Speculos). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

