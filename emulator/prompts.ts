// What the device shows on behalf of the running app: reviews and warnings a person answers, status
// and "Processing…" screens, and auto-approval walking a prompt as a person would. One prompt at a
// time; the idle screen is the device's (showIdle), drawn when a prompt or status screen ends.

import type { DeviceModel } from '../devices/models.ts';
import { AppCommandAborted } from './app.ts';
import { deferred, type Deferred } from './command-runner.ts';
import type { Display } from './ui/display.ts';
import type { Renderer, ReviewScreens } from './ui/renderer.ts';
import type { ReviewFlow, StreamingReviewStep, WarningPage } from './ui/review.ts';
import { LONG_PRESS_MS, type UiAction } from './ui/screen.ts';

export class Prompts {
  /** The pending review or warning: rejected with AppCommandAborted when the command is aborted. */
  private prompt: Deferred<boolean> | undefined;
  private autoApproveOn: boolean;
  private autoStep: NodeJS.Immediate | undefined;
  /** A "Processing…" screen is up: the command's end returns to the idle screen. */
  busyShown = false;

  constructor(
    private readonly display: Display,
    private readonly renderer: Renderer,
    private readonly input: DeviceModel['input'],
    private readonly statusTimeoutMs: number,
    private readonly showIdle: () => void,
    autoApprove: boolean,
  ) {
    this.autoApproveOn = autoApprove;
    display.on('screen', () => this.scheduleAutoApprove());
  }

  /** A review or warning waits for the person. */
  get open(): boolean {
    return this.prompt !== undefined;
  }

  get autoApprove(): boolean {
    return this.autoApproveOn;
  }

  set autoApprove(on: boolean) {
    this.autoApproveOn = on;
    this.scheduleAutoApprove();
  }

  /** Refuses the open prompt with AppCommandAborted (the command it belongs to was aborted). */
  abort(): void {
    const prompt = this.prompt;
    this.prompt = undefined;
    prompt?.reject(new AppCommandAborted('the device aborted the review'));
  }

  review(flow: ReviewFlow): Promise<boolean> {
    return this.reviewPages(this.renderer.review(flow), { approved: flow.approved, rejected: flow.rejected });
  }

  /** One step of a streamed review (NBGL's streaming review): the app asks for the next step when this one is passed. */
  reviewStreaming(step: StreamingReviewStep): Promise<boolean> {
    const screens = this.renderer.reviewStreaming(step);
    if (step.kind === 'finish') return this.reviewPages(screens, { approved: step.flow.approved, rejected: step.flow.rejected });
    // Passing the last page of a start / pairs step leaves its pages on screen until the next step replaces them.
    return this.reviewPages(screens, { keepScreen: true });
  }

  private reviewPages({ pages, rejectConfirm }: ReviewScreens, end: { approved?: string; rejected?: string; keepScreen?: boolean }): Promise<boolean> {
    const prompt = this.newPrompt();
    let lastPage = 0;
    const dialog = {
      pages,
      onAction: (action: UiAction): void => {
        if (action === 'approve') this.settle(prompt, true, end.approved, end.keepScreen);
        else if (action === 'reject') this.settle(prompt, false, end.rejected);
        else if (action === 'ask-reject' && rejectConfirm) {
          lastPage = this.display.pageIndex;
          this.display.present({ pages: [rejectConfirm], onAction: (a) => (a === 'reject' ? this.settle(prompt, false, end.rejected) : this.display.present(dialog, lastPage)) });
        }
      },
    };
    this.display.present(dialog);
    return prompt.promise;
  }

  warn(page: WarningPage): Promise<boolean> {
    const prompt = this.newPrompt();
    this.display.present({
      pages: this.renderer.warning(page),
      onAction: (action) => {
        if (action === 'approve' || action === 'reject') this.settle(prompt, action === 'approve');
      },
    });
    return prompt.promise;
  }

  status(text: string): void {
    this.busyShown = false;
    this.display.showTransient(this.renderer.status(text), this.statusTimeoutMs, () => this.showIdle());
  }

  busy(text = 'Processing'): void {
    this.busyShown = true;
    this.display.showStatic(this.renderer.busy(text));
  }

  private newPrompt(): Deferred<boolean> {
    // One prompt at a time: a new one replaces (refuses) one still open.
    this.prompt?.resolve(false);
    const prompt = deferred<boolean>();
    this.prompt = prompt;
    this.busyShown = false;
    return prompt;
  }

  private settle(prompt: Deferred<boolean>, approved: boolean, statusText?: string, keepScreen = false): void {
    if (this.prompt !== prompt) return;
    this.prompt = undefined;
    if (statusText) this.status(statusText);
    else if (!keepScreen) this.showIdle();
    prompt.resolve(approved);
  }

  /** Auto-approve: one input per screen, as a person would do it, until the prompt is approved. */
  private scheduleAutoApprove(): void {
    if (!this.autoApproveOn || !this.prompt || this.autoStep) return;
    this.autoStep = setImmediate(() => {
      this.autoStep = undefined;
      if (!this.autoApproveOn || !this.prompt) return;
      const screen = this.display.current;
      if (this.input === 'buttons') {
        if (screen.buttons?.both === 'approve') this.display.pressButton('both');
        else if (screen.buttons?.right) this.display.pressButton('right');
        return;
      }
      const approve = screen.regions?.find((r) => r.action === 'approve');
      const next = screen.regions?.find((r) => r.action === 'next');
      const target = approve ?? next;
      if (target) this.display.touch(target.x + target.w / 2, target.y + target.h / 2, { holdMs: target.hold ? LONG_PRESS_MS * 3 : 100 });
    });
  }
}
