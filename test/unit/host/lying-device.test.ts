// A device (or anything between it and the host) that lies: the real emulated Bitcoin app behind a
// transport that rewrites its answers. Every rewritten signature, key or nonce must end in a typed
// error naming what failed, never in a result; the same flows without tampering must pass.

import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { OutScript, SigHash, Transaction } from '@scure/btc-signer';
import { hash160 } from '@scure/btc-signer/utils.js';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../../apdu/bytes.ts';
import { decodeCommand, decodeResponse, encodeResponse } from '../../../apdu/apdu.ts';
import { INS } from '../../../apdu/bitcoin-app/spec.ts';
import { decodeSignPsbtYield, encodeSignPsbtYield, type SignPsbtYield } from '../../../apdu/yields.ts';
import { decodeClientCommandRequest, encodeClientCommandRequest, SW_INTERRUPTED_EXECUTION } from '../../../apdu/interrupt.ts';
import { SW } from '../../../apdu/status.ts';
import { policyOutput } from '../../../bitcoin/descriptor/scripts.ts';
import { merkleizePsbt } from '../../../bitcoin/psbtv2.ts';
import { parsePolicy } from '../../../bitcoin/descriptor/template.ts';
import { parseKeyInfo } from '../../../bitcoin/key-info.ts';
import { musigContexts } from '../../../bitcoin/musig/context.ts';
import { walletPolicy, walletPolicyId, type WalletPolicy } from '../../../bitcoin/wallet-policy.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import type { Transport } from '../../../devices/transport.ts';
import { APPS } from '../../../emulator/apps/index.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { SPECULOS_DEFAULT_MNEMONIC } from '../../../emulator/seed.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import { BitcoinAppMusigSigner, runMusigSession, SoftwareSigner } from '../../../host/musig2/index.ts';

const TESTNET = { private: 0x04358394, public: 0x043587cf };
const deviceRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_DEFAULT_MNEMONIC), TESTNET);
const cosignerRoot = HDKey.fromMasterSeed(
  mnemonicToSeedSync('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'),
  TESTNET,
);
const keyInfo = (root: HDKey, path: string) => `[${root.fingerprint.toString(16).padStart(8, '0')}/${path}]${root.derive(`m/${path}`).publicExtendedKey}`;

/** `ins`: the command being answered (a client-command CONTINUE, CLA F8, keeps the command it continues). */
type Rewrite = (ins: number, response: Uint8Array) => Uint8Array;

const CLA_CONTINUE = 0xf8;

/** The transport in the middle: passes commands through, hands each answer to `rewrite`. */
class Tampering implements Transport {
  readonly kind = 'tampering';
  rewrite: Rewrite = (_, r) => r;
  exchanges = 0;
  private ins = 0;
  constructor(private readonly inner: Transport) {}
  get busy() {
    return this.inner.busy;
  }
  async exchange(apdu: Uint8Array): Promise<Uint8Array> {
    // A host without bounds would answer forever: stop it here so such a test fails instead of hanging.
    if (++this.exchanges > 200_000) throw new Error('tampering transport: the host never stopped answering');
    const cmd = decodeCommand(apdu);
    if (cmd.cla !== CLA_CONTINUE) this.ins = cmd.ins;
    return this.rewrite(this.ins, await this.inner.exchange(apdu));
  }
  close() {
    return this.inner.close();
  }
  onDisconnect(l: (reason?: Error) => void) {
    return this.inner.onDisconnect(l);
  }
}

/** Rewrites every SIGN_PSBT result the device yields through the client-command channel. */
function rewriteYields(change: (y: SignPsbtYield) => SignPsbtYield): Rewrite {
  return (_, response) => {
    const r = decodeResponse(response);
    if (r.statusWord !== SW_INTERRUPTED_EXECUTION) return response;
    const req = decodeClientCommandRequest(r.data);
    if (req.command !== 'YIELD') return response;
    const data = encodeClientCommandRequest({ command: 'YIELD', data: encodeSignPsbtYield(change(decodeSignPsbtYield(req.data))) });
    return encodeResponse({ data, statusWord: SW_INTERRUPTED_EXECUTION });
  };
}

const flipBit = (b: Uint8Array, at: number): Uint8Array => {
  const out = b.slice();
  const i = at < 0 ? out.length + at : at;
  out[i] = out[i]! ^ 0x01;
  return out;
};

