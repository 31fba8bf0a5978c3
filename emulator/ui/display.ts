// The screen and the inputs of the emulated device. It shows one screen at a time, keeps the text
// events Speculos would have reported (history since start or the last clear, and the current
// screen's), and turns button releases and taps into the current screen's actions. A dialog (a review,
// a warning, the idle pages) is a list of pages plus a handler for the actions that leave it.

import { EventEmitter } from 'node:events';
import { LONG_PRESS_MS, regionAt, type Screen, type TextEvent, type UiAction } from './screen.ts';

export type Button = 'left' | 'right';

export interface TouchOptions {
  action?: 'press' | 'release' | 'press-and-release';
  /** How long the finger stays down, in logical milliseconds (no real waiting). Tap default: 100. */
  holdMs?: number;
}

export interface Dialog {
  pages: Screen[];
  /** Called for every action other than next / prev. */
  onAction(action: UiAction): void;
}

/** History is capped so a long-running emulator does not grow without bound. */
export const MAX_HISTORY = 100_000;
/** Trimmed in batches of this many, so each event costs O(1) once the cap is reached. */
const HISTORY_SLACK = MAX_HISTORY / 10;
const TAP_MS = 100;

export interface DisplayEvents {
  text: [TextEvent];
  screen: [Screen];
}

export class Display extends EventEmitter<DisplayEvents> {
  private screen: Screen = { events: [] };
  private history: TextEvent[] = [];
  private dialog: Dialog | undefined;
  private page = 0;
  private readonly down = { left: false, right: false };
  private both = false;
  private pressed: { x: number; y: number; at: number } | undefined;
  /** Set while a transient screen (status) is shown: any input or its timer ends it. */
  private transient: { timer: NodeJS.Timeout | undefined; then: () => void } | undefined;

  constructor(private readonly input: 'buttons' | 'touch') {
    super();
  }

  get current(): Screen {
    return this.screen;
  }

  /** The current screen's text events (GET /events?currentscreenonly=true). */
  currentEvents(): TextEvent[] {
    return this.screen.events.map((e) => ({ ...e }));
  }

  /** Every text event since start or the last clear (GET /events). */
  events(): TextEvent[] {
    return this.history.slice(-MAX_HISTORY).map((e) => ({ ...e }));
  }

  clearEvents(): void {
    this.history = [];
  }

  get pageIndex(): number {
    return this.page;
  }

  /** Shows a dialog's page `page`; its actions go to the dialog's handler. */
  present(dialog: Dialog, page = 0): void {
    this.endTransient();
    this.dialog = dialog;
    this.page = Math.max(0, Math.min(page, dialog.pages.length - 1));
    this.show(dialog.pages[this.page] ?? { events: [] });
  }

  /**
   * Shows a screen without actions; after `timeoutMs` (0: never) or at the next input, `then` runs
   * (the device goes back to its idle screen there).
   */
  showTransient(screen: Screen, timeoutMs: number, then: () => void): void {
    this.endTransient();
    this.dialog = undefined;
    this.show(screen);
    const timer = timeoutMs > 0 ? setTimeout(() => this.finishTransient(), timeoutMs) : undefined;
    timer?.unref();
    this.transient = { timer, then };
  }

  /** Shows a screen that ignores input (busy, locked). */
  showStatic(screen: Screen): void {
    this.endTransient();
    this.dialog = undefined;
    this.show(screen);
  }

  pressButton(button: Button | 'both'): void {
    if (button === 'both') {
      this.buttonEvent('left', true);
      this.buttonEvent('right', true);
      this.buttonEvent('left', false);
      this.buttonEvent('right', false);
    } else {
      this.buttonEvent(button, true);
      this.buttonEvent(button, false);
    }
  }

  /**
   * A button goes down or up (Speculos button port: L/l/R/r). Actions fire on release; when both
   * buttons were down together, the release of the last one is "both".
   */
  buttonEvent(button: Button, pressed: boolean): void {
    if (pressed) {
      this.down[button] = true;
      if (this.down.left && this.down.right) this.both = true;
      return;
    }
    if (!this.down[button]) return;
    this.down[button] = false;
    if (this.both) {
      if (this.down.left || this.down.right) return;
      this.both = false;
      this.act('both');
    } else {
      this.act(button);
    }
  }

  touch(x: number, y: number, options: TouchOptions = {}): void {
    const action = options.action ?? 'press-and-release';
    if (action === 'press') {
      this.pressed = { x, y, at: Date.now() };
      return;
    }
    let held = options.holdMs ?? TAP_MS;
    if (action === 'release') {
      const start = this.pressed;
      this.pressed = undefined;
      if (start) {
        held = options.holdMs ?? Date.now() - start.at;
        ({ x, y } = start);
      }
    }
    this.tap(x, y, held);
  }

  private tap(x: number, y: number, heldMs: number): void {
    if (this.input !== 'touch') return;
    if (this.transient) return this.finishTransient();
    const region = regionAt(this.screen, x, y);
    if (!region || (region.hold && heldMs < LONG_PRESS_MS)) return;
    this.dispatch(region.action);
  }

  private act(input: Button | 'both'): void {
    if (this.input !== 'buttons') return;
    if (this.transient) return this.finishTransient();
    const action = this.screen.buttons?.[input];
    if (action) this.dispatch(action);
  }

  /** Runs an action on the current dialog, as if the person had chosen it. */
  dispatch(action: UiAction): void {
    const dialog = this.dialog;
    if (!dialog) return;
    if (action === 'next' || action === 'prev') {
      const page = this.page + (action === 'next' ? 1 : -1);
      if (page < 0 || page >= dialog.pages.length) return;
      this.page = page;
      this.show(dialog.pages[page]!);
      return;
    }
    dialog.onAction(action);
  }

  private show(screen: Screen): void {
    this.screen = screen;
    for (const e of screen.events) {
      this.history.push(e);
      this.emit('text', { ...e });
    }
    if (this.history.length > MAX_HISTORY + HISTORY_SLACK) this.history.splice(0, this.history.length - MAX_HISTORY);
    this.emit('screen', screen);
  }

  private finishTransient(): void {
    const t = this.transient;
    if (!t) return;
    this.endTransient();
    t.then();
  }

  private endTransient(): void {
    if (this.transient?.timer) clearTimeout(this.transient.timer);
    this.transient = undefined;
  }
}
