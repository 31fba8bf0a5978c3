// What the fuzzers accept as a typed error (docs/SECURITY.md "Fuzzing"):
//  - one of the project's errors, recognised by isTaprootHwError (docs/errors.md), or
//  - a RangeError or TypeError the code threw on purpose, recognisable by the style guide's message
//    form "expected X, got Y" (argument checks of encoders and decoders).
// Anything else is an accident: a TypeError from reading a property of undefined, a RangeError from a
// DataView or typed array out of bounds, a stack overflow, an Error from a dependency.

import { isTaprootHwError } from '../../apdu/errors.ts';

export function isTypedError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (isTaprootHwError(e)) return true;
  const builtin = e.constructor === RangeError || e.constructor === TypeError;
  return builtin && /expected .+, got /.test(e.message);
}