let tampering: Tampering;
let client: BitcoinAppClient;
beforeEach(() => {
  const device = new EmulatedDevice({ model: 'nanosp', apps: { 'Bitcoin Test': APPS['bitcoin-test']!.create }, startApp: 'Bitcoin Test', autoApprove: true, statusTimeoutMs: 0 });
  tampering = new Tampering(new LoopbackTransport(device));
  client = new BitcoinAppClient(tampering);
});

const AT: { change: 0 | 1; index: number } = { change: 0, index: 3 };
const AMOUNT = 100_000n;

/**
 * A PSBT spending the policy's output at AT (for pkh through the whole previous transaction), with
 * every key's BIP-32 (or taproot) derivation, to one P2WPKH output.
 */
function psbtFor(policy: WalletPolicy): Transaction {
  const parsed = parsePolicy(policy.descriptorTemplate, policy.keys);
  const out = policyOutput(parsed, AT.change === 1, AT.index, 'testnet');
  const tx = new Transaction({ allowUnknownOutputs: true });
  const derivations = policy.keys.map((k) => {
    const info = parseKeyInfo(k);
    const pub = info.xpub.hd.deriveChild(AT.change).deriveChild(AT.index).publicKey!;
    return { pub, fingerprint: info.origin!.fingerprint, path: [...info.origin!.path, AT.change, AT.index] };
  });
  const input: Parameters<Transaction['addInput']>[0] = { txid: new Uint8Array(32).fill(7), index: 0 };
  if (policy.descriptorTemplate.startsWith('pkh(')) {
    const prev = new Transaction({ allowUnknownOutputs: true });
    prev.addInput({ txid: new Uint8Array(32).fill(1), index: 0 });
    prev.addOutput({ script: out.scriptPubKey, amount: AMOUNT });
    Object.assign(input, { txid: prev.id, nonWitnessUtxo: prev.toBytes(true, false) });
  } else input.witnessUtxo = { script: out.scriptPubKey, amount: AMOUNT };
  if (out.redeemScript) input.redeemScript = out.redeemScript;
  if (out.witnessScript) input.witnessScript = out.witnessScript;
  const tr = out.taproot;
  if (tr) {
    input.tapInternalKey = tr.internalKey;
    if (tr.tree) input.tapMerkleRoot = tr.tree.root;
    input.tapBip32Derivation = derivations.map((d) => {
      const x = d.pub.subarray(1);
      const hashes = tr.tree ? tr.tree.leaves.filter((_, i) => tr.leafKeys[i]!.some((k) => toHex(k.publicKey).endsWith(toHex(x)))).map((l) => l.leafHash) : [];
      return [x, { hashes, der: { fingerprint: d.fingerprint, path: d.path } }];
    });
  } else input.bip32Derivation = derivations.map((d) => [d.pub, { fingerprint: d.fingerprint, path: d.path }]);
  tx.addInput(input);
  tx.addOutput({ script: OutScript.encode({ type: 'wpkh', hash: hash160(cosignerRoot.derive("m/84'/1'/0'/0/0").publicKey!) }), amount: AMOUNT - 1_000n });
  return tx;
}

const CASES = [
  { name: 'legacy pkh (ECDSA, legacy digest)', template: 'pkh(@0/**)', keys: () => [keyInfo(deviceRoot, "44'/1'/0'")] },
  { name: 'wpkh (ECDSA, BIP-143)', template: 'wpkh(@0/**)', keys: () => [keyInfo(deviceRoot, "84'/1'/0'")] },
  { name: 'sh(wpkh) (ECDSA, BIP-143 behind a redeem script)', template: 'sh(wpkh(@0/**))', keys: () => [keyInfo(deviceRoot, "49'/1'/0'")] },
  { name: 'tr key path (Schnorr, tweaked key)', template: 'tr(@0/**)', keys: () => [keyInfo(deviceRoot, "86'/1'/0'")] },
  {
    name: 'tr script path (Schnorr, leaf)',
    template: 'tr(@0/**,pk(@1/**))',
    keys: () => [keyInfo(cosignerRoot, "86'/1'/0'"), keyInfo(deviceRoot, "86'/1'/0'")],
  },
] as const;

async function signWith(template: string, keys: string[]) {
  const policy = walletPolicy(keys.length > 1 ? 'Leaf' : '', template, keys);
  const hmac = keys.length > 1 ? (await client.registerWallet(policy)).hmac : null;
  return { policy, hmac, tx: psbtFor(policy) };
}

