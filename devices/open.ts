// Opens a transport from the text a person gives on the command line (`--transport T`). 'auto' insists
// on exactly one USB device and never falls back to a software device: a host that silently talked to
// an emulator could show someone addresses no real key controls. The 'emulator' transport is wired at
// CLI level (it needs the emulator, which devices/ may not import).

import { HID_INSTALL_HINT, loadHidBackend, NodeHidTransport, UDEV_HINT, type HidBackend, type HidDeviceInfo } from './node-hid.ts';
import { watchLedgerAttach, type AttachWatcher } from './usb-hotplug.ts';
import { SpeculosHttpTransport } from './speculos-http.ts';
import { SpeculosTcpTransport } from './speculos-tcp.ts';
import type { Transport } from './transport.ts';
import { TransportError } from './errors.ts';
import { isTaprootHwError } from '../apdu/errors.ts';

export const TRANSPORT_SPECS = ['auto', 'hid', 'emulator', 'speculos-tcp://HOST:PORT', 'speculos-http://HOST:PORT'] as const;

export interface OpenTransportOptions {
  /** USB backend; loaded on demand (tests substitute it). */
  hid?: () => HidBackend;
  /** 'auto' and 'hid': wait this long for a device to be plugged in when none is (default 0). */
  waitMs?: number;
  /** Attach events while waiting (tests substitute it). */
  watch?: () => AttachWatcher;
}

/** Said first when no device is found: what works without one. */
export const WITHOUT_DEVICE_HINT =
  'without a device, use `--transport emulator` (a software device in this process) or a Speculos-compatible ' +
  'server: `--transport speculos-tcp://127.0.0.1:9999` (real Speculos, or `taproot-hw emulator` in another terminal)';

const USB_SETUP_HINT = `to use a device: plug it in, unlock it and open the app. ${UDEV_HINT}`;

/** How often a wait re-enumerates when no attach event comes (a hidraw node can appear after the USB event). */
const WAIT_POLL_MS = 500;

async function waitForDevices(backend: HidBackend, waitMs: number, watch: () => AttachWatcher): Promise<HidDeviceInfo[]> {
  const deadline = Date.now() + waitMs;
  let found = await backend.devices();
  if (found.length > 0 || waitMs <= 0) return found;
  const watcher = watch();
  try {
    while (found.length === 0 && Date.now() < deadline) {
      await watcher.next(Math.min(WAIT_POLL_MS, deadline - Date.now()));
      found = await backend.devices();
    }
    return found;
  } finally {
    watcher.close();
  }
}

function describeDevice(d: HidDeviceInfo): string {
  const pid = `pid 0x${d.productId.toString(16).padStart(4, '0')}`;
  return `${d.product ?? d.model ?? 'unknown Ledger'} (${pid}, ${d.path})`;
}

function hostPort(spec: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new TransportError('E_TRANSPORT_SPEC', `transport: expected ${spec.split(':')[0]}://HOST:PORT, got "${spec}"`);
  }
  const port = Number(url.port);
  if (!url.hostname || !url.port || !Number.isInteger(port) || port < 1 || port > 65535 || (url.pathname !== '' && url.pathname !== '/'))
    throw new TransportError('E_TRANSPORT_SPEC', `transport: expected ${url.protocol}//HOST:PORT with a port 1..65535, got "${spec}"`);
  // URL keeps the brackets of an IPv6 host; node:net wants them off.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export async function openTransport(spec: string, options: OpenTransportOptions = {}): Promise<Transport> {
  const hid = options.hid ?? (() => loadHidBackend());
  const waitMs = options.waitMs ?? 0;
  if (!(Number.isFinite(waitMs) && waitMs >= 0)) throw new RangeError(`waitMs: expected a number >= 0, got ${waitMs}`);
  const watch = options.watch ?? (() => watchLedgerAttach());
  const waited = waitMs > 0 ? ` within ${waitMs / 1000} s` : '';
  if (spec === 'hid' || spec === 'auto') {
    let backend: HidBackend;
    try {
      backend = hid();
    } catch (err) {
      if (spec === 'auto' && isTaprootHwError(err, 'E_HID_UNAVAILABLE'))
        throw new TransportError('E_TRANSPORT_SPEC', `transport auto: cannot look for a Ledger on USB; ${WITHOUT_DEVICE_HINT}. To use USB: ${HID_INSTALL_HINT}`, {
          cause: err,
        });
      throw err;
    }
    const found = await waitForDevices(backend, waitMs, watch);
    if (found.length === 0)
      throw new TransportError('E_TRANSPORT_SPEC', `transport ${spec}: no Ledger device found on USB${waited}; ${WITHOUT_DEVICE_HINT}. Or, ${USB_SETUP_HINT}`);
    if (spec === 'hid' || found.length === 1) return NodeHidTransport.open({ path: found[0]!.path, backend });
    throw new TransportError('E_TRANSPORT_SPEC', `transport auto: expected exactly one Ledger device on USB, found ${found.length}: ${found.map(describeDevice).join('; ')}; ` +
        'unplug all but one, or use `--transport emulator`',
    );
  }
  if (spec.startsWith('speculos-tcp:')) return SpeculosTcpTransport.open(hostPort(spec));
  if (spec.startsWith('speculos-http:')) {
    const { host, port } = hostPort(spec);
    return SpeculosHttpTransport.open(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }
  if (spec === 'emulator')
    throw new TransportError('E_TRANSPORT_SPEC', 'transport emulator: opened by the CLI (it runs the emulator in-process), not by openTransport');
  throw new TransportError('E_TRANSPORT_SPEC', `transport: expected one of ${TRANSPORT_SPECS.join(', ')}, got "${spec}"`);
}
