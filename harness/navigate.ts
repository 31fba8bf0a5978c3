// Approve / reject navigators that read the screen instead of counting pages, so one test drives
// a review on our emulator and on real Speculos alike. The texts and positions are those the
// Ledger SDK draws (speculos-corpus README: "How screens were driven").

import type { DeviceModel } from '../devices/models.ts';
import { type Screen, type TextEvent } from './backend.ts';
import { HarnessError } from './errors.ts';

/** Single-line pages on which a Nano's "both buttons" approves (Bitcoin app and our Taproot Assets app). */
const NANO_APPROVE = /^(Approve|Approve public key|Register account|Sign transaction|Sign message|Confirm|Accept|Sign asset transfer|Sign asset group|Sign MuSig2 message|Approve key set|Sign FROST message|Blind sign)$/;
const NANO_REJECT = /^(Reject|Reject .*|Cancel)$/;
/** Touch devices: the action on the last page of a review. */
const TOUCH_APPROVE = /^(Approve|Confirm)$/;
const TOUCH_HOLD = /^Hold to sign$/;
const TOUCH_REJECT = /^Reject$/;
/** The footer of a touch review that checks rather than signs (the address review). */
const TOUCH_CANCEL = /^Cancel$/;
const TOUCH_CONFIRM_REJECT = /^Yes, reject$/;
/** A warning inside a review (the Taproot Assets app's declared BURN, docs/firmware.md): passing it
 * is part of approving the review. */
const CONTINUE = /^Continue$/;
/** Pages of an app's home menu (nbgl_useCaseHomeAndSettings): never part of a review. */
const HOME = /app is ready$|^App info$|^Quit app$|^Settings$/;
/** Long enough for the SDK's hold-to-sign (Speculos corpus holds 3 s). */
export const HOLD_MS = 3_000;
/** Enough for our emulator, whose hold-to-sign fires after 1 s (emulator/ui/screen.ts LONG_PRESS_MS). */
export const EMULATOR_HOLD_MS = 1_200;
/** Pages approve()/reject() walk before giving up, unless told otherwise (a streamed SIGN_VPSBT of
 * 1,000 outputs has thousands: the bench passes its own bound). */
const MAX_PAGES = 200;

const joined = (events: readonly TextEvent[]) => events.map((e) => e.text).join('\n');
/**
 * A Nano action page: its lines, read as one text, are the action ("Sign MuSig2 " / "message" wraps;
 * a line broken at a space keeps it, as Speculos 0.27.1 reports "Address verification ").
 */
const nanoPage = (events: readonly TextEvent[], action: RegExp) =>
  events.length > 0 && action.test(events.map((e) => e.text.trim()).join(' ')) ? events[0] : undefined;
const centre = (e: TextEvent): [number, number] => [Math.round(e.x + e.w / 2), Math.round(e.y + e.h / 2)];

/** The page-forward tap: bottom-right arrow of the touch review footer. */
export function nextPageTap(model: DeviceModel): [number, number] {
  return [model.screen.width - 50, model.screen.height - 50];
}

export async function waitForScreen(
  screen: Screen,
  predicate: (events: TextEvent[]) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<TextEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await screen.current();
    if (predicate(events)) return events;
    if (Date.now() > deadline)
      throw new HarnessError('E_SCREEN_TIMEOUT', `expected ${what} within ${timeoutMs} ms, got screen: ${JSON.stringify(joined(events))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitForText(screen: Screen, text: string | RegExp, timeoutMs = 10_000): Promise<TextEvent> {
  const match = (e: TextEvent) => (typeof text === 'string' ? e.text.includes(text) : text.test(e.text));
  const events = await waitForScreen(screen, (evs) => evs.some(match), `text ${String(text)}`, timeoutMs);
  return events.find(match)!;
}

/** Waits until the screen shows something other than `before` (a page turned). */
async function afterChange(screen: Screen, before: string, timeoutMs: number): Promise<TextEvent[]> {
  return waitForScreen(screen, (evs) => evs.length > 0 && joined(evs) !== before, 'the next page', timeoutMs);
}

async function walk(
  screen: Screen,
  model: DeviceModel,
  isTarget: (events: TextEvent[]) => TextEvent | undefined,
  what: string,
  timeoutMs: number,
  maxPages = MAX_PAGES,
  passWarnings = false,
): Promise<TextEvent> {
  // Never act on a screen that is not a review yet: on a touch app's home screen the bottom-right
  // corner is "Quit app", and a Nano's home menu leads there too. Touch review pages always carry
  // a "Reject" (or, for an address, "Cancel") footer or the final action.
  const isReview = (evs: TextEvent[]) =>
    evs.length > 0 &&
    !evs.some((e) => HOME.test(e.text)) &&
    (model.input === 'buttons' || evs.some((e) => [TOUCH_REJECT, TOUCH_CANCEL, TOUCH_APPROVE, TOUCH_HOLD].some((r) => r.test(e.text))));
  let events = await waitForScreen(screen, isReview, 'a review on screen', timeoutMs);
  for (let page = 0; page < maxPages; page++) {
    const target = isTarget(events);
    if (target) return target;
    const before = joined(events);
    const warning = passWarnings ? (model.input === 'buttons' ? nanoPage(events, CONTINUE) : events.find((e) => CONTINUE.test(e.text))) : undefined;
    if (warning && model.input === 'buttons') await screen.press('both');
    else if (warning) await screen.touch(...centre(warning));
    else if (model.input === 'buttons') await screen.press('right');
    else await screen.touch(...nextPageTap(model));
    events = await afterChange(screen, before, timeoutMs);
  }
  throw new HarnessError('E_SCREEN_TIMEOUT', `expected ${what} within ${maxPages} pages`);
}

export async function approveReview(screen: Screen, model: DeviceModel, timeoutMs = 10_000, holdMs = HOLD_MS, maxPages = MAX_PAGES): Promise<void> {
  if (model.input === 'buttons') {
    await walk(screen, model, (evs) => nanoPage(evs, NANO_APPROVE), 'an approve page', timeoutMs, maxPages, true);
    await screen.press('both');
    return;
  }
  // The lowest match is the button: a page title can read "Confirm" above an "Approve" button.
  const action = (evs: TextEvent[]) =>
    evs.filter((e) => TOUCH_APPROVE.test(e.text) || TOUCH_HOLD.test(e.text)).sort((a, b) => b.y - a.y)[0];
  const target = await walk(screen, model, action, 'Approve or Hold to sign', timeoutMs, maxPages, true);
  await screen.touch(...centre(target), TOUCH_HOLD.test(target.text) ? holdMs : undefined);
}

export async function rejectReview(screen: Screen, model: DeviceModel, timeoutMs = 10_000): Promise<void> {
  if (model.input === 'buttons') {
    await walk(screen, model, (evs) => nanoPage(evs, NANO_REJECT), 'a reject page', timeoutMs);
    await screen.press('both');
    return;
  }
  const isFooter = (e: TextEvent) => TOUCH_REJECT.test(e.text) || TOUCH_CANCEL.test(e.text);
  const events = await waitForScreen(screen, (evs) => evs.some(isFooter), 'a Reject or Cancel button', timeoutMs);
  const footer = events.find(isFooter)!;
  await screen.touch(...centre(footer));
  // "Reject" asks "Yes, reject" first; the address review's "Cancel" refuses at once (real Flex).
  if (TOUCH_CANCEL.test(footer.text)) return;
  const confirm = await waitForText(screen, TOUCH_CONFIRM_REJECT, timeoutMs);
  await screen.touch(...centre(confirm));
}
