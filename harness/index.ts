// taproot-hw/harness: run one device test suite against every backend that is present.
//
//   for (const candidate of backendsFromEnv()) {
//     describe.skipIf(!candidate.available)(candidate.label, () => { … await candidate.create() … });
//   }
//
// Selection by environment, as issue "Speculos harness" specifies: our emulator always (in-process,
// over TCP, over HTTP); the Taproot Assets app's C core as a native process when its build tools are
// installed; real Speculos when SPECULOS_APP_ELF is set (with SPECULOS_MODEL, and
// SPECULOS_BIN or Docker), and our Taproot Assets app's ELF when SPECULOS_TAP_APP_ELF is set; a USB
// device when LEDGER_HID=1. An absent backend comes back with
// `available: false` and the reason, so suites report it as skipped instead of dropping it.

import { getModel, type ModelId } from '../devices/models.ts';
import type { DeviceSettings } from '../emulator/index.ts';
import type { Backend, BackendKind } from './backend.ts';
import { InProcessEmulatorBackend, startServedEmulatorBackend, type EmulatorBackendOptions } from './emulator.ts';
import { SpeculosBackend, UsbBackend } from './remote.ts';
import { speculosUnavailableReason } from './speculos.ts';
import { enableTapBlindSigning } from './tap-settings.ts';
import { NativeAppBackend, nativeAppUnavailableReason } from './native.ts';

export * from './backend.ts';
export { approveReview, rejectReview, waitForScreen, waitForText, HOLD_MS } from './navigate.ts';
export { InProcessEmulatorBackend, startServedEmulatorBackend, type EmulatorBackendOptions } from './emulator.ts';
export { RemoteSpeculosBackend, SpeculosBackend, UsbBackend, httpScreen } from './remote.ts';
export { NativeAppBackend, nativeAppUnavailableReason, type NativeAppOptions } from './native.ts';
export { freePort, speculosUnavailableReason, startSpeculos } from './speculos.ts';
export * from './errors.ts';
export type { SpeculosInstance, SpeculosOptions } from './speculos.ts';

export interface BackendCandidate {
  kind: BackendKind;
  /** e.g. "emulator (nanosp)", "speculos (flex)". */
  label: string;
  model: ModelId;
  /** Device apps this backend runs: 'bitcoin-test' | 'bitcoin' | 'tap'. */
  apps: readonly string[];
  available: boolean;
  /** Why it is not available (printed by suites that skip it). */
  reason?: string;
  create(options?: CreateOptions): Promise<Backend>;
}

export interface CreateOptions {
  app?: string;
  deterministicRng?: number;
  /** Emulator device settings at start; real Speculos running our Taproot Assets app has them set on
   * its screens; other real apps and USB devices keep their own. */
  settings?: Partial<DeviceSettings>;
}

const EMULATOR_APPS = ['bitcoin-test', 'tap'] as const;

function emulatorCandidate(kind: BackendKind, model: ModelId, seed: string | undefined): BackendCandidate {
  const base = (o: CreateOptions = {}): EmulatorBackendOptions => ({
    model,
    ...(seed !== undefined && { seed }),
    ...(o.app !== undefined && { app: o.app }),
    ...(o.deterministicRng !== undefined && { deterministicRng: o.deterministicRng }),
    ...(o.settings !== undefined && { settings: o.settings }),
  });
  return {
    kind,
    label: `${kind} (${model})`,
    model,
    apps: EMULATOR_APPS,
    available: true,
    create: async (o) =>
      kind === 'emulator' ? InProcessEmulatorBackend.create(base(o)) : startServedEmulatorBackend(kind === 'emulator-tcp' ? 'tcp' : 'http', base(o)),
  };
}

export interface BackendsFromEnvOptions {
  /** Models the in-process emulator runs (default: nanosp and flex — one button, one touch device). */
  emulatorModels?: ModelId[];
  seed?: string;
}

export function backendsFromEnv(env: NodeJS.ProcessEnv = process.env, options: BackendsFromEnvOptions = {}): BackendCandidate[] {
  const models = options.emulatorModels ?? ['nanosp', 'flex'];
  const out: BackendCandidate[] = models.map((m) => emulatorCandidate('emulator', m, options.seed));
  out.push(emulatorCandidate('emulator-tcp', 'nanosp', options.seed), emulatorCandidate('emulator-http', 'flex', options.seed));

  // The Taproot Assets app's C core built for this machine (harness/native.ts), where cmake and the
  // libraries of firmware/tap-app are installed.
  const nativeReason = nativeAppUnavailableReason();
  out.push({
    kind: 'native',
    label: 'native (nanosp)',
    model: 'nanosp',
    apps: ['tap'],
    available: nativeReason === undefined,
    ...(nativeReason !== undefined && { reason: nativeReason }),
    create: async (o = {}) => NativeAppBackend.start({ ...(o.settings?.blindSigning !== undefined && { blindSigning: o.settings.blindSigning }) }),
  });

  const speculosModel = (env.SPECULOS_MODEL ?? 'nanosp') as ModelId;
  const speculosCandidate = (elf: string, label: string, apps: readonly string[], unset: string): BackendCandidate => {
    const reason = elf ? speculosUnavailableReason({ elf, ...(env.SPECULOS_BIN && { bin: env.SPECULOS_BIN }) }) : unset;
    return {
      kind: 'speculos',
      label,
      model: getModel(speculosModel).id,
      apps,
      available: reason === undefined,
      ...(reason !== undefined && { reason }),
      create: async (o = {}) => {
        const backend = await SpeculosBackend.start({
          elf,
          model: getModel(speculosModel).speculosModel,
          ...(env.SPECULOS_BIN && { bin: env.SPECULOS_BIN }),
          ...(options.seed !== undefined && { seed: options.seed }),
          ...(o.deterministicRng !== undefined && { deterministicRng: o.deterministicRng }),
        });
        // A real app keeps its own settings: the Taproot Assets app's are changed on its screens.
        if (apps.includes('tap') && o.settings?.blindSigning) await enableTapBlindSigning(backend.screen, backend.model).catch(async (e) => {
          await backend.close();
          throw e;
        });
        return backend;
      },
    };
  };
  // A Bitcoin app ELF; and, only when given, our Taproot Assets app's ELF (firmware/tap-app/shell,
  // docs/firmware.md) as one more candidate, so suites of the Bitcoin app never run against it.
  out.push(speculosCandidate(env.SPECULOS_APP_ELF ?? '', `speculos (${speculosModel})`, ['bitcoin-test'], 'SPECULOS_APP_ELF is not set'));
  if (env.SPECULOS_TAP_APP_ELF)
    out.push(speculosCandidate(env.SPECULOS_TAP_APP_ELF, `speculos (${speculosModel}, Taproot Assets app)`, ['tap'], 'SPECULOS_TAP_APP_ELF is not set'));

  const usb = env.LEDGER_HID === '1';
  out.push({
    kind: 'usb',
    label: 'usb',
    model: 'nanosp',
    apps: ['bitcoin-test', 'bitcoin'],
    available: usb,
    ...(!usb && { reason: 'LEDGER_HID is not 1 (set it with a Ledger attached, unlocked, Bitcoin Test app open)' }),
    create: () => UsbBackend.open(),
  });
  return out;
}
