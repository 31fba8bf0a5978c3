// The Ledger Bitcoin app protocol, one suite for every backend present: our emulator in-process,
// over TCP and over HTTP, real Speculos with a Bitcoin app ELF (SPECULOS_APP_ELF), a USB device
// (LEDGER_HID=1). Expected values come from the Speculos corpus (default seed), so a backend
// passes only if it behaves like the real app.

import { readFileSync } from 'node:fs';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SigHash, Transaction } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, encodeVarint, fromHex, toHex, utf8 } from '../../apdu/bytes.ts';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { musigContexts } from '../../bitcoin/musig/context.ts';
import { walletPolicy } from '../../bitcoin/wallet-policy.ts';
import { backendsFromEnv, type Backend } from '../../harness/index.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { BitcoinAppMusigSigner, SoftwareSigner, runMusigSession } from '../../host/musig2/index.ts';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';

const corpus = (flow: string) =>
  JSON.parse(readFileSync(new URL(`../vectors/speculos-corpus/nanosp/${flow}.json`, import.meta.url), 'utf8'));

/** Speculos's deterministic randomness, as the corpus was recorded with. */
const RNG = 42;

function messageDigest(message: Uint8Array): Uint8Array {
  const prefix = utf8.encode('\x18Bitcoin Signed Message:\n');
  return sha256(sha256(concat(prefix, encodeVarint(message.length), message)));
}

