// taproot-hw/emulator: the software device and its Speculos-compatible servers.
//
//   const emu = await createEmulator({ model: 'nanosp', apiPort: 0, apduPort: 0 });
//   // Ledger's Speculos clients, our transports or a browser at emu.url can now drive it.
//   await emu.close();

import type { ModelId } from '../devices/models.ts';
import type { AppFactory } from './app.ts';
import { APPS } from './apps/index.ts';
import { EmulatedDevice, type EmulatedDeviceOptions } from './device.ts';
import { EmulatorError } from './errors.ts';
import { startServers, type RunningServers, type ServerOptions } from './server/index.ts';

export { EmulatedDevice } from './device.ts';
export * from './errors.ts';
export type { Button, DeviceState, EmulatedDeviceOptions, Screen, TextEvent, TouchOptions } from './device.ts';
export { AppCommandAborted } from './app.ts';
export type { AppContext, AppFactory, CommandIO, DeviceApp, DeviceSettings } from './app.ts';
export type { ReviewFlow, ReviewPair, WarningPage } from './ui/review.ts';
export { APPS } from './apps/index.ts';
export { SPECULOS_DEFAULT_MNEMONIC } from './seed.ts';
export { DEFAULT_API_PORT, DEFAULT_APDU_PORT, PortInUseError, startServers } from './server/index.ts';
export type { RunningServers, ServerOptions, ServerPorts, SpeculosSurface } from './server/index.ts';

/** The app a fresh emulator opens when none is named: the testnet Bitcoin app, as the corpus runs. */
export const DEFAULT_APP = 'bitcoin-test';

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
export function deviceOptions(options: EmulatorOptions): EmulatedDeviceOptions {
  const apps: Record<string, AppFactory> = {};
  for (const entry of Object.values(APPS)) apps[entry.displayName] = entry.create;
  const key = options.app ?? (DEFAULT_APP in APPS ? DEFAULT_APP : undefined);
  const out: EmulatedDeviceOptions = { apps };
  if (key !== undefined) {
    const entry = APPS[key];
    if (!entry) throw new EmulatorError('E_UNKNOWN_APP', `app: expected one of ${JSON.stringify(Object.keys(APPS))}, got "${key}"`);
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
 * Builds the device and starts its servers (API 5000 and APDU 9999 by default, as Speculos; 0 = any
 * free port; null = off). A busy port is a PortInUseError naming it.
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const device = new EmulatedDevice(deviceOptions(options));
  const servers = await startServers(device, options);
  return Object.assign(servers, { device });
}