describe('SIGN_PSBT results are verified before they are returned', () => {
  it.each(CASES)('$name: an honest device passes, a flipped signature bit is DeviceSignatureError for input 0', async ({ template, keys }) => {
    const { policy, hmac, tx } = await signWith(template, keys());
    const honest = await client.signPsbt(tx, policy, hmac);
    expect(honest.map((y) => y.type)).toEqual(['partialSignature']);
    tampering.rewrite = rewriteYields((y) => (y.type === 'partialSignature' ? { ...y, signature: flipBit(y.signature, 10) } : y));
    await expect(client.signPsbt(tx, policy, hmac)).rejects.toMatchObject({
      code: 'E_DEVICE_SIGNATURE',
      inputIndex: 0,
      message: expect.stringMatching(/^SIGN_PSBT input 0: .*signature does not verify/),
    });
  });

  it('key path: a valid signature by the untweaked internal key is refused (wrong tweak)', async () => {
    const { policy, hmac, tx } = await signWith('tr(@0/**)', [keyInfo(deviceRoot, "86'/1'/0'")]);
    const internal = deviceRoot.derive(`m/86'/1'/0'/${AT.change}/${AT.index}`);
    const w = tx.getInput(0).witnessUtxo!;
    const sighash = tx.preimageWitnessV1(0, [w.script], SigHash.DEFAULT, [w.amount]);
    tampering.rewrite = rewriteYields((y) =>
      y.type === 'partialSignature' ? { ...y, pubkey: internal.publicKey!.subarray(1), signature: schnorr.sign(sighash, internal.privateKey!) } : y,
    );
    await expect(client.signPsbt(tx, policy, hmac)).rejects.toThrow(
      `SIGN_PSBT input 0: key path: expected the output key ${toHex(w.script.subarray(2))} (internal key tweaked with the policy's taptree), got ${toHex(internal.publicKey!.subarray(1))}`,
    );
  });

  it('ECDSA: a valid signature by another key of the same account is refused', async () => {
    const { policy, hmac, tx } = await signWith('wpkh(@0/**)', [keyInfo(deviceRoot, "84'/1'/0'")]);
    const other = deviceRoot.derive(`m/84'/1'/0'/0/${AT.index + 1}`);
    const scriptCode = OutScript.encode({ type: 'pkh', hash: hash160(other.publicKey!) });
    const sighash = tx.preimageWitnessV0(0, scriptCode, SigHash.ALL, AMOUNT);
    const der = secp256k1.sign(sighash, other.privateKey!, { prehash: false, format: 'der' });
    tampering.rewrite = rewriteYields((y) => (y.type === 'partialSignature' ? { ...y, pubkey: other.publicKey!, signature: concat(der, Uint8Array.of(SigHash.ALL)) } : y));
    await expect(client.signPsbt(tx, policy, hmac)).rejects.toThrow(`SIGN_PSBT input 0: key ${toHex(other.publicKey!)} is not among the input's BIP-32 derivations`);
  });

  it('script path: a signature for a leaf the policy does not have is refused', async () => {
    const { template, keys } = CASES[4];
    const { policy, hmac, tx } = await signWith(template, keys());
    const bogus = new Uint8Array(32).fill(0xab);
    tampering.rewrite = rewriteYields((y) => (y.type === 'partialSignature' ? { ...y, tapleafHash: bogus } : y));
    await expect(client.signPsbt(tx, policy, hmac)).rejects.toThrow(`SIGN_PSBT input 0: script path: leaf ${toHex(bogus)} is not a leaf of the policy's taptree`);
  });
});

