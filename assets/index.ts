// Public surface of the Taproot Assets model (pure, no I/O).

export { AssetVerifyError } from './errors.ts';
export { CodecError } from '../apdu/errors.ts';

export { encodeBigSize, readBigSize } from './tlv/bigsize.ts';
export { decodeTlvStream, encodeTlvStream, type TlvRecord } from './tlv/stream.ts';

export { formatOutPoint, parseOutPoint, type OutPoint } from './asset/outpoint.ts';
export { AssetType, assetId, decodeGenesis, encodeGenesis, type Genesis } from './asset/genesis.ts';
export { ZERO_PREV_ID, decodePrevId, encodePrevId, isZeroPrevId, prevIdHash, type PrevId } from './asset/prev-id.ts';
export {
  LeafType,
  WitnessType,
  assetLeafNode,
  assetLeafValue,
  decodeAsset,
  decodeWitness,
  encodeAsset,
  encodeWitness,
  type Asset,
  type AssetEncodeOptions,
  type SplitCommitment,
  type Witness,
} from './asset/leaf.ts';
export { decodeAltLeaves, encodeAltLeaves, type AltLeaf } from './asset/alt-leaf.ts';
export { NUMS_KEY, deriveBurnKey, isBurnKey } from './asset/burn.ts';

export { EMPTY_TREE, branchNode, leafNode, type MssmtNode } from './mssmt/node.ts';
export { MssmtTree, type MssmtLeaf } from './mssmt/tree.ts';
export {
  compressProof,
  decodeCompressedProof,
  decompressProof,
  encodeCompressedProof,
  proofRoot,
  verifyExclusion,
  verifyInclusion,
  type CompressedMssmtProof,
  type MssmtProof,
} from './mssmt/proof.ts';

export { PreimageType, decodeTapscriptPreimage, encodeTapscriptPreimage, tapscriptPreimageHash, type TapscriptPreimage } from './tapscript-preimage.ts';
export { TAP_NETWORKS, chainParamsForHrp, type TapChainParams } from './address/params.ts';
export { decodeAddress, decodeAddressTlv, encodeAddress, encodeAddressTlv, type TapAddress } from './address/address.ts';

export { decodeVPacket, encodeVPacket } from './vpsbt/codec.ts';
export { VOutputType, VPacketVersion, type VAnchor, type VInput, type VOutput, type VPacket } from './vpsbt/packet.ts';
export { keyLocatorFromPath, type Bip32Derivation, type TaprootBip32Derivation } from './vpsbt/derivation.ts';
export type { PsbtField } from './vpsbt/psbt-map.ts';

export {
  genesisPrevOut,
  inputPrevOut,
  isGroupGenesis,
  virtualTx,
  virtualTxSighash,
  type InputAsset,
  type SighashOptions,
  type TxOutput,
  type VirtualTx,
} from './vtx/virtual-tx.ts';
export { verifyTaprootWitness, type SpendContext } from './vtx/tapscript.ts';
export { splitLocatorKey, verifyStateTransition, type SplitAsset } from './vtx/verify.ts';

export {
  NonSpendLeafVersion,
  TAPROOT_NUMS_KEY,
  groupKeyTapscriptRoot,
  groupPubKeyV0,
  groupPubKeyV1,
  nonSpendableLeafScript,
  pedersenLeafKey,
} from './group/group-key.ts';

export { PROOF_MAGIC, ProofType, decodeProof, encodeProof, type TransitionProof } from './proof/proof.ts';

export { describeVPacket, formatDisplayModel, type DisplayContext, type DisplayItem, type DisplayModel } from './display/model.ts';

export { assetFromJson, assetToJson, prevIdFromJson } from './json/asset-json.ts';
export { addressFromJson, addressToJson } from './json/address-json.ts';
