// Errors the emulator raises to whoever starts and drives it (docs/errors.md): EmulatorError, whose
// stable `code` says what was refused (E_SEED, E_UNKNOWN_APP, E_AUTOMATION, E_PORT_IN_USE). What
// goes wrong inside an emulated app never leaves it as an exception: it becomes the status word a
// real device answers (apps/*/errors.ts), or an HTTP error answer of the Speculos API.

import { TaprootHwError } from '../apdu/errors.ts';

export class EmulatorError extends TaprootHwError {}

/** A server port that is taken; Speculos would silently move it, we refuse and name it. */
export class PortInUseError extends EmulatorError {
  constructor(
    readonly role: string,
    readonly host: string,
    readonly port: number,
  ) {
    super('E_PORT_IN_USE', `${role} port: expected ${host}:${port} to be free, but it is already in use (pass another port, or 0 for any free port)`);
  }
}
