// Our emulator as a harness backend, three ways: in-process over the loopback transport (fastest),
// and behind its Speculos-compatible servers over the APDU TCP port or over POST /apdu — the same
// paths Ledger's Speculos clients and real Speculos take.

import { LoopbackTransport } from '../devices/loopback.ts';
import type { ModelId } from '../devices/models.ts';
import { createEmulator, deviceOptions, EmulatedDevice, type DeviceSettings, type EmulatorOptions } from '../emulator/index.ts';
import type { Screen } from './backend.ts';
import { EMULATOR_HOLD_MS } from './navigate.ts';
import { RemoteSpeculosBackend, ScreenBackend } from './remote.ts';

export interface EmulatorBackendOptions {
  model?: ModelId;
  seed?: string;
  /** Key in the emulator's APPS: 'bitcoin-test' (default), 'bitcoin', 'tap'. */
  app?: string;
  deterministicRng?: number;
  /**
   * Device settings at start (e.g. the Taproot Assets app's blind signing). On a real device they
   * are changed only by the person, on the device.
   */
  settings?: Partial<DeviceSettings>;
}

function emulatorOptions(options: EmulatorBackendOptions): EmulatorOptions {
  return {
    ...(options.model !== undefined && { model: options.model }),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.app !== undefined && { app: options.app }),
    ...(options.deterministicRng !== undefined && { deterministicRng: options.deterministicRng }),
  };
}

function deviceScreen(device: EmulatedDevice): Screen {
  return {
    current: async () => device.currentScreen(),
    press: async (button) => device.pressButton(button),
    touch: async (x, y, holdMs) => device.touch(x, y, holdMs === undefined ? {} : { holdMs }),
    screenshot: async () => device.screenshot(),
  };
}

/** The emulated device in this process: no sockets, milliseconds per test. */
export class InProcessEmulatorBackend extends ScreenBackend {
  readonly kind = 'emulator';
  readonly transport: LoopbackTransport;
  readonly screen: Screen;

  constructor(
    readonly device: EmulatedDevice,
  ) {
    super(device.model);
    this.transport = new LoopbackTransport(device);
    this.screen = deviceScreen(device);
  }

  static create(options: EmulatorBackendOptions = {}): InProcessEmulatorBackend {
    return new InProcessEmulatorBackend(
      new EmulatedDevice({ ...deviceOptions(emulatorOptions(options)), ...(options.settings && { settings: options.settings }) }),
    );
  }

  async reset(): Promise<void> {
    this.device.reset();
  }
  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** The emulator behind its servers on free loopback ports; APDUs over TCP or HTTP. */
export async function startServedEmulatorBackend(
  apdu: 'tcp' | 'http',
  options: EmulatorBackendOptions = {},
): Promise<RemoteSpeculosBackend> {
  const emulator = await createEmulator({ ...emulatorOptions(options), apiPort: 0, apduPort: 0 });
  Object.assign(emulator.device.settings, options.settings);
  try {
    return await RemoteSpeculosBackend.connect({
      kind: apdu === 'tcp' ? 'emulator-tcp' : 'emulator-http',
      model: emulator.device.model,
      apiUrl: emulator.url!,
      ...(apdu === 'tcp' && { apduPort: emulator.apduPort! }),
      // The REST API waits the real time asked between press and release; the emulator needs no
      // pause for a button and 1 s for hold-to-sign, where Speculos takes 0.1 s and 3 s.
      holdMs: EMULATOR_HOLD_MS,
      pressDelayS: 0,
      onClose: () => emulator.close(),
      onReset: async () => emulator.device.reset(),
    });
  } catch (err) {
    await emulator.close();
    throw err;
  }
}
