// The emulated device: BOLOS as an app sees it and as a host sees it. States: locked (every APDU is
// answered 5515 until unlock()), dashboard (B0 01 answers "BOLOS", E0 D8 opens an app), and an open
// app (B0 01 answers the app's name and version, B0 A7 quits, everything else goes to the app).
// The parts: emulator/os.ts (what BOLOS answers itself), emulator/command-runner.ts (the app command
// in progress, suspended while the host answers a client command), emulator/prompts.ts (reviews,
// warnings, status screens). exchange() is the one queue: APDUs are served one at a time in arrival
// order from every caller (all servers included), as Speculos's endpoint_lock does server-wide; it
// never rejects for bad input and always answers `data || SW`.

import type { HDKey } from '@scure/bip32';
import { statusOnly } from '../apdu/apdu.ts';
import { SW } from '../apdu/status.ts';
import { getModel, type DeviceModel, type ModelId } from '../devices/models.ts';
import type { AppContext, AppFactory, AppHome, DeviceApp, DeviceSettings } from './app.ts';
import { Automation, type AutomationDocument } from './automation.ts';
import { CommandRunner, SW_TECHNICAL_PROBLEM } from './command-runner.ts';
import { dashboardCommand, inAppCommand, type OsDevice } from './os.ts';
import { Prompts } from './prompts.ts';
import { secureRandom } from './rng.ts';
import { SpeculosRandom } from './speculos-rng.ts';
import { renderPng } from './screenshot/render.ts';
import { parseSeed, type DeviceSeed } from './seed.ts';
import { Display, type Button, type TouchOptions } from './ui/display.ts';
import { nanoFonts, touchFonts } from './ui/fonts.ts';
import { NanoRenderer } from './ui/nano.ts';
import type { Renderer } from './ui/renderer.ts';
import type { Screen, TextEvent } from './ui/screen.ts';
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

interface Session {
  app: DeviceApp;
  ctx: AppContext;
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
  private readonly runner = new CommandRunner(() => {
    // A command that left "Processing…" on screen returns to the idle screen.
    if (this.prompts.busyShown) this.showIdle();
  });
  private readonly prompts: Prompts;
  private readonly os: OsDevice = {
    hasApp: (name) => this.apps.has(name),
    openApp: (name) => {
      this.startSession(name);
      this.showIdle();
    },
    quitApp: () => this.quitApp(),
  };
  private queue: Promise<unknown> = Promise.resolve();
  private automation: Automation | undefined;

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
    if (options.automation !== undefined) this.setAutomation(options.automation);
    this.display.on('text', (e) => this.onText(e));
    this.prompts = new Prompts(this.display, this.renderer, this.model.input, options.statusTimeoutMs ?? 3000, () => this.showIdle(), options.autoApprove ?? false);
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
    return this.prompts.autoApprove;
  }

  set autoApprove(on: boolean) {
    this.prompts.autoApprove = on;
  }

  /**
   * Sends one command APDU; resolves with `data || SW`, queued behind any APDU in progress. When
   * `signal` fires the caller is released at once (rejected with its reason) and an APDU still
   * queued never reaches the device; one the device has started keeps the queue closed until it is
   * answered (a review on screen holds the next caller back, as on Speculos).
   */
  exchange(apdu: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    const bytes = Uint8Array.from(apdu);
    const signal = options?.signal;
    const run = this.queue.then(() => {
      signal?.throwIfAborted();
      return this.process(bytes).catch(() => statusOnly(SW_TECHNICAL_PROBLEM));
    });
    this.queue = run.catch(() => undefined);
    return signal ? untilAborted(run, signal) : run;
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
    const session = this.session;
    if (!session) return dashboardCommand(apdu, OS_VERSION[this.model.id], this.os);
    const routed = inAppCommand(apdu, session.app, this.os);
    if ('command' in routed) return this.runner.deliver(session.app, session.ctx, routed.command);
    if (routed.abort !== undefined) this.abortCommand(routed.abort);
    return routed.answer;
  }

  /** Ends the running command with `sw` and refuses its open prompt. */
  private abortCommand(sw: number): void {
    this.runner.abort(sw);
    this.prompts.abort();
  }

  private startSession(name: string): void {
    const app = this.apps.get(name)!();
    let nvram = this.nvram.get(name);
    if (!nvram) this.nvram.set(name, (nvram = new Map()));
    this.session = { app, ctx: this.context(nvram) };
  }

  private closeSession(): void {
    this.abortCommand(SW_TECHNICAL_PROBLEM);
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
      review: (flow) => this.prompts.review(flow),
      reviewStreaming: (step) => this.prompts.reviewStreaming(step),
      warn: (page) => this.prompts.warn(page),
      status: (text) => this.prompts.status(text),
      busy: (text) => this.prompts.busy(text),
    };
  }

  private showIdle(): void {
    this.prompts.busyShown = false;
    if (this.prompts.open) return;
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

  private makeRandom(): SpeculosRandom | undefined {
    return this.options.deterministicRng === undefined ? undefined : new SpeculosRandom(this.options.deterministicRng);
  }

  private unknownApp(name: string): EmulatorError {
    return new EmulatorError('E_UNKNOWN_APP', `app: expected one of ${JSON.stringify(this.installedApps)}, got "${name}"`);
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
