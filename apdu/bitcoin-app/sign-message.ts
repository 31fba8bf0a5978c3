// SIGN_MESSAGE (E1 10): `n:u8 || n × u32 BE path || varint(msg_len) || merkle_root(64-byte chunks)`
// -> `header:u8 || r[32] || s[32]` (docs/bitcoin-app-protocol.md §1, src/handler/sign_message.c). The handler reads
// every field first (6A87 if any is short; the SDK's path reader also refuses 0 or more than 10
// elements), then refuses a message of 2^32 bytes or more with 6A80.

import { ByteReader, concat, encodeVarint, u32be } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { CLA_BITCOIN, INS, MAX_BIP32_PATH_STEPS, RequestError, bytesField, type CommandSpec } from './spec.ts';

/** The message is committed to as a Merkle tree of chunks of this size (the last may be shorter). */
export const MESSAGE_CHUNK_SIZE = 64;

export interface SignMessageRequest {
  path: number[];
  messageLength: number;
  messageRoot: Uint8Array;
}

export interface MessageSignature {
  /** 27 + 4 + recovery id for a compressed key (BIP-137): 31 or 32 on the app. */
  header: number;
  r: Uint8Array;
  s: Uint8Array;
}

export const signMessage: CommandSpec<SignMessageRequest, MessageSignature> = {
  name: 'SIGN_MESSAGE',
  cla: CLA_BITCOIN,
  ins: INS.SIGN_MESSAGE,
  encodeRequest(req) {
    if (req.path.length < 1 || req.path.length > MAX_BIP32_PATH_STEPS)
      throw new RangeError(`SIGN_MESSAGE.path: expected 1..${MAX_BIP32_PATH_STEPS} elements, got ${req.path.length}`);
    return concat(
      Uint8Array.of(req.path.length),
      ...req.path.map(u32be),
      encodeVarint(req.messageLength),
      bytesField(req.messageRoot, 32, 'SIGN_MESSAGE.messageRoot'),
    );
  },
  decodeRequest(data) {
    const r = new ByteReader(data, 'SIGN_MESSAGE');
    const n = r.u8('path.length');
    if (n < 1 || n > MAX_BIP32_PATH_STEPS)
      throw new CodecError(`SIGN_MESSAGE: expected 1..${MAX_BIP32_PATH_STEPS} path elements, got ${n}`);
    const path: number[] = [];
    for (let i = 0; i < n; i++) path.push(r.u32be(`path[${i}]`));
    const messageLength = r.varint('messageLength');
    const messageRoot = r.bytesN(32, 'messageRoot').slice();
    if (messageLength >= 1n << 32n) throw new RequestError(`SIGN_MESSAGE: expected a message shorter than 2^32 bytes, got ${messageLength}`);
    return { path, messageLength: Number(messageLength), messageRoot };
  },
  encodeResponse: (sig) =>
    concat(Uint8Array.of(sig.header), bytesField(sig.r, 32, 'signature r'), bytesField(sig.s, 32, 'signature s')),
  decodeResponse(data) {
    const rd = new ByteReader(data, 'SIGN_MESSAGE response');
    const header = rd.u8('header');
    const r = rd.bytesN(32, 'r').slice();
    const s = rd.bytesN(32, 's').slice();
    rd.end();
    return { header, r, s };
  },
};
