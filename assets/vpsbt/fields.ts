// The vPSBT's key types (docs/taproot-assets.md §1; tapd tappsbt/interface.go for the custom fields
// from 0x70 up, BIP-174 / BIP-371 / BIP-373 for the standard ones tapd writes and the signer adds).
// The one table the codec (codec.ts, psbt-map.ts), the host's stream builder and signature writer
// (host/tap-app), tapd's PSBT readers (host/tapd, host/musig2) and the tests read: no other file
// writes a vPSBT field number (test/architecture.test.ts).

export const GlobalKey = {
  /** PSBT_GLOBAL_UNSIGNED_TX: the virtual transaction, which the device rebuilds and never reads. */
  unsignedTx: 0x00,
  isVirtualTx: 0x70,
  chainParamsHrp: 0x71,
  psbtVersion: 0x72,
} as const;

export const InputKey = {
  sighashType: 0x03,
  bip32Derivation: 0x06,
  /** BIP-371 PSBT_IN_TAP_KEY_SIG: the key-path signature the signer adds. */
  tapKeySig: 0x13,
  tapBip32Derivation: 0x16,
  tapInternalKey: 0x17,
  /** PSBT_IN_TAP_MERKLE_ROOT: tapd puts the script-key tweak here, any length. */
  tapMerkleRoot: 0x18,
  /** BIP-373: keydata the plain aggregate, value the participants in order. */
  musig2ParticipantPubkeys: 0x1a,
  /** BIP-373: keydata participant || tweaked aggregate, value the pubnonce. */
  musig2PubNonce: 0x1b,
  /** BIP-373: keydata participant || tweaked aggregate, value the partial signature. */
  musig2PartialSig: 0x1c,
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
  bip32Derivation: 0x02,
  tapInternalKey: 0x05,
  tapBip32Derivation: 0x07,
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
