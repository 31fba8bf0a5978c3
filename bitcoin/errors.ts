// Errors of the Bitcoin layer. Each class has a stable `name` (switch on `err.name`, not on
// `instanceof`, which fails across package copies) and a `code` naming the rule that was broken.

/** What was wrong with a descriptor or wallet-policy template. */
export type DescriptorErrorCode =
  | 'syntax' // not the grammar: unexpected character, missing parenthesis, trailing text
  | 'unknown-fragment' // a function name that is not part of the language
  | 'context' // a fragment where it is not allowed (wpkh inside wsh, multi_a outside tr, ...)
  | 'musig-context' // musig() outside tr()/rawtr() (BIP-390)
  | 'musig-derivation' // derivation rules of musig() (BIP-388 / BIP-390)
  | 'placeholder' // a key placeholder without its /** or /<M;N>/* (BIP-388)
  | 'placeholder-order' // placeholders not numbered in order of first appearance (BIP-388)
  | 'placeholder-skipped' // a key index never used (BIP-388)
  | 'placeholder-repeated' // the same key with overlapping derivations (BIP-388)
  | 'key-not-placeholder' // a literal key inside a template (BIP-388)
  | 'key' // a literal key that does not decode or is the wrong kind for its context
  | 'derivation' // a derivation step that is malformed or not allowed here
  | 'type' // miniscript type check failed
  | 'number' // a threshold, count or timelock out of range
  | 'keys-count' // the key-information vector does not match the placeholders
  | 'limit' // beyond a limit of the Ledger Bitcoin app (docs/bitcoin-app-protocol.md §2)
  | 'unsupported'; // valid elsewhere, but not in this library

export class DescriptorError extends Error {
  override readonly name = 'DescriptorError';
  constructor(
    readonly code: DescriptorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A key-information string `[fingerprint/path]xpub` that is malformed. */
export class KeyInfoError extends Error {
  override readonly name = 'KeyInfoError';
}

/** MuSig2 inputs that cannot be aggregated, derived or encoded (BIP-327, BIP-328, BIP-373). */
export class MusigError extends Error {
  override readonly name = 'MusigError';
}

/** A multisig shape (threshold, weights, leaves) that cannot be built as asked. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}
