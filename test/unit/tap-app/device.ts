// An emulated device running the Taproot Assets app, for the app tests.

import { EmulatedDevice, type EmulatedDeviceOptions } from '../../../emulator/device.ts';
import { TAP_APP_NAME, createTapApp, type TapApp } from '../../../emulator/apps/tap/app.ts';

export const SPECULOS_MNEMONIC =
  'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin';

export interface TapDevice {
  device: EmulatedDevice;
  /** The app instance currently open (a new one after each reopen or reset). */
  readonly app: TapApp;
}

export function tapDevice(options: EmulatedDeviceOptions = {}): TapDevice {
  let app: TapApp | undefined;
  const device = new EmulatedDevice({
    autoApprove: true,
    ...options,
    apps: { [TAP_APP_NAME]: () => (app = createTapApp()) },
    startApp: TAP_APP_NAME,
  });
  return {
    device,
    get app() {
      return app!;
    },
  };
}

/** Lets the device run until `predicate` holds on its current screen (bounded by steps, not time). */
export async function untilScreen(device: EmulatedDevice, predicate: (texts: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 1000; i++) {
    const texts = device.currentScreen().map((e) => e.text);
    if (predicate(texts)) return texts;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`screen never matched; showing ${JSON.stringify(device.currentScreen().map((e) => e.text))}`);
}

/** On a Nano: pages right until a page shows `text`, then presses both buttons; returns the pages seen. */
export async function chooseOnNano(device: EmulatedDevice, text: string): Promise<string[][]> {
  const seen: string[][] = [];
  for (let i = 0; i < 100; i++) {
    const texts = device.currentScreen().map((e) => e.text);
    seen.push(texts);
    if (texts.some((t) => t.includes(text))) {
      device.pressButton('both');
      return seen;
    }
    device.pressButton('right');
  }
  throw new Error(`no page shows "${text}"`);
}
