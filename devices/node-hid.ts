// USB HID transport through Ledger's @ledgerhq/hw-transport-node-hid, an optional dependency: it compiles
// node-hid, which needs libusb and libudev headers (ECOSYSTEM.md B4), so `npm ci` must succeed without it.
// It is loaded lazily, through createRequire because its ESM build does not load under Node (ECOSYSTEM.md
// B3), and its absence becomes a HidUnavailableError that says what to install.

import { createRequire } from 'node:module';
import { LEDGER_USB_VENDOR_ID, modelFromProductId, type ModelId } from './models.ts';
import { TransportDisconnectedError, TransportSpecError } from './errors.ts';
import { GuardedTransport } from './guarded.ts';

const LEDGER_HID_PACKAGE = '@ledgerhq/hw-transport-node-hid';

/** Linux udev rule that lets a non-root user open Ledger devices (USB vendor 2c97). */
export const UDEV_RULES = [
  '# /etc/udev/rules.d/20-ledger.rules: Ledger devices (USB vendor 2c97) for the logged-in user',
  'SUBSYSTEMS=="usb", ATTRS{idVendor}=="2c97", MODE="0660", TAG+="uaccess", TAG+="udev-acl"',
  'KERNEL=="hidraw*", ATTRS{idVendor}=="2c97", MODE="0660", TAG+="uaccess", TAG+="udev-acl"',
  '',
].join('\n');

export const HID_INSTALL_HINT =
  `${LEDGER_HID_PACKAGE} is an optional dependency that compiles node-hid: run ` +
  '`sudo apt-get install libusb-1.0-0-dev libudev-dev` (with build-essential, python3 and pkg-config), then ' +
  `\`npm install ${LEDGER_HID_PACKAGE}\`. On Linux also put this udev rule in /etc/udev/rules.d/20-ledger.rules, ` +
  'run `sudo udevadm control --reload-rules && sudo udevadm trigger` and replug the device:\n' +
  UDEV_RULES +
  'Without a device, use `--transport emulator`.';

export const NO_DEVICE_HINT =
  'plug the device in, unlock it and open the app (on Linux, check the udev rule: UDEV_RULES), or use `--transport emulator`';

/** The USB HID transport cannot be used on this machine; the message says how to fix it. */
export class HidUnavailableError extends Error {
  override readonly name = 'HidUnavailableError';
  constructor(detail: string, cause?: unknown) {
    super(`USB HID transport unavailable: ${detail}. ${HID_INSTALL_HINT}`, { cause });
  }
}

/** The part of Ledger's transport we use: raw exchange (no status check), close, disconnect event. */
export interface LedgerHidTransport {
  exchange(apdu: Buffer): Promise<Buffer>;
  close(): Promise<void>;
  on(event: 'disconnect', listener: (err?: unknown) => void): void;
}

/** A Ledger device seen on USB. */
export interface HidDeviceInfo {
  path: string;
  productId: number;
  product?: string;
  /** Known from the product id, when it is one of ours (devices/models.ts). */
  model?: ModelId;
}

/** What the transport needs from the native side; tests substitute it. */
export interface HidBackend {
  open(path: string | null): Promise<LedgerHidTransport>;
  devices(): HidDeviceInfo[];
}

export type ModuleLoader = (id: string) => unknown;

interface NodeHidDevice {
  path?: string;
  productId: number;
  product?: string;
  interface: number;
  usagePage?: number;
}

const require = createRequire(import.meta.url);

// node-hid is Ledger's dependency, not ours: resolve it from Ledger's package so hoisting does not matter.
const defaultLoader: ModuleLoader = (id) =>
  id === 'node-hid' ? createRequire(require.resolve(LEDGER_HID_PACKAGE))(id) : require(id);

/** Loads Ledger's HID transport and node-hid, or throws HidUnavailableError naming what is missing. */
export function loadHidBackend(load: ModuleLoader = defaultLoader): HidBackend {
  let lib: { default?: { open?: unknown } };
  let hid: { devices?: unknown };
  try {
    lib = load(LEDGER_HID_PACKAGE) as typeof lib;
    hid = load('node-hid') as typeof hid;
  } catch (err) {
    const code = (err as { code?: string }).code;
    const detail =
      code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND'
        ? `${LEDGER_HID_PACKAGE} is not installed`
        : `${LEDGER_HID_PACKAGE} failed to load (${(err as Error).message})`;
    throw new HidUnavailableError(detail, err);
  }
  const Transport = lib.default as { open(path: string | null): Promise<LedgerHidTransport> } | undefined;
  if (typeof Transport?.open !== 'function' || typeof hid.devices !== 'function')
    throw new HidUnavailableError(`${LEDGER_HID_PACKAGE} does not have the expected shape (default.open, node-hid devices())`);
  const listRaw = hid.devices as (vendorId: number, productId: number) => NodeHidDevice[];
  return {
    open: (path) => Transport.open(path),
    devices: () =>
      listRaw(LEDGER_USB_VENDOR_ID, 0)
        // Ledger's APDU interface: interface 0 on Linux, usage page 0xffa0 elsewhere (PROTOCOLS.md §3.1).
        .filter((d) => (['win32', 'darwin'].includes(process.platform) ? d.usagePage === 0xffa0 : d.interface === 0))
        .filter((d): d is NodeHidDevice & { path: string } => typeof d.path === 'string')
        .map((d) => {
          const info: HidDeviceInfo = { path: d.path, productId: d.productId };
          if (d.product) info.product = d.product;
          const model = modelFromProductId(d.productId);
          if (model) info.model = model.id;
          return info;
        }),
  };
}

/** Ledger devices attached over USB (throws HidUnavailableError when HID support is not installed). */
export function listHidDevices(backend: HidBackend = loadHidBackend()): HidDeviceInfo[] {
  return backend.devices();
}

export interface NodeHidOpenOptions {
  /** A device path from listHidDevices(); the only attached device when absent. */
  path?: string;
  backend?: HidBackend;
}

export class NodeHidTransport extends GuardedTransport {
  readonly kind = 'hid';

  private constructor(
    private readonly device: LedgerHidTransport,
    readonly path: string,
  ) {
    super();
    device.on('disconnect', (err) =>
      this.disconnected(new TransportDisconnectedError(`hid ${path}: device disconnected (unplugged, or an app was opened or closed)`, { cause: err })),
    );
  }

  static async open({ path, backend = loadHidBackend() }: NodeHidOpenOptions = {}): Promise<NodeHidTransport> {
    let target = path;
    if (target === undefined) {
      const found = backend.devices();
      if (found.length === 0) throw new TransportSpecError(`hid: expected a Ledger device on USB, got none; ${NO_DEVICE_HINT}`);
      target = found[0]!.path;
    }
    return new NodeHidTransport(await backend.open(target), target);
  }

  protected async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const response = await this.device.exchange(Buffer.from(apdu));
    return new Uint8Array(response);
  }

  protected release(): Promise<void> {
    return this.device.close();
  }
}
