// @ledgerhq/hw-app-btc (Ledger's Bitcoin client used by Ledger Live; its BtcNew implementation speaks
// the app-bitcoin-new protocol), unchanged, against our emulator over its Speculos APDU TCP port
// through Ledger's unchanged hw-transport-node-speculos. Every result is checked independently: keys
// and addresses derived with @scure/bip32 and @scure/btc-signer, signatures verified with
// @noble/curves over sighashes computed by @scure/btc-signer.

import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { p2pkh, p2tr, p2wpkh, RawTx, SigHash, TEST_NETWORK, Transaction } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../apdu/bytes.ts';
import { serializeRawPsbt, toPsbtV2 } from '../../bitcoin/psbtv2.ts';
import { createEmulator, SPECULOS_DEFAULT_MNEMONIC, type Emulator } from '../../emulator/index.ts';

const require = createRequire(import.meta.url);
const Btc = require('@ledgerhq/hw-app-btc').default;
const SpeculosTransport = require('@ledgerhq/hw-transport-node-speculos').default;

const master = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_DEFAULT_MNEMONIC));
const TPUB = 0x043587cf;
const FINGERPRINT = 0xf5acc2fd;
const ACCOUNT = "m/84'/1'/0'";
const key = (path: string) => master.derive(path);
const wpkh = (path: string) => p2wpkh(key(path).publicKey!, TEST_NETWORK);

let emulator: Emulator;
let transport: { close(): Promise<void> };
let btc: any;

beforeAll(async () => {
  // Nobody is at the buttons in this test: the device approves its reviews itself.
  emulator = await createEmulator({ apiPort: 0, apduPort: 0, autoApprove: true });
  transport = await SpeculosTransport.open({ apduPort: emulator.apduPort });
  btc = new Btc({ transport, currency: 'bitcoin_testnet' });
});

afterAll(async () => {
  await transport?.close();
  await emulator?.close();
});

/** A previous transaction paying `amount` to `script` at output 0 (its input is never checked). */
function fundingTx(script: Uint8Array, amount: bigint): Uint8Array {
  return RawTx.encode({
    version: 2,
    segwitFlag: false,
    inputs: [{ txid: new Uint8Array(32).fill(7), index: 1, finalScriptSig: new Uint8Array(), sequence: 0xffffffff }],
    outputs: [{ amount, script }],
    witnesses: [],
    lockTime: 0,
  });
}

const txid = (raw: Uint8Array) => sha256(sha256(raw)).reverse();

/** BIP-143 check of a P2WPKH input's witness [DER sig || sighash type, pubkey]. */
function verifyP2wpkhInput(tx: Transaction, index: number, path: string, amount: bigint): void {
  const witness = tx.getInput(index).finalScriptWitness!;
  expect(toHex(witness[1]!)).toBe(toHex(key(path).publicKey!));
  const sig = witness[0]!;
  expect(sig.at(-1)).toBe(SigHash.ALL);
  const hash = tx.preimageWitnessV0(index, p2pkh(key(path).publicKey!).script, SigHash.ALL, amount);
  expect(secp256k1.verify(sig.subarray(0, -1), hash, key(path).publicKey!, { prehash: false, format: 'der' })).toBe(true);
}

