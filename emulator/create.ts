// Building an emulator from a set of installed apps: what emulator/index.ts does with every app's code
// loaded (APPS), and what `taproot-hw emulator` does with APPS_ON_DEMAND (apps/on-demand.ts), whose
// code loads at each app's first command so that the process listens before compiling it.

import type { ModelId } from '../devices/models.ts';
import type { AppFactory } from './app.ts';
import { EmulatedDevice, type EmulatedDeviceOptions } from './device.ts';
import { EmulatorError } from './errors.ts';
import { startServers, type RunningServers, type ServerOptions } from './server/index.ts';

/** The app a fresh emulator opens when none is named: the testnet Bitcoin app, as the corpus runs. */
export const DEFAULT_APP = 'bitcoin-test';

/** Installable apps by the name a person passes to `--app`: the name E0 D8 opens each with, and its factory. */
export type AppRegistry = Readonly<Record<string, { displayName: string; create: AppFactory }>>;

export interface EmulatorOptions extends ServerOptions {
  model?: ModelId;
  /** BIP-39 mnemonic or "hex:<seed>"; default the Speculos default seed (fingerprint f5acc2fd). */
  seed?: string;
  /**
   * Key in APPS of the app to open at start. Default: DEFAULT_APP when it is registered, else the
   * device starts on the dashboard. Every registered app is installed either way (E0 D8 opens them).
   */
  app?: string;
  deterministicRng?: number;
  autoApprove?: boolean;
  /** Start with the blind-signing setting on (a person would turn it on in the app's settings). */
  blindSigning?: boolean;
  /** Speculos v1 automation rules document (JSON text). */
  automation?: string;
}

export interface Emulator extends RunningServers {
  readonly device: EmulatedDevice;
}

/** The device options for an emulator: installed apps by the name E0 D8 opens, and the start app. */
export function deviceOptionsWith(registry: AppRegistry, options: EmulatorOptions): EmulatedDeviceOptions {
  const apps: Record<string, AppFactory> = {};
  for (const entry of Object.values(registry)) apps[entry.displayName] = entry.create;
  const key = options.app ?? (DEFAULT_APP in registry ? DEFAULT_APP : undefined);
  const out: EmulatedDeviceOptions = { apps };
  if (key !== undefined) {
    const entry = registry[key];
    if (!entry) throw new EmulatorError('E_UNKNOWN_APP', `app: expected one of ${JSON.stringify(Object.keys(registry))}, got "${key}"`);
    out.startApp = entry.displayName;
  }
  if (options.model !== undefined) out.model = options.model;
  if (options.blindSigning) out.settings = { blindSigning: true };
  if (options.seed !== undefined) out.seed = options.seed;
  if (options.deterministicRng !== undefined) out.deterministicRng = options.deterministicRng;
  if (options.autoApprove !== undefined) out.autoApprove = options.autoApprove;
  if (options.automation !== undefined) out.automation = options.automation;
  return out;
}

/**
 * Builds the device with `registry`'s apps and starts its servers (API 5000 and APDU 9999 by
 * default, as Speculos; 0 = any free port; null = off). A busy port is a PortInUseError naming it.
 */
export async function createEmulatorWith(registry: AppRegistry, options: EmulatorOptions = {}): Promise<Emulator> {
  const device = new EmulatedDevice(deviceOptionsWith(registry, options));
  const servers = await startServers(device, options);
  return Object.assign(servers, { device });
}
