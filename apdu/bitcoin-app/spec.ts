// The shape every Ledger Bitcoin app command spec shares: one definition of the request and the
// response bytes for both the host client and the emulated app (docs/architecture.md §1, apdu/).
//
// Request decoders read fields in the order the app's handler reads them (src/handler/*.c) and
// stop where the handler stops: the app never checks for trailing bytes, so neither do they. A read
// past the end is a plain CodecError, which the app answers with 6A87 (SW_WRONG_DATA_LENGTH); a
// value the handler refuses is a RequestError carrying the status word the handler sends.

import type { CommandApdu } from '../apdu.ts';
import { CodecError } from '../errors.ts';
import { SW } from '../status.ts';

export const CLA_BITCOIN = 0xe1;
/** CLA of the OS-level GET_APP_AND_VERSION (B0 01), answered in the dashboard and in every app. */
export const CLA_DEFAULT = 0xb0;
/** P2 carries the protocol version; 1 since app 2.1.0, 0 still accepted (docs/bitcoin-app-protocol.md §1). */
export const PROTOCOL_VERSION = 1;

export const INS = {
  GET_EXTENDED_PUBKEY: 0x00,
  REGISTER_WALLET: 0x02,
  GET_WALLET_ADDRESS: 0x03,
  SIGN_PSBT: 0x04,
  GET_MASTER_FINGERPRINT: 0x05,
  SIGN_MESSAGE: 0x10,
} as const;

/** Path depth the app accepts: MAX_BIP388_XPUB_DERIVATION_STEPS (8) + 2 (src/constants.h). */
export const MAX_BIP32_PATH_STEPS = 10;

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

/** The command APDU for `req` (P1 = 0, P2 = protocol version). */
export function commandApdu<Req>(spec: CommandSpec<Req, unknown>, req: Req, p2 = PROTOCOL_VERSION): CommandApdu {
  return { cla: spec.cla, ins: spec.ins, p1: 0, p2, data: spec.encodeRequest(req) };
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
