// The shape of a command spec, shared by every app's wire format (apdu/bitcoin-app, apdu/tap-app) and
// by the OS-level GET_APP_AND_VERSION: one symmetric codec per command, used by the host client to
// encode requests and decode responses and by the emulated app the other way round.

import { CodecError } from './errors.ts';
import { SW } from './status.ts';

/** A request value the app refuses with a status word other than 6A87. */
export class RequestError extends CodecError {
  readonly statusWord: number;
  constructor(message: string, statusWord: number = SW.INCORRECT_DATA) {
    super(message);
    this.statusWord = statusWord;
  }
}

/** The status word the real app answers when a request decoder throws `err`. */
export function requestErrorStatus(err: unknown): number {
  if (err instanceof RequestError) return err.statusWord;
  if (err instanceof CodecError) return SW.WRONG_DATA_LENGTH;
  throw err;
}

export interface CommandSpec<Req, Res> {
  readonly name: string;
  readonly cla: number;
  readonly ins: number;
  encodeRequest(req: Req): Uint8Array;
  decodeRequest(data: Uint8Array): Req;
  encodeResponse(res: Res): Uint8Array;
  decodeResponse(data: Uint8Array): Res;
}

/** Checks a fixed-size byte field the caller supplies (hashes, HMACs, wallet ids). */
export function bytesField(value: Uint8Array, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length)
    throw new RangeError(`${what}: expected ${length} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}`);
  return value;
}

/** Printable ASCII (0x20..0x7E) text such as xpubs and addresses the app returns. */
export function decodeAscii(data: Uint8Array, what: string): string {
  for (const b of data)
    if (b < 0x20 || b > 0x7e) throw new CodecError(`${what}: expected printable ASCII, got byte 0x${b.toString(16).padStart(2, '0')}`);
  return String.fromCharCode(...data);
}

export function encodeAscii(text: string, what: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`${what}: expected printable ASCII, got character code ${c}`);
    out[i] = c;
  }
  return out;
}

/**
 * An app's wire description: its CLA, protocol version (P2), command specs and status words. The
 * emulated app's dispatcher and the tests' command tables are derived from it.
 */
export interface AppWire {
  readonly name: string;
  readonly cla: number;
  readonly protocolVersion: number;
  readonly commands: readonly CommandSpec<any, any>[];
  readonly statusWords: Readonly<Record<string, number>>;
}

/** The command spec of `app` with this INS, if any. */
export function commandByIns(app: AppWire, ins: number): CommandSpec<unknown, unknown> | undefined {
  return app.commands.find((c) => c.ins === ins);
}
