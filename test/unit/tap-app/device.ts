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

/**
 * The current screen as one line of text: the renderer wraps long texts over several events (each
 * line keeping its trailing space), so tests match on the joined, whitespace-normalized text.
 */
export function screenText(device: EmulatedDevice): string {
  return device
    .currentScreen()
    .map((e) => e.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Lets the device run until `predicate` holds on its current screen text (bounded by steps, not time). */
export async function untilScreen(device: EmulatedDevice, predicate: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    const text = screenText(device);
    if (predicate(text)) return text;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`screen never matched; showing ${JSON.stringify(screenText(device))}`);
}

/** On a Nano: pages right until a page shows `text`, then presses both buttons; returns the pages' text seen. */
export async function chooseOnNano(device: EmulatedDevice, text: string): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 100; i++) {
    const page = screenText(device);
    seen.push(page);
    if (page.includes(text)) {
      device.pressButton('both');
      return seen;
    }
    device.pressButton('right');
  }
  throw new Error(`no page shows "${text}"`);
}

/**
 * On a Nano, walks a streamed review (SIGN_VPSBT v2) as a person would: right through the pages (the
 * last page of a step continues, and the app shows the next step when its data arrived), Continue
 * on warnings, both buttons on "Sign asset transfer". Returns every page's text in order.
 */
export async function walkStreamedReview(device: EmulatedDevice, finish = 'Sign asset transfer'): Promise<string[]> {
  const seen: string[] = [];
  let page = await untilScreen(device, (s) => s.includes('Review asset transfer'));
  for (let i = 0; i < 10_000; i++) {
    seen.push(page);
    if (page.includes(finish)) {
      device.pressButton('both');
      return seen;
    }
    if (page.startsWith('Warning')) {
      seen.pop();
      seen.push(...(await chooseOnNano(device, 'Continue')).slice(0, 1));
    } else device.pressButton('right');
    const previous = page;
    page = await untilScreen(device, (s) => s !== previous && s !== '');
  }
  throw new Error('the review never reached its finish page');
}
