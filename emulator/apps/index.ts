// Apps the emulator can run, by the name a person passes to `taproot-hw emulator --app NAME`.
// Each entry builds a fresh app instance (RAM state starts empty, as when an app is launched).

import type { AppFactory } from '../app.ts';
import { createBitcoinMainnetApp, createBitcoinTestnetApp } from './bitcoin/app.ts';
import { createTapApp } from './tap/app.ts';

export const APPS: Record<string, { displayName: string; create: AppFactory }> = {
  bitcoin: { displayName: 'Bitcoin', create: createBitcoinMainnetApp },
  'bitcoin-test': { displayName: 'Bitcoin Test', create: createBitcoinTestnetApp },
  tap: { displayName: 'Taproot Assets', create: createTapApp },
};
