// Shared by the coordinator tests: a coordinator on an in-memory PGlite, spend PSBTs of a session's
// policy, and the independent check of a signed PSBT (scure computes the BIP-341 sighash of the
// finalized transaction, noble verifies the witness signature against the output key).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { mnemonicToSeedSync } from '@scure/bip39';
import { base64 } from '@scure/base';
import { p2tr, TEST_NETWORK, Transaction, utils as btcUtils } from '@scure/btc-signer';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { expect } from 'vitest';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { EXAMPLE_SPEND, exampleMusigSpend } from '../../host/musig2/example-spend.ts';
import { Coordinator, hpkeKeyPair, SoftwareCosigner, type FrostKeySetResult, type PolicyResult } from '../../coordinator/index.ts';
import { openPglite } from '../../coordinator/store/pglite.ts';
import type { SqlStore } from '../../coordinator/store/sql.ts';
import type { Limits } from '../../coordinator/wire.ts';

export const PATH = "m/48'/1'/0'/2'";
export const MNEMONICS = [
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
  'legal winner thank year wave sausage worth useful legal winner thank yellow',
  'letter advice cage absurd amount doctor acoustic avoid letter advice cage above',
] as const;

export const softwareCosigner = (i: number) => new SoftwareCosigner(mnemonicToSeedSync(MNEMONICS[i]!), `software ${i}`);

export const tempDir = (tag: string) => mkdtempSync(join(tmpdir(), `taproot-hw-${tag}-`));

export async function memoryCoordinator(limits: Partial<Limits> = {}, store?: SqlStore): Promise<{ coordinator: Coordinator; url: string; store: SqlStore }> {
  const s = store ?? (await openPglite(undefined));
  const coordinator = await Coordinator.open({ store: s, key: hpkeKeyPair(), limits });
  const { url } = await coordinator.listen('127.0.0.1', 0);
  return { coordinator, url, store: s };
}

/** The demo's spend (host/musig2/example-spend.ts) of the session's policy, as PSBT bytes. */
export function spendPsbt(p: Pick<PolicyResult, 'policy' | 'keys'>): Uint8Array {
  return exampleMusigSpend(p.policy, p.keys).tx.toPSBT();
}

/** The signed PSBT is final and its key-path signature verifies for the policy's output key. */
export function expectSignedSpend(p: Pick<PolicyResult, 'policy' | 'keys'>, signedPsbt: string, signature: string): void {
  const tx = Transaction.fromPSBT(base64.decode(signedPsbt));
  expect(tx.isFinal).toBe(true);
  const out = policyOutput(parsePolicy(p.policy, p.keys), false, 0);
  const witness = tx.getInput(0).finalScriptWitness!;
  expect(witness).toHaveLength(1);
  expect(Buffer.from(witness[0]!).toString('hex')).toBe(signature);
  const sighash = tx.preimageWitnessV1(0, [out.scriptPubKey], 0, [EXAMPLE_SPEND.amount]);
  expect(schnorr.verify(witness[0]!, sighash, out.scriptPubKey.slice(2))).toBe(true);
}

/** A PSBT spending 50,000 sat from the key set's BIP-86 output (the first input, the only one). */
export function frostSpendPsbt(k: Pick<FrostKeySetResult, 'groupKey'>, tag: number): Uint8Array {
  const out = p2tr(fromHex(k.groupKey), undefined, TEST_NETWORK);
  const tx = new Transaction({ version: 2 });
  tx.addInput({ txid: new Uint8Array(32).fill(tag), index: 0, witnessUtxo: { script: out.script, amount: EXAMPLE_SPEND.amount }, tapInternalKey: fromHex(k.groupKey) });
  tx.addOutputAddress(EXAMPLE_SPEND.to, EXAMPLE_SPEND.sent, TEST_NETWORK);
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
  expect(schnorr.verify(witness[0]!, tx.preimageWitnessV1(0, [script], 0, [EXAMPLE_SPEND.amount]), outputKey)).toBe(true);
}
