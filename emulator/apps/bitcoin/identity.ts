// What the device shows and answers of the Bitcoin app before its code loads (emulator/apps/lazy.ts):
// GET_APP_AND_VERSION's name, version and flags, and the home screen, per build.

import type { AppIdentity } from '../lazy.ts';
import type { BitcoinNetwork } from './network.ts';

/** app-bitcoin-new's version this emulation follows. */
export const APP_VERSION = '2.4.6';

export function bitcoinAppIdentity(net: BitcoinNetwork): AppIdentity {
  return { name: net.appName, version: APP_VERSION, flags: Uint8Array.of(0x00), home: net.home };
}
