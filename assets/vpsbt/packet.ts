// The typed virtual packet (tappsbt/interface.go VPacket, VInput, VOutput; docs/taproot-assets.md §1).
// One vPSBT moves one asset ID (or one group); standard PSBT fields describe the asset script key.

import type { Asset } from '../asset/leaf.ts';
import type { AltLeaf } from '../asset/alt-leaf.ts';
import type { PrevId } from '../asset/prev-id.ts';
import type { TapAddress } from '../address/address.ts';
import type { TapscriptPreimage } from '../tapscript-preimage.ts';
import type { Bip32Derivation, TaprootBip32Derivation } from './derivation.ts';
import type { PsbtField } from './psbt-map.ts';

/** VPacketVersion: V1 requires V2 tap commitments. */
export const VPacketVersion = { V0: 0, V1: 1 } as const;
/** VOutputType. */
export const VOutputType = { simple: 0, splitRoot: 1 } as const;

export interface VAnchor {
  value: bigint;
  pkScript: Uint8Array;
  sigHashType: bigint;
  internalKey?: Uint8Array;
  merkleRoot: Uint8Array;
  tapscriptSibling: Uint8Array;
  bip32Derivation: Bip32Derivation[];
  trBip32Derivation: TaprootBip32Derivation[];
}

/** Standard PSBT fields tapd uses for the asset script key (raw key, tweak). */
export interface ScriptKeyFields {
  bip32Derivation: Bip32Derivation[];
  trBip32Derivation: TaprootBip32Derivation[];
  /** PSBT_*_TAP_INTERNAL_KEY: the raw (internal) script key, x-only. */
  trInternalKey?: Uint8Array;
  /** Any other field, kept verbatim so the packet re-encodes byte for byte. */
  other: PsbtField[];
}

export interface VInput extends ScriptKeyFields {
  prevId: PrevId;
  anchor: VAnchor;
  /** PSBT_IN_TAP_MERKLE_ROOT: the script-key tweak (tapscript root), any length, tapd's convention. */
  trMerkleRoot?: Uint8Array;
  /** PSBT_IN_SIGHASH_TYPE for the asset-level signature. */
  sighashType?: number;
  asset?: Asset;
  /** The input's proof (a `TAPP` proof), kept as carried. */
  proof?: Uint8Array;
}

export interface VOutput extends ScriptKeyFields {
  amount: bigint;
  /** x-only script key from the virtual tx output `OP_1 <key>`. */
  scriptKey: Uint8Array;
  type: number;
  interactive: boolean;
  anchorOutputIndex: number;
  anchorOutputInternalKey?: Uint8Array;
  anchorOutputBip32Derivation: Bip32Derivation[];
  anchorOutputTrBip32Derivation: TaprootBip32Derivation[];
  anchorOutputTapscriptSibling?: TapscriptPreimage;
  asset?: Asset;
  splitAsset?: Asset;
  assetVersion: number;
  proofDeliveryAddress?: string;
  proofSuffix?: Uint8Array;
  /** Absent in packets from tapd versions before the field existed (read as 0). */
  lockTime?: bigint;
  relativeLockTime?: bigint;
  altLeaves?: AltLeaf[];
  address?: TapAddress;
}

export interface VPacket {
  version: number;
  /** Taproot Asset HRP of the chain (tapbc, taptb, taprt, tapsb). */
  chainHrp: string;
  inputs: VInput[];
  outputs: VOutput[];
  /** Global fields other than tapd's, kept verbatim. */
  globalOther: PsbtField[];
}
