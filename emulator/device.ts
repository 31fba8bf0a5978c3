// The emulated device: BOLOS as an app sees it and as a host sees it. States: locked (every APDU is
// answered 5515 until unlock()), dashboard (B0 01 answers "BOLOS", E0 D8 opens an app), and an open
// app (B0 01 answers the app's name and version, B0 A7 quits, everything else goes to the app).
// APDUs are served one at a time in arrival order, as Speculos does server-wide; exchange() never
// throws and always answers `data || SW`.

import type { HDKey } from '@scure/bip32';
import { decodeCommand, statusOnly, type CommandApdu } from '../apdu/apdu.ts';
import { concat, utf8 } from '../apdu/bytes.ts';
import { SW } from '../apdu/status.ts';
import { getModel, type DeviceModel, type ModelId } from '../devices/models.ts';
import { AppCommandAborted, type AppContext, type AppFactory, type AppHome, type CommandIO, type DeviceApp, type DeviceSettings } from './app.ts';
import { Automation, type AutomationDocument } from './automation.ts';
import { secureRandom } from './rng.ts';
import { SpeculosRandom } from './speculos-rng.ts';
import { renderPng } from './screenshot/render.ts';
import { parseSeed, type DeviceSeed } from './seed.ts';
import { Display, type Button, type TouchOptions } from './ui/display.ts';
import { nanoFonts, touchFonts } from './ui/fonts.ts';
import { NanoRenderer } from './ui/nano.ts';
import type { Renderer } from './ui/renderer.ts';
import type { ReviewFlow, StreamingReviewStep, WarningPage } from './ui/review.ts';
import { LONG_PRESS_MS, type Screen, type TextEvent, type UiAction } from './ui/screen.ts';
import { TouchRenderer } from './ui/touch.ts';
import { EmulatorError } from './errors.ts';

export type { Button, TouchOptions } from './ui/display.ts';
export type { Screen, TextEvent } from './ui/screen.ts';

export interface EmulatedDeviceOptions {
  model?: ModelId;
  /** BIP-39 mnemonic or "hex:<seed>"; default the Speculos default seed (fingerprint f5acc2fd). */
  seed?: string;
  /** Installed apps, by the name E0 D8 opens them with, or as factories (named by their app's `name`). */
  apps?: Record<string, AppFactory> | readonly AppFactory[];
  /** App opened at start (and after reset()). */
  startApp?: string;
  /** Start locked (and lock again on reset()). */
  locked?: boolean;
  /**
   * Speculos `--deterministic-rng N`; absent: crypto randomness. The whole stream is reproduced from
   * power-on, including what Speculos's emulated crypto draws (emulator/speculos-rng.ts).
   */
  deterministicRng?: number;
  /** Walk every review and warning to approval as a person would (Speculos `--auto-approve`-style). */
  autoApprove?: boolean;
  /** Speculos automation rules (v1), applied to every text event. */
  automation?: AutomationDocument | string;
  settings?: Partial<DeviceSettings>;
  /** How long status screens ("Transaction signed") stay before the idle screen; 0: until input. */
  statusTimeoutMs?: number;
}

export type DeviceState = 'locked' | 'dashboard' | 'app';

/** Dashboard (BOLOS) versions reported by B0 01, per model: plausible firmware versions. */
const OS_VERSION: Record<ModelId, string> = { nanos: '2.1.0', nanosp: '1.1.2', nanox: '2.2.4', stax: '1.5.0', flex: '1.1.1', apex: '1.0.0' };

