// Errors of the Taproot Assets model. Decoding failures use apdu's CodecError (the bytes do not
// have the expected shape); this error is for well-formed data that fails a protocol check
// (a signature, a sum, a key), so callers can tell "malformed" from "invalid" by `name`.

/** A well-formed asset, witness or packet that does not satisfy a Taproot Assets rule. */
export class AssetVerifyError extends Error {
  override readonly name = 'AssetVerifyError';
  /** Dotted path of the offending field, e.g. `inputs[0].asset.prevWitnesses[1].txWitness`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
