// A renderer lays out what apps ask to show on one model's screen. nano.ts and touch.ts implement it.

import type { AppHome } from '../app.ts';
import type { ReviewFlow, StreamingReviewStep, WarningPage } from './review.ts';
import type { Screen } from './screen.ts';

export interface ReviewScreens {
  /** The pages of the review in order; `next`/`prev` move between them. */
  pages: Screen[];
  /** Touch: the confirmation shown after tapping "Reject" ("Reject transaction?", "Yes, reject"). */
  rejectConfirm?: Screen;
}

export interface Renderer {
  review(flow: ReviewFlow): ReviewScreens;
  /** The pages of one streaming-review step; passing the last page of `start` / `pairs` is `approve`. */
  reviewStreaming(step: StreamingReviewStep): ReviewScreens;
  /** Pages of a warning; `approve` continues, `reject` refuses. */
  warning(page: WarningPage): Screen[];
  status(text: string): Screen;
  busy(text: string): Screen;
  /** The idle screens of an open app; the last action offered is `quit`. */
  appHome(home: AppHome, version: string): Screen[];
  /** The dashboard: one entry per installed app (action `open:<name>`). */
  dashboard(appNames: readonly string[]): Screen[];
  locked(): Screen;
}
