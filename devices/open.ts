// Opens a transport from the text a person gives on the command line (`--transport T`). 'auto' insists
// on exactly one USB device and never falls back to a software device: a host that silently talked to
// an emulator could show someone addresses no real key controls. The 'emulator' transport is wired at
// CLI level (it needs the emulator, which devices/ may not import).

import { TransportSpecError } from './errors.ts';
import { HidUnavailableError, loadHidBackend, NO_DEVICE_HINT, NodeHidTransport, type HidBackend, type HidDeviceInfo } from './node-hid.ts';
import { SpeculosHttpTransport } from './speculos-http.ts';
import { SpeculosTcpTransport } from './speculos-tcp.ts';
import type { Transport } from './transport.ts';

export const TRANSPORT_SPECS = ['auto', 'hid', 'emulator', 'speculos-tcp://HOST:PORT', 'speculos-http://HOST:PORT'] as const;

export interface OpenTransportOptions {
  /** USB backend; loaded on demand (tests substitute it). */
  hid?: () => HidBackend;
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
    throw new TransportSpecError(`transport: expected ${spec.split(':')[0]}://HOST:PORT, got "${spec}"`);
  }
  const port = Number(url.port);
  if (!url.hostname || !url.port || !Number.isInteger(port) || port < 1 || port > 65535 || (url.pathname !== '' && url.pathname !== '/'))
    throw new TransportSpecError(`transport: expected ${url.protocol}//HOST:PORT with a port 1..65535, got "${spec}"`);
  // URL keeps the brackets of an IPv6 host; node:net wants them off.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export async function openTransport(spec: string, options: OpenTransportOptions = {}): Promise<Transport> {
  const hid = options.hid ?? (() => loadHidBackend());
  if (spec === 'hid') return NodeHidTransport.open({ backend: hid() });
  if (spec === 'auto') {
    let backend: HidBackend;
    try {
      backend = hid();
    } catch (err) {
      if ((err as Error).name === 'HidUnavailableError')
        throw new HidUnavailableError('--transport auto looks for a USB device and cannot list them', err);
      throw err;
    }
    const found = backend.devices();
    if (found.length === 1) return NodeHidTransport.open({ path: found[0]!.path, backend });
    if (found.length === 0) throw new TransportSpecError(`transport auto: expected exactly one Ledger device on USB, found none; ${NO_DEVICE_HINT}`);
    throw new TransportSpecError(
      `transport auto: expected exactly one Ledger device on USB, found ${found.length}: ${found.map(describeDevice).join('; ')}; ` +
        'unplug all but one, or use `--transport emulator`',
    );
  }
  if (spec.startsWith('speculos-tcp:')) return SpeculosTcpTransport.open(hostPort(spec));
  if (spec.startsWith('speculos-http:')) {
    const { host, port } = hostPort(spec);
    return SpeculosHttpTransport.open(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }
  if (spec === 'emulator')
    throw new TransportSpecError('transport emulator: opened by the CLI (it runs the emulator in-process), not by openTransport');
  throw new TransportSpecError(`transport: expected one of ${TRANSPORT_SPECS.join(', ')}, got "${spec}"`);
}
