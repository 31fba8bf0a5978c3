// The emulated Bitcoin app inside the emulated device, for the app's unit tests: APDUs go through the
// device (its framing checks, its client-command suspension, its review screens), and every review
// is answered by a Person (test/fuzz/person.ts) walking the device's screens. Nothing is approved by
// default: a test says which reviews it approves or rejects, and a review it did not plan for is
// rejected and listed in `person.unexpected`.

import { toHex, fromHex } from '../../../apdu/bytes.ts';
import type { ModelId } from '../../../devices/models.ts';
import { createBitcoinTestnetApp } from '../../../emulator/apps/bitcoin/app.ts';
import { EmulatedDevice, type EmulatedDeviceOptions } from '../../../emulator/device.ts';
import { Person } from '../../fuzz/person.ts';

export const BITCOIN_TEST = 'Bitcoin Test';

export interface BitcoinDevice {
  device: EmulatedDevice;
  person: Person;
  exchangeHex(apdu: string): Promise<string>;
}

export function bitcoinDevice(options: Omit<EmulatedDeviceOptions, 'apps' | 'startApp' | 'autoApprove'> & { model?: ModelId } = {}): BitcoinDevice {
  const person = new Person();
  const device = new EmulatedDevice({ statusTimeoutMs: 0, ...options, apps: { [BITCOIN_TEST]: person.wrap(createBitcoinTestnetApp) }, startApp: BITCOIN_TEST });
  person.device = device;
  return { device, person, exchangeHex: async (apdu) => toHex(await device.exchange(fromHex(apdu))) };
}
