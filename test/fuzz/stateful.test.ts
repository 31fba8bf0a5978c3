// A slice of the stateful fuzzer (stateful/engine.ts) for every CI run: the Bitcoin app and the
// Taproot Assets app, each from a fixed seed, so a failure names its case and replays.
// `npm run fuzz` runs the same engine for as many cases as asked.

import { describe, expect, it } from 'vitest';
import { prng } from './prng.ts';
import { runCampaign, type FuzzTarget } from './stateful/engine.ts';
import { bitcoinTarget } from './stateful/bitcoin.ts';
import { tapTarget } from './stateful/tap.ts';

/** The scenarios that end in a signature (or a registration HMAC) when served honestly and approved. */
const SIGNING: Record<string, string[]> = {
  bitcoin: ['sign-psbt-taproot-keypath', 'sign-psbt-wpkh', 'sign-psbt-musig-round2', 'register-wallet', 'sign-message'],
  tap: ['sign-vpsbt', 'sign-group-genesis', 'musig-round2'],
};

const SLICE: [string, FuzzTarget, number, number][] = [
  ['bitcoin', bitcoinTarget, 0xb17c0, 150],
  ['tap', tapTarget, 0x7a9, 125],
];

describe('stateful fuzzing (client commands answered from valid data, then mutated)', () => {
  it.each(SLICE)('%s: every case ends in a status word, signs only what was reviewed, leaves the device alive and clean', async (_name, target, seed, cases) => {
    const stats = await runCampaign(target, prng(seed), { seed, cases, leakEvery: 25 });
    expect(stats.violations).toEqual([]);
    expect(stats.cases).toBe(cases);
    // The generator reaches the parsers and signing: approvals happen, signatures come out, and
    // mutated data is refused with the apps' own status words.
    expect(stats.reviewsApproved).toBeGreaterThan(0);
    expect(Object.keys(stats.signaturesBy).sort()).toEqual([...SIGNING[target.name]!].sort());
    expect(stats.statusWords['9000'] ?? 0).toBeGreaterThan(0);
    expect(stats.statusWords['6a80'] ?? 0).toBeGreaterThan(0);
    expect(stats.leakChecks).toBe(Math.floor(cases / 25));
  });
});