describe('MuSig2 through SIGN_PSBT', () => {
  const flow = JSON.parse(readFileSync(new URL('../../vectors/speculos-corpus/nanosp/sign-psbt-musig2-2of2.json', import.meta.url), 'utf8'));
  const { keys_info: keys, descriptor_template: template, name } = flow.inputs.wallet_policy;
  const policy = walletPolicy(name, template, keys);
  const round1 = Transaction.fromPSBT(Buffer.from(flow.inputs.psbt_round1_base64, 'base64'));
  const spent = round1.getInput(0).witnessUtxo!;
  const sighash = round1.preimageWitnessV1(0, [spent.script], SigHash.DEFAULT, [spent.amount]);
  const ctx = musigContexts(policyOutput(parsePolicy(template, keys), false, 0, 'testnet'))[0]!;
  const cosigner = () => new SoftwareSigner(HDKey.fromMasterSeed(mnemonicToSeedSync(flow.inputs.cosigner_seed)).derive(flow.inputs.cosigner_key_path).privateKey!, 'cosigner');

  async function session() {
    const { hmac } = await client.registerWallet(policy);
    const device = new BitcoinAppMusigSigner(client, fromHex(flow.inputs.device_participant_pubkey), { psbt: round1, policy, hmac, inputIndex: 0 }, 'device');
    return runMusigSession(ctx, sighash, [cosigner(), device]);
  }

  it('an honest device completes the session', async () => {
    const r = await session();
    expect(schnorr.verify(r.signature, sighash, spent.script.subarray(2))).toBe(true);
  });

  it('a partial signature with a flipped bit fails PartialSigVerify in the client, naming input 0', async () => {
    tampering.rewrite = rewriteYields((y) => (y.type === 'musigPartialSignature' ? { ...y, partialSignature: flipBit(y.partialSignature, -1) } : y));
    const err = await session().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_MUSIG_SIGNER', round: 2, signer: 'device' });
    expect((err as Error).cause).toMatchObject({
      code: 'E_DEVICE_SIGNATURE',
      inputIndex: 0,
      message: expect.stringContaining('fails PartialSigVerify (BIP-327)'),
    });
  });

  it('a pubnonce that is not two points is refused in round 1', async () => {
    tampering.rewrite = rewriteYields((y) => (y.type === 'musigPubNonce' ? { ...y, pubnonce: concat(Uint8Array.of(0x02), new Uint8Array(32).fill(0xff), y.pubnonce.subarray(33)) } : y));
    const err = await session().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_MUSIG_SIGNER', round: 1 });
    expect((err as Error).cause).toMatchObject({ code: 'E_DEVICE_SIGNATURE', message: expect.stringContaining('is not two points on secp256k1') });
  });

  it('a result for an aggregate that is not the policy\'s is refused', async () => {
    const other = flipBit(ctx.aggregatePubkey, 5);
    tampering.rewrite = rewriteYields((y) => (y.type === 'musigPubNonce' ? { ...y, aggregatePubkey: other } : y));
    const err = await session().catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ code: 'E_DEVICE_SIGNATURE', message: expect.stringContaining(`MuSig2 aggregate ${toHex(other)}`) });
  });
});

/** Rewrites the final answer of one command (data || 9000). */
function rewriteAnswer(ins: number, change: (data: Uint8Array) => Uint8Array): Rewrite {
  return (answering, response) => {
    const r = decodeResponse(response);
    if (answering !== ins || r.statusWord !== SW.OK) return response;
    return encodeResponse({ data: change(r.data), statusWord: SW.OK });
  };
}

