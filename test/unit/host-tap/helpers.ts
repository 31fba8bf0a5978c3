// Devices and independent keys for the host-side tests: an emulated device running the Taproot
// Assets app (or the Bitcoin app) behind a LoopbackTransport, and the same seed's keys derived
// with @scure/bip32 to check the device against.

import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { EmulatedDevice, SPECULOS_DEFAULT_MNEMONIC, deviceOptions } from '../../../emulator/index.ts';

export interface DeviceSetup {
  app?: 'tap' | 'bitcoin-test';
  seed?: string;
  blindSigning?: boolean;
  autoApprove?: boolean;
  deterministicRng?: number;
}

export function emulated(setup: DeviceSetup = {}): { device: EmulatedDevice; transport: LoopbackTransport } {
  const device = new EmulatedDevice({
    ...deviceOptions({
      app: setup.app ?? 'tap',
      autoApprove: setup.autoApprove ?? true,
      ...(setup.seed !== undefined ? { seed: setup.seed } : {}),
      ...(setup.deterministicRng !== undefined ? { deterministicRng: setup.deterministicRng } : {}),
    }),
    settings: { blindSigning: setup.blindSigning ?? false },
  });
  return { device, transport: new LoopbackTransport(device) };
}

/** The master key of a BIP-39 mnemonic (default: the Speculos seed, fingerprint f5acc2fd). */
export function masterKey(mnemonic: string = SPECULOS_DEFAULT_MNEMONIC, versions?: { private: number; public: number }): HDKey {
  return HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic), versions);
}

export const TESTNET_VERSIONS = { private: 0x04358394, public: 0x043587cf };

/** A second, unrelated seed for a second emulated device. */
export const OTHER_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
