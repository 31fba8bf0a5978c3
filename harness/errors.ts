// Errors of the test harness (docs/errors.md): HarnessError, whose stable `code` says what failed
// (E_SPECULOS_UNAVAILABLE: skip the tier; E_SPECULOS_START, E_SPECULOS_STOP, E_SCREEN_TIMEOUT,
// E_BACKEND_CAPABILITY: a real failure).

import { TaprootHwError } from '../apdu/errors.ts';

export class HarnessError extends TaprootHwError {}
