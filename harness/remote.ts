// Backends reached over the Speculos surface — real Speculos, or our emulator behind its servers —
// and a USB device. The screen is read and driven through the REST API in both Speculos cases.

import { SpeculosHttpControl, SpeculosHttpTransport } from '../devices/speculos-http.ts';
import { SpeculosTcpTransport } from '../devices/speculos-tcp.ts';
import { getModel, type DeviceModel } from '../devices/models.ts';
import { openTransport } from '../devices/open.ts';
import type { Transport } from '../devices/transport.ts';
import { type Backend, type BackendKind, type Screen, type TextEvent } from './backend.ts';
import { HOLD_MS, approveReview, rejectReview, waitForText } from './navigate.ts';
import { startSpeculos, type SpeculosInstance, type SpeculosOptions } from './speculos.ts';
import { HarnessError } from './errors.ts';

/**
 * Screen access through a Speculos-compatible REST API. `pressDelayS`: seconds between a button's
 * press and release (Speculos's default 0.1 when absent).
 */
export function httpScreen(control: SpeculosHttpControl, { pressDelayS }: { pressDelayS?: number } = {}): Screen {
  return {
    current: () => control.events({ currentScreenOnly: true }),
    press: (button) => control.button(button, 'press-and-release', pressDelayS),
    touch: (x, y, holdMs) => control.finger({ x, y, ...(holdMs ? { delay: holdMs / 1000 } : {}) }),
    screenshot: () => control.screenshot(),
  };
}

/** Shared navigation over any Screen; subclasses provide the transport and lifecycle. */
export abstract class ScreenBackend implements Backend {
  abstract readonly kind: BackendKind;
  abstract readonly transport: Transport;
  abstract readonly screen: Screen | undefined;
  /** How long approve() holds a "Hold to sign" button (touch models). */
  protected holdMs = HOLD_MS;
  constructor(readonly model: DeviceModel) {}

  protected requireScreen(what: string): Screen {
    if (!this.screen) throw new HarnessError('E_BACKEND_CAPABILITY', `${this.kind} backend: cannot ${what}, the screen is not readable`);
    return this.screen;
  }
  waitForText(text: string | RegExp, options: { timeoutMs?: number } = {}): Promise<TextEvent> {
    return waitForText(this.requireScreen('wait for text'), text, options.timeoutMs);
  }
  approve(options: { timeoutMs?: number; maxPages?: number } = {}): Promise<void> {
    return approveReview(this.requireScreen('approve'), this.model, options.timeoutMs, this.holdMs, options.maxPages);
  }
  reject(options: { timeoutMs?: number } = {}): Promise<void> {
    return rejectReview(this.requireScreen('reject'), this.model, options.timeoutMs);
  }
  abstract reset(): Promise<void>;
  abstract close(): Promise<void>;
}

/** Real Speculos started by the harness; APDUs over its TCP port, the screen over its REST API. */
export class SpeculosBackend extends ScreenBackend {
  readonly kind = 'speculos';
  private instance!: SpeculosInstance;
  transport!: Transport;
  screen!: Screen;

  private constructor(private readonly options: SpeculosOptions) {
    super(getModelBySpeculosName(options.model));
  }

  static async start(options: SpeculosOptions): Promise<SpeculosBackend> {
    const backend = new SpeculosBackend(options);
    await backend.boot();
    return backend;
  }

  /** The running Speculos process (ports, log). */
  get speculos(): SpeculosInstance {
    return this.instance;
  }

  private async boot(): Promise<void> {
    this.instance = await startSpeculos(this.options);
    try {
      this.transport = await SpeculosTcpTransport.open({ port: this.instance.apduPort });
    } catch (err) {
      await this.instance.stop();
      throw err;
    }
    this.screen = httpScreen(new SpeculosHttpControl(this.instance.url));
  }

  async reset(): Promise<void> {
    await this.close();
    await this.boot();
  }

  async close(): Promise<void> {
    await this.transport?.close().catch(() => undefined);
    await this.instance?.stop();
  }
}

function getModelBySpeculosName(name: string): DeviceModel {
  return getModel(name === 'apex_p' ? 'apex' : name);
}

/**
 * Any Speculos-compatible server already running (ours or Speculos started elsewhere), reached by
 * URL; `apdu` picks the TCP port or POST /apdu.
 */
export class RemoteSpeculosBackend extends ScreenBackend {
  constructor(
    readonly kind: BackendKind,
    model: DeviceModel,
    readonly transport: Transport,
    readonly screen: Screen,
    private readonly onClose: () => Promise<void>,
    private readonly onReset: () => Promise<void>,
  ) {
    super(model);
  }

  static async connect(options: {
    kind: BackendKind;
    model: DeviceModel;
    apiUrl: string;
    apduPort?: number;
    /** Hold-to-sign duration (default HOLD_MS, what real Speculos needs). */
    holdMs?: number;
    /** Seconds between a button's press and release (default: the server's, 0.1 on Speculos). */
    pressDelayS?: number;
    onClose?: () => Promise<void>;
    onReset?: () => Promise<void>;
  }): Promise<RemoteSpeculosBackend> {
    const transport =
      options.apduPort !== undefined
        ? await SpeculosTcpTransport.open({ port: options.apduPort })
        : await SpeculosHttpTransport.open(options.apiUrl);
    const screen = httpScreen(new SpeculosHttpControl(options.apiUrl), options.pressDelayS === undefined ? {} : { pressDelayS: options.pressDelayS });
    const close = async () => {
      await transport.close();
      await options.onClose?.();
    };
    const backend = new RemoteSpeculosBackend(options.kind, options.model, transport, screen, close, options.onReset ?? (async () => {
      throw new HarnessError('E_BACKEND_CAPABILITY', `${options.kind} backend: reset is not available for a server the harness did not start`);
    }));
    if (options.holdMs !== undefined) backend.holdMs = options.holdMs;
    return backend;
  }

  reset(): Promise<void> {
    return this.onReset();
  }
  close(): Promise<void> {
    return this.onClose();
  }
}

/**
 * A Ledger on USB. The harness cannot see its screen: approve()/reject() print what the person
 * must do and return, and the pending exchange resolves when they act on the device.
 */
export class UsbBackend extends ScreenBackend {
  readonly kind = 'usb';
  readonly screen = undefined;

  private constructor(
    model: DeviceModel,
    readonly transport: Transport,
    private readonly say: (line: string) => void,
  ) {
    super(model);
  }

  static async open(options: { model?: DeviceModel; say?: (line: string) => void } = {}): Promise<UsbBackend> {
    const transport = await openTransport('hid');
    return new UsbBackend(options.model ?? getModel('nanosp'), transport, options.say ?? ((l) => console.log(l)));
  }

  override async approve(): Promise<void> {
    this.say('usb backend: review the request on the device and approve it');
  }
  override async reject(): Promise<void> {
    this.say('usb backend: review the request on the device and reject it');
  }
  async reset(): Promise<void> {
    this.say('usb backend: reset is manual (reopen the app on the device)');
  }
  async close(): Promise<void> {
    await this.transport.close();
  }
}
