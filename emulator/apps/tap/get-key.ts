// GET_KEY (§5.3): the xpub at a path. Standard tapd families come back silently with display = 0;
// any other path only with display = 1, after the person saw the path and the key and approved, on
// the same "Confirm public key" screens as the Bitcoin app's GET_EXTENDED_PUBKEY.

import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import { getKey } from '../../../apdu/tap-app/get-key.ts';
import { encodeXpub, serializeXpub } from '../common/keys.ts';
import { pubkeyReview } from '../common/pubkey-review.ts';
import type { TapHandler } from './command.ts';
import { decodeBody } from './decode.ts';
import { TapError, denied } from './errors.ts';
import { displayPath, isStandardTapPath, masterFingerprintBytes, xpubAt } from './keys.ts';

export const getKeyHandler: TapHandler = async ({ ctx, body }) => {
  const { display, path } = decodeBody(getKey, body);
  if (!display && !isStandardTapPath(path)) throw new TapError(TAP_SW.NOT_SUPPORTED, 'non-standard path needs display = 1');
  const xpub = xpubAt(ctx, path);
  if (display && !(await ctx.review(pubkeyReview(displayPath(path), encodeXpub(xpub))))) throw denied();
  return getKey.encodeResponse({ masterFingerprint: masterFingerprintBytes(ctx), xpub: serializeXpub(xpub) });
};
