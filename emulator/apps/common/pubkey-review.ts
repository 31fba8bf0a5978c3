// The public-key review both apps show before returning a key at a path the person must approve
// (app-bitcoin-new src/ui/display_nbgl.c ui_display_pubkey; the Taproot Assets app reuses its
// wording, docs/tap-app-protocol.md).

import type { ReviewFlow } from '../../ui/review.ts';

export function pubkeyReview(path: string, xpub: string): ReviewFlow {
  return {
    intro: 'Confirm public key',
    pairs: [
      { item: 'Path', value: path },
      { item: 'Public key', value: xpub },
    ],
    finish: { text: 'Approve public key', action: 'approve' },
    approved: 'Public key\napproved',
    rejected: 'Public key rejected',
    reject: 'Reject operation',
  };
}
