// USB HID transport on node-hid 3.x, with our own HID framing (devices/framing/hid.ts). node-hid 3
// ships prebuilt binaries for Linux x64/arm64, macOS and Windows, so `npm ci` needs no compiler and no
// libusb/libudev headers; it is still an optional dependency (a platform without a prebuilt binary
// must not fail the install), loaded lazily through createRequire (it is CommonJS with a native
// addon), and its absence or a failing native load becomes a HidUnavailableError that says what to do.

import { createRequire } from 'node:module';
import { encodeHidFrames, HidReassembler, HID_PACKET_SIZE } from './framing/hid.ts';
import { LEDGER_USB_VENDOR_ID, modelFromProductId, type ModelId } from './models.ts';
import { GuardedTransport } from './guarded.ts';
import { TransportError, transportErrors } from './errors.ts';
import { isTaprootHwError } from '../apdu/errors.ts';

const NODE_HID_PACKAGE = 'node-hid';

/** Linux udev rule that lets a non-root user open Ledger devices (USB vendor 2c97). */
export const UDEV_RULES = [
  '# /etc/udev/rules.d/20-ledger.rules: Ledger devices (USB vendor 2c97) for the logged-in user',
  'SUBSYSTEMS=="usb", ATTRS{idVendor}=="2c97", MODE="0660", TAG+="uaccess", TAG+="udev-acl"',
  'KERNEL=="hidraw*", ATTRS{idVendor}=="2c97", MODE="0660", TAG+="uaccess", TAG+="udev-acl"',
  '',
].join('\n');

/** What to do on Linux so that a plugged-in Ledger can be opened without root. */
export const UDEV_HINT =
  'On Linux put this udev rule in /etc/udev/rules.d/20-ledger.rules, run ' +
  '`sudo udevadm control --reload-rules && sudo udevadm trigger` and replug the device:\n' +
  UDEV_RULES;

export const HID_INSTALL_HINT =
  `${NODE_HID_PACKAGE} (an optional dependency with prebuilt binaries for Linux x64/arm64, macOS and Windows) ` +
  `is needed for USB devices: run \`npm install ${NODE_HID_PACKAGE}@3\`; on another platform it compiles, which needs ` +
  '`sudo apt-get install build-essential python3 pkg-config libusb-1.0-0-dev libudev-dev` or the equivalent. ' +
  `${UDEV_HINT}Without a device, use \`--transport emulator\`.`;

export const NO_DEVICE_HINT =
  'plug the device in, unlock it and open the app (on Linux, check the udev rule: UDEV_RULES), or use `--transport emulator`';

/** E_HID_UNAVAILABLE: the USB HID transport cannot be used on this machine; says how to fix it. */
const hidUnavailable = (detail: string, cause?: unknown) =>
  new TransportError('E_HID_UNAVAILABLE', `USB HID transport unavailable: ${detail}. ${HID_INSTALL_HINT}`, { cause });

