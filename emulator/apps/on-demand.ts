// APPS (index.ts) with each app's code loaded at its first command (lazy.ts): what `taproot-hw
// emulator` installs, so that the process listens before it compiles the apps, their Bitcoin and
// Taproot Assets libraries included (`npm run bench`, start-up rows). Same keys, names and apps as
// APPS (test/unit/emulator/lazy-app.test.ts); in-process users keep APPS, whose first command starts
// at once.

import type { AppFactory } from '../app.ts';
import type { AppRegistry } from '../create.ts';
import { bitcoinAppIdentity } from './bitcoin/identity.ts';
import { MAINNET, TESTNET } from './bitcoin/network.ts';
import { lazyApp, type AppIdentity } from './lazy.ts';
import { tapAppIdentity } from './tap/identity.ts';

function entry(identity: AppIdentity, load: () => Promise<AppFactory>): AppRegistry[string] {
  return { displayName: identity.name, create: lazyApp(identity, load) };
}

export const APPS_ON_DEMAND: AppRegistry = {
  bitcoin: entry(bitcoinAppIdentity(MAINNET), async () => (await import('./bitcoin/app.ts')).createBitcoinMainnetApp),
  'bitcoin-test': entry(bitcoinAppIdentity(TESTNET), async () => (await import('./bitcoin/app.ts')).createBitcoinTestnetApp),
  tap: entry(tapAppIdentity(), async () => (await import('./tap/app.ts')).createTapApp),
};