describe('SIGN_MESSAGE', () => {
  const PATH = "m/84'/1'/0'/0/3";

  it('an honest device passes; a signature that recovers another key is refused', async () => {
    expect(base64.decode((await client.signMessage('hello', PATH)).base64)).toHaveLength(65);
    tampering.rewrite = rewriteAnswer(INS.SIGN_MESSAGE, (d) => flipBit(d, 20));
    await expect(client.signMessage('hello', PATH)).rejects.toMatchObject({
      code: 'E_DEVICE_RESPONSE',
      message: expect.stringMatching(/^SIGN_MESSAGE m\/84'\/1'\/0'\/0\/3: the signature (is by [0-9a-f]{66}, expected the key at the path [0-9a-f]{66}|recovers no key)/),
    });
  });

  it('a valid signature by another key is refused, also when the caller gives the key', async () => {
    const other = deviceRoot.derive("m/84'/1'/0'/0/4");
    const mine = deviceRoot.derive(PATH).publicKey!;
    tampering.rewrite = rewriteAnswer(INS.SIGN_MESSAGE, (d) => {
      const prefix = new TextEncoder().encode('\x18Bitcoin Signed Message:\n');
      const digest = sha256d(concat(prefix, Uint8Array.of(5), new TextEncoder().encode('hello')));
      const sig = secp256k1.sign(digest, other.privateKey!, { prehash: false, format: 'recovered' });
      return concat(Uint8Array.of(31 + sig[0]!), sig.subarray(1));
    });
    await expect(client.signMessage('hello', PATH, { publicKey: mine })).rejects.toThrow(
      `SIGN_MESSAGE m/84'/1'/0'/0/3: the signature is by ${toHex(other.publicKey!)}, expected the key at the path ${toHex(mine)}; do not use it`,
    );
  });
});

const sha256d = (b: Uint8Array): Uint8Array => sha256(sha256(b));

describe('GET_WALLET_ADDRESS', () => {
  it("the policy's address at another index (a valid address of the same wallet) is refused", async () => {
    const policy = walletPolicy('', 'wpkh(@0/**)', [keyInfo(deviceRoot, "84'/1'/0'")]);
    const at5 = await client.getWalletAddress(policy, null, 0, 5);
    const at4 = await client.getWalletAddress(policy, null, 0, 4);
    tampering.rewrite = rewriteAnswer(INS.GET_WALLET_ADDRESS, () => new TextEncoder().encode(at5));
    await expect(client.getWalletAddress(policy, null, 0, 4)).rejects.toMatchObject({
      code: 'E_DEVICE_RESPONSE',
      message: `GET_WALLET_ADDRESS: the device shows ${at5}, the host derives ${at4}; do not use this address`,
    });
  });
});

describe('REGISTER_WALLET', () => {
  const leafPolicy = (name: string) => walletPolicy(name, 'tr(@0/**,pk(@1/**))', [keyInfo(cosignerRoot, "86'/1'/0'"), keyInfo(deviceRoot, "86'/1'/0'")]);

  it("a wallet id that is not the policy's is refused, although the HMAC would serve for addresses", async () => {
    const policy = leafPolicy('Leaf');
    const id = walletPolicyId(policy);
    expect(toHex((await client.registerWallet(policy)).id)).toBe(toHex(id));
    tampering.rewrite = rewriteAnswer(INS.REGISTER_WALLET, (d) => flipBit(d, 0));
    await expect(client.registerWallet(policy)).rejects.toThrow(`REGISTER_WALLET: expected wallet id ${toHex(id)}, got ${toHex(flipBit(id, 0))}`);
  });

  it('the registration of another policy (its own id and HMAC, replayed) is refused by its id, before its HMAC is used', async () => {
    const other = await client.registerWallet(leafPolicy('Other'));
    const policy = leafPolicy('Leaf');
    tampering.rewrite = rewriteAnswer(INS.REGISTER_WALLET, () => concat(other.id, other.hmac));
    await expect(client.registerWallet(policy)).rejects.toMatchObject({
      code: 'E_DEVICE_RESPONSE',
      message: `REGISTER_WALLET: expected wallet id ${toHex(walletPolicyId(policy))}, got ${toHex(other.id)}`,
    });
  });
});


describe('GET_EXTENDED_PUBKEY', () => {
  const xpubAnswer = (change: (hd: HDKey) => HDKey): Rewrite =>
    rewriteAnswer(INS.GET_EXTENDED_PUBKEY, (d) => new TextEncoder().encode(change(HDKey.fromExtendedKey(new TextDecoder().decode(d), TESTNET)).publicExtendedKey));
  const rebuild = (hd: HDKey, o: Partial<{ depth: number; index: number; parentFingerprint: number; versions: typeof TESTNET }>) =>
    new HDKey({ versions: TESTNET, depth: hd.depth, index: hd.index, parentFingerprint: hd.parentFingerprint, chainCode: hd.chainCode!, publicKey: hd.publicKey!, ...o });

  it("a depth-0 key for m/84'/1'/0' is refused", async () => {
    tampering.rewrite = xpubAnswer((hd) => rebuild(hd, { depth: 0, index: 0, parentFingerprint: 0 }));
    await expect(client.getExtendedPubkey("m/84'/1'/0'")).rejects.toThrow("GET_EXTENDED_PUBKEY m/84'/1'/0': expected depth 3, got 0; do not use this key");
  });

  it('a wrong child number is refused', async () => {
    tampering.rewrite = xpubAnswer((hd) => rebuild(hd, { index: hd.index + 1 }));
    await expect(client.getExtendedPubkey("m/84'/1'/0'")).rejects.toThrow(`expected child number ${0x80000000}, got ${0x80000001}`);
  });

  it('mainnet version bytes from the Bitcoin Test app are refused once the app is known', async () => {
    await client.assertBitcoinApp();
    tampering.rewrite = xpubAnswer((hd) => rebuild(hd, { versions: { private: 0x0488ade4, public: 0x0488b21e } }));
    await expect(client.getExtendedPubkey("m/84'/1'/0'")).rejects.toThrow("GET_EXTENDED_PUBKEY m/84'/1'/0': expected a tpub for the open app, got a xpub");
  });

  it('a depth-1 key whose parent fingerprint is not the master fingerprint is refused', async () => {
    expect(toHex(await client.getMasterFingerprint())).toBe('f5acc2fd');
    tampering.rewrite = xpubAnswer((hd) => rebuild(hd, { parentFingerprint: 0x01020304 }));
    await expect(client.getExtendedPubkey("m/45'", { display: true })).rejects.toThrow('expected parent fingerprint f5acc2fd, got 01020304');
  });

  it('a key below a fetched parent must be the one derived from it', async () => {
    await client.getExtendedPubkey("m/84'/1'/0'");
    const other = deviceRoot.derive("m/84'/1'/1'/0");
    tampering.rewrite = xpubAnswer((hd) => new HDKey({ versions: TESTNET, depth: hd.depth, index: hd.index, parentFingerprint: hd.parentFingerprint, chainCode: other.chainCode!, publicKey: other.publicKey! }));
    await expect(client.getExtendedPubkey("m/84'/1'/0'/0")).rejects.toThrow("expected the key derived from m/84'/1'/0', got another");
  });
});

describe('a device that never stops', () => {
  /** After the first real client command, answers every CONTINUE with `request` again. */
  const forever = (request: () => Uint8Array): Rewrite => {
    let started = false;
    return (_, response) => {
      if (!started && decodeResponse(response).statusWord !== SW_INTERRUPTED_EXECUTION) return response;
      started = true;
      return encodeResponse({ data: request(), statusWord: SW_INTERRUPTED_EXECUTION });
    };
  };

  it('asking client commands without end ends in a ClientCommandError after a bound derived from the request', async () => {
    const { policy, hmac, tx } = await signWith('wpkh(@0/**)', [keyInfo(deviceRoot, "84'/1'/0'")]);
    // A question the host can always answer: is this leaf in that tree (the inputs' root)?
    const root = merkleizePsbt(tx.toPSBT(0)).inputsTree.root;
    tampering.rewrite = forever(() => encodeClientCommandRequest({ command: 'GET_MERKLE_LEAF_INDEX', root, leafHash: new Uint8Array(32) }));
    const err = await client.signPsbt(tx, policy, hmac).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CLIENT_COMMAND', message: expect.stringMatching(/^device asked for more than \d+ client commands, more than this request can need/) });
    const bound = Number(/more than (\d+)/.exec((err as Error).message)![1]);
    expect(tampering.exchanges).toBeLessThan(bound + 100);
    expect(bound).toBeLessThan(20_000);
  });

  it('yielding without end ends in a ClientCommandError at the number of results the request can produce', async () => {
    const { policy, hmac, tx } = await signWith('wpkh(@0/**)', [keyInfo(deviceRoot, "84'/1'/0'")]);
    const sig = encodeSignPsbtYield({ type: 'partialSignature', inputIndex: 0, pubkey: deviceRoot.derive("m/84'/1'/0'/0/3").publicKey!, signature: new Uint8Array(71) });
    tampering.rewrite = forever(() => encodeClientCommandRequest({ command: 'YIELD', data: sig }));
    await expect(client.signPsbt(tx, policy, hmac)).rejects.toThrow('device yielded more than the 1 results this request can produce');
  });

  it('a Merkle proof request for a leaf beyond its tree is a ClientCommandError naming the index, before the host reads its trees', async () => {
    const { policy, hmac, tx } = await signWith('wpkh(@0/**)', [keyInfo(deviceRoot, "84'/1'/0'")]);
    const root = merkleizePsbt(tx.toPSBT(0)).inputsTree.root;
    tampering.rewrite = forever(() => encodeClientCommandRequest({ command: 'GET_MERKLE_LEAF_PROOF', root, size: 1, index: 1 }));
    await expect(client.signPsbt(tx, policy, hmac)).rejects.toMatchObject({
      code: 'E_CLIENT_COMMAND',
      message: 'device sent a malformed client command: client command request.GET_MERKLE_LEAF_PROOF: expected index < size 1, got 1',
    });
    expect(tampering.exchanges).toBe(1);
  });

  it('an answer longer than any APDU is refused', async () => {
    tampering.rewrite = (_, response) => concat(new Uint8Array(1 << 20), response);
    await expect(client.getMasterFingerprint()).rejects.toThrow('GET_MASTER_FINGERPRINT: expected a response of at most 258 bytes');
  });
});