/** The part of node-hid 3's HIDAsync the transport uses (a Buffer is a Uint8Array); tests stand in for it. */
export interface HidHandle {
  /** Writes one output report: report id 0x00, then the packet. */
  write(report: number[]): Promise<number>;
  /** One input report, or undefined/empty when none came within `timeoutMs`. */
  read(timeoutMs?: number): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
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
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

export type ModuleLoader = (id: string) => unknown;

/** node-hid's device record (the fields we read). */
export interface NodeHidDevice {
  path?: string;
  vendorId?: number;
  productId: number;
  product?: string;
  interface: number;
  usagePage?: number;
}

interface NodeHidModule {
  devicesAsync(vendorId: number, productId: number): Promise<NodeHidDevice[]>;
  HIDAsync: { open(path: string): Promise<HidHandle> };
}

const defaultLoader: ModuleLoader = (id) => createRequire(import.meta.url)(id);

const PRINTABLE_PRODUCT = /^[\x20-\x7e]{1,64}$/;

/** Ledger APDU interfaces among node-hid's records: interface 0 on Linux, usage page 0xffa0 elsewhere (docs/bitcoin-app-protocol.md §9). */
export function ledgerInterfaces(found: readonly NodeHidDevice[], platform: string = process.platform): HidDeviceInfo[] {
  return found
    .filter((d) => (platform === 'win32' || platform === 'darwin' ? d.usagePage === 0xffa0 : d.interface === 0))
    .filter((d): d is NodeHidDevice & { path: string } => typeof d.path === 'string')
    .map((d) => {
      const info: HidDeviceInfo = { path: d.path, productId: d.productId };
      // The product string comes from the device: kept only as short printable ASCII, since it is printed.
      if (d.product && PRINTABLE_PRODUCT.test(d.product)) info.product = d.product;
      const model = modelFromProductId(d.productId);
      if (model) info.model = model.id;
      return info;
    });
}

/** Loads node-hid, or throws HidUnavailableError naming what is missing. */
export function loadHidBackend(load: ModuleLoader = defaultLoader): HidBackend {
  let hid: Partial<NodeHidModule>;
  try {
    hid = load(NODE_HID_PACKAGE) as Partial<NodeHidModule>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    const detail =
      code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND'
        ? `${NODE_HID_PACKAGE} is not installed`
        : `${NODE_HID_PACKAGE} failed to load (${(err as Error).message})`;
    throw hidUnavailable(detail, err);
  }
  if (typeof hid.devicesAsync !== 'function' || typeof hid.HIDAsync?.open !== 'function')
    throw hidUnavailable(`${NODE_HID_PACKAGE} does not have the expected shape (devicesAsync(), HIDAsync.open()): version 3 is needed`);
  const { devicesAsync, HIDAsync } = hid as NodeHidModule;
  return {
    devices: async () => ledgerInterfaces(await devicesAsync(LEDGER_USB_VENDOR_ID, 0)),
    open: async (path) => {
      try {
        return await HIDAsync.open(path);
      } catch (err) {
        // E_HID_OPEN: a Ledger was found but could not be opened; on Linux almost always the udev rule.
        throw new TransportError(
          'E_HID_OPEN',
          `hid ${path}: expected to open the device, got "${(err as Error)?.message ?? String(err)}" (no permission, or another program holds it). ${UDEV_HINT}`,
          { cause: err },
        );
      }
    },
  };
}

/** Ledger devices attached over USB (throws HidUnavailableError when node-hid cannot load). */
export function listHidDevices(backend: HidBackend = loadHidBackend()): Promise<HidDeviceInfo[]> {
  return backend.devices();
}

export interface NodeHidOpenOptions {
  /** A device path from listHidDevices(); the only attached device when absent. */
  path?: string;
  backend?: HidBackend;
  /** Framing channel; random when absent, as Ledger's own host does. */
  channel?: number;
}

/** A read waits at most this long, so close() is noticed while a review keeps the device silent. */
const READ_SLICE_MS = 250;

export class NodeHidTransport extends GuardedTransport {
  readonly kind = 'hid';
  private released = false;

  private constructor(
    private readonly handle: HidHandle,
    readonly path: string,
    readonly channel: number,
  ) {
    super();
  }

  static async open({ path, backend = loadHidBackend(), channel }: NodeHidOpenOptions = {}): Promise<NodeHidTransport> {
    let target = path;
    if (target === undefined) {
      const found = await backend.devices();
      if (found.length === 0) throw new TransportError('E_TRANSPORT_SPEC', `hid: expected a Ledger device on USB, got none; ${NO_DEVICE_HINT}`);
      target = found[0]!.path;
    }
    const ch = channel ?? Math.floor(Math.random() * 0x10000);
    return new NodeHidTransport(await backend.open(target), target, ch);
  }

  /**
   * Writes the command's packets, then reads packets until the answer is whole. A read or write that
   * fails means the device went away (unplugged, or an app was opened or closed): the transport is
   * then closed with TransportDisconnectedError. An answer that breaks the framing closes it too.
   */
  protected async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const reader = new HidReassembler({ channel: this.channel, packetSize: HID_PACKET_SIZE });
    try {
      for (const packet of encodeHidFrames(apdu, this.channel)) await this.handle.write([0x00, ...packet]);
      for (;;) {
        if (this.released) throw transportErrors.closed(this.kind);
        const report = await this.handle.read(READ_SLICE_MS);
        if (report === undefined || report.length === 0) continue;
        const message = reader.push(Uint8Array.from(report));
        if (message !== undefined) return message;
      }
    } catch (err) {
      if (this.released) throw err;
      if (isTaprootHwError(err, 'E_HID_FRAMING')) {
        // Packets that break the framing leave the stream out of step: nothing after them can be
        // trusted to belong to the next command, so the transport closes with the device's error.
        this.disconnected(err);
        throw err;
      }
      const gone = new TransportError('E_DISCONNECTED', `hid ${this.path}: device disconnected during an exchange (unplugged, or an app was opened or closed): ${(err as Error).message}`,
        { cause: err },
      );
      this.disconnected(gone);
      throw gone;
    }
  }

  protected release(): Promise<void> {
    this.released = true;
    return this.handle.close();
  }
}
