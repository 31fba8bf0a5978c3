// The Taproot Assets app's settings as a person changes them on a real device (firmware/tap-app/shell:
// the SDK's home-and-settings screens). Our emulator takes settings at start instead; Speculos
// running the app's ELF needs the screens walked, as docs/firmware.md describes page by page.

import type { DeviceModel } from '../devices/models.ts';
import type { Screen, TextEvent } from './backend.ts';
import { waitForScreen, waitForText } from './navigate.ts';

const SETTING = 'Blind signing';
const has = (text: string | RegExp) => (events: TextEvent[]) => events.some((e) => (typeof text === 'string' ? e.text === text : text.test(e.text)));

/** Turns blind signing on from the app's home screen and comes back to it. */
export async function enableTapBlindSigning(screen: Screen, model: DeviceModel, timeoutMs = 10_000): Promise<void> {
  await waitForText(screen, /app is ready|This app/, timeoutMs);
  if (model.input === 'buttons') {
    // Home, "App settings" (both buttons), the switch page (both toggles it), "Back".
    await screen.press('right');
    await waitForScreen(screen, has('App settings'), 'App settings', timeoutMs);
    await screen.press('both');
    await waitForScreen(screen, has('Disabled'), `${SETTING}: Disabled`, timeoutMs);
    await screen.press('both');
    await waitForScreen(screen, has('Enabled'), `${SETTING}: Enabled`, timeoutMs);
    await screen.press('right');
    await waitForScreen(screen, has('Back'), 'Back', timeoutMs);
    await screen.press('both');
    await waitForScreen(screen, has('App settings'), 'App settings', timeoutMs);
    await screen.press('left');
    await waitForText(screen, /app is ready/, timeoutMs);
    return;
  }
  // Touch: the settings button top right of the home page, the switch at the row's right end, then
  // the back arrow top left. The switch draws no text, so its state is read back by the caller
  // (GET_APP_INFO's flag).
  await screen.touch(model.screen.width - 60, 60);
  const row = (await waitForScreen(screen, has(SETTING), SETTING, timeoutMs)).find((e) => e.text === SETTING)!;
  await screen.touch(model.screen.width - 60, Math.round(row.y + row.h / 2));
  await screen.touch(36, 48);
  await waitForText(screen, /This app shows/, timeoutMs);
}
