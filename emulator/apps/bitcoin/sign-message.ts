// SIGN_MESSAGE (E1 10): a path, the message length and the Merkle root of its 64-byte chunks in
// (the bytes are apdu/bitcoin-app/sign-message.ts); the chunks are fetched as leaves of that tree
// (sign_message.c). The digest is
// BIP-137's dSHA256("\x18Bitcoin Signed Message:\n" || varint(len) || msg); the answer is
// `27 + 4 + parity || r || s`.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, encodeVarint, toHex, utf8 } from '../../../apdu/bytes.ts';
import { MESSAGE_CHUNK_SIZE as CHUNK, signMessage as spec } from '../../../apdu/bitcoin-app/sign-message.ts';
import { handler } from './command.ts';
import { ecdsaSign } from './ecdsa.ts';
import { badState, denied } from './errors.ts';
import { meterOf, privateKeyAt } from '../common/keys.ts';
import { formatPathForDisplay } from './paths.ts';
import { messageReview } from './review.ts';

const MAX_DISPLAYABLE = 10 * CHUNK;
const MAGIC = utf8.encode('\x18Bitcoin Signed Message:\n');

export const signMessage = handler(spec, async ({ ctx, net, host }, { path, messageLength: len, messageRoot: root }) => {
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
  return { header: 27 + 4 + (oddY ? 1 : 0), r: compact.subarray(0, 32), s: compact.subarray(32) };
});
