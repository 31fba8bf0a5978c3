// Errors of the Bitcoin layer (docs/errors.md): BitcoinError, whose stable `code` says which input
// was refused (E_DESCRIPTOR, E_WALLET_POLICY, E_KEY_INFO, E_PSBT, E_MUSIG, E_SHAPE). The caller gave
// it: the message says what was expected and what came. DescriptorError adds the rule broken.

import { TaprootHwError } from '../apdu/errors.ts';

export class BitcoinError extends TaprootHwError {}

/** Which rule a descriptor or wallet-policy template broke. */
export type DescriptorRule =
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

export class DescriptorError extends BitcoinError {
  constructor(
    readonly rule: DescriptorRule,
    message: string,
  ) {
    super('E_DESCRIPTOR', message);
  }
}
