// The PSBT key types (BIP-174, BIP-370 for version 2, BIP-371 for taproot, BIP-373 for MuSig2), by
// their BIP names without the PSBT_<MAP>_ prefix. The one table the PSBT v0 <-> v2 conversion
// (psbtv2.ts), the emulated Bitcoin app's PSBT reader (emulator/apps/bitcoin/psbt), tapd's PSBT
// readers (host/tapd), the vPSBT table's standard rows (assets/vpsbt/fields.ts) and the tests read:
// no other file writes one of these numbers as a constant (test/architecture.test.ts).

export const PSBT_GLOBAL = {
  UNSIGNED_TX: 0x00,
  XPUB: 0x01,
  TX_VERSION: 0x02,
  FALLBACK_LOCKTIME: 0x03,
  INPUT_COUNT: 0x04,
  OUTPUT_COUNT: 0x05,
  TX_MODIFIABLE: 0x06,
  VERSION: 0xfb,
} as const;

export const PSBT_IN = {
  NON_WITNESS_UTXO: 0x00,
  WITNESS_UTXO: 0x01,
  PARTIAL_SIG: 0x02,
  SIGHASH_TYPE: 0x03,
  REDEEM_SCRIPT: 0x04,
  WITNESS_SCRIPT: 0x05,
  BIP32_DERIVATION: 0x06,
  FINAL_SCRIPTSIG: 0x07,
  FINAL_SCRIPTWITNESS: 0x08,
  PREVIOUS_TXID: 0x0e,
  OUTPUT_INDEX: 0x0f,
  SEQUENCE: 0x10,
  REQUIRED_TIME_LOCKTIME: 0x11,
  REQUIRED_HEIGHT_LOCKTIME: 0x12,
  TAP_KEY_SIG: 0x13,
  TAP_SCRIPT_SIG: 0x14,
  TAP_LEAF_SCRIPT: 0x15,
  TAP_BIP32_DERIVATION: 0x16,
  TAP_INTERNAL_KEY: 0x17,
  TAP_MERKLE_ROOT: 0x18,
  /** Keydata the plain aggregate key, value the participants' keys in order. */
  MUSIG2_PARTICIPANT_PUBKEYS: 0x1a,
  /** Keydata participant || tweaked aggregate (|| tapleaf hash), value the pubnonce. */
  MUSIG2_PUB_NONCE: 0x1b,
  /** Keydata participant || tweaked aggregate (|| tapleaf hash), value the partial signature. */
  MUSIG2_PARTIAL_SIG: 0x1c,
} as const;

export const PSBT_OUT = {
  REDEEM_SCRIPT: 0x00,
  WITNESS_SCRIPT: 0x01,
  BIP32_DERIVATION: 0x02,
  AMOUNT: 0x03,
  SCRIPT: 0x04,
  TAP_INTERNAL_KEY: 0x05,
  TAP_TREE: 0x06,
  TAP_BIP32_DERIVATION: 0x07,
  MUSIG2_PARTICIPANT_PUBKEYS: 0x08,
} as const;
