// Every corpus flow replayed straight into the app (no device core): each device line must come
// back byte for byte, client-command requests and signatures included, on both models.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBitcoinTestnetApp } from '../../../emulator/apps/bitcoin/app.ts';
import { AppDriver, testContext, transcriptPairs } from './harness.ts';

const corpus = new URL('../../vectors/speculos-corpus/', import.meta.url);

// Speculos draws far more random bytes than the app asks for: OpenSSL blinds every EC scalar
// multiplication with 32 bytes from the same generator. Where the app's first draw landed was
// measured by searching the rand() stream for the recorded signature nonce / MuSig2 rand_root;
// replaying from there checks everything else (sighash, tweaks, nonce and signing math) exactly.
const MEASURED_RNG_OFFSET: Record<string, number> = {
  'sign-psbt-taproot-keypath': 1280,
  'sign-psbt-musig2-2of2': 1344,
};

for (const model of ['nanosp', 'flex'] as const) {
  const dir = new URL(`${model}/`, corpus);
  const flows = readdirSync(dir).filter((f) => f.endsWith('.apdus')).map((f) => f.slice(0, -6));
  describe(`corpus ${model} (app only)`, () => {
    it.each(flows)('%s', async (flow) => {
      const meta = JSON.parse(readFileSync(new URL(`${flow}.json`, dir), 'utf8'));
      const args: string[] = meta.speculos_args;
      const rngAt = args.indexOf('--deterministic-rng');
      const ctx = testContext({
        model,
        ...(rngAt >= 0 ? { rngSeed: Number(args[rngAt + 1]), rngSkip: MEASURED_RNG_OFFSET[flow] ?? 0 } : {}),
      });
      const driver = new AppDriver(createBitcoinTestnetApp(), ctx);
      const pairs = transcriptPairs(readFileSync(new URL(`${flow}.apdus`, dir), 'utf8'));
      for (const [n, { host, device }] of pairs.entries()) {
        // B0 01 is answered by the OS, not by the app
        if (host.startsWith('b001')) continue;
        expect(await driver.exchangeHex(host), `${flow} line ${2 * n + 2}`).toBe(device);
      }
    });
  });
}
