// GET_EXTENDED_PUBKEY (E1 00): `display:u8 || n:u8 || n × u32 BE` -> the base58check xpub as ASCII
// (get_extended_pubkey.c). Non-standard paths are only returned after the person approved them.

import { SW } from '../../../apdu/status.ts';
import { utf8 } from '../../../apdu/bytes.ts';
import type { Handler } from './command.ts';
import { AppError, denied, incorrectData, wrongLength } from './errors.ts';
import { encodeXpub, PathNotAllowedError, xpubAt } from './keys.ts';
import { formatPathForDisplay, isPathSafeForExport } from './paths.ts';
import { pubkeyReview } from './review.ts';

const MAX_BIP32_PATH_STEPS = 10;

export const getExtendedPubkey: Handler = async ({ ctx, net, body }) => {
  const display = body.u8();
  const n = body.u8();
  if (display === undefined || n === undefined) throw wrongLength('missing display flag or path length');
  if (display > 1 || n > MAX_BIP32_PATH_STEPS) throw incorrectData('display flag or path length out of range');
  const path = n > 0 ? body.path(n) : [];
  if (path === undefined) throw wrongLength('path shorter than announced');
  if (!isPathSafeForExport(path, net.coinType) && !display)
    throw new AppError(SW.NOT_SUPPORTED, 'non-standard path needs display=1');
  let xpub: string;
  try {
    xpub = encodeXpub(xpubAt(ctx, path, net));
  } catch (e) {
    if (e instanceof PathNotAllowedError) throw new AppError(SW.NOT_SUPPORTED, e.message);
    throw e;
  }
  if (display && !(await ctx.review(pubkeyReview(formatPathForDisplay(path), xpub)))) throw denied();
  return utf8.encode(xpub);
};
