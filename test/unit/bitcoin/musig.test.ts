import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Transaction } from '@scure/btc-signer';
import { Session } from '@scure/btc-signer/musig2.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { aggregateKeys, syntheticXpub, deriveAggregate } from '../../../bitcoin/musig/aggregate.ts';
import { aggregateFingerprint, keyPathContext, musigContexts } from '../../../bitcoin/musig/context.ts';
import {
  decodeMusigKeydata,
  encodeMusigKeydata,
  getMusigParticipants,
  getMusigPartialSigs,
  getMusigPubNonces,
  setMusigPartialSig,
  setMusigPubNonce,
} from '../../../bitcoin/musig/psbt-fields.ts';
import { parsePolicy } from '../../../bitcoin/descriptor/template.ts';
import { parseDescriptor } from '../../../bitcoin/descriptor/parser.ts';
import { deriveOutput, policyOutput } from '../../../bitcoin/descriptor/scripts.ts';
import { fromHex, toHex } from '../../../apdu/bytes.ts';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../vectors/${name}`, import.meta.url), 'utf8'));

describe('BIP-328 synthetic xpubs', () => {
  const v = load('bips/bip-0328/vectors.json') as { keys: string[]; aggregate_pubkey: string; xpub: string }[];
  it.each(v)('$aggregate_pubkey', (c) => {
    const agg = aggregateKeys(c.keys.map((k) => fromHex(k)), { sort: false });
    expect(toHex(agg.aggregate)).toBe(c.aggregate_pubkey);
    expect(syntheticXpub(agg.aggregate)).toBe(c.xpub);
  });
});

describe('MuSig2 key context as the Ledger app yields it (corpus sign-psbt-musig2-2of2)', () => {
  const rec = load('speculos-corpus/nanosp/sign-psbt-musig2-2of2.json') as {
    inputs: {
      wallet_policy: { descriptor_template: string; keys_info: string[] };
      device_participant_pubkey: string;
      cosigner_pubkey: string;
      cosigner_pubnonce: string;
      musig_aggregate_untweaked: string;
      musig_aggregate_fingerprint: string;
      spent_address: string;
      tweaks: string[];
      tweak_is_xonly: boolean[];
    };
    results: {
      round1_yields: { participant_pubkey: string; aggregate_pubkey: string; pubnonce: string }[];
      round2_yields: { partial_signature: string }[];
      sighash: string;
      aggnonce: string;
      cosigner_partial_sig: string;
      aggregate_signature: string;
    };
  };
  const { inputs, results } = rec;
  const policy = parsePolicy(inputs.wallet_policy.descriptor_template, inputs.wallet_policy.keys_info);
  const out = policyOutput(policy, false, 0);
  const [ctx] = musigContexts(out);

  it('derives the spent address, the untweaked aggregate, the tweaks and the tweaked aggregate', () => {
    expect(out.address).toBe(inputs.spent_address);
    expect(ctx).toBeDefined();
    expect(toHex(ctx!.aggregate)).toBe(inputs.musig_aggregate_untweaked);
    expect(toHex(aggregateFingerprint(ctx!.aggregate))).toBe(inputs.musig_aggregate_fingerprint);
    expect(ctx!.tweaks.map(toHex)).toEqual(inputs.tweaks);
    expect(ctx!.isXonly).toEqual(inputs.tweak_is_xonly);
    expect(toHex(ctx!.aggregatePubkey)).toBe(results.round1_yields[0]!.aggregate_pubkey);
    expect(toHex(ctx!.aggregatePubkey.slice(1))).toBe(toHex(out.taproot!.output.outputKey));
    expect(ctx!.participants.map(toHex).sort()).toEqual([inputs.device_participant_pubkey, inputs.cosigner_pubkey].sort());
  });

  it('verifies the device partial signature and the aggregate signature with these tweaks', () => {
    const s = new Session(
      fromHex(results.aggnonce),
      ctx!.participants as Uint8Array[],
      fromHex(results.sighash),
      ctx!.tweaks as Uint8Array[],
      ctx!.isXonly as boolean[],
    );
    const devIndex = ctx!.participants.findIndex((p) => toHex(p) === inputs.device_participant_pubkey);
    const nonces = ctx!.participants.map((p) =>
      fromHex(toHex(p) === inputs.device_participant_pubkey ? results.round1_yields[0]!.pubnonce : inputs.cosigner_pubnonce),
    );
    expect(s.partialSigVerify(fromHex(results.round2_yields[0]!.partial_signature), nonces, devIndex)).toBe(true);
    const sig = s.partialSigAgg([fromHex(results.round2_yields[0]!.partial_signature), fromHex(results.cosigner_partial_sig)]);
    expect(toHex(sig)).toBe(results.aggregate_signature);
    expect(schnorr.verify(sig, fromHex(results.sighash), out.taproot!.output.outputKey)).toBe(true);
  });
});

describe('musig() in a tapleaf (BIP-390 vector)', () => {
  it('script-path context: aggregate = leaf key, no taptweak', () => {
    const d = parseDescriptor(
      'tr(f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9,pk(musig(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y)/0/*))',
    );
    const out = deriveOutput(d, { branch: 0, index: 1 });
    const [ctx] = musigContexts(out);
    const leaf = out.taproot!.tree!.leaves[0]!;
    expect(ctx!.leafHash).toEqual(leaf.leafHash);
    expect(ctx!.tweaks.length).toBe(2);
    expect(toHex(leaf.script)).toBe(`20${toHex(ctx!.aggregatePubkey.slice(1))}ac`);
  });

  it('key-path context of deriveAggregate matches the taproot output of the policy', () => {
    const keys = ['02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9', '03dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659'].map((k) => fromHex(k));
    const agg = deriveAggregate(keys, [0, 7]);
    const ctx = keyPathContext(agg, undefined);
    // the synthetic xpub as a plain key: same output key as musig(keys)/0/* (BIP-328)
    const d = parseDescriptor(`tr(${syntheticXpub(agg.aggregate)}/0/*)`);
    expect(toHex(deriveOutput(d, { branch: 0, index: 7 }).taproot!.output.outputKey)).toBe(toHex(ctx.aggregatePubkey.slice(1)));
  });
});

describe('BIP-373 vectors', () => {
  const v = load('bips/bip-0373-test-vectors.json') as { cases: { validity: string; case: string; psbt_hex: string }[] };
  const valid = v.cases.filter((c) => c.validity === 'valid');
  const invalid = v.cases.filter((c) => c.validity === 'invalid');
  it('has 14 valid and 8 invalid cases', () => {
    expect([valid.length, invalid.length]).toEqual([14, 8]);
  });
  it.each(valid)('valid: $case', (c) => {
    const tx = Transaction.fromPSBT(fromHex(c.psbt_hex));
    expect(toHex(tx.toPSBT())).toBe(c.psbt_hex);
    for (let i = 0; i < tx.inputsLength; i++) {
      for (const p of getMusigParticipants(tx, i)) {
        // the aggregate named in 0x1a is KeyAgg of the participants as listed
        const agg = aggregateKeys(p.participants);
        expect(agg.participants.map(toHex)).toEqual(p.participants.map(toHex));
        expect(toHex(agg.aggregate)).toBe(toHex(p.aggregate));
      }
      for (const n of [...getMusigPubNonces(tx, i), ...getMusigPartialSigs(tx, i)])
        expect(toHex(encodeMusigKeydata(decodeMusigKeydata(encodeMusigKeydata(n))))).toBe(toHex(encodeMusigKeydata(n)));
    }
    // writing back what was read gives the same bytes
    const copy = Transaction.fromPSBT(fromHex(c.psbt_hex));
    for (let i = 0; i < tx.inputsLength; i++) {
      for (const n of getMusigPubNonces(tx, i)) setMusigPubNonce(copy, i, n);
      for (const s of getMusigPartialSigs(tx, i)) setMusigPartialSig(copy, i, s);
    }
    expect(toHex(copy.toPSBT())).toBe(c.psbt_hex);
  });
  it.each(invalid)('invalid: $case', (c) => {
    expect(() => Transaction.fromPSBT(fromHex(c.psbt_hex))).toThrow();
  });
});

describe('BIP-373 helpers', () => {
  const P = fromHex('02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9');
  const A = fromHex('03dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659');
  it('keydata codec refuses x-only keys and bad lengths', () => {
    expect(() => decodeMusigKeydata(new Uint8Array(65))).toThrow(/expected 66 or 98 bytes, got 65/);
    expect(() => encodeMusigKeydata({ participant: P.slice(1), aggregate: A })).toThrow(/expected a 33-byte compressed key, got 32/);
    expect(() => encodeMusigKeydata({ participant: P, aggregate: A, leafHash: new Uint8Array(31) })).toThrow(/expected 32 bytes, got 31/);
    expect(decodeMusigKeydata(encodeMusigKeydata({ participant: P, aggregate: A, leafHash: new Uint8Array(32).fill(7) })).leafHash).toEqual(
      new Uint8Array(32).fill(7),
    );
  });
  it('setMusigPubNonce replaces an entry with the same keydata', () => {
    const v = load('bips/bip-0373-test-vectors.json') as { cases: { psbt_hex: string }[] };
    const tx = Transaction.fromPSBT(fromHex(v.cases[0]!.psbt_hex));
    const nonce1 = fromHex('03' + '11'.repeat(32) + '02' + '22'.repeat(32));
    const nonce2 = fromHex('03' + '33'.repeat(32) + '02' + '44'.repeat(32));
    setMusigPubNonce(tx, 0, { participant: P, aggregate: A, pubnonce: nonce1 });
    setMusigPubNonce(tx, 0, { participant: P, aggregate: A, pubnonce: nonce2 });
    const got = getMusigPubNonces(tx, 0);
    expect(got.length).toBe(1);
    expect(toHex(got[0]!.pubnonce)).toBe(toHex(nonce2));
    expect(() => setMusigPubNonce(tx, 0, { participant: P, aggregate: A, pubnonce: new Uint8Array(65) })).toThrow(/expected 66 bytes/);
  });
});
