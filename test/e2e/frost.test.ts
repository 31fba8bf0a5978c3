// FROST t-of-n end to end (docs/frost.md): DKG and signing over emulated devices running the
// Taproot Assets app and software participants. Every aggregate is checked with @noble/curves'
// BIP-340 verify against a key computed independently: the group key, or its Taproot output key
// from @scure/btc-signer's BIP-341 tweak.

import { schnorr, schnorr_FROST, secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utils as btcUtils } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import { groupKeyXOnly, type FrostKeyPackage } from '../../apdu/tap-app/frost-data.ts';
import type { FrostTweak } from '../../apdu/tap-app/frost.ts';
import { dkgRound1, dkgRound2, dkgRound3 } from '../../bitcoin/frost/dkg.ts';
import { toFrostPublic } from '../../bitcoin/frost/key-package.ts';
import {
  DeviceFrostParticipant,
  SoftwareFrostParticipant,
  runFrostDkg,
  runFrostSign,
  type FrostDkgParticipant,
  type FrostSigner,
} from '../../host/frost/index.ts';
import { SEEDS, inputAsset, tapDevice, transfer } from './helpers.ts';

const message = sha256(new TextEncoder().encode('taproot-hw FROST e2e'));
const ROOT = sha256(new TextEncoder().encode('a script tree root'));

/** The key a signature under `tweak` must verify against, computed without our code. */
function expectedKey(pkg: FrostKeyPackage, tweak: FrostTweak): Uint8Array {
  const group = groupKeyXOnly(pkg);
  if (tweak.kind === 'none') return group;
  return btcUtils.taprootTweakPubkey(group, tweak.kind === 'bip86' ? new Uint8Array(0) : tweak.root)[0];
}

function participants(devices: number, software: number): FrostDkgParticipant[] {
  const seeds = [SEEDS.speculos, SEEDS.abandon, SEEDS.legal];
  return [
    ...seeds.slice(0, devices).map((seed, i) => new DeviceFrostParticipant(tapDevice(seed === undefined ? {} : { seed }).client, `device ${i + 1}`)),
    ...Array.from({ length: software }, (_, i) => new SoftwareFrostParticipant(`software ${i + 1}`)),
  ];
}

function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((x, i) => subsets(items.slice(i + 1), k - 1).map((rest) => [x, ...rest]));
}

async function signAndCheck(pkg: FrostKeyPackage, signers: FrostSigner[], tweak: FrostTweak) {
  const r = await runFrostSign(pkg, message, signers, tweak);
  expect(toHex(r.signingKey)).toBe(toHex(expectedKey(pkg, tweak)));
  expect(schnorr.verify(r.signature, message, expectedKey(pkg, tweak))).toBe(true);
  return r;
}

