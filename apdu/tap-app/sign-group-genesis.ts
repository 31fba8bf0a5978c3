// SIGN_GROUP_GENESIS (E7 40, §5.6): the group witness of a new or re-issued grouped asset.
//   varint asset_len || sha256(asset_tlv)[32] || key_version:u8 || group_key_path || has_root:u8 || [tapscript_root[32]]
//   || [anchor_asset_id[32]]   (the group anchor's asset ID when re-issuing into the group)
//   -> signature[64] || tweaked_group_key_xonly[32]
// The asset leaf is fetched by GET_PREIMAGE and checked against the hash. A V0 group key is tweaked
// with the asset ID of the group's first asset (tapd asset.GroupPubKeyV0), a V1 key's tapscript root
// is the non-spendable leaf over it; without the trailing field that is the minted asset's own ID
// (a new group).

import { ByteReader, concat, encodeVarint } from '../bytes.ts';
import { CLA_TAP, RequestError, TAP_INS, encodeTapPath, field, readFlag, readTapPath, type CommandSpec } from './spec.ts';

export const MAX_GENESIS_ASSET_LENGTH = 4096;

/** tapd's group key versions (asset/group_key.go): V0 tweaks the raw key by the asset ID first. */
export const GroupKeyVersion = { V0: 0, V1: 1 } as const;
export type GroupKeyVersionValue = (typeof GroupKeyVersion)[keyof typeof GroupKeyVersion];

export interface SignGroupGenesisRequest {
  assetLength: number;
  assetHash: Uint8Array;
  keyVersion: GroupKeyVersionValue;
  groupKeyPath: number[];
  /** Tapscript root of the group key (V1: the branch with the non-spendable leaf); absent: BIP-86 style. */
  tapscriptRoot?: Uint8Array;
  /** The group anchor's asset ID, for a re-issuance; absent: the minted asset's own ID. */
  anchorAssetId?: Uint8Array;
}

export interface SignGroupGenesisResponse {
  signature: Uint8Array;
  tweakedGroupKey: Uint8Array;
}

export const signGroupGenesis: CommandSpec<SignGroupGenesisRequest, SignGroupGenesisResponse> = {
  name: 'SIGN_GROUP_GENESIS',
  cla: CLA_TAP,
  ins: TAP_INS.SIGN_GROUP_GENESIS,
  encodeRequest(req) {
    if (!Number.isInteger(req.assetLength) || req.assetLength < 1 || req.assetLength > MAX_GENESIS_ASSET_LENGTH)
      throw new RangeError(`SIGN_GROUP_GENESIS.assetLength: expected 1..${MAX_GENESIS_ASSET_LENGTH}, got ${req.assetLength}`);
    if (req.keyVersion !== 0 && req.keyVersion !== 1) throw new RangeError(`SIGN_GROUP_GENESIS.keyVersion: expected 0 or 1, got ${req.keyVersion}`);
    return concat(
      encodeVarint(req.assetLength),
      field(req.assetHash, 32, 'SIGN_GROUP_GENESIS.assetHash'),
      Uint8Array.of(req.keyVersion),
      encodeTapPath(req.groupKeyPath, 'SIGN_GROUP_GENESIS.groupKeyPath'),
      req.tapscriptRoot === undefined ? Uint8Array.of(0) : concat(Uint8Array.of(1), field(req.tapscriptRoot, 32, 'SIGN_GROUP_GENESIS.tapscriptRoot')),
      req.anchorAssetId === undefined ? new Uint8Array() : field(req.anchorAssetId, 32, 'SIGN_GROUP_GENESIS.anchorAssetId'),
    );
  },
  decodeRequest(data) {
    const r = new ByteReader(data, 'SIGN_GROUP_GENESIS');
    const length = r.varint('asset_len');
    const assetHash = r.bytesN(32, 'asset_hash').slice();
    const keyVersion = r.u8('key_version');
    const groupKeyPath = readTapPath(r, 'group_key_path');
    const hasRoot = readFlag(r, 'has_root');
    const tapscriptRoot = hasRoot ? r.bytesN(32, 'tapscript_root').slice() : undefined;
    const anchorAssetId = r.remaining > 0 ? r.bytesN(32, 'anchor_asset_id').slice() : undefined;
    r.end();
    if (length < 1n || length > BigInt(MAX_GENESIS_ASSET_LENGTH))
      throw new RequestError(`SIGN_GROUP_GENESIS.asset_len: expected 1..${MAX_GENESIS_ASSET_LENGTH}, got ${length}`);
    if (keyVersion > 1) throw new RequestError(`SIGN_GROUP_GENESIS.key_version: expected 0 or 1, got ${keyVersion}`);
    const req: SignGroupGenesisRequest = { assetLength: Number(length), assetHash, keyVersion: keyVersion as GroupKeyVersionValue, groupKeyPath };
    if (tapscriptRoot) req.tapscriptRoot = tapscriptRoot;
    if (anchorAssetId) req.anchorAssetId = anchorAssetId;
    return req;
  },
  encodeResponse: (res) =>
    concat(field(res.signature, 64, 'SIGN_GROUP_GENESIS.signature'), field(res.tweakedGroupKey, 32, 'SIGN_GROUP_GENESIS.tweakedGroupKey')),
  decodeResponse(data) {
    const r = new ByteReader(data, 'SIGN_GROUP_GENESIS response');
    const signature = r.bytesN(64, 'signature').slice();
    const tweakedGroupKey = r.bytesN(32, 'tweakedGroupKey').slice();
    r.end();
    return { signature, tweakedGroupKey };
  },
};
