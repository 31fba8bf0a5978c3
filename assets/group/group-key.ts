// Asset group keys (asset/group_key.go, docs/taproot-assets.md §3).
// V0: internal = raw + genesisAssetID·G (single tweak), then a BIP-341 tweak with the optional
//     tapscript root (BIP-86 style when there is none).
// V1: the taproot output key of `raw` over a tree whose first level commits to the genesis asset
//     ID through a non-spendable leaf: just that leaf, or with a custom subtree
//     branch(leaf(assetID), branch(leaf(empty), customRoot)). The non-spendable leaf is either
//     `OP_RETURN <data>` or the Pedersen form `<xonly(K)> OP_CHECKSIG`, K being child 0/0 of a
//     depth-3 xpub whose key and chain code come from the commitment data·G + NUMS.

import { bytesToNumberBE } from '@noble/curves/utils.js';
import { HDKey } from '@scure/bip32';
import { concat, fromHex } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { Point, CURVE_ORDER, parsePoint, tapBranchHash, tapLeafHash, taprootTweak } from '../crypto.ts';

export const NonSpendLeafVersion = { opReturn: 1, pedersen: 2 } as const;
export type NonSpendLeafVersion = (typeof NonSpendLeafVersion)[keyof typeof NonSpendLeafVersion];

/**
 * lnd's input.TaprootNUMSKey, the base tapd's Pedersen commitments add to data·G. It is lnd's own
 * NUMS point, not BIP-341's H (0250929b…): the group virtual PSBT in tapd's
 * docs/external-group-key.md carries the xpub of assetID·G + this key (test/unit/tapd).
 */
export const TAPROOT_NUMS_KEY = fromHex('02dca094751109d0bd055d03565874e8276dd53e926b44e3bd1bb6bf4bc130a279');

/** V0 group key: 33-byte compressed tweaked key. */
export function groupPubKeyV0(rawKey: Uint8Array, genesisAssetId: Uint8Array, tapscriptRoot?: Uint8Array): Uint8Array {
  if (genesisAssetId.length !== 32) throw new CodecError(`groupKey.genesisAssetId: expected 32 bytes, got ${genesisAssetId.length}`);
  if (tapscriptRoot && tapscriptRoot.length !== 32 && tapscriptRoot.length !== 0)
    throw new CodecError(`groupKey.tapscriptRoot: expected 32 bytes, got ${tapscriptRoot.length}`);
  const t = bytesToNumberBE(genesisAssetId) % CURVE_ORDER;
  const raw = parsePoint(rawKey, 'groupKey.rawKey');
  const internal = t === 0n ? raw : raw.add(Point.BASE.multiply(t));
  return taprootTweak(internal, tapscriptRoot ?? new Uint8Array()).toBytes(true);
}

/** The Pedersen "tweaked NUMS" key of a leaf: child 0/0 of the depth-3 xpub of data·G + NUMS. */
export function pedersenLeafKey(data: Uint8Array): Uint8Array {
  if (data.length > 32) throw new CodecError(`pedersen leaf data: expected at most 32 bytes, got ${data.length}`);
  const msg = new Uint8Array(32);
  msg.set(data);
  const m = bytesToNumberBE(msg) % CURVE_ORDER;
  const nums = parsePoint(TAPROOT_NUMS_KEY, 'NUMS key');
  const commit = (m === 0n ? nums : Point.BASE.multiply(m).add(nums)).toBytes(true);
  const xpub = new HDKey({ publicKey: commit, chainCode: commit.subarray(1), depth: 3, index: 0, parentFingerprint: 0 });
  return xpub.deriveChild(0).deriveChild(0).publicKey!;
}

/** The non-spendable leaf script committing to `data` (NewNonSpendableScriptLeaf). */
export function nonSpendableLeafScript(version: NonSpendLeafVersion, data?: Uint8Array): Uint8Array {
  if (version === NonSpendLeafVersion.opReturn) {
    if (!data || data.length === 0) return Uint8Array.of(0x6a);
    if (data.length > 75) throw new CodecError(`OP_RETURN leaf data: expected at most 75 bytes, got ${data.length}`);
    return concat(Uint8Array.of(0x6a, data.length), data);
  }
  if (version === NonSpendLeafVersion.pedersen) return concat(Uint8Array.of(0x20), pedersenLeafKey(data ?? new Uint8Array()).subarray(1), Uint8Array.of(0xac));
  throw new CodecError(`non-spendable leaf version: expected 1 (OP_RETURN) or 2 (Pedersen), got ${version}`);
}

/** The V1 group key tapscript root (NewGroupKeyTapscriptRoot). */
export function groupKeyTapscriptRoot(version: NonSpendLeafVersion, genesisAssetId: Uint8Array, customRoot?: Uint8Array): Uint8Array {
  const idLeaf = tapLeafHash(nonSpendableLeafScript(version, genesisAssetId));
  if (!customRoot) return idLeaf;
  if (customRoot.length !== 32) throw new CodecError(`groupKey.customSubtreeRoot: expected 32 bytes, got ${customRoot.length}`);
  return tapBranchHash(idLeaf, tapBranchHash(tapLeafHash(nonSpendableLeafScript(version)), customRoot));
}

/** V1 group key: 33-byte compressed taproot output key of `rawKey` over the group tapscript root. */
export function groupPubKeyV1(rawKey: Uint8Array, version: NonSpendLeafVersion, genesisAssetId: Uint8Array, customRoot?: Uint8Array): Uint8Array {
  return taprootTweak(parsePoint(rawKey, 'groupKey.rawKey'), groupKeyTapscriptRoot(version, genesisAssetId, customRoot)).toBytes(true);
}
