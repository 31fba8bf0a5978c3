// taproot-hw/emulator: the software device and its Speculos-compatible servers.
//
//   const emu = await createEmulator({ model: 'nanosp', apiPort: 0, apduPort: 0 });
//   // Ledger's Speculos clients, our transports or a browser at emu.url can now drive it.
//   await emu.close();

import { APPS } from './apps/index.ts';
import { createEmulatorWith, deviceOptionsWith, type Emulator, type EmulatorOptions } from './create.ts';
import type { EmulatedDeviceOptions } from './device.ts';

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
export { DEFAULT_APP, type AppRegistry, type Emulator, type EmulatorOptions } from './create.ts';

/** The device options for an emulator: installed apps by the name E0 D8 opens, and the start app. */
export function deviceOptions(options: EmulatorOptions): EmulatedDeviceOptions {
  return deviceOptionsWith(APPS, options);
}

/**
 * Builds the device and starts its servers (API 5000 and APDU 9999 by default, as Speculos; 0 = any
 * free port; null = off). A busy port is a PortInUseError naming it.
 */
export function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulatorWith(APPS, options);
}
