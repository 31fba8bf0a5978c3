// Errors of the coordinator and its party client (docs/errors.md): CoordinatorLayerError, whose
// stable `code` says what went wrong (E_ENVELOPE, E_INVITE, E_PIN_MISMATCH, E_COSIGN, ...).
// A refusal the coordinator answers over HTTP is its subclass CoordinatorError (wire.ts), which
// carries the wire's own reason and HTTP status.

import { TaprootHwError } from '../apdu/errors.ts';

export class CoordinatorLayerError extends TaprootHwError {}
