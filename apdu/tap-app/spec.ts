// The Taproot Assets app's wire format (docs/tap-app-protocol.md): CLA E7, P1 = 0, P2 = protocol
// version 2, one symmetric spec per command shared by the host client and the emulated app.
//
// Unlike the Ledger Bitcoin app's handlers, this app is strict about framing (§1): a read past the
// end and trailing bytes are both 6A87; a value out of range is a RequestError carrying 6A80 (or
// the status word §5 names). The command-spec shape and RequestError are shared (apdu/command-spec.ts).

import { ByteReader, concat, u32be } from '../bytes.ts';
import type { CommandApdu } from '../apdu.ts';
import { CodecError } from '../errors.ts';
import { MAX_PATH_DEPTH } from '../path.ts';
import { RequestError, requestErrorStatus, type CommandSpec } from '../command-spec.ts';

export { RequestError, type CommandSpec };

/** Name under which the app answers B0 01 (§1). */
export const TAP_APP_NAME = 'Taproot Assets';
export const CLA_TAP = 0xe7;
/** Protocol version 2 (P2): SIGN_VPSBT is the pushed stream of vpsbt-stream.ts (§5.5). */
export const TAP_PROTOCOL_VERSION = 2;
/**
 * The Ledger Bitcoin app's P2: it passes the app's first check, so a Bitcoin app command sent here
 * reads 6E00 (the wrong app) rather than 6A86 (§1). Every command of this app at P2 = 1 is 6A86.
 */
export const BITCOIN_APP_PROTOCOL_VERSION = 1;

export const TAP_INS = {
  GET_APP_INFO: 0x01,
  GET_MASTER_FINGERPRINT: 0x05,
  GET_KEY: 0x10,
  MUSIG_ROUND1: 0x20,
  MUSIG_ROUND2: 0x21,
  SIGN_VPSBT: 0x30,
  SIGN_GROUP_GENESIS: 0x40,
  // FROST (docs/frost.md §3)
  FROST_DKG_ROUND1: 0x50,
  FROST_DKG_ROUND2: 0x51,
  FROST_DKG_ROUND3: 0x52,
  FROST_COMMIT: 0x54,
  FROST_SIGN: 0x55,
  FROST_SIGN_GROUP_GENESIS: 0x56,
} as const;

export type TapInsName = keyof typeof TAP_INS;

/** The command APDU for `req`: CLA E7, P1 = 0, P2 = 2 (§1). */
export function tapCommand<Req>(spec: CommandSpec<Req, unknown>, req: Req): CommandApdu {
  return { cla: spec.cla, ins: spec.ins, p1: 0, p2: TAP_PROTOCOL_VERSION, data: spec.encodeRequest(req) };
}

/**
 * The status word the app answers when a request decoder throws `err` (§1): a RequestError names
 * its own, any other CodecError (short or trailing data) is 6A87. Anything else is a bug and rethrown.
 */
export const tapRequestErrorStatus: (err: unknown) => number = requestErrorStatus;

/** Fixed-size byte field supplied by the caller. */
export function field(value: Uint8Array, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length)
    throw new RangeError(`${what}: expected ${length} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}`);
  return value;
}

export function checkPathArg(path: readonly number[], what: string): readonly number[] {
  if (!Array.isArray(path) || path.length > MAX_PATH_DEPTH)
    throw new RangeError(`${what}: expected at most ${MAX_PATH_DEPTH} elements, got ${Array.isArray(path) ? path.length : typeof path}`);
  for (const n of path)
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what}: expected u32 elements, got ${n}`);
  return path;
}

/** `n:u8 || n × u32` (§ notation); a depth above 10 is out of range (6A80), a short path 6A87. */
export function encodeTapPath(path: readonly number[], what: string): Uint8Array {
  checkPathArg(path, what);
  return concat(Uint8Array.of(path.length), ...path.map(u32be));
}

export function readTapPath(r: ByteReader, what: string): number[] {
  const n = r.u8(`${what}.length`);
  if (n > MAX_PATH_DEPTH) throw new RequestError(`${r.what}.${what}: expected at most ${MAX_PATH_DEPTH} elements, got ${n}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.u32be(`${what}[${i}]`));
  return out;
}

export function readFlag(r: ByteReader, what: string): boolean {
  const b = r.u8(what);
  if (b > 1) throw new RequestError(`${r.what}.${what}: expected 0 or 1, got ${b}`);
  return b === 1;
}

/** A compressed SEC key by its prefix; the curve check is the device's (6A80 as well). */
export function readCompressedKey(r: ByteReader, what: string): Uint8Array {
  const key = r.bytesN(33, what).slice();
  if (key[0] !== 0x02 && key[0] !== 0x03)
    throw new RequestError(`${r.what}.${what}: expected a compressed key (02/03 prefix), got prefix 0x${key[0]!.toString(16).padStart(2, '0')}`);
  return key;
}

export function compressedKeyArg(key: Uint8Array, what: string): Uint8Array {
  field(key, 33, what);
  if (key[0] !== 0x02 && key[0] !== 0x03) throw new RangeError(`${what}: expected a compressed key (02/03 prefix), got 0x${key[0]!.toString(16)}`);
  return key;
}

/** A response with no data (SIGN_VPSBT: results arrive as YIELDs). */
export function expectEmpty(data: Uint8Array, what: string): void {
  if (data.length !== 0) throw new CodecError(`${what}: expected no data, got ${data.length} bytes`);
}
