// The model of Speculos's random stream (emulator/speculos-rng.ts) against real Speculos: the same
// command sequence, different from every corpus flow, runs on Speculos `--deterministic-rng 42` and
// on the emulator with deterministicRng 42, both from power-on, and each randomized result (BIP-340
// signatures, MuSig2 pubnonces) must be byte-identical. The preamble moves the stream through every
// rule of the model (master key identifier, hardened and unhardened derivations, CKDpub and taproot
// tweaks, ECDSA blinding, Schnorr signing), so a wrong rule shows up as a different nonce. Runs only
// when SPECULOS_APP_ELF names a Bitcoin Test 2.4.6 ELF (SPECULOS_MODEL nanosp or flex).

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import { walletPolicy } from '../../bitcoin/wallet-policy.ts';
import { backendsFromEnv, type Backend, type BackendCandidate } from '../../harness/index.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';

const RNG = 42;
const corpus = (flow: string) =>
  JSON.parse(readFileSync(new URL(`../vectors/speculos-corpus/nanosp/${flow}.json`, import.meta.url), 'utf8'));

const candidates = backendsFromEnv();
const speculos = candidates.find((c) => c.kind === 'speculos')!;
const emulator = candidates.find((c) => c.kind === 'emulator' && c.model === speculos.model);
const reason = !speculos.available
  ? speculos.reason
  : emulator === undefined
    ? `no in-process emulator for model ${speculos.model}`
    : undefined;
if (reason) console.log(`speculos-rng: skipping the comparison with real Speculos: ${reason}`);

/** One run of the sequence: every randomized or stream-dependent result, as hex, in order. */
async function runSequence(candidate: BackendCandidate): Promise<string[]> {
  const backend: Backend = await candidate.create({ app: 'bitcoin-test', deterministicRng: RNG });
  try {
    const client = new BitcoinAppClient(backend.transport);
    const approved = async <T>(call: Promise<T>): Promise<T> => (await Promise.all([call, backend.approve({ timeoutMs: 30_000 })]))[0];
    const out: string[] = [];
    const taproot = corpus('sign-psbt-taproot-keypath');
    const trPolicy = walletPolicy('', 'tr(@0/**)', taproot.inputs.wallet_policy.keys_info);
    const signTaproot = async (): Promise<void> => {
      for (const r of await approved(client.signPsbt(taproot.inputs.psbt_base64, trPolicy, null)))
        if (r.type === 'partialSignature') out.push(`taproot ${toHex(r.signature)}`);
    };
    // master key identifier; depth-1 path (identifier again); unhardened steps below an account
    out.push(toHex(await client.getMasterFingerprint()));
    out.push(await approved(client.getExtendedPubkey("m/45'", { display: true })));
    out.push(await client.getExtendedPubkey("m/86'/1'/0'/1/7"));
    // standard-policy check, CKDpub twice and the taproot tweak
    out.push(await client.getWalletAddress(trPolicy, null, true, 3));
    await signTaproot();
    // ECDSA: RFC 6979 nonce, but k·G and the inversion blinding draw from the stream
    const message = corpus('sign-message-44h');
    out.push((await approved(client.signMessage('stream position check', message.inputs.path))).base64);
    await signTaproot();
    // MuSig2 round 1 of the corpus PSBT: key aggregation, tweaks, rand_root and the pubnonce
    const musig = corpus('sign-psbt-musig2-2of2');
    const { name, descriptor_template, keys_info } = musig.inputs.wallet_policy;
    const policy = walletPolicy(name, descriptor_template, keys_info);
    const { hmac } = await approved(client.registerWallet(policy));
    for (const r of await client.signPsbt(musig.inputs.psbt_round1_base64, policy, hmac))
      if (r.type === 'musigPubNonce') out.push(`pubnonce ${toHex(r.pubnonce)}`);
    return out;
  } finally {
    await backend.close();
  }
}

describe.skipIf(reason !== undefined)(`Speculos random stream model against ${speculos.label}`, () => {
  let real: string[];
  let ours: string[];
  beforeAll(async () => {
    real = await runSequence(speculos);
    ours = await runSequence(emulator!);
  }, 600_000);

  it('every randomized result equals real Speculos after the same commands', () => {
    expect(real.filter((r) => r.startsWith('taproot '))).toHaveLength(2);
    expect(real.filter((r) => r.startsWith('pubnonce '))).toHaveLength(1);
    expect(ours).toEqual(real);
  });

  it('the sequence really moved the stream: the signatures differ from the corpus recording', () => {
    const recorded = corpus('sign-psbt-taproot-keypath').results;
    for (const r of real.filter((x) => x.startsWith('taproot '))) expect(JSON.stringify(recorded)).not.toContain(r.slice(8));
  });
});
