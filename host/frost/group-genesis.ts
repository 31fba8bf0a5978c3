// A FROST key as an asset group key (docs/frost.md §2.6, §5): the genesis witness of a grouped
// asset whose V1 group key is the FROST group key tweaked by tapd's bare non-spendable leaf over the
// anchor's asset ID (no other leaf: the key set alone issues into the group). Devices sign through
// FROST_SIGN_GROUP_GENESIS — each reviews the asset group and derives key and sighash itself —
// software participants sign the sighash computed here from assets/; every share is verified, the
// aggregate checked with BIP-340 against the group key and put in as the genesis witness.

import { equal, toHex } from '../../apdu/bytes.ts';
import type { FrostKeyPackage } from '../../apdu/tap-app/frost-data.ts';
import type { FrostTweak } from '../../apdu/tap-app/frost.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import { groupKeyTapscriptRoot } from '../../assets/group/group-key.ts';
import { genesisPrevOut, isGroupGenesis, virtualTx, virtualTxSighash } from '../../assets/vtx/virtual-tx.ts';
import { tweakedPublic } from '../../bitcoin/frost/key-package.ts';
import { FrostSessionError } from './errors.ts';
import type { FrostGroupGenesis, FrostSigner } from './participant.ts';
import { runFrostSign, type FrostSignResult } from './session.ts';

/** The tweak that turns the key set's group key into the V1 asset group key of `g`. */
export function frostGroupKeyTweak(g: Omit<FrostGroupGenesis, 'asset'> & { asset: Pick<Asset, 'genesis'> }): FrostTweak {
  return { kind: 'merkleRoot', root: groupKeyTapscriptRoot(g.leafVersion, g.anchorAssetId ?? assetId(g.asset.genesis)) };
}

/** The 33-byte V1 asset group key of a key set for `g` (what the genesis asset carries as its group key). */
export function frostAssetGroupKey(keyPackage: FrostKeyPackage, g: Parameters<typeof frostGroupKeyTweak>[0]): Uint8Array {
  return tweakedPublic(keyPackage, frostGroupKeyTweak(g)).commitments[0]!.slice();
}

export interface FrostGroupGenesisResult extends FrostSignResult {
  /** A copy of the genesis asset with the group witness in place. */
  asset: Asset;
}

/** Signs the group witness of `g.asset` with `signers` (at least t of the key set of `keyPackage`). */
export async function signGroupGenesisFrost(g: FrostGroupGenesis, keyPackage: FrostKeyPackage, signers: readonly FrostSigner[]): Promise<FrostGroupGenesisResult> {
  if (!isGroupGenesis(g.asset)) throw new FrostSessionError('group genesis: expected a grouped genesis asset (group key, one zero prev ID witness)');
  const groupKey = frostAssetGroupKey(keyPackage, g);
  if (!equal(groupKey.subarray(1), g.asset.groupKey!.subarray(1)))
    throw new FrostSessionError(`group genesis: the key set's group key for this asset is ${toHex(groupKey.subarray(1))}, the asset carries ${toHex(g.asset.groupKey!.subarray(1))}`);
  const message = virtualTxSighash(virtualTx(g.asset, []), g.asset, 0, genesisPrevOut(g.asset));
  const r = await runFrostSign(keyPackage, message, signers, frostGroupKeyTweak(g), { groupGenesis: g });
  const asset = structuredClone(g.asset);
  asset.prevWitnesses[0]!.txWitness = [r.signature];
  return { ...r, asset };
}
