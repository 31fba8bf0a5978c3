import { describe, expect, it } from 'vitest';
import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { nonceGen, nonceAggregate, Session } from '@scure/btc-signer/musig2.js';
import { kSubsets, minimalQualifyingSubsets } from '../../../bitcoin/shapes/subsets.ts';
import { planShape, type ShapeSpec } from '../../../bitcoin/shapes/plan.ts';
import { shapeToPolicy } from '../../../bitcoin/shapes/policy.ts';
import { shapeOutput } from '../../../bitcoin/shapes/output.ts';
import { NUMS_H, numsInternalKey, numsXpub } from '../../../bitcoin/shapes/nums.ts';
import { parsePolicy } from '../../../bitcoin/descriptor/template.ts';
import { parseDescriptor } from '../../../bitcoin/descriptor/parser.ts';
import { deriveOutput, policyOutput } from '../../../bitcoin/descriptor/scripts.ts';
import { musigContexts } from '../../../bitcoin/musig/context.ts';
import { parseKeyInfo } from '../../../bitcoin/key-info.ts';
import { concat, toHex } from '../../../apdu/bytes.ts';

const ACCOUNT = "m/86'/1'/0'";
const roots = [1, 2, 3, 4, 5].map((i) => HDKey.fromMasterSeed(new Uint8Array(32).fill(i)));
const accounts = roots.map((r) => r.derive(ACCOUNT));
const tpub = (hd: HDKey) =>
  new HDKey({ versions: { public: 0x043587cf, private: 0x04358394 }, depth: hd.depth, index: hd.index, parentFingerprint: hd.parentFingerprint, chainCode: hd.chainCode!, publicKey: hd.publicKey! }).publicExtendedKey;
const keyInfo = (i: number) => `[${roots[i]!.fingerprint.toString(16).padStart(8, '0')}/86'/1'/0']${tpub(accounts[i]!)}`;
const nodes = accounts.map((a) => ({ publicKey: a.publicKey!, chainCode: a.chainCode! }));
const NUMS_CHAINCODE = sha256(new TextEncoder().encode('taproot-hw test NUMS chain code'));

describe('signing sets', () => {
  it('k-subsets', () => {
    expect(kSubsets(3, 2)).toEqual([[0, 1], [0, 2], [1, 2]]);
    expect(kSubsets(4, 3).length).toBe(4);
    expect(() => kSubsets(3, 4)).toThrow(/expected 1 <= k <= 3, got 4/);
  });
  it('minimal qualifying subsets', () => {
    expect(minimalQualifyingSubsets([1, 1, 2], 2)).toEqual([[2], [0, 1]]);
    expect(minimalQualifyingSubsets([3, 2, 1, 1], 4)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2, 3]]);
    expect(minimalQualifyingSubsets([1, 1, 1], 3)).toEqual([[0, 1, 2]]);
    expect(() => minimalQualifyingSubsets([1, 1], 3)).toThrow(/threshold/);
    expect(() => minimalQualifyingSubsets([1, 0], 1)).toThrow(/positive integers/);
  });
});

describe('NUMS keys', () => {
  it('H is the SHA256 of the uncompressed generator (BIP-341)', () => {
    expect(toHex(sha256(secp256k1.Point.BASE.toBytes(false)))).toBe(toHex(NUMS_H));
    expect(numsInternalKey()).toEqual(NUMS_H);
  });
  it('H + rG is provably unspendable for whoever knows r: it equals H + r·G', () => {
    const r = new Uint8Array(32).fill(9);
    const expected = secp256k1.Point.fromBytes(concat(Uint8Array.of(2), NUMS_H)).add(secp256k1.Point.BASE.multiply(BigInt(`0x${toHex(r)}`)));
    expect(toHex(numsInternalKey(r))).toBe(toHex(expected.toBytes(true).slice(1)));
    expect(() => numsInternalKey(new Uint8Array(32))).toThrow(/r must be a scalar/);
  });
  it('the NUMS xpub carries H, which the Ledger app labels "unspendable"', () => {
    const info = parseKeyInfo(numsXpub(NUMS_CHAINCODE, 'test'));
    expect(toHex(info.xpub.hd.publicKey!)).toBe(`02${toHex(NUMS_H)}`);
    expect(info.origin).toBeUndefined();
  });
});

const cases: { name: string; spec: ShapeSpec; template: string }[] = [
  { name: '2-of-2 MuSig2', spec: { signers: 2, threshold: { kind: 'all' } }, template: 'tr(musig(@0,@1)/**)' },
  {
    name: '2-of-3 as MuSig2 leaves under NUMS',
    spec: { signers: 3, threshold: { kind: 'k-of-n', k: 2 } },
    template: 'tr(@0/**,{{pk(musig(@1,@2)/**),pk(musig(@1,@3)/**)},pk(musig(@2,@3)/**)})',
  },
  {
    name: 'weighted 1,1,2 / 2',
    spec: { signers: 3, threshold: { kind: 'weighted', weights: [1, 1, 2], threshold: 2 } },
    template: 'tr(@0/**,{pk(@1/**),pk(musig(@2,@3)/**)})',
  },
  {
    name: '2-of-3 with a CHECKSIGADD fallback and a timelocked recovery key',
    spec: {
      signers: 3,
      threshold: { kind: 'k-of-n', k: 2 },
      checksigaddFallback: { k: 2 },
      recovery: { keys: 1, k: 1, timelock: { older: 52560 } },
    },
    template:
      'tr(@0/**,{{{pk(musig(@1,@2)/**),pk(musig(@1,@3)/**)},pk(musig(@2,@3)/**)},{multi_a(2,@1/**,@2/**,@3/**),and_v(v:pk(@4/**),older(52560))}})',
  },
  {
    name: 'weighted with a 1-of-3 CHECKSIGADD leaf reusing a key and a 2-key recovery after a height',
    spec: {
      signers: 3,
      threshold: { kind: 'weighted', weights: [1, 1, 2], threshold: 2 },
      checksigaddFallback: { k: 1 },
      recovery: { keys: 2, k: 2, timelock: { after: 900000 } },
    },
    template:
      // key 2 (@1) is used twice as a plain key, so its second use takes <2;3> (BIP-388 disjointness)
      'tr(@0/**,{{pk(@1/**),pk(musig(@2,@3)/**)},{multi_a(1,@2/**,@3/**,@1/<2;3>/*),and_v(v:multi_a(2,@4/**,@5/**),after(900000))}})',
  },
];

