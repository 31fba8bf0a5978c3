// Proof-of-burn script keys (asset/burn.go): burnKey = NUMS + hashTapTweak(x(NUMS) || prevID)·G
// with prevID = outpoint (wire) || asset ID || xonly(script key) of the first input. The data is
// longer than 32 bytes, so no script path can hide behind it.

import { concat, fromHex } from '../../apdu/bytes.ts';
import { parsePoint, taprootTweak } from '../crypto.ts';
import { encodeOutPointWire } from './outpoint.ts';
import type { PrevId } from './prev-id.ts';
import type { Witness } from './leaf.ts';

/** asset.NUMSBytes: the nothing-up-my-sleeve key tapd uses for tombstones and burns. */
export const NUMS_KEY = fromHex('027c79b9b26e463895eef5679d8558942c86c4ad2233adef01bc3e6d540b3653fe');

/** The x-only burn key for a spend whose first input is `firstPrevId`. */
export function deriveBurnKey(firstPrevId: PrevId): Uint8Array {
  const data = concat(encodeOutPointWire(firstPrevId.outPoint), firstPrevId.assetId, firstPrevId.scriptKey.subarray(1));
  return taprootTweak(parsePoint(NUMS_KEY, 'NUMS key'), data).toBytes(true).subarray(1);
}

/**
 * True if `scriptKey` (33 bytes) is the burn key of the witness's first prev ID (asset.IsBurnKey):
 * for a split output that is the root asset's first prev ID. Burn keys have even Y.
 */
export function isBurnKey(scriptKey: Uint8Array, witness: Witness): boolean {
  const prevId = witness.splitCommitment ? witness.splitCommitment.rootAsset.prevWitnesses[0]?.prevId : witness.prevId;
  if (!prevId || scriptKey.length !== 33 || scriptKey[0] !== 0x02) return false;
  const burn = deriveBurnKey(prevId);
  return burn.every((b, i) => b === scriptKey[i + 1]);
}
