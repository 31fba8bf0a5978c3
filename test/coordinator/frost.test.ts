// FROST through the coordinator in one process (docs/frost.md, docs/coordinator.md §2.5): a 2-of-3
// key set of two emulated Taproot Assets apps and a software party, every DKG round routed sealed
// over the coordinator's real HTTP port; then two spends by different pairs (a party sits one out),
// each signature checked here independently: scure computes the BIP-341 sighash of the finalized
// transaction and noble verifies the witness against the BIP-86 output key of the group key.

import { schnorr } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { p2tr, TEST_NETWORK, Transaction, utils as btcUtils } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { CosignParty, frostKeyGen, frostSign, TapAppCosigner, type Coordinator, type Cosigner, type FrostKeySetResult } from '../../coordinator/index.ts';
import type { SqlStore } from '../../coordinator/store/sql.ts';
import { SEEDS, tapDevice } from '../e2e/helpers.ts';
import { memoryCoordinator, PATH, softwareCosigner, tempDir } from './fixture.ts';

/** A PSBT spending 50,000 sat from the key set's BIP-86 output (the first input, the only one). */
export function frostSpendPsbt(k: Pick<FrostKeySetResult, 'groupKey'>, tag: number): Uint8Array {
  const out = p2tr(fromHex(k.groupKey), undefined, TEST_NETWORK);
  const tx = new Transaction({ version: 2 });
  tx.addInput({ txid: new Uint8Array(32).fill(tag), index: 0, witnessUtxo: { script: out.script, amount: 50_000n }, tapInternalKey: fromHex(k.groupKey) });
  tx.addOutputAddress('tb1p9y6pr3ec7jfdg6aaa282eu6pxn630ujlmkuwzvmdc6lam3t7dy7qrvhl3c', 49_000n, TEST_NETWORK);
  return tx.toPSBT();
}

/** The signed PSBT is final and its key-path witness verifies for taproot_tweak(group key). */
export function expectFrostSpend(k: Pick<FrostKeySetResult, 'groupKey' | 'taprootKey'>, signedPsbt: string, signature: string): void {
  const tx = Transaction.fromPSBT(base64.decode(signedPsbt));
  expect(tx.isFinal).toBe(true);
  const outputKey = btcUtils.taprootTweakPubkey(fromHex(k.groupKey), new Uint8Array(0))[0];
  expect(toHex(outputKey)).toBe(k.taprootKey);
  const witness = tx.getInput(0).finalScriptWitness!;
  expect(witness).toHaveLength(1);
  expect(toHex(witness[0]!)).toBe(signature);
  const script = p2tr(fromHex(k.groupKey), undefined, TEST_NETWORK).script;
  expect(schnorr.verify(witness[0]!, tx.preimageWitnessV1(0, [script], 0, [50_000n]), outputKey)).toBe(true);
}

describe('FROST 2-of-3 through the coordinator', () => {
  let coordinator: Coordinator;
  let store: SqlStore;
  let url: string;
  beforeAll(async () => {
    ({ coordinator, store, url } = await memoryCoordinator());
  });
  afterAll(async () => {
    await coordinator.close();
    await store.close().catch(() => {});
  });

  it('two devices and a software party make one key set; any two sign', async () => {
    const signers: Cosigner[] = [new TapAppCosigner(tapDevice().client, 'device 0'), new TapAppCosigner(tapDevice({ seed: SEEDS.abandon }).client, 'device 1'), softwareCosigner(2)];
    const homes = [0, 1, 2].map((i) => tempDir(`frost-${i}`));
    const { party: p0, invites } = await CosignParty.start(url, 3, PATH, { home: homes[0] }, { scheme: 'frost', threshold: 2 });
    const joined = await Promise.all(invites.map((inv, i) => CosignParty.join(url, inv, PATH, { home: homes[i + 1] })));
    const parties = [p0, ...joined];
    const keySets = await Promise.all(parties.map((p, i) => frostKeyGen(p, signers[i]!)));
    for (const k of keySets) expect(k).toEqual(keySets[0]);
    expect(keySets[0]).toMatchObject({ scheme: 'frost', threshold: 2, parties: 3 });
    expect(keySets[0]!.address).toMatch(/^tb1p/);

    // Spend 1 by parties 0 and 2 (party 1 sits out); spend 2 by parties 0 and 1, from state on disk.
    const one = await Promise.all([frostSign(p0, signers[0]!, frostSpendPsbt(keySets[0]!, 1), [0, 2]), frostSign(parties[2]!, signers[2]!)]);
    expectFrostSpend(keySets[0]!, one[0].psbt!, one[0].signature);
    expect(one[1].signature).toBe(one[0].signature);
    const reloaded = await Promise.all([0, 1].map((i) => CosignParty.load(url, p0.session, { home: homes[i] })));
    const two = await Promise.all([frostSign(reloaded[0]!, signers[0]!, frostSpendPsbt(keySets[0]!, 2), [0, 1]), frostSign(reloaded[1]!, signers[1]!)]);
    expectFrostSpend(keySets[0]!, two[0].psbt!, two[0].signature);
    expect(two[0].round).toBe(2);
    expect(two[1].round).toBe(2);

    // One signer is not a threshold.
    await expect(frostSign(reloaded[0]!, signers[0]!, frostSpendPsbt(keySets[0]!, 3), [0])).rejects.toMatchObject({ name: 'CosignError' });
  });
});
