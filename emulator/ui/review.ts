// What an app asks the person to review, independent of the screen it lands on. The renderer
// (emulator/ui/) lays it out per model as the Ledger SDK's NBGL use cases do: on a Nano one pair per
// page with long values split into "(i/n)" pages, on a touch device several pairs per page with
// "k of N" and an Approve button or "Hold to sign". Apps choose the wording per family, as the real
// app does (e.g. "Wallet policy" on Nano, "Descriptor template" on Flex).

export interface ReviewPair {
  item: string;
  value: string;
  /**
   * A section page instead of a pair (NBGL `centeredInfo`): `item` is shown centred on its own page,
   * e.g. "Review co-signer\npublic keys"; `value` is ignored.
   */
  centered?: boolean;
  /** Touch: this pair opens a new page even if it would fit on the current one (NBGL forcePageStart). */
  forcePageStart?: boolean;
}

export interface ReviewFlow {
  /** First page, e.g. "Review account\nto register"; `\n` forces a line break. */
  intro: string;
  pairs: ReviewPair[];
  /**
   * Last page. `approve`: Nano "both buttons" on this page, touch "Approve" button;
   * `hold`: touch "Hold to sign" long press (Nano: both buttons).
   */
  finish: { text: string; action: 'approve' | 'hold'; button?: string };
  /** Transient status shown after approval / rejection, e.g. "Account registered". */
  approved: string;
  rejected: string;
  /**
   * Wording of the reject path, e.g. "Reject transaction": the last Nano page, and on touch the
   * confirmation question ("Reject transaction?") after tapping "Reject". Default "Reject".
   */
  reject?: string;
  /**
   * The NBGL use case: 'review' (nbgl_useCaseReview, the default) or 'address'
   * (nbgl_useCaseAddressReview). An address review on a touch device says "Swipe to continue" under
   * its intro, has a "Cancel" footer that rejects at once (no question), and puts the finish button
   * on the last page of pairs instead of a page of its own (seen on Speculos 0.27.1, SDK 26.1.1). On
   * a Nano it ends with the finish page and the `reject` page like any review.
   */
  useCase?: 'review' | 'address';
}

/** A warning shown before a review; the person can continue or reject. */
export interface WarningPage {
  title: string;
  text?: string;
}

/**
 * One step of a streaming review (NBGL nbgl_useCaseReviewStreamingStart / Continue / Finish): the
 * app shows the pages of what it has verified so far and asks for more data only once the person
 * paged past them. `start` and `pairs` resolve true when the person passes their last page (touch:
 * false when they reject at any page, after the "Reject …?" confirmation; a Nano has no reject
 * before `finish`); `finish` resolves true on approval.
 */
export type StreamingReviewStep =
  | { kind: 'start'; intro: string; reject?: string }
  | { kind: 'pairs'; pairs: ReviewPair[]; reject?: string }
  | { kind: 'finish'; flow: Pick<ReviewFlow, 'finish' | 'approved' | 'rejected' | 'reject'> };
