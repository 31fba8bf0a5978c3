// The host client, driven through a ReplayTransport over every recorded Speculos transcript of both
// models, must send exactly the recorded host lines and return the recorded results.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { decodeCommand, decodeResponse } from '../../../apdu/apdu.ts';
import { ReplayTransport } from '../../../devices/replay.ts';
import type { Transport } from '../../../devices/transport.ts';
import { walletPolicy, type WalletPolicy } from '../../../bitcoin/wallet-policy.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import type { SignPsbtYield } from '../../../apdu/yields.ts';
import { CORPUS_DIR, MODELS, flowNames, loadFlow } from '../apdu-bitcoin-app/corpus.ts';

function replay(model: string, flow: string): ReplayTransport {
  return new ReplayTransport(readFileSync(new URL(`${model}/${flow}.apdus`, CORPUS_DIR), 'utf8'));
}

function policyOf(inputs: any): WalletPolicy {
  const p = inputs.wallet_policy;
  return p
    ? walletPolicy(p.name, p.descriptor_template, p.keys_info)
    : walletPolicy(inputs.wallet_name, inputs.descriptor_template, inputs.keys_info);
}

function yieldJson(y: SignPsbtYield) {
  const leaf = y.tapleafHash ? toHex(y.tapleafHash) : null;
  if (y.type === 'partialSignature')
    return { input_index: y.inputIndex, type: 'PartialSignature', pubkey: toHex(y.pubkey), signature: toHex(y.signature), tapleaf_hash: leaf };
  const common = { input_index: y.inputIndex, participant_pubkey: toHex(y.participantPubkey), aggregate_pubkey: toHex(y.aggregatePubkey), tapleaf_hash: leaf };
  return y.type === 'musigPubNonce'
    ? { ...common, type: 'MusigPubNonce', pubnonce: toHex(y.pubnonce) }
    : { ...common, type: 'MusigPartialSignature', partial_signature: toHex(y.partialSignature) };
}