describe('@ledgerhq/hw-app-btc 11 (BtcNew) against the emulator over Speculos TCP', () => {
  it('picks its BtcNew implementation for the emulated Bitcoin Test app', async () => {
    expect((await btc.changeImplIfNecessary()).constructor.name).toBe('BtcNew');
  });

  it('getWalletXpub', async () => {
    for (const path of [ACCOUNT, "m/86'/1'/0'", "m/44'/1'/2'"]) {
      const k = key(path);
      const expected = new HDKey({ versions: { private: 0, public: TPUB }, depth: k.depth, index: k.index, parentFingerprint: k.parentFingerprint, chainCode: k.chainCode!, publicKey: k.publicKey! });
      expect(await btc.getWalletXpub({ path, xpubVersion: TPUB })).toBe(expected.publicExtendedKey);
    }
  });

  it('getWalletPublicKey: bech32 and bech32m addresses, without and with display', async () => {
    for (const verify of [false, true]) {
      const r = await btc.getWalletPublicKey("84'/1'/0'/0/3", { verify, format: 'bech32' });
      expect(r.bitcoinAddress).toBe(wpkh("m/84'/1'/0'/0/3").address);
      expect(r.publicKey).toBe(toHex(secp256k1.Point.fromBytes(key("m/84'/1'/0'/0/3").publicKey!).toBytes(false)));
      expect(r.chainCode).toBe(toHex(key("m/84'/1'/0'/0/3").chainCode!));
    }
    const tr = await btc.getWalletPublicKey("86'/1'/0'/1/5", { verify: true, format: 'bech32m' });
    const internal = key("m/86'/1'/0'/1/5").publicKey!.subarray(1);
    expect(tr.bitcoinAddress).toBe(p2tr(internal, undefined, TEST_NETWORK).address);
  });

  it('signMessage: a BIP-137 signature that recovers the key at the path', async () => {
    const message = 'hw-app-btc against taproot-hw';
    const sig = await btc.signMessage("44'/1'/0'/0/0", Buffer.from(message).toString('hex'));
    const text = new TextEncoder().encode(message);
    const digest = sha256(sha256(concat(new TextEncoder().encode('\x18Bitcoin Signed Message:\n'), Uint8Array.of(text.length), text)));
    const recovered = new secp256k1.Signature(BigInt(`0x${sig.r}`), BigInt(`0x${sig.s}`), sig.v).recoverPublicKey(digest);
    expect(toHex(recovered.toBytes(true))).toBe(toHex(key("m/44'/1'/0'/0/0").publicKey!));
  });

  it('signPsbtBuffer: a PSBT v2 spending a P2WPKH output, finalized, signature valid (BIP-143)', async () => {
    const path = "m/84'/1'/0'/0/1";
    const amount = 50_000n;
    const prev = fundingTx(wpkh(path).script, amount);
    const tx = new Transaction({ version: 2 });
    tx.addInput({
      txid: txid(prev),
      index: 0,
      witnessUtxo: { script: wpkh(path).script, amount },
      nonWitnessUtxo: prev,
      bip32Derivation: [[key(path).publicKey!, { fingerprint: FINGERPRINT, path: [84, 1, 0].map((i) => i + 0x80000000).concat([0, 1]) }]],
    });
    tx.addOutputAddress(wpkh("m/84'/1'/0'/1/0").address!, 49_000n, TEST_NETWORK);
    const v2 = serializeRawPsbt(toPsbtV2(tx.toPSBT(0)));
    const { tx: signedHex } = await btc.signPsbtBuffer(Buffer.from(v2), {
      accountPath: ACCOUNT,
      addressFormat: 'bech32',
      finalizePsbt: true,
      knownAddressDerivations: new Map(),
    });
    const signed = Transaction.fromRaw(fromHex(signedHex));
    expect(toHex(signed.getOutput(0).script!)).toBe(toHex(wpkh("m/84'/1'/0'/1/0").script));
    verifyP2wpkhInput(signed, 0, path, amount);
  });

  it('createPaymentTransaction: two P2WPKH inputs, one output, both signatures valid (BIP-143)', async () => {
    const paths = ["84'/1'/0'/0/4", "84'/1'/0'/0/5"];
    const amounts = [30_000n, 25_000n];
    const prevs = paths.map((p, i) => fundingTx(wpkh(`m/${p}`).script, amounts[i]!));
    const payTo = wpkh("m/84'/1'/0'/1/2").script;
    // The outputs as a transaction serializes them (count, then amount || script each): cut from a raw tx with no inputs.
    const outputScriptHex = toHex(RawTx.encode({ version: 2, segwitFlag: false, inputs: [], outputs: [{ amount: 54_000n, script: payTo }], witnesses: [], lockTime: 0 }).subarray(5, -4));
    const hex: string = await btc.createPaymentTransaction({
      inputs: prevs.map((p) => [btc.splitTransaction(toHex(p), true), 0, null, 0xfffffffd]),
      associatedKeysets: paths,
      outputScriptHex,
      segwit: true,
      additionals: ['bech32'],
    });
    const signed = Transaction.fromRaw(fromHex(hex));
    expect(signed.inputsLength).toBe(2);
    expect(toHex(signed.getOutput(0).script!)).toBe(toHex(payTo));
    expect(signed.getOutput(0).amount).toBe(54_000n);
    paths.forEach((p, i) => verifyP2wpkhInput(signed, i, `m/${p}`, amounts[i]!));
  });
});