describe('FROST with devices and software participants', () => {
  it('2-of-3 (two devices, one software): every pair signs, untweaked, BIP-86 and with a script tree', async () => {
    const dkg = await runFrostDkg(2, participants(2, 1));
    expect(dkg.keyPackage.threshold).toBe(2);
    expect(dkg.keyPackage.verifyingShares).toHaveLength(3);
    const tweaks: FrostTweak[] = [{ kind: 'none' }, { kind: 'bip86' }, { kind: 'merkleRoot', root: ROOT }];
    const pairs = subsets(dkg.signers, 2);
    expect(pairs).toHaveLength(3);
    for (const [k, pair] of pairs.entries()) await signAndCheck(dkg.keyPackage, pair, tweaks[k]!);
    // All three at once is also "at least t".
    await signAndCheck(dkg.keyPackage, dkg.signers, { kind: 'bip86' });
  });

  it('3-of-5 (three devices, two software): every 3-subset signs; fewer than 3 cannot', async () => {
    const dkg = await runFrostDkg(3, participants(3, 2));
    const triples = subsets(dkg.signers, 3);
    expect(triples).toHaveLength(10);
    for (const triple of triples) await signAndCheck(dkg.keyPackage, triple, { kind: 'bip86' });

    // The orchestrator refuses two signers, and a device refuses a commitment list of two (6A80).
    await expect(runFrostSign(dkg.keyPackage, message, dkg.signers.slice(0, 2), { kind: 'bip86' })).rejects.toMatchObject({ name: 'FrostSessionError' });
    const session = { keyPackage: dkg.keyPackage, message, tweak: { kind: 'bip86' } as const };
    const [a, b] = [await dkg.signers[0]!.commit(session), await dkg.signers[1]!.commit(session)];
    await expect(a.sign([a.commitment, b.commitment])).rejects.toMatchObject({ name: 'IncorrectDataError', statusCode: 0x6a80 });
  });

  it('fewer than t shares do not make a signature: two shares of a 3-of-5 neither sign nor rebuild the key', async () => {
    // Software participants run the same DKG steps, here driven directly so the test holds the shares.
    const enc = Array.from({ length: 5 }, () => secp256k1.utils.randomSecretKey());
    const r1 = enc.map((sk, i) => dkgRound1(i + 1, 3, 5, secp256k1.getPublicKey(sk), randomBytes));
    const transcript = { threshold: 3, packages: r1.map((r) => r.round1) };
    const sealed = r1.flatMap((r, i) => dkgRound2(r.state, transcript, enc[i]!, randomBytes));
    const keys = r1.map((r, i) => dkgRound3(r.state, transcript, sealed.filter((s) => s.to === i + 1), enc[i]!));
    const pkg = keys[0]!.keyPackage;
    const two = [keys[0]!.secret, keys[1]!.secret];
    const pub = toFrostPublic(pkg);
    const gen = two.map((s) => schnorr_FROST.commit(s));
    const list = gen.map((g) => g.commitments);
    expect(() => schnorr_FROST.signShare(two[0]!, pub, gen[0]!.nonces, list, message)).toThrow(/commitments/);
    // A package that claims t = 2 lets two shares sign, but the result is no signature of the group key.
    const claimed = { ...pub, signers: { min: 2, max: 5 } };
    const shares = Object.fromEntries(two.map((s, k) => [s.identifier, schnorr_FROST.signShare(s, claimed, gen[k]!.nonces, list, message)]));
    // (noble's aggregate checks its result against the package's group key and refuses it)
    expect(() => schnorr_FROST.aggregate(claimed, list, message, shares)).toThrow(/aggregation failed/);
    // Nor do two shares interpolate to the group's secret.
    const combined = schnorr_FROST.combineSecret(two, { min: 2, max: 5 });
    expect(toHex(schnorr.getPublicKey(combined))).not.toBe(toHex(groupKeyXOnly(pkg)));
    expect(toHex(schnorr.getPublicKey(schnorr_FROST.combineSecret(keys.slice(0, 3).map((k) => k.secret), { min: 3, max: 5 })))).toBe(toHex(groupKeyXOnly(pkg)));
  });

  it('a FROST key as a Taproot Assets script key: two of three sign a transfer the asset VM accepts', async () => {
    const dkg = await runFrostDkg(2, participants(2, 1));
    // A BIP-86 script key whose internal key is the group key (tapd's default script-key shape).
    const tweak: FrostTweak = { kind: 'bip86' };
    const scriptKey = Uint8Array.of(0x02, ...expectedKey(dkg.keyPackage, tweak));
    const t = transfer(inputAsset(scriptKey), Uint8Array.of(0x02, ...new Uint8Array(32).fill(0x11)));
    const sighash = t.sighash();
    const r = await runFrostSign(dkg.keyPackage, sighash, [dkg.signers[0]!, dkg.signers[2]!], tweak);
    expect(() => t.verify([r.signature])).not.toThrow();
    // The same shares with no tweak sign for the bare group key, which the VM refuses for this script key.
    const bare = await runFrostSign(dkg.keyPackage, sighash, [dkg.signers[1]!, dkg.signers[2]!], { kind: 'none' });
    expect(() => t.verify([bare.signature])).toThrow();
  });

  it('names the participant whose signature share does not verify', async () => {
    const dkg = await runFrostDkg(2, participants(2, 1));
    const device2 = dkg.signers[1]!;
    const corrupt: FrostSigner = {
      name: 'device 2 (corrupted)',
      index: device2.index,
      async commit(session) {
        const c = await device2.commit(session);
        return {
          commitment: c.commitment,
          async sign(list) {
            const share = await c.sign(list);
            share[31]! ^= 1;
            return share;
          },
        };
      },
    };
    await expect(runFrostSign(dkg.keyPackage, message, [dkg.signers[0]!, corrupt])).rejects.toMatchObject({
      name: 'InvalidSignatureShareError',
      participant: 'device 2 (corrupted)',
      index: 2,
    });
  });
});
