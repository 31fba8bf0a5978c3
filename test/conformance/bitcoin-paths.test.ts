// Which paths the Bitcoin app exports with display=1, on every backend present. Two layers decide
// (docs/bitcoin-app-protocol.md §8): the OS refuses derivations outside the app's allowed paths ("*/1'", "45'",
// "4541509'" for Bitcoin Test) — including the parent derivation the app makes for the xpub's
// parent fingerprint — and the app reviews every path it cannot call standard. Expected outcomes
// were measured on Speculos 0.27.1 with the Bitcoin Test 2.4.6 app.

import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsFromEnv, type Backend } from '../../harness/index.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';

const SEED = mnemonicToSeedSync(
  'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin',
);
const TPUB = { private: 0x04358394, public: 0x043587cf };

/** Reviewed, approved, returned. */
const EXPORTED = ["m/84'/1'/0'/0'", "m/0'/1'/2'"];
/** Refused by the OS (the path or its parent outside "*\/1'"): 6a82 and no review. */
const REFUSED = ["m/84'/1'", "m/5'/1'", "m/1'", "m/84'", "m/44'/0'/0'", "m/84'/2'/0'"];

for (const candidate of backendsFromEnv()) {
  if (!candidate.apps.includes('bitcoin-test')) continue;
  if (!candidate.available) console.log(`conformance: skipping path rules on ${candidate.label}: ${candidate.reason}`);

  describe.skipIf(!candidate.available)(`Bitcoin app path rules on ${candidate.label}`, () => {
    let backend: Backend;
    let client: BitcoinAppClient;

    beforeAll(async () => {
      backend = await candidate.create({ app: 'bitcoin-test' });
      client = new BitcoinAppClient(backend.transport);
    });
    afterAll(async () => {
      await backend?.close();
    });

    it.each(EXPORTED)('%s with display: reviewed, approved, equal to an independent derivation', async (path) => {
      const [xpub] = await Promise.all([client.getExtendedPubkey(path, { display: true }), backend.approve({ timeoutMs: 20_000 })]);
      expect(xpub).toBe(HDKey.fromMasterSeed(SEED, TPUB).derive(path).publicExtendedKey);
    });

    it.each(REFUSED)('%s with display: refused by the OS (6a82) before any review', async (path) => {
      await expect(client.getExtendedPubkey(path, { display: true })).rejects.toMatchObject({ statusCode: 0x6a82 });
    });
  });
}