/** The Ledger SDK's home screen when an app gives no tagline of its own. */
function defaultHome(name: string): AppHome {
  return { title: name, tagline: `This app enables signing\ntransactions on the ${name}\nnetwork.` };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Session {
  app: DeviceApp;
  ctx: AppContext;
}

/** A command in progress: `reply` answers the host's pending APDU, `waiter` a suspended respond(). */
interface RunningCommand {
  reply: Deferred<Uint8Array> | undefined;
  waiter: Deferred<CommandApdu> | undefined;
}

export interface DeviceEvents {
  text: [TextEvent];
  screen: [Screen];
  /** The automation's ["exit"] action: Speculos exits; the server decides what to do. */
  exit: [];
}

export class EmulatedDevice {
  readonly model: DeviceModel;
  readonly settings: DeviceSettings;
  readonly display: Display;
  private readonly renderer: Renderer;
  private readonly seed: DeviceSeed;
  private readonly apps = new Map<string, AppFactory>();
  private readonly nvram = new Map<string, Map<string, Uint8Array>>();
  private readonly options: EmulatedDeviceOptions;
  /** Deterministic mode: the Speculos stream, restarted at each power cycle; else undefined. */
  private rng: SpeculosRandom | undefined;
  private locked: boolean;
  private session: Session | undefined;
  private command: RunningCommand | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The pending review or warning: rejected with AppCommandAborted when the command is aborted. */
  private prompt: Deferred<boolean> | undefined;
  private automation: Automation | undefined;
  private autoApproveOn: boolean;
  private autoStep: NodeJS.Immediate | undefined;

  constructor(options: EmulatedDeviceOptions = {}) {
    this.options = options;
    this.model = getModel(options.model ?? 'nanosp');
    this.seed = parseSeed(options.seed);
    this.settings = { blindSigning: false, ...options.settings };
    this.rng = this.makeRandom();
    this.display = new Display(this.model.input);
    this.renderer =
      this.model.input === 'buttons' ? new NanoRenderer(this.model, nanoFonts(this.model.id)) : new TouchRenderer(this.model, touchFonts(this.model.id));
    const apps = options.apps ?? {};
    if (Array.isArray(apps)) for (const factory of apps as readonly AppFactory[]) this.apps.set(factory().name, factory);
    else for (const [name, factory] of Object.entries(apps as Record<string, AppFactory>)) this.apps.set(name, factory);
    if (options.startApp !== undefined && !this.apps.has(options.startApp)) throw this.unknownApp(options.startApp);
    this.autoApproveOn = options.autoApprove ?? false;
    if (options.automation !== undefined) this.setAutomation(options.automation);
    this.display.on('text', (e) => this.onText(e));
    this.display.on('screen', () => this.scheduleAutoApprove());
    this.locked = options.locked ?? false;
    if (options.startApp !== undefined) this.startSession(options.startApp);
    this.showIdle();
  }

  get state(): DeviceState {
    return this.locked ? 'locked' : this.session ? 'app' : 'dashboard';
  }

  /** Name of the open app (also while locked), or undefined on the dashboard. */
  get appName(): string | undefined {
    return this.session?.app.name;
  }

  get installedApps(): string[] {
    return [...this.apps.keys()];
  }

  get autoApprove(): boolean {
    return this.autoApproveOn;
  }

  set autoApprove(on: boolean) {
    this.autoApproveOn = on;
    this.scheduleAutoApprove();
  }

  /**
   * Sends one command APDU; resolves with `data || SW`, queued behind any APDU in progress. The
   * signal is accepted for ApduExchanger: like Speculos, the device cannot take back an APDU it has
   * queued, so an aborting transport stops waiting on its side.
   */
  exchange(apdu: Uint8Array, _options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    const bytes = Uint8Array.from(apdu);
    const run = this.queue.then(() => this.process(bytes)).catch(() => statusOnly(0x6f00));
    this.queue = run;
    return run;
  }

  /** Derives the seed and master key now rather than in the first command that needs them. */
  deriveKeys(): void {
    void this.seed.master;
  }

  lock(): void {
    this.abortCommand(SW.LOCKED_DEVICE);
    this.locked = true;
    this.showIdle();
  }

  unlock(): void {
    this.locked = false;
    this.showIdle();
  }

  /** Opens an app as E0 D8 would (closing the open one first). Throws E_UNKNOWN_APP. */
  openApp(name: string): void {
    if (!this.apps.has(name)) throw this.unknownApp(name);
    this.closeSession();
    this.startSession(name);
    this.showIdle();
  }

  /** Closes the open app and returns to the dashboard (B0 A7). */
  quitApp(): void {
    this.closeSession();
    this.showIdle();
  }

  /** A power cycle: RAM state and the running command are gone, NVRAM stays; back to the start state. */
  reset(): void {
    this.closeSession();
    this.rng = this.makeRandom();
    this.locked = this.options.locked ?? false;
    if (this.options.startApp !== undefined) this.startSession(this.options.startApp);
    this.showIdle();
  }

  pressButton(button: Button | 'both'): void {
    this.display.pressButton(button);
  }

  buttonEvent(button: Button, pressed: boolean): void {
    this.display.buttonEvent(button, pressed);
  }

  touch(x: number, y: number, options?: TouchOptions): void {
    this.display.touch(x, y, options);
  }

  on<K extends keyof DeviceEvents>(event: K, listener: (...args: DeviceEvents[K]) => void): () => void {
    if (event === 'exit') {
      const l = listener as () => void;
      this.exitListeners.add(l);
      return () => this.exitListeners.delete(l);
    }
    if (event === 'text') {
      const l = listener as unknown as (e: TextEvent) => void;
      this.display.on('text', l);
      return () => this.display.off('text', l);
    }
    const l = listener as unknown as (s: Screen) => void;
    this.display.on('screen', l);
    return () => this.display.off('screen', l);
  }

  private readonly exitListeners = new Set<() => void>();

  /** With deterministicRng: how many bytes of the Speculos stream were drawn since power-on. */
  get rngPosition(): number | undefined {
    return this.rng?.position;
  }

  /** The current screen's text events. */
  currentScreen(): TextEvent[] {
    return this.display.currentEvents();
  }

  /** Text events since start or the last clearEvents(). */
  events(): TextEvent[] {
    return this.display.events();
  }

  clearEvents(): void {
    this.display.clearEvents();
  }

  /** PNG of the current screen at the model's resolution. */
  screenshot(): Uint8Array {
    return renderPng(this.display.current, this.model);
  }

  /** Installs (or with null removes) Speculos automation rules; throws AutomationError if invalid. */
  setAutomation(document: AutomationDocument | string | null): void {
    this.automation = document === null ? undefined : new Automation(document);
  }

  private async process(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.locked) return statusOnly(SW.LOCKED_DEVICE);
    if (!this.session) return this.dashboardCommand(apdu);
    return this.appCommand(this.session, apdu);
  }

  private dashboardCommand(apdu: Uint8Array): Uint8Array {
    if (apdu.length < 4) return statusOnly(SW.WRONG_LENGTH);
    const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
    if (cla === 0xb0 && ins === 0x01) return this.appAndVersion('BOLOS', OS_VERSION[this.model.id], Uint8Array.of(0x00));
    if (cla === 0xb0) return statusOnly(SW.INS_NOT_SUPPORTED);
    if (cla !== 0xe0) return statusOnly(SW.CLA_NOT_SUPPORTED);
    if (ins !== 0xd8) return statusOnly(SW.INS_NOT_SUPPORTED);
    let cmd: CommandApdu;
    try {
      cmd = decodeCommand(apdu);
    } catch {
      return statusOnly(SW.WRONG_LENGTH);
    }
    if (p1 !== 0 || p2 !== 0) return statusOnly(SW.WRONG_P1P2);
    if (cmd.data.length === 0 || cmd.data.length > 32) return statusOnly(SW.INVALID_APP_NAME_LENGTH);
    const name = new TextDecoder().decode(cmd.data);
    if (!this.apps.has(name)) return statusOnly(SW.APP_NOT_FOUND);
    this.startSession(name);
    this.showIdle();
    return statusOnly(SW.OK);
  }

  private appCommand(session: Session, apdu: Uint8Array): Promise<Uint8Array> | Uint8Array {
    // The SDK's I/O layer answers CLA B0 itself (os_io_handle_default_apdu), even mid-command.
    if (apdu.length >= 2 && apdu[0] === 0xb0 && apdu[1] === 0x01)
      return this.appAndVersion(session.app.name, session.app.version, session.app.flags);
    if (apdu.length >= 2 && apdu[0] === 0xb0 && apdu[1] === 0xa7) {
      this.quitApp();
      return statusOnly(SW.OK);
    }
    // The SDK's apdu_parser wants the 5-byte header and Lc equal to the data length; anything else is
    // answered 6A87 before the app sees it (and ends a suspended command).
    if (apdu.length < 5 || apdu[4] !== apdu.length - 5) {
      this.abortCommand(SW.WRONG_DATA_LENGTH);
      return statusOnly(SW.WRONG_DATA_LENGTH);
    }
    const cmd = decodeCommand(apdu);
    const running = this.command;
    if (running?.waiter) {
      const waiter = running.waiter;
      running.waiter = undefined;
      running.reply = deferred();
      waiter.resolve(cmd);
      return running.reply.promise;
    }
    return this.runCommand(session, cmd);
  }

  private runCommand(session: Session, cmd: CommandApdu): Promise<Uint8Array> {
    const running: RunningCommand = { reply: deferred(), waiter: undefined };
    const reply = running.reply!.promise;
    this.command = running;
    const io: CommandIO = { respond: (response) => this.suspend(running, response) };
    let result: Promise<Uint8Array>;
    try {
      result = session.app.handle(cmd, io, session.ctx);
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (response) => this.finish(running, validResponse(response)),
      (e: unknown) => this.finish(running, e instanceof AppCommandAborted ? statusOnly(SW.WRONG_DATA_LENGTH) : statusOnly(0x6f00)),
    );
    return reply;
  }

  private suspend(running: RunningCommand, response: Uint8Array): Promise<CommandApdu> {
    if (this.command !== running || !running.reply) return Promise.reject(new AppCommandAborted('respond: the command is no longer running'));
    const reply = running.reply;
    running.reply = undefined;
    running.waiter = deferred();
    reply.resolve(validResponse(response));
    return running.waiter.promise;
  }

  private finish(running: RunningCommand, response: Uint8Array): void {
    if (this.command !== running) return;
    this.command = undefined;
    running.waiter?.reject(new AppCommandAborted('the command ended'));
    running.reply?.resolve(response);
    // A command that left "Processing…" on screen returns to the idle screen.
    if (this.busyShown) this.showIdle();
  }

  /** Ends the running command: a pending reply is answered `sw`, a suspended respond() rejects. */
  private abortCommand(sw: number): void {
    const running = this.command;
    this.command = undefined;
    if (running) {
      running.waiter?.reject(new AppCommandAborted('the device aborted the command'));
      running.reply?.resolve(statusOnly(sw));
    }
    const prompt = this.prompt;
    this.prompt = undefined;
    prompt?.reject(new AppCommandAborted('the device aborted the review'));
  }

  private appAndVersion(name: string, version: string, flags: Uint8Array): Uint8Array {
    const n = utf8.encode(name);
    const v = utf8.encode(version);
    return concat(Uint8Array.of(0x01, n.length), n, Uint8Array.of(v.length), v, Uint8Array.of(flags.length), flags, statusOnly(SW.OK));
  }

  private startSession(name: string): void {
    const app = this.apps.get(name)!();
    let nvram = this.nvram.get(name);
    if (!nvram) this.nvram.set(name, (nvram = new Map()));
    this.session = { app, ctx: this.context(nvram) };
  }

  private closeSession(): void {
    this.abortCommand(0x6f00);
    const session = this.session;
    this.session = undefined;
    try {
      session?.app.close?.();
    } catch {
      // A failing close() must not take the device down; the app's RAM is dropped with it anyway.
    }
  }

  private context(nvram: Map<string, Uint8Array>): AppContext {
    const device = this;
    return {
      model: this.model,
      family: this.model.input === 'buttons' ? 'nano' : 'touch',
      // Getters: the seed is derived at first use (emulator/seed.ts), not when an app opens.
      get master(): HDKey {
        return device.seed.master;
      },
      get seed(): Uint8Array {
        return device.seed.seed;
      },
      random: (length) => (device.rng ? device.rng.bytes(length) : secureRandom(length)),
      rngCharge: (operation) => device.rng?.charge(operation),
      nvram,
      settings: this.settings,
      review: (flow) => this.review(flow),
      reviewStreaming: (step) => this.reviewStreaming(step),
      warn: (page) => this.warn(page),
      status: (text) => this.status(text),
      busy: (text) => this.busy(text),
    };
  }

  private busyShown = false;

  private review(flow: ReviewFlow): Promise<boolean> {
    const { pages, rejectConfirm } = this.renderer.review(flow);
    const prompt = this.newPrompt();
    let lastPage = 0;
    const dialog = {
      pages,
      onAction: (action: UiAction): void => {
        if (action === 'approve') this.settle(prompt, true, flow.approved);
        else if (action === 'reject') this.settle(prompt, false, flow.rejected);
        else if (action === 'ask-reject' && rejectConfirm) {
          lastPage = this.display.pageIndex;
          this.display.present({ pages: [rejectConfirm], onAction: (a) => (a === 'reject' ? this.settle(prompt, false, flow.rejected) : this.display.present(dialog, lastPage)) });
        }
      },
    };
    this.display.present(dialog);
    return prompt.promise;
  }

  private reviewStreaming(step: StreamingReviewStep): Promise<boolean> {
    const { pages, rejectConfirm } = this.renderer.reviewStreaming(step);
    const prompt = this.newPrompt();
    const rejected = step.kind === 'finish' ? step.flow.rejected : undefined;
    let lastPage = 0;
    const dialog = {
      pages,
      onAction: (action: UiAction): void => {
        // Passing the last page of a start / pairs step leaves its pages on screen until the next step replaces them.
        if (action === 'approve') this.settle(prompt, true, step.kind === 'finish' ? step.flow.approved : undefined, step.kind !== 'finish');
        else if (action === 'reject') this.settle(prompt, false, rejected);
        else if (action === 'ask-reject' && rejectConfirm) {
          lastPage = this.display.pageIndex;
          this.display.present({ pages: [rejectConfirm], onAction: (a) => (a === 'reject' ? this.settle(prompt, false, rejected) : this.display.present(dialog, lastPage)) });
        }
      },
    };
    this.display.present(dialog);
    return prompt.promise;
  }

  private warn(page: WarningPage): Promise<boolean> {
    const prompt = this.newPrompt();
    this.display.present({
      pages: this.renderer.warning(page),
      onAction: (action) => {
        if (action === 'approve' || action === 'reject') this.settle(prompt, action === 'approve');
      },
    });
    return prompt.promise;
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

  private status(text: string): void {
    this.busyShown = false;
    this.display.showTransient(this.renderer.status(text), this.options.statusTimeoutMs ?? 3000, () => this.showIdle());
  }

  private busy(text = 'Processing'): void {
    this.busyShown = true;
    this.display.showStatic(this.renderer.busy(text));
  }

  private showIdle(): void {
    this.busyShown = false;
    if (this.prompt) return;
    if (this.locked) return this.display.showStatic(this.renderer.locked());
    const session = this.session;
    if (session) {
      this.display.present({ pages: this.renderer.appHome(session.app.home ?? defaultHome(session.app.name), session.app.version), onAction: (a) => a === 'quit' && this.quitApp() });
      return;
    }
    this.display.present({
      pages: this.renderer.dashboard(this.installedApps),
      onAction: (a) => {
        if (a.startsWith('open:')) this.openApp(a.slice(5));
      },
    });
  }

  private onText(event: TextEvent): void {
    const automation = this.automation;
    if (!automation) return;
    const actions = automation.actionsFor(event);
    if (actions.length === 0) return;
    // Run after the screen is fully drawn, as Speculos's automation runs beside the app.
    setImmediate(() => {
      for (const action of actions) {
        if (action[0] === 'button') this.buttonEvent(action[1] === 1 ? 'left' : 'right', action[2]);
        else if (action[0] === 'finger') this.touch(action[1], action[2], { action: action[3] ? 'press' : 'release' });
        else if (action[0] === 'setbool') automation.setBool(action[1], action[2]);
        else for (const l of this.exitListeners) l();
      }
    });
  }

  /** Auto-approve: one input per screen, as a person would do it, until the prompt is approved. */
  private scheduleAutoApprove(): void {
    if (!this.autoApproveOn || !this.prompt || this.autoStep) return;
    this.autoStep = setImmediate(() => {
      this.autoStep = undefined;
      if (!this.autoApproveOn || !this.prompt) return;
      const screen = this.display.current;
      if (this.model.input === 'buttons') {
        if (screen.buttons?.both === 'approve') this.pressButton('both');
        else if (screen.buttons?.right) this.pressButton('right');
        return;
      }
      const approve = screen.regions?.find((r) => r.action === 'approve');
      const next = screen.regions?.find((r) => r.action === 'next');
      const target = approve ?? next;
      if (target) this.touch(target.x + target.w / 2, target.y + target.h / 2, { holdMs: target.hold ? LONG_PRESS_MS * 3 : 100 });
    });
  }

  private makeRandom(): SpeculosRandom | undefined {
    return this.options.deterministicRng === undefined ? undefined : new SpeculosRandom(this.options.deterministicRng);
  }

  private unknownApp(name: string): EmulatorError {
    return new EmulatorError('E_UNKNOWN_APP', `app: expected one of ${JSON.stringify(this.installedApps)}, got "${name}"`);
  }
}

/** An app's response must end in a status word; anything shorter is the device's 6F00. */
function validResponse(response: unknown): Uint8Array {
  return response instanceof Uint8Array && response.length >= 2 ? response : statusOnly(0x6f00);
}