describe('shapes: wallet policy and direct computation agree', () => {
  it.each(cases)('$name', ({ spec, template }) => {
    const plan = planShape(spec);
    const infos = Array.from({ length: plan.keyCount }, (_, i) => keyInfo(i));
    const pol = shapeToPolicy(plan, infos, numsXpub(NUMS_CHAINCODE, 'test'));
    expect(pol.template).toBe(template);
    const policy = parsePolicy(pol.template, pol.keysInfo); // BIP-388 rules hold
    for (const change of [false, true])
      for (const index of [0, 1, 7]) {
        const viaPolicy = policyOutput(policy, change, index);
        const direct = shapeOutput(plan, { keys: nodes.slice(0, plan.keyCount), numsChainCode: NUMS_CHAINCODE }, { change, index });
        expect(toHex(direct.scriptPubKey)).toBe(toHex(viaPolicy.scriptPubKey));
        expect(direct.musig.map((m) => toHex(m.aggregatePubkey))).toEqual(musigContexts(viaPolicy).map((m) => toHex(m.aggregatePubkey)));
        expect(direct.musig.map((m) => m.leafHash && toHex(m.leafHash))).toEqual(
          musigContexts(viaPolicy).map((m) => m.leafHash && toHex(m.leafHash)),
        );
      }
  });

  it('names the keys behind each placeholder', () => {
    const plan = planShape(cases[2]!.spec);
    const pol = shapeToPolicy(plan, [0, 1, 2].map(keyInfo), numsXpub(NUMS_CHAINCODE, 'test'));
    expect(pol.keyOrder).toEqual(['nums', 2, 0, 1]);
    expect(() => shapeToPolicy(plan, [0, 1, 2].map(keyInfo))).toThrow(/NUMS internal key/);
  });

  it('refuses musig() beyond the app limit of 5 keys', () => {
    const plan = planShape({ signers: 6, threshold: { kind: 'all' } });
    expect(() => shapeToPolicy(plan, [0, 1, 2, 3, 4, 0].map(keyInfo))).toThrow(/at most 5 keys/);
  });
});

describe('shapes with static keys (Taproot Assets script keys)', () => {
  const pubs = nodes.slice(0, 3);
  it('2-of-2 N-of-N equals tr(musig(A,B)) computed through the descriptor parser', () => {
    const plan = planShape({ signers: 2, threshold: { kind: 'all' } });
    const direct = shapeOutput(plan, { keys: pubs.slice(0, 2) });
    const d = parseDescriptor(`tr(musig(${toHex(pubs[0]!.publicKey)},${toHex(pubs[1]!.publicKey)}))`);
    expect(toHex(direct.scriptPubKey)).toBe(toHex(deriveOutput(d, { branch: 0, index: 0 }).scriptPubKey));
  });

  it('2-of-3 leaves under H + rG: every MuSig2 leaf signs and verifies (BIP-340) against its leaf key', () => {
    const r = sha256(new TextEncoder().encode('published r'));
    const plan = planShape({ signers: 3, threshold: { kind: 'k-of-n', k: 2 } });
    const out = shapeOutput(plan, { keys: pubs, numsInternalKey: numsInternalKey(r) });
    expect(toHex(out.internalKey)).toBe(toHex(numsInternalKey(r)));
    expect(out.musig.length).toBe(3);
    const msg = sha256(new TextEncoder().encode('sighash stand-in'));
    for (const ctx of out.musig) {
      const signers = ctx.participants.map((p) => accounts.find((a) => toHex(a.publicKey!) === toHex(p))!);
      const nonces = signers.map((s) => nonceGen(s.publicKey!, s.privateKey!, ctx.aggregatePubkey.slice(1), msg));
      const session = new Session(nonceAggregate(nonces.map((n) => n.public)), ctx.participants as Uint8Array[], msg, ctx.tweaks as Uint8Array[], ctx.isXonly as boolean[]);
      const sig = session.partialSigAgg(signers.map((s, i) => session.sign(nonces[i]!.secret, s.privateKey!)));
      const leaf = out.tree!.leaves.find((l) => toHex(l.leafHash) === toHex(ctx.leafHash!))!;
      expect(toHex(leaf.script)).toBe(`20${toHex(ctx.aggregatePubkey.slice(1))}ac`);
      expect(schnorr.verify(sig, msg, ctx.aggregatePubkey.slice(1))).toBe(true);
    }
  });
});
