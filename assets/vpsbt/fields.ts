// The vPSBT's key types (docs/taproot-assets.md §1; tapd tappsbt/interface.go for the custom fields
// from 0x70 up; the standard ones tapd writes and the signer adds are rows of the Bitcoin PSBT table,
// bitcoin/psbt-fields.ts, named here as the codec names them).
// The one table the codec (codec.ts, psbt-map.ts), the host's stream builder and signature writer
// (host/tap-app), tapd's PSBT readers (host/tapd, host/musig2) and the tests read: no other file
// writes a vPSBT field number (test/architecture.test.ts).

import { PSBT_GLOBAL, PSBT_IN, PSBT_OUT } from '../../bitcoin/psbt-fields.ts';

export const GlobalKey = {
  /** The virtual transaction, which the device rebuilds and never reads. */
  unsignedTx: PSBT_GLOBAL.UNSIGNED_TX,
  isVirtualTx: 0x70,
  chainParamsHrp: 0x71,
  psbtVersion: 0x72,
} as const;

export const InputKey = {
  sighashType: PSBT_IN.SIGHASH_TYPE,
  bip32Derivation: PSBT_IN.BIP32_DERIVATION,
  /** The key-path signature the signer adds. */
  tapKeySig: PSBT_IN.TAP_KEY_SIG,
  tapBip32Derivation: PSBT_IN.TAP_BIP32_DERIVATION,
  tapInternalKey: PSBT_IN.TAP_INTERNAL_KEY,
  /** tapd puts the script-key tweak here, any length. */
  tapMerkleRoot: PSBT_IN.TAP_MERKLE_ROOT,
  musig2ParticipantPubkeys: PSBT_IN.MUSIG2_PARTICIPANT_PUBKEYS,
  musig2PubNonce: PSBT_IN.MUSIG2_PUB_NONCE,
  musig2PartialSig: PSBT_IN.MUSIG2_PARTIAL_SIG,
  prevId: 0x70,
  anchorValue: 0x71,
  anchorPkScript: 0x72,
  anchorSigHashType: 0x73,
  anchorInternalKey: 0x74,
  anchorMerkleRoot: 0x75,
  anchorBip32Derivation: 0x76,
  anchorTapBip32Derivation: 0x77,
  anchorTapscriptSibling: 0x78,
  asset: 0x79,
  assetProof: 0x7a,
} as const;

export const OutputKey = {
  bip32Derivation: PSBT_OUT.BIP32_DERIVATION,
  tapInternalKey: PSBT_OUT.TAP_INTERNAL_KEY,
  tapBip32Derivation: PSBT_OUT.TAP_BIP32_DERIVATION,
  type: 0x70,
  isInteractive: 0x71,
  anchorOutputIndex: 0x72,
  anchorOutputInternalKey: 0x73,
  anchorBip32Derivation: 0x74,
  anchorTapBip32Derivation: 0x75,
  asset: 0x76,
  splitAsset: 0x77,
  anchorTapscriptSibling: 0x78,
  assetVersion: 0x79,
  proofDeliveryAddress: 0x7a,
  proofSuffix: 0x7b,
  lockTime: 0x7c,
  relativeLockTime: 0x7d,
  altLeaves: 0x7e,
  address: 0x7f,
} as const;

/** First key type of tapd's custom fields: below it, standard keys sort by their key data too. */
export const CUSTOM_KEY_TYPES = 0x70;
