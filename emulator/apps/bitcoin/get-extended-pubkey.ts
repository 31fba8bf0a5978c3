// GET_EXTENDED_PUBKEY (E1 00): the xpub at a path (get_extended_pubkey.c); the request and
// response bytes are apdu/bitcoin-app/get-extended-pubkey.ts. Non-standard paths are only returned
// after the person approved them.

import { getExtendedPubkey as spec } from '../../../apdu/bitcoin-app/get-extended-pubkey.ts';
import { SW } from '../../../apdu/status.ts';
import { handler } from './command.ts';
import { AppError, denied } from './errors.ts';
import { encodeXpub, PathNotAllowedError, xpubAt } from '../common/keys.ts';
import { formatPathForDisplay, isPathSafeForExport } from './paths.ts';
import { pubkeyReview } from '../common/pubkey-review.ts';

export const getExtendedPubkey = handler(spec, async ({ ctx, net }, { display, path }) => {
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
  return xpub;
});
