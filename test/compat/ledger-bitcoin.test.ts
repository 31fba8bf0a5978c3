// ledger-bitcoin (npm, Ledger's own JS client for app-bitcoin-new), unchanged, against our emulator
// over its Speculos APDU TCP port through Ledger's unchanged hw-transport-node-speculos. Results
// are checked against the Speculos corpus and signatures verified with @scure/btc-signer.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { p2tr, SigHash, Transaction } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { HARDENED } from '../../apdu/path.ts';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { NETWORKS } from '../../bitcoin/networks.ts';
import { parseRawPsbt, serializeRawPsbt, toPsbtV2 } from '../../bitcoin/psbtv2.ts';
import { createEmulator, type Emulator } from '../../emulator/index.ts';

const require = createRequire(import.meta.url);
const { AppClient, WalletPolicy, DefaultWalletPolicy } = require('ledger-bitcoin');
const SpeculosTransport = require('@ledgerhq/hw-transport-node-speculos').default;

const corpus = (flow: string) =>
  JSON.parse(readFileSync(new URL(`../vectors/speculos-corpus/nanosp/${flow}.json`, import.meta.url), 'utf8'));

const DEVICE_MNEMONIC = corpus('app-version-and-fingerprint').seed as string;

let emulator: Emulator;
let transport: { close(): Promise<void> };
let client: InstanceType<typeof AppClient>;

beforeAll(async () => {
  // Nobody is at the buttons in this test: the device approves its reviews itself.
  emulator = await createEmulator({ apiPort: 0, apduPort: 0, autoApprove: true });
  transport = await SpeculosTransport.open({ apduPort: emulator.apduPort });
  client = new AppClient(transport);
});

afterAll(async () => {
  await transport?.close();
  await emulator?.close();
});

describe('ledger-bitcoin 0.3.0 against the emulator over Speculos TCP', () => {
  it('getMasterFingerprint', async () => {
    expect(await client.getMasterFingerprint()).toBe('f5acc2fd');
  });

  it('getExtendedPubkey for the standard paths of the corpus', async () => {
    const flow = corpus('xpub-standard-silent');
    for (const [path, xpub] of Object.entries(flow.results.xpubs as Record<string, string>))
      expect(await client.getExtendedPubkey(path, false)).toBe(xpub);
  });

  it('registerWallet and getWalletAddress for a 2-of-2 wsh multisig', async () => {
    const flow = corpus('policy-wsh-sortedmulti-2of2');
    const policy = new WalletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, flow.inputs.keys_info);
    const [id, hmac] = await client.registerWallet(policy);
    expect(toHex(id)).toBe(flow.results.wallet_id);
    expect(toHex(hmac)).toBe(flow.results.hmac);
    expect(await client.getWalletAddress(policy, hmac, 0, 0, false)).toBe(flow.results.addresses['0/0']);
    expect(await client.getWalletAddress(policy, hmac, 1, 1, false)).toBe(flow.results.addresses['1/1']);
  });

  it('signPsbt: single-key taproot (BIP-86) key path, signature verifies (BIP-340)', async () => {
    const flow = corpus('sign-psbt-taproot-keypath');
    const policy = new DefaultWalletPolicy('tr(@0/**)', flow.inputs.wallet_policy.keys_info[0]);
    const v2 = Buffer.from(flow.inputs.psbt_v2_base64_sent, 'base64');
    const results = await client.signPsbt(v2, policy, null);
    expect(results).toHaveLength(1);
    const [index, partial] = results[0];
    expect(index).toBe(0);

    const tx = Transaction.fromPSBT(Buffer.from(flow.inputs.psbt_base64, 'base64'));
    const spent = flow.inputs.spent_utxos as { amount: number; script: string }[];
    const sighash = tx.preimageWitnessV1(0, spent.map((u) => fromHex(u.script)), SigHash.DEFAULT, spent.map((u) => BigInt(u.amount)));
    const outputKey = fromHex(spent[0]!.script).subarray(2);
    expect(toHex(partial.pubkey)).toBe(toHex(outputKey));
    expect(schnorr.verify(new Uint8Array(partial.signature), sighash, outputKey)).toBe(true);
  });

  it('signPsbt: the device key of a registered 2-of-2 wsh multisig, signature verifies (ECDSA)', async () => {
    const flow = corpus('policy-wsh-sortedmulti-2of2');
    const keys = flow.inputs.keys_info as string[];
    const policy = new WalletPolicy(flow.inputs.wallet_name, flow.inputs.descriptor_template, keys);
    const [, hmac] = await client.registerWallet(policy);

    // Spend 100 000 sat received at the policy's first address; 90 000 to a taproot output.
    const out = policyOutput(parsePolicy(flow.inputs.descriptor_template, keys), false, 0, 'testnet');
    expect(out.address).toBe(flow.results.addresses['0/0']);
    const device = HDKey.fromMasterSeed(mnemonicToSeedSync(DEVICE_MNEMONIC));
    const cosigner = HDKey.fromMasterSeed(mnemonicToSeedSync(flow.inputs.cosigner_seeds.cosigner1));
    const path = [48 + HARDENED, 1 + HARDENED, HARDENED, 2 + HARDENED, 0, 0];
    const tx = new Transaction();
    tx.addInput({
      txid: fromHex('11'.repeat(32)),
      index: 0,
      witnessUtxo: { script: out.scriptPubKey, amount: 100_000n },
      witnessScript: out.witnessScript!,
      bip32Derivation: [
        [device.derive("m/48'/1'/0'/2'/0/0").publicKey!, { fingerprint: device.fingerprint, path }],
        [cosigner.derive("m/48'/1'/0'/2'/0/0").publicKey!, { fingerprint: cosigner.fingerprint, path }],
      ],
    });
    const payTo = p2tr(schnorr.getPublicKey(fromHex('22'.repeat(32))), undefined, NETWORKS.testnet);
    tx.addOutput({ script: payTo.script, amount: 90_000n });
    const v2 = serializeRawPsbt(toPsbtV2(parseRawPsbt(tx.toPSBT(0))));

    const results = await client.signPsbt(Buffer.from(v2), policy, hmac);
    expect(results).toHaveLength(1);
    const [index, partial] = results[0];
    expect(index).toBe(0);
    const devicePub = device.derive("m/48'/1'/0'/2'/0/0").publicKey!;
    expect(toHex(partial.pubkey)).toBe(toHex(devicePub));
    const signature = new Uint8Array(partial.signature);
    expect(signature.at(-1)).toBe(SigHash.ALL);
    const sighash = tx.preimageWitnessV0(0, out.witnessScript!, SigHash.ALL, 100_000n);
    expect(secp256k1.verify(signature.subarray(0, -1), sighash, devicePub, { prehash: false, format: 'der' })).toBe(true);
  });
});
