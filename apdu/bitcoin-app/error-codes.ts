// Error codes the app puts in the response data, before the status word, since 2.4.0 (SEND_SW_EC;
// src/error_codes.h, docs/bitcoin-app-protocol.md §1). The same number means different things per command, so
// the table is keyed by command.

export const REGISTER_WALLET_ERROR = {
  UNACCEPTABLE_POLICY_NAME: 0x0000,
  POLICY_NOT_SANE: 0x0001,
  POLICY_HAS_NO_INTERNAL_KEY: 0x0002,
} as const;

export const SIGN_PSBT_ERROR = {
  MISSING_HMAC_FOR_NONDEFAULT_POLICY: 0x0000,
  NO_NAME_FOR_DEFAULT_POLICY: 0x0001,
  WALLET_POLICY_HAS_NO_INTERNAL_KEY: 0x0002,
  MISSING_NONWITNESSUTXO_AND_WITNESSUTXO: 0x0003,
  NONWITNESSUTXO_CHECK_FAILED: 0x0004,
  NONWITNESSUTXO_AND_WITNESSUTXO_MISMATCH: 0x0005,
  MISSING_NONWITNESSUTXO_OR_UNEXPECTED_WITNESSUTXO_FOR_LEGACY: 0x0006,
  MISSING_WITNESSUTXO_FOR_SEGWIT: 0x0007,
  UNALLOWED_SIGHASH_SINGLE: 0x0008,
  TOO_MANY_CHANGE_OUTPUTS: 0x0009,
  MISMATCHING_WITNESS_SCRIPT: 0x000a,
  MISMATCHING_REDEEM_SCRIPT: 0x000b,
  WALLET_POLICY_TOO_MANY_INTERNAL_KEYS: 0x000c,
} as const;

const DESCRIPTIONS: Record<string, Record<number, string>> = {
  REGISTER_WALLET: {
    0x0000: 'the policy name is not acceptable (1..64 printable ASCII characters, no leading or trailing space)',
    0x0001: 'the wallet policy does not respect BIP-388 or the miniscript sanity rules',
    0x0002: 'no key in the wallet policy belongs to this device',
  },
  SIGN_PSBT: {
    0x0000: 'the wallet policy is not a default one: register it and pass its HMAC',
    0x0001: 'a default wallet policy must have an empty name',
    0x0002: 'no key in the wallet policy belongs to this device',
    0x0003: 'an input has neither non-witness UTXO nor witness UTXO',
    0x0004: 'the non-witness UTXO does not match the input previous txid',
    0x0005: 'the non-witness UTXO and the witness UTXO disagree on script or amount',
    0x0006: 'a legacy input needs the non-witness UTXO and no witness UTXO',
    0x0007: 'a segwit or taproot input is missing its witness UTXO',
    0x0008: 'SIGHASH_SINGLE on an input without a matching output',
    0x0009: 'too many change outputs',
    0x000a: 'the witness script in the PSBT is incorrect',
    0x000b: 'the redeem script in the PSBT is incorrect',
    0x000c: 'the wallet policy has too many internal keys',
  },
};

/** The error code's meaning for `command` ('REGISTER_WALLET' or 'SIGN_PSBT'), if known. */
export function describeErrorCode(command: string, code: number): string | undefined {
  return DESCRIPTIONS[command]?.[code];
}

/** Splits `data` of a failed response into its 2-byte error code, when the app sent one. */
export function readErrorCode(data: Uint8Array): number | undefined {
  return data.length === 2 ? (data[0]! << 8) | data[1]! : undefined;
}
