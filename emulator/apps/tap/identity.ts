// What the device shows and answers of the Taproot Assets app before its code loads
// (emulator/apps/lazy.ts): GET_APP_AND_VERSION's name, version and flags.

import { TAP_APP_NAME } from '../../../apdu/tap-app/spec.ts';
import type { AppIdentity } from '../lazy.ts';

export const TAP_APP_VERSION = '1.0.0';

export function tapAppIdentity(): AppIdentity {
  return { name: TAP_APP_NAME, version: TAP_APP_VERSION, flags: Uint8Array.of(0x00) };
}