async function rejects(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Flips one bit of the first GET_MERKLE_LEAF_PROOF answer, as the recorded host did. */
class TamperFirstProof implements Transport {
  readonly kind = 'tamper';
  private lastRequest = 0;
  private done = false;
  original: string | undefined;
  constructor(readonly inner: ReplayTransport) {}
  get busy() {
    return this.inner.busy;
  }
  async exchange(apdu: Uint8Array): Promise<Uint8Array> {
    let out = apdu;
    if (!this.done && this.lastRequest === 0x41) {
      this.done = true;
      this.original = toHex(apdu);
      out = apdu.slice();
      out[5 + 32 + 2] = out[5 + 32 + 2]! ^ 0x01; // lowest bit of the first proof hash's first byte
    }
    const res = await this.inner.exchange(out);
    const r = decodeResponse(res);
    this.lastRequest = r.statusWord === 0xe000 ? r.data[0]! : 0;
    return res;
  }
  close() {
    return this.inner.close();
  }
  onDisconnect(l: (reason?: Error) => void) {
    return this.inner.onDisconnect(l);
  }
}

const FLOWS: Record<string, (model: string, t: ReplayTransport) => Promise<void>> = {
  async 'app-version-and-fingerprint'(model, t) {
    const json = loadFlow(model, 'app-version-and-fingerprint');
    const client = new BitcoinAppClient(t);
    const app = await client.assertBitcoinApp();
    expect(app.name).toBe(json.results.app_name);
    expect(app.version).toBe(json.results.app_version);
    expect(toHex(app.flags)).toBe(json.results.flags);
    expect(toHex(await client.getMasterFingerprint())).toBe(json.results.master_fingerprint);
  },
  async 'xpub-standard-silent'(model, t) {
    const json = loadFlow(model, 'xpub-standard-silent');
    const client = new BitcoinAppClient(t);
    for (const path of json.inputs.paths) expect(await client.getExtendedPubkey(path)).toBe(json.results.xpubs[path]);
  },
  async 'xpub-nonstandard-silent-refused'(model, t) {
    const json = loadFlow(model, 'xpub-nonstandard-silent-refused');
    const client = new BitcoinAppClient(t);
    for (const [path, expected] of Object.entries<any>(json.results.results)) {
      if (typeof expected === 'string') expect(await client.getExtendedPubkey(path)).toBe(expected);
      else {
        const err = await rejects(client.getExtendedPubkey(path));
        expect(err.code).toBe('E_NOT_SUPPORTED');
        expect(err.statusCode.toString(16)).toBe(expected.status_word);
      }
    }
  },
  async 'policy-*'(model, t) {
    const flow = (t as any).flow as string;
    const json = loadFlow(model, flow);
    const policy = policyOf(json.inputs);
    const client = new BitcoinAppClient(t);
    const reg = await client.registerWallet(policy);
    expect(toHex(reg.id)).toBe(json.results.wallet_id);
    expect(toHex(reg.hmac)).toBe(json.results.hmac);
    expect(reg.address).toBe(json.results.addresses['0/0']);
    for (const [change, index] of [[false, 1], [true, 0], [true, 1]] as const)
      expect(await client.getWalletAddress(policy, reg.hmac, change, index)).toBe(json.results.addresses[`${change ? 1 : 0}/${index}`]);
  },
  async 'sign-message-*'(model, t) {
    const json = loadFlow(model, (t as any).flow);
    // The key the signature must recover is the recorded one: the transcript has no xpub exchange.
    const sig = await new BitcoinAppClient(t).signMessage(json.inputs.message, json.inputs.path, { publicKey: fromHex(json.results.pubkey) });
    expect(sig.base64).toBe(json.results.signature_base64);
    expect(toHex(sig.r)).toBe(json.results.signature_hex.slice(2, 66));
  },
  async 'sign-psbt-*'(model, t) {
    const json = loadFlow(model, (t as any).flow);
    const policy = policyOf(json.inputs);
    const hmac = /^0+$/.test(json.inputs.hmac) ? null : fromHex(json.inputs.hmac);
    const client = new BitcoinAppClient(t);
    if (json.inputs.psbt_round1_base64) {
      const progress: number[] = [];
      const r1 = await client.signPsbt(json.inputs.psbt_round1_base64, policy, hmac, { onProgress: (e) => progress.push(e.clientCommands) });
      expect(r1.map(yieldJson)).toEqual(json.results.round1_yields);
      expect(progress.length).toBeGreaterThan(0);
      const r2 = await client.signPsbt(json.inputs.psbt_round2_base64, policy, hmac);
      expect(r2.map(yieldJson)).toEqual(json.results.round2_yields);
    } else {
      const r = await client.signPsbt(json.inputs.psbt_base64, policy, hmac);
      expect(r.map(yieldJson)).toEqual(json.results.yields);
    }
  },
  async 'errors-unregistered-policy-fake-hmac'(model, t) {
    const json = loadFlow(model, 'errors-unregistered-policy-fake-hmac');
    const policy = policyOf(json.inputs);
    const client = new BitcoinAppClient(t);
    const fake = await rejects(client.getWalletAddress(policy, fromHex(json.inputs.hmacs.fake_hmac_11), false, 0));
    expect(fake.code).toBe('E_SIGNATURE_FAIL');
    expect(fake.statusCode).toBe(0xb008);
    const zero = await rejects(client.getWalletAddress(policy, null, false, 0));
    expect(zero.code).toBe('E_INCORRECT_DATA');
    expect(zero.statusCode).toBe(0x6a80);
  },
  async 'errors-psbt-tampered-merkle-proof'(model, t) {
    const json = loadFlow(model, 'errors-psbt-tampered-merkle-proof');
    const keyJson = loadFlow(model, 'xpub-standard-silent');
    const policy = walletPolicy('', 'tr(@0/**)', [`[f5acc2fd/86'/1'/0']${keyJson.results.xpubs["m/86'/1'/0'"]}`]);
    const tamper = new TamperFirstProof(t);
    const err = await rejects(new BitcoinAppClient(tamper).signPsbt(json.inputs.psbt_base64, policy, null));
    expect(tamper.original).toBe(json.inputs.tampered_reply.original_apdu);
    expect(err.code).toBe('E_INCORRECT_DATA');
    expect(err.statusCode.toString(16)).toBe(json.results.result);
  },
  async 'errors-framing'(model, t) {
    // Raw malformed APDUs, not something the client builds: replayed as is, each status word checked.
    const json = loadFlow(model, 'errors-framing');
    for (const c of json.results.cases) {
      const res = decodeResponse(await t.exchange(fromHex(c.apdu)));
      expect(res.statusWord.toString(16).padStart(4, '0')).toBe(c.status_word);
      expect(() => decodeCommand(fromHex(c.apdu))).not.toThrow(RangeError);
    }
  },
  async 'xpub-display-*'(model, t) {
    const json = loadFlow(model, (t as any).flow);
    expect(await new BitcoinAppClient(t).getExtendedPubkey(json.inputs.path, { display: json.inputs.display === 1 })).toBe(json.results.xpub);
  },
};

function driverFor(flow: string) {
  return FLOWS[flow] ?? Object.entries(FLOWS).find(([k]) => k.endsWith('*') && flow.startsWith(k.slice(0, -1)))?.[1];
}

describe('BitcoinAppClient replays every corpus transcript', () => {
  for (const model of MODELS)
    for (const flow of flowNames(model))
      it(`${model}/${flow}`, async () => {
        const drive = driverFor(flow);
        expect(drive, `a driver for ${flow}`).toBeDefined();
        const t = replay(model, flow);
        (t as any).flow = flow;
        await drive!(model, t);
        t.assertDone();
      });
});

describe('address checks', () => {
  it('registerWallet refuses a device whose first address differs from the host derivation', async () => {
    const json = loadFlow('nanosp', 'policy-tr-musig-2of2');
    const client = new BitcoinAppClient(replay('nanosp', 'policy-tr-musig-2of2'), {
      deriveAddress: () => 'tb1pkwjk4sx2kvequ6ny5wyj0uq6yjc0e5pgendcrn270h2927f24p6stg6pmx',
    });
    const err = await rejects(client.registerWallet(policyOf(json.inputs)));
    expect(err.code).toBe('E_DEVICE_RESPONSE');
    expect(err.message).toContain(json.results.addresses['0/0']);
  });
});
