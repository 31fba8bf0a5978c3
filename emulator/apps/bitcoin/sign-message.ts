// SIGN_MESSAGE (E1 10): `n:u8 || n × u32 BE || varint msg_len || msg_merkle_root[32]`; the message
// is fetched in 64-byte chunks as leaves of that Merkle tree (sign_message.c). The digest is
// BIP-137's dSHA256("\x18Bitcoin Signed Message:\n" || varint(len) || msg); the answer is
// `27 + 4 + parity || r || s`.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, encodeVarint, toHex, utf8 } from '../../../apdu/bytes.ts';
import type { Handler } from './command.ts';
import { ecdsaSign } from './ecdsa.ts';
import { badState, denied, incorrectData, wrongLength } from './errors.ts';
import { meterOf, privateKeyAt } from './keys.ts';
import { formatPathForDisplay } from './paths.ts';
import { messageReview } from './review.ts';

const CHUNK = 64;
const MAX_DISPLAYABLE = 10 * CHUNK;
const MAGIC = utf8.encode('\x18Bitcoin Signed Message:\n');

export const signMessage: Handler = async ({ ctx, net, host, body }) => {
  const n = body.u8();
  const path = n === undefined ? undefined : body.path(n);
  const length = body.varint();
  const root = body.take(32);
  if (path === undefined || length === undefined || root === undefined) throw wrongLength('truncated SIGN_MESSAGE');
  if (path.length > 10 || length >= 2n ** 32n) throw incorrectData('path too long or message too large');

  const len = Number(length);
  const nChunks = Math.ceil(len / CHUNK);
  const msgHash = sha256.create();
  const digest = sha256.create().update(MAGIC).update(encodeVarint(len));
  let printable = len <= MAX_DISPLAYABLE;
  const shown: Uint8Array[] = [];
  for (let i = 0; i < nChunks; i++) {
    const chunk = await host.getMerkleLeafElement(root, nChunks, i, CHUNK);
    if (chunk === undefined || (chunk.length !== CHUNK && i !== nChunks - 1)) throw badState('message chunk did not verify');
    if (printable && chunk.some((c) => (c < 0x20 || c > 0x7e) && c !== 0x0a)) printable = false;
    if (len <= MAX_DISPLAYABLE) shown.push(chunk);
    msgHash.update(chunk);
    digest.update(chunk);
  }
  const bsmDigest = sha256(digest.digest());
  const text = printable ? utf8.decode(concat(...shown)) : toHex(msgHash.digest()).toUpperCase();
  if (!(await ctx.review(messageReview(ctx.family, formatPathForDisplay(path), text, !printable)))) throw denied();

  let secret: Uint8Array;
  try {
    secret = privateKeyAt(ctx, path, net);
  } catch {
    throw badState('signing key not derivable');
  }
  const { compact, oddY } = ecdsaSign(bsmDigest, secret, meterOf(ctx));
  return concat(Uint8Array.of(27 + 4 + (oddY ? 1 : 0)), compact);
};