for (const candidate of backendsFromEnv()) {
  if (!candidate.apps.includes('bitcoin-test')) continue;
  if (!candidate.available) console.log(`conformance: skipping ${candidate.label}: ${candidate.reason}`);

  describe.skipIf(!candidate.available)(`Bitcoin app conformance on ${candidate.label}`, () => {
    let backend: Backend;
    let client: BitcoinAppClient;

    beforeAll(async () => {
      backend = await candidate.create({ app: 'bitcoin-test', deterministicRng: RNG });
      client = new BitcoinAppClient(backend.transport);
    });
    afterAll(async () => {
      await backend?.close();
    });

    /** Runs a command that needs a review while the backend walks the screens to approval. */
    async function approved<T>(call: Promise<T>): Promise<T> {
      const [result] = await Promise.all([call, backend.approve({ timeoutMs: 20_000 })]);
      return result;
    }

    it('GET_APP_AND_VERSION and GET_MASTER_FINGERPRINT', async () => {
      expect(await client.getAppAndVersion()).toMatchObject({ name: 'Bitcoin Test', version: '2.4.6' });
      expect(toHex(await client.getMasterFingerprint())).toBe('f5acc2fd');
    });

    it('xpubs on standard paths come back without review', async () => {
      const flow = corpus('xpub-standard-silent');
      for (const [path, xpub] of Object.entries(flow.results.xpubs as Record<string, string>))
        expect(await client.getExtendedPubkey(path, { display: false })).toBe(xpub);
    });

    it('a non-standard path without display is refused (6a82)', async () => {
      await expect(client.getExtendedPubkey("m/1017'/1'/212'/0/0")).rejects.toMatchObject({ statusCode: 0x6a82 });
      await expect(client.getExtendedPubkey("m/86'/1'/101'")).rejects.toMatchObject({ statusCode: 0x6a82 });
    });

    it('a Taproot Assets script key (m/1017\'/1\'/212\'/0/0) after the person approves it on screen', async () => {
      const flow = corpus('xpub-display-approve-1017h-1h-212h-0-0');
      const xpub = await approved(client.getExtendedPubkey("m/1017'/1'/212'/0/0", { display: true }));
      expect(xpub).toBe(flow.results.xpub);
    });

    it('a rejected review is a UserRefusedError (6985)', async () => {
      const refused = expect(client.getExtendedPubkey("m/86'/1'/101'", { display: true })).rejects.toMatchObject({
        code: 'E_USER_REFUSED',
        statusCode: 0x6985,
      });
      await backend.reject({ timeoutMs: 20_000 });
      await refused;
    });

    it('registers a 2-of-2 wsh multisig: the id and HMAC equal the real device\'s; addresses match', async () => {
      const flow = corpus('policy-wsh-sortedmulti-2of2');
      const policy = walletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, flow.inputs.keys_info);
      const { id, hmac, address } = await approved(client.registerWallet(policy));
      expect(toHex(id)).toBe(flow.results.wallet_id);
      expect(toHex(hmac)).toBe(flow.results.hmac);
      expect(address).toBe(flow.results.addresses['0/0']);
      expect(await client.getWalletAddress(policy, hmac, true, 1)).toBe(flow.results.addresses['1/1']);
    });

    it('registers tr(musig(@0,@1)/**) and derives its addresses', async () => {
      const flow = corpus('policy-tr-musig-2of2');
      const policy = walletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, flow.inputs.keys_info);
      const { id, hmac } = await approved(client.registerWallet(policy));
      expect(toHex(id)).toBe(flow.results.wallet_id);
      expect(toHex(hmac)).toBe(flow.results.hmac);
      expect(await client.getWalletAddress(policy, hmac, false, 1)).toBe(flow.results.addresses['0/1']);
    });

    it('GET_WALLET_ADDRESS with display: the address shown on screen is approved and returned', async () => {
      const flow = corpus('policy-wsh-sortedmulti-2of2');
      const policy = walletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, flow.inputs.keys_info);
      const address = await approved(client.getWalletAddress(policy, fromHex(flow.results.hmac), false, 0, { display: true }));
      expect(address).toBe(flow.results.addresses['0/0']);
    });

    it('GET_WALLET_ADDRESS with display, cancelled on screen, is a UserRefusedError (6985)', async () => {
      const flow = corpus('policy-wsh-sortedmulti-2of2');
      const policy = walletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, flow.inputs.keys_info);
      const refused = expect(client.getWalletAddress(policy, fromHex(flow.results.hmac), true, 0, { display: true })).rejects.toMatchObject({
        code: 'E_USER_REFUSED',
        statusCode: 0x6985,
      });
      await backend.reject({ timeoutMs: 20_000 });
      await refused;
    });

    it('an unregistered policy with a fake HMAC is refused (b008)', async () => {
      const flow = corpus('policy-wsh-sortedmulti-2of2');
      const policy = walletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, flow.inputs.keys_info);
      await expect(client.getWalletAddress(policy, new Uint8Array(32).fill(0x42), false, 0)).rejects.toMatchObject({ statusCode: 0xb008 });
    });

    it('SIGN_MESSAGE: the ECDSA signature equals the real device\'s and verifies', async () => {
      const flow = corpus('sign-message-44h');
      const signed = await approved(client.signMessage(flow.inputs.message, flow.inputs.path));
      expect(signed.base64).toBe(flow.results.signature_base64);
      const compact = concat(signed.r, signed.s);
      expect(secp256k1.verify(compact, messageDigest(utf8.encode(flow.inputs.message)), fromHex(flow.results.pubkey), { prehash: false })).toBe(true);
    });

    // Equality with the recorded signature is the corpus replay's business (test/corpus): here earlier
    // commands have already drawn from the device's random stream, on Speculos as on ours.
    it('SIGN_PSBT, BIP-86 key path: the Schnorr signature verifies against the output key', async () => {
      const flow = corpus('sign-psbt-taproot-keypath');
      const policy = walletPolicy('', 'tr(@0/**)', flow.inputs.wallet_policy.keys_info);
      const results = await approved(client.signPsbt(flow.inputs.psbt_base64, policy, null));
      expect(results).toHaveLength(1);
      const [sig] = results;
      expect(sig).toMatchObject({ type: 'partialSignature', inputIndex: 0 });
      const spent = flow.inputs.spent_utxos as { amount: number; script: string }[];
      const tx = Transaction.fromPSBT(Buffer.from(flow.inputs.psbt_base64, 'base64'));
      const sighash = tx.preimageWitnessV1(0, spent.map((u) => fromHex(u.script)), SigHash.DEFAULT, spent.map((u) => BigInt(u.amount)));
      if (sig?.type !== 'partialSignature') throw new Error('expected a signature');
      expect(schnorr.verify(sig.signature, sighash, fromHex(spent[0]!.script).subarray(2))).toBe(true);
    });

    it('SIGN_PSBT rejected on screen is a UserRefusedError (6985)', async () => {
      const flow = corpus('sign-psbt-taproot-keypath');
      const policy = walletPolicy('', 'tr(@0/**)', flow.inputs.wallet_policy.keys_info);
      const refused = expect(client.signPsbt(flow.inputs.psbt_base64, policy, null)).rejects.toMatchObject({ code: 'E_USER_REFUSED', statusCode: 0x6985 });
      await backend.reject({ timeoutMs: 20_000 });
      await refused;
    });

    it('MuSig2 tr(musig(@0,@1)/**): rounds 1 and 2 through SIGN_PSBT with a software cosigner; the aggregate signature verifies', async () => {
      const flow = corpus('sign-psbt-musig2-2of2');
      const { keys_info: keys, descriptor_template: template, name } = flow.inputs.wallet_policy;
      const policy = walletPolicy(name, template, keys);
      const spent = Transaction.fromPSBT(Buffer.from(flow.inputs.psbt_round1_base64, 'base64')).getInput(0).witnessUtxo!;
      const out = policyOutput(parsePolicy(template, keys), false, 0, 'testnet');
      expect(toHex(out.scriptPubKey)).toBe(toHex(spent.script));
      const sighash = Transaction.fromPSBT(Buffer.from(flow.inputs.psbt_round1_base64, 'base64')).preimageWitnessV1(0, [spent.script], SigHash.DEFAULT, [spent.amount]);
      expect(toHex(sighash)).toBe(flow.results.sighash);
      // Round 1 yields the device's pubnonce without a review; round 2 is reviewed and approved.
      let round = 0;
      const reviewing = Object.assign(Object.create(client) as BitcoinAppClient, {
        signPsbt: (...args: Parameters<BitcoinAppClient['signPsbt']>) => (++round === 1 ? client.signPsbt(...args) : approved(client.signPsbt(...args))),
      });
      const device = new BitcoinAppMusigSigner(reviewing, fromHex(flow.inputs.device_participant_pubkey), {
        psbt: flow.inputs.psbt_round1_base64,
        policy,
        hmac: fromHex(flow.inputs.hmac),
        inputIndex: 0,
      });
      const cosignerKey = HDKey.fromMasterSeed(mnemonicToSeedSync(flow.inputs.cosigner_seed)).derive(flow.inputs.cosigner_key_path);
      const cosigner = new SoftwareSigner(cosignerKey.privateKey!, 'cosigner');
      const r = await runMusigSession(musigContexts(out)[0]!, sighash, [cosigner, device]);
      expect(round).toBe(2);
      expect(schnorr.verify(r.signature, sighash, spent.script.subarray(2))).toBe(true);
    });

    it('SIGN_PSBT, wpkh with change: the ECDSA signature equals the real device\'s', async () => {
      const flow = corpus('sign-psbt-wpkh');
      const policy = walletPolicy('', 'wpkh(@0/**)', flow.inputs.wallet_policy.keys_info);
      const results = await approved(client.signPsbt(flow.inputs.psbt_base64, policy, null));
      const sig = results[0];
      if (sig?.type !== 'partialSignature') throw new Error('expected a signature');
      expect(toHex(sig.signature)).toBe(flow.results.yields[0].signature);
    });
  });
}
