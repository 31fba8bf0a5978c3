// ISO 7816-4 short APDUs as Ledger devices use them: `CLA INS P1 P2 Lc data` with at most 255 data
// bytes, and responses `data || SW1 SW2` (docs/bitcoin-app-protocol.md §1). Ledger apps do not use Le, and an empty
// body may be sent with or without Lc = 00; both decode to empty data.

import { concat, toHex, u16be } from './bytes.ts';
import { CodecError } from './errors.ts';

export const MAX_APDU_DATA = 255;

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
}

export interface ResponseApdu {
  data: Uint8Array;
  statusWord: number;
}

function abyte(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff)
    throw new RangeError(`apdu.${what}: expected a byte 0..255, got ${value}`);
  return value;
}

export function encodeCommand(cmd: CommandApdu): Uint8Array {
  const data = cmd.data ?? new Uint8Array();
  if (data.length > MAX_APDU_DATA)
    throw new RangeError(`apdu.data: expected at most ${MAX_APDU_DATA} bytes, got ${data.length}; use chunkData`);
  return concat(
    Uint8Array.of(abyte(cmd.cla, 'cla'), abyte(cmd.ins, 'ins'), abyte(cmd.p1, 'p1'), abyte(cmd.p2, 'p2'), data.length),
    data,
  );
}

/**
 * Decodes a command APDU strictly: Lc must equal the number of data bytes that follow. A device must
 * answer a malformed header with a status word, so callers catch CodecError and map it to 6A87/6700.
 */
export function decodeCommand(bytes: Uint8Array): CommandApdu {
  if (bytes.length < 4) throw new CodecError(`apdu: expected at least 4 header bytes, got ${bytes.length}`);
  const [cla, ins, p1, p2] = bytes as unknown as [number, number, number, number];
  if (bytes.length === 4) return { cla, ins, p1, p2, data: new Uint8Array() };
  const lc = bytes[4]!;
  const data = bytes.subarray(5);
  if (data.length !== lc) throw new CodecError(`apdu: Lc says ${lc} data bytes, got ${data.length}`);
  return { cla, ins, p1, p2, data };
}

export function encodeResponse(res: ResponseApdu): Uint8Array {
  return concat(res.data, u16be(res.statusWord));
}

export function decodeResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw new CodecError(`apdu response: expected at least 2 bytes (status word), got ${bytes.length}`);
  const n = bytes.length - 2;
  return { data: bytes.subarray(0, n), statusWord: (bytes[n]! << 8) | bytes[n + 1]! };
}

/** A response carrying only a status word. */
export function statusOnly(statusWord: number): Uint8Array {
  return u16be(statusWord);
}

/** Splits a payload into APDU-sized pieces; an empty payload yields one empty chunk. */
export function chunkData(data: Uint8Array, size = MAX_APDU_DATA): Uint8Array[] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_APDU_DATA)
    throw new RangeError(`chunk size: expected 1..${MAX_APDU_DATA}, got ${size}`);
  if (data.length === 0) return [new Uint8Array()];
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

/** Formats a command the way Ledger transcripts print it (lowercase hex, no spaces). */
export function describeCommand(cmd: CommandApdu): string {
  return toHex(encodeCommand(cmd));
}
