// Errors of the Taproot Assets model (docs/errors.md). Decoding failures use apdu's CodecError
// (E_CODEC: the bytes do not have the expected shape); AssetVerifyError is for well-formed data that
// fails a protocol check (a signature, a sum, a key), so callers can tell "malformed" from "invalid"
// by code. An MS-SMT sum beyond 2^64-1 is E_MSSMT_OVERFLOW, a tree beyond the builder's stack
// E_MSSMT_STACK_LIMIT.

import { TaprootHwError } from '../apdu/errors.ts';

type AssetCode = 'E_ASSET_VERIFY' | 'E_MSSMT_OVERFLOW' | 'E_MSSMT_STACK_LIMIT';

/** A well-formed asset, witness, packet or tree that does not satisfy a Taproot Assets rule. */
export class AssetVerifyError extends TaprootHwError {
  /** Dotted path of the offending field, e.g. `inputs[0].asset.prevWitnesses[1].txWitness`. */
  readonly field: string;
  constructor(field: string, message: string, code: AssetCode = 'E_ASSET_VERIFY') {
    super(code, `${field}: ${message}`);
    this.field = field;
  }
}
