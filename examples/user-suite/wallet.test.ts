// A wallet's own device tests, written once against the harness's Backend and run on our emulator
// always, and unchanged on real Speculos when SPECULOS_APP_ELF points at a Bitcoin Test app ELF
// (SPECULOS_MODEL=nanosp|nanox|flex|stax). In your project the imports below are 'taproot-hw',
// 'taproot-hw/harness' and 'taproot-hw/emulator'; inside this repository they are paths.

import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPECULOS_DEFAULT_MNEMONIC } from '../../emulator/index.ts';
import { backendsFromEnv, type Backend } from '../../harness/index.ts';
import { BitcoinAppClient } from '../../host/index.ts';

// Both run the Speculos default seed, so one expectation serves both.
const TPUB = { private: 0x04358394, public: 0x043587cf };
const master = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_DEFAULT_MNEMONIC), TPUB);

// The in-process emulator (a Nano S Plus) and real Speculos; backendsFromEnv() says why Speculos is
// absent instead of dropping it.
const targets = backendsFromEnv().filter((c) => (c.kind === 'emulator' && c.model === 'nanosp') || (c.kind === 'speculos' && c.apps.includes('bitcoin-test')));

for (const target of targets) {
  describe.skipIf(!target.available)(`my wallet on ${target.label}${target.available ? '' : ` (skipped: ${target.reason})`}`, () => {
    let device: Backend;
    let app: BitcoinAppClient;

    beforeAll(async () => {
      device = await target.create({ app: 'bitcoin-test' });
      app = new BitcoinAppClient(device.transport);
    });
    afterAll(() => device?.close());

    it('talks to the Bitcoin Test app', async () => {
      expect((await app.getAppAndVersion()).name).toBe('Bitcoin Test');
      expect(await app.getMasterFingerprint()).toEqual(Uint8Array.from(master.identifier!.subarray(0, 4)));
    });

    it('shows an account xpub on screen; the person approves it', async () => {
      const path = "m/86'/1'/7'";
      // Start the request, then walk the review to its approve action, as a person would.
      const [xpub] = await Promise.all([app.getExtendedPubkey(path, { display: true }), device.approve()]);
      expect(xpub).toBe(master.derive(path).publicExtendedKey);
    });

    it('the person rejects it: the wallet sees UserRefusedError', async () => {
      const refused = expect(app.getExtendedPubkey("m/86'/1'/8'", { display: true })).rejects.toMatchObject({ code: 'E_USER_REFUSED' });
      await device.reject();
      await refused;
    });
  });
}
