// What the device shows: a screen is the list of text items Speculos reports for it (TextEvent, as in
// speculos/observer.py) plus what the inputs do on it. Renderers (nano.ts, touch.ts) build screens;
// the device (device.ts) shows them and routes buttons and taps to their actions.

// The one TextEvent shape, shared with the servers and the host's Speculos clients. Speculos marks
// screen clears with `clear: true` and never broadcasts them; every event the device emits is false.
import type { TextEvent } from '../../devices/framing/speculos-http.ts';

export type { TextEvent };

/**
 * What an input does on a screen. `next`/`prev` page within the flow; `approve`/`reject` end it;
 * `ask-reject` opens the touch "Reject …?" confirmation and `cancel-reject` closes it; `quit` leaves
 * the app (its home screen's "Quit" entry); `open:<name>` starts an app from the dashboard.
 */
export type UiAction = 'next' | 'prev' | 'approve' | 'reject' | 'ask-reject' | 'cancel-reject' | 'quit' | `open:${string}`;

/** A touch area. `hold`: the action fires only for a press held at least LONG_PRESS_MS. */
export interface TouchRegion {
  x: number;
  y: number;
  w: number;
  h: number;
  action: UiAction;
  hold?: boolean;
}

export interface Screen {
  events: TextEvent[];
  /** Nano: what a release of left, right, or both buttons does on this screen. */
  buttons?: { left?: UiAction; right?: UiAction; both?: UiAction };
  /** Touch: tappable areas, first match wins. */
  regions?: TouchRegion[];
  /** Touch: a filled button drawn behind a label (for screenshots). */
  filled?: { x: number; y: number; w: number; h: number }[];
}

/**
 * A press held this long (logical milliseconds, from the touch call) counts as a long press.
 * NBGL's "Hold to sign" progress bar fills in about a second; Speculos users (ragger, the corpus)
 * hold for 3 s, and a tap (0.1 s) must not sign.
 */
export const LONG_PRESS_MS = 1000;

export function regionAt(screen: Screen, x: number, y: number): TouchRegion | undefined {
  return screen.regions?.find((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h);
}
