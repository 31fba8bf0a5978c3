// The person at the emulated device's buttons, for tests that must not approve by default. An app is
// wrapped so that every review and warning it asks for is recorded (with the command that asked) and
// answered by walking the real screens of the device to the Approve or Reject page and pressing both
// buttons, as on a Nano. Answers come from an explicit plan (unit tests) or a decide() function (the
// fuzzer); a review nobody planned for is rejected and recorded as unexpected, so a test sees it.
// The wrapper also records internal faults the app reports (AppContext.fault): the fuzzers' crashes.

import type { AppContext, AppFactory, DeviceApp } from '../../emulator/app.ts';
import type { EmulatedDevice } from '../../emulator/device.ts';
import type { ReviewFlow, WarningPage } from '../../emulator/ui/review.ts';

export interface Prompt {
  kind: 'review' | 'warning';
  flow?: ReviewFlow;
  warning?: WarningPage;
  approved: boolean;
  /** Index of the command (counted from 0 per wrapped app) that asked. */
  command: number;
  /** No plan and no decide() covered it: it was rejected. */
  unexpected: boolean;
}

/** Pages a walk may turn before it gives up (a review of 1,000 outputs has a few thousand pages). */
const MAX_PAGES = 20_000;

export class Person {
  readonly prompts: Prompt[] = [];
  readonly faults: unknown[] = [];
  /** Commands the wrapped app has started. */
  commands = 0;
  device: EmulatedDevice | undefined;
  /** Fuzzer mode: decides every prompt the plan does not cover. */
  decide: ((prompt: { kind: 'review' | 'warning'; flow?: ReviewFlow }) => boolean) | undefined;
  private readonly plan: boolean[] = [];

  /** The next prompts are answered in this order (true: approve). */
  answer(...approve: boolean[]): this {
    this.plan.push(...approve);
    return this;
  }

  get pending(): number {
    return this.plan.length;
  }

  get unexpected(): Prompt[] {
    return this.prompts.filter((p) => p.unexpected);
  }

  /** Drops what was recorded (a long fuzzing run would otherwise keep every review it saw). */
  forget(): void {
    this.prompts.length = 0;
    this.faults.length = 0;
  }

  /** Prompts of one command. */
  promptsOf(command: number): Prompt[] {
    return this.prompts.filter((p) => p.command === command);
  }

  /** Wraps an app factory: the device runs the app, the person answers its prompts on the device's screens. */
  wrap(factory: AppFactory): AppFactory {
    return () => {
      const app = factory();
      const wrapped: DeviceApp = {
        name: app.name,
        version: app.version,
        flags: app.flags,
        ...(app.home ? { home: app.home } : {}),
        handle: (cmd, io, ctx) => {
          const command = this.commands++;
          return app.handle(cmd, io, this.context(ctx, command)).catch((e: unknown) => {
            if ((e as Error)?.name !== 'AppCommandAborted') this.faults.push(e);
            throw e;
          });
        },
        ...(app.close ? { close: () => app.close!() } : {}),
      };
      return wrapped;
    };
  }

  private context(ctx: AppContext, command: number): AppContext {
    return {
      ...ctx,
      review: (flow) => this.prompt(ctx.review(flow), { kind: 'review', flow }, command),
      reviewStreaming: (step) => {
        const shown = ctx.reviewStreaming(step);
        // A streamed review's start and pairs steps only continue (a Nano has no reject before the
        // end); its finish step is the decision, recorded as the review.
        if (step.kind !== 'finish') {
          this.turn();
          return shown;
        }
        return this.prompt(shown, { kind: 'review' }, command);
      },
      warn: (page) => this.prompt(ctx.warn(page), { kind: 'warning', warning: page }, command),
      fault: (e) => {
        this.faults.push(e);
        ctx.fault?.(e);
      },
    };
  }

  private prompt(shown: Promise<boolean>, what: { kind: 'review' | 'warning'; flow?: ReviewFlow; warning?: WarningPage }, command: number): Promise<boolean> {
    const planned = this.plan.shift();
    const decided = planned ?? this.decide?.(what);
    const approve = decided ?? false;
    this.prompts.push({ ...what, approved: approve, command, unexpected: decided === undefined });
    this.walk(approve ? 'approve' : 'reject');
    return shown;
  }

  private nano(): EmulatedDevice {
    const device = this.device;
    if (!device) throw new Error('person: no device to press buttons on (set person.device)');
    if (device.model.input !== 'buttons') throw new Error(`person: walks Nano screens only, got a ${device.model.id}`);
    return device;
  }

  /** Turns the pages of a streamed review step right, past its last one (which continues). */
  private turn(): void {
    const device = this.nano();
    for (let i = 0; i < MAX_PAGES; i++) {
      const buttons = device.display.current.buttons;
      if (!buttons?.right) break;
      device.pressButton('right');
      if (buttons.right === 'approve') return;
    }
    throw new Error('person: the streamed review step has no page that continues');
  }

  /** Turns pages right until one whose both-button action is `target`, then presses both. */
  private walk(target: 'approve' | 'reject'): void {
    const device = this.nano();
    for (let i = 0; i < MAX_PAGES; i++) {
      const buttons = device.display.current.buttons;
      if (buttons?.both === target) {
        device.pressButton('both');
        return;
      }
      if (!buttons?.right) break;
      device.pressButton('right');
    }
    throw new Error(`person: no page of this review lets both buttons ${target}`);
  }
}
