// GET_EXTENDED_PUBKEY (E1 00): `display:u8 || n:u8 || n × u32 BE` -> the base58check xpub as ASCII
// (docs/bitcoin-app-protocol.md §1, src/handler/get_extended_pubkey.c). The handler reads display and n
// (6A87 if missing), refuses display > 1 or n > 10 with 6A80, then reads the path (6A87 if short).

import { ByteReader, concat, u32be } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { CLA_BITCOIN, INS, MAX_BIP32_PATH_STEPS, RequestError, decodeAscii, encodeAscii, type CommandSpec } from './spec.ts';

export interface GetExtendedPubkeyRequest {
  display: boolean;
  path: number[];
}

function checkPath(path: readonly number[], what: string): void {
  if (path.length > MAX_BIP32_PATH_STEPS)
    throw new RangeError(`${what}: expected at most ${MAX_BIP32_PATH_STEPS} elements, got ${path.length}`);
  for (const n of path)
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what}: expected u32 elements, got ${n}`);
}

export const getExtendedPubkey: CommandSpec<GetExtendedPubkeyRequest, string> = {
  name: 'GET_EXTENDED_PUBKEY',
  cla: CLA_BITCOIN,
  ins: INS.GET_EXTENDED_PUBKEY,
  encodeRequest(req) {
    checkPath(req.path, 'GET_EXTENDED_PUBKEY.path');
    return concat(Uint8Array.of(req.display ? 1 : 0, req.path.length), ...req.path.map(u32be));
  },
  decodeRequest(data) {
    const r = new ByteReader(data, 'GET_EXTENDED_PUBKEY');
    const display = r.u8('display');
    const n = r.u8('path.length');
    if (display > 1) throw new RequestError(`GET_EXTENDED_PUBKEY: expected display 0 or 1, got ${display}`);
    if (n > MAX_BIP32_PATH_STEPS)
      throw new RequestError(`GET_EXTENDED_PUBKEY: expected at most ${MAX_BIP32_PATH_STEPS} path elements, got ${n}`);
    const path: number[] = [];
    for (let i = 0; i < n; i++) path.push(r.u32be(`path[${i}]`));
    return { display: display === 1, path };
  },
  encodeResponse: (xpub) => encodeAscii(xpub, 'extended pubkey'),
  decodeResponse(data) {
    // base58check of 78 bytes is 111 or 112 characters; the app itself refuses other lengths.
    if (data.length !== 111 && data.length !== 112)
      throw new CodecError(`GET_EXTENDED_PUBKEY response: expected a 111 or 112 character xpub, got ${data.length} bytes`);
    return decodeAscii(data, 'GET_EXTENDED_PUBKEY response');
  },
};
