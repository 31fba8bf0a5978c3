// GET_KEY (E7 10, §5.3): `display:u8 || path` -> `master_fingerprint[4] || xpub[78]`, the xpub in
// BIP-32 binary serialization (its last 33 bytes are the public key).

import { ByteReader, concat } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { CLA_TAP, TAP_INS, encodeTapPath, field, readFlag, readTapPath, type CommandSpec } from './spec.ts';

export interface GetKeyRequest {
  display: boolean;
  path: number[];
}

export interface GetKeyResponse {
  masterFingerprint: Uint8Array;
  /** 78-byte BIP-32 serialization: version[4] depth parent_fpr[4] child[4] chain_code[32] key[33]. */
  xpub: Uint8Array;
}

export const XPUB_LENGTH = 78;
export const XPUB_VERSION_MAINNET = 0x0488b21e;
export const XPUB_VERSION_TESTNET = 0x043587cf;

/** The compressed public key inside a serialized xpub. */
export function xpubPublicKey(xpub: Uint8Array): Uint8Array {
  return field(xpub, XPUB_LENGTH, 'xpub').slice(45);
}

export const getKey: CommandSpec<GetKeyRequest, GetKeyResponse> = {
  name: 'GET_KEY',
  cla: CLA_TAP,
  ins: TAP_INS.GET_KEY,
  encodeRequest: (req) => concat(Uint8Array.of(req.display ? 1 : 0), encodeTapPath(req.path, 'GET_KEY.path')),
  decodeRequest(data) {
    const r = new ByteReader(data, 'GET_KEY');
    const display = readFlag(r, 'display');
    const path = readTapPath(r, 'path');
    r.end();
    return { display, path };
  },
  encodeResponse: (res) => concat(field(res.masterFingerprint, 4, 'GET_KEY.masterFingerprint'), field(res.xpub, XPUB_LENGTH, 'GET_KEY.xpub')),
  decodeResponse(data) {
    const r = new ByteReader(data, 'GET_KEY response');
    const masterFingerprint = r.bytesN(4, 'masterFingerprint').slice();
    const xpub = r.bytesN(XPUB_LENGTH, 'xpub').slice();
    r.end();
    const version = new DataView(xpub.buffer, xpub.byteOffset, 4).getUint32(0, false);
    if (version !== XPUB_VERSION_MAINNET && version !== XPUB_VERSION_TESTNET)
      throw new CodecError(`GET_KEY response.xpub: expected version 0488b21e or 043587cf, got ${version.toString(16).padStart(8, '0')}`);
    if (xpub[45] !== 0x02 && xpub[45] !== 0x03)
      throw new CodecError(`GET_KEY response.xpub: expected a compressed public key, got prefix 0x${xpub[45]!.toString(16)}`);
    return { masterFingerprint, xpub };
  },
};
