// GET_KEY (§5.3): the xpub at a path. Standard tapd families come back silently with display = 0;
// any other path only with display = 1, after the person saw the path and the key and approved.

import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import { getKey } from '../../../apdu/tap-app/get-key.ts';
import type { ReviewFlow } from '../../ui/review.ts';
import { encodeXpub, serializeXpub } from '../bitcoin/keys.ts';
import type { TapHandler } from './command.ts';
import { decodeBody } from './decode.ts';
import { TapError, denied } from './errors.ts';
import { displayPath, isStandardTapPath, masterFingerprintBytes, xpubAt } from './keys.ts';

function keyReview(path: string, xpub: string): ReviewFlow {
  return {
    intro: 'Confirm public key',
    pairs: [
      { item: 'Path', value: path },
      { item: 'Public key', value: xpub },
    ],
    finish: { text: 'Approve public key', action: 'approve' },
    approved: 'Public key\napproved',
    rejected: 'Public key rejected',
  };
}

export const getKeyHandler: TapHandler = async ({ ctx, body }) => {
  const { display, path } = decodeBody(getKey, body);
  if (!display && !isStandardTapPath(path)) throw new TapError(TAP_SW.NOT_SUPPORTED, 'non-standard path needs display = 1');
  const xpub = xpubAt(ctx, path);
  if (display && !(await ctx.review(keyReview(displayPath(path), encodeXpub(xpub))))) throw denied();
  return getKey.encodeResponse({ masterFingerprint: masterFingerprintBytes(ctx), xpub: serializeXpub(xpub) });
};
