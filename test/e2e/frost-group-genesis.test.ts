// A FROST key as an asset group key (docs/frost.md §2.6): the genesis witness of a grouped asset
// whose V1 group key is the FROST group key under tapd's non-spendable leaf, signed by two emulated
// devices of a 2-of-3 (each reviews the asset group through FROST_SIGN_GROUP_GENESIS, blind signing
// off) or a device and a software participant. The group key is computed independently with
// assets/'s groupPubKeyV1 over the package's group key, and the asset with the witness passes the
// asset VM port (assets/vtx/verify.ts). A lying host is refused with a typed error.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../apdu/bytes.ts';
import { encodeKeyPackage, groupKeyXOnly, type FrostKeyPackage } from '../../apdu/tap-app/frost-data.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import { ZERO_PREV_ID } from '../../assets/asset/prev-id.ts';
import { NonSpendLeafVersion, groupPubKeyV1 } from '../../assets/group/group-key.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import { genesisPrevOut, virtualTx, virtualTxSighash } from '../../assets/vtx/virtual-tx.ts';
import {
  frostGroupKeyTweak,
  signGroupGenesisFrost,
  signGroupGenesisOnDevice,
  type FrostGroupGenesis,
} from '../../host/frost/index.ts';
import { chooseOnNano, untilScreen } from '../unit/tap-app/device.ts';
import { inputAsset } from './helpers.ts';
import { frostKeySet } from './frost-key-set.ts';

const status = (name: string, statusCode: number) => expect.objectContaining({ name, statusCode });
const flat = (text: string): string => text.replace(/\s/g, '').replace(/[A-Z][a-z]*\(\d+\/\d+\)/g, '');


/** A new group's genesis: its V1 group key from assets/, over the key set's group key (not our FROST code). */
function genesisFor(pkg: FrostKeyPackage, leafVersion: NonSpendLeafVersion = NonSpendLeafVersion.opReturn, tag = 'frost-grouped'): FrostGroupGenesis {
  const base = inputAsset(new Uint8Array(33).fill(2), 21_000n, tag).asset;
  const groupKey = groupPubKeyV1(pkg.commitments[0]!, leafVersion, assetId(base.genesis));
  const asset: Asset = { ...base, scriptKey: secp256k1.getPublicKey(new Uint8Array(32).fill(0x11)), groupKey, prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }] };
  return { asset, leafVersion };
}

/** The genesis' key-path sighash, from assets/ (what the device derives itself and the commit binds). */
const sighashOf = (g: FrostGroupGenesis): Uint8Array => virtualTxSighash(virtualTx(g.asset, []), g.asset, 0, genesisPrevOut(g.asset));

describe('a FROST key as an asset group key', () => {
  it('two devices of a 2-of-3 sign the group witness; a device with the software participant too; the asset VM accepts both', async () => {
    const { dkg, signerA, signerB, signerC } = await frostKeySet();
    for (const [signers, leaf] of [[[signerA, signerB], NonSpendLeafVersion.opReturn], [[signerB, signerC], NonSpendLeafVersion.pedersen]] as const) {
      const g = genesisFor(dkg.keyPackage, leaf);
      const r = await signGroupGenesisFrost(g, dkg.keyPackage, signers);
      expect(toHex(r.signingKey)).toBe(toHex(g.asset.groupKey!.subarray(1)));
      expect(r.asset.prevWitnesses[0]!.txWitness).toEqual([r.signature]);
      expect(() => verifyStateTransition(r.asset, [], [])).not.toThrow();
      // The witness is a key-path signature of the tweaked key, not of the bare group key.
      expect(toHex(r.signingKey)).not.toBe(toHex(groupKeyXOnly(dkg.keyPackage)));
      expect(() => verifyStateTransition(g.asset, [], [])).toThrow();
    }
  });

  it('the device reviews the asset group with the key set; rejecting it wipes the nonce (6985, then B010)', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    const g = genesisFor(dkg.keyPackage);
    const session = { keyPackage: dkg.keyPackage, message: sighashOf(g), tweak: frostGroupKeyTweak(g), groupGenesis: g };
    const mine = await signerA.commit(session);
    const c = await signerC.commit(session);
    a.device.autoApprove = false;
    const pending = mine.sign([mine.commitment, c.commitment]).catch((e: unknown) => e);
    await untilScreen(a.device, (t) => t.includes('Review asset group'));
    const shown = flat((await chooseOnNano(a.device, 'Reject')).join(' '));
    expect(shown).toContain('frost-grouped');
    expect(shown).toContain(toHex(g.asset.groupKey!.subarray(1)));
    expect(shown).toContain('FROSTkeyset2of3,thisdeviceparticipant1');
    expect(await pending).toMatchObject({ statusCode: 0x6985 });
    a.device.autoApprove = true;
    await expect(mine.sign([mine.commitment, c.commitment])).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
  });

  it('a lying host: an asset of another group (B013), a swapped key package (B022), an asset that is not a grouped genesis (6A80)', async () => {
    const { a, dkg, signerA, signerC } = await frostKeySet();
    const other = await frostKeySet();
    const sign = async (g: FrostGroupGenesis, keyPackage = dkg.keyPackage) => {
      const session = { keyPackage, message: sighashOf(g), tweak: frostGroupKeyTweak(g), groupGenesis: g };
      const mine = await signerA.commit({ ...session, keyPackage: dkg.keyPackage });
      const c = await signerC.commit({ ...session, keyPackage: dkg.keyPackage });
      return mine.sign([mine.commitment, c.commitment]);
    };
    await expect(sign(genesisFor(other.dkg.keyPackage))).rejects.toEqual(status('KeyNotHeldError', 0xb013));
    await expect(signGroupGenesisFrost(genesisFor(other.dkg.keyPackage), dkg.keyPackage, [signerA, signerC])).rejects.toMatchObject({ name: 'FrostSessionError' });
    const swapped = genesisFor(dkg.keyPackage);
    const session = { keyPackage: dkg.keyPackage, message: sighashOf(swapped), tweak: frostGroupKeyTweak(swapped), groupGenesis: swapped };
    const mine = await signerA.commit(session);
    const c = await signerC.commit(session);
    const list = [mine.commitment, c.commitment];
    await expect(signGroupGenesisOnDevice(a.client, mine.handle, signerA.share.wrappedShare, encodeKeyPackage(other.dkg.keyPackage), list, swapped)).rejects.toEqual(
      status('WrappedShareInvalidError', 0xb022),
    );
    // Nothing was signed and the nonce is intact: the honest request signs with it.
    expect(await mine.sign(list)).toHaveLength(32);
    const notGenesis = genesisFor(dkg.keyPackage);
    notGenesis.asset.prevWitnesses = [];
    await expect(sign(notGenesis)).rejects.toEqual(status('IncorrectDataError', 0x6a80));
  });
});
