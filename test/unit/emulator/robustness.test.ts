// Random and mutated APDUs in every device state: each is answered with a status word, nothing throws
// out of the device, and B0 01 still answers correctly afterwards.

import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { deterministicRandom } from '../../../emulator/rng.ts';
import { testApp } from './test-apps.ts';

const SEEDS = ['e105000000', 'e110000002abcd', 'f801000100', 'b001000000', 'e0d8000008' + toHex(new TextEncoder().encode('Test App')), 'e130000001ff', 'e140000000'];

describe('robustness', () => {
  it('20,000 random and mutated APDUs each get a status word; B0 01 still works', async () => {
    const rnd = deterministicRandom(7);
    const d = new EmulatedDevice({ apps: { 'Test App': () => testApp() }, startApp: 'Test App', autoApprove: true, statusTimeoutMs: 0 });
    for (let i = 0; i < 20_000; i++) {
      const [kind, a, b] = rnd(3) as unknown as [number, number, number];
      let apdu: Uint8Array;
      if (kind % 3 === 0) apdu = rnd(a % 270);
      else {
        apdu = fromHex(SEEDS[a % SEEDS.length]!).slice();
        if (apdu.length > 0) apdu[b % apdu.length]! ^= 1 << (kind % 8);
        if (kind % 5 === 0) apdu = apdu.subarray(0, b % (apdu.length + 1));
      }
      // Never the app's failure command (E1 50), which answers 6F00 by design; and keep an app open.
      if (apdu[0] === 0xe1 && apdu[1] === 0x50) continue;
      const res = await d.exchange(apdu);
      expect(res.length).toBeGreaterThanOrEqual(2);
      if (d.state === 'dashboard') d.openApp('Test App');
    }
    expect(toHex(await d.exchange(fromHex('b001000000')))).toBe('0108' + toHex(new TextEncoder().encode('Test App')) + '05312e302e3001009000');
  });
});
