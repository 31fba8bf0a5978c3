// GET_APP_AND_VERSION (B0 01), answered by the OS layer in the dashboard ("BOLOS") and in every app:
// `format:u8 (1) || name_len || name || version_len || version || flags_len || flags`
// (docs/bitcoin-app-protocol.md §11; corpus app-version-and-fingerprint: 01 0c "Bitcoin Test" 05 "2.4.6" 01 00).

import { ByteReader, concat } from './bytes.ts';
import { CodecError } from './errors.ts';
import { decodeAscii, encodeAscii, type CommandSpec } from './command-spec.ts';

/** CLA of the OS-level GET_APP_AND_VERSION (B0 01), answered in the dashboard and in every app. */
export const CLA_DEFAULT = 0xb0;

export interface AppAndVersion {
  name: string;
  version: string;
  flags: Uint8Array;
}

function lengthPrefixed(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length > 0xff) throw new RangeError(`${what}: expected at most 255 bytes, got ${bytes.length}`);
  return concat(Uint8Array.of(bytes.length), bytes);
}

export const getAppAndVersion: CommandSpec<void, AppAndVersion> = {
  name: 'GET_APP_AND_VERSION',
  cla: CLA_DEFAULT,
  ins: 0x01,
  encodeRequest: () => new Uint8Array(),
  decodeRequest: () => undefined,
  encodeResponse: (res) =>
    concat(
      Uint8Array.of(1),
      lengthPrefixed(encodeAscii(res.name, 'app name'), 'app name'),
      lengthPrefixed(encodeAscii(res.version, 'app version'), 'app version'),
      lengthPrefixed(res.flags, 'app flags'),
    ),
  decodeResponse(data) {
    const r = new ByteReader(data, 'GET_APP_AND_VERSION response');
    const format = r.u8('format');
    if (format !== 1) throw new CodecError(`GET_APP_AND_VERSION response: expected format 1, got ${format}`);
    const name = decodeAscii(r.bytesN(r.u8('name.length'), 'name'), 'GET_APP_AND_VERSION response.name');
    const version = decodeAscii(r.bytesN(r.u8('version.length'), 'version'), 'GET_APP_AND_VERSION response.version');
    const flags = r.bytesN(r.u8('flags.length'), 'flags').slice();
    r.end();
    return { name, version, flags };
  },
};

/** The B0 01 APDU exactly as Ledger clients send it (P2 = 0, empty data: corpus `b001000000`). */
export const GET_APP_AND_VERSION_APDU = { cla: CLA_DEFAULT, ins: 0x01, p1: 0, p2: 0, data: new Uint8Array() };
