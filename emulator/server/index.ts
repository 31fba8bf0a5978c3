// Starts the Speculos-compatible servers around one device: the REST API (with the web page), the
// APDU TCP port, and the optional button and automation TCP ports. Port 0 picks any free port; null
// leaves a server off. If any port cannot be bound, the ones already started are closed again and the
// error (PortInUseError names the port) is thrown: nothing is left half-started.

import { startApduTcpServer, type TcpServerHandle } from './apdu-tcp.ts';
import { startAutomationTcpServer } from './automation-tcp.ts';
import { startButtonTcpServer } from './button-tcp.ts';
import { startHttpServer } from './http.ts';
import { checkPort } from './listen.ts';
import type { SpeculosSurface } from './surface.ts';

export { PortInUseError } from './listen.ts';
export type { SpeculosSurface, TextEvent, ButtonSide } from './surface.ts';

export interface ServerOptions {
  /** Interface to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  apiPort?: number | null;
  apduPort?: number | null;
  buttonPort?: number | null;
  automationPort?: number | null;
  /** Web origins allowed to call the REST API (none by default; see HttpServerOptions). */
  allowOrigins?: readonly string[];
  onError?: (err: unknown) => void;
  /** One line per event worth an operator's attention (a flood dropped, a slow client cut off). */
  onLog?: (line: string) => void;
}

/** Where the servers listen: the JSON line `taproot-hw emulator` prints. */
export interface ServerPorts {
  apduPort: number | null;
  apiPort: number | null;
  buttonPort: number | null;
  automationPort: number | null;
  url: string | null;
}

export interface RunningServers extends ServerPorts {
  readonly host: string;
  close(): Promise<void>;
}

export const DEFAULT_API_PORT = 5000;
export const DEFAULT_APDU_PORT = 9999;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startServers(device: SpeculosSurface, options: ServerOptions = {}): Promise<RunningServers> {
  const host = options.host ?? '127.0.0.1';
  const want = (role: string, port: number | null | undefined, fallback: number | null): number | null =>
    port === undefined ? fallback : port === null ? null : checkPort(role, port);
  const apiPort = want('API', options.apiPort, DEFAULT_API_PORT);
  const apduPort = want('APDU', options.apduPort, DEFAULT_APDU_PORT);
  const buttonPort = want('button', options.buttonPort, null);
  const automationPort = want('automation', options.automationPort, null);

  const started: TcpServerHandle[] = [];
  const start = async (port: number | null, launch: (port: number) => Promise<TcpServerHandle>): Promise<number | null> => {
    if (port === null) return null;
    const handle = await launch(port);
    started.push(handle);
    return handle.port;
  };
  const closeAll = async (): Promise<void> => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  };
  try {
    const { onError, onLog } = options;
    const ports = {
      apduPort: await start(apduPort, (port) => startApduTcpServer(device, { host, port, ...(onError && { onError }) })),
      apiPort: await start(apiPort, (port) => startHttpServer(device, { host, port, allowOrigins: options.allowOrigins ?? [], ...(onError && { onError }) })),
      buttonPort: await start(buttonPort, (port) => startButtonTcpServer(device, { host, port, ...(onLog && { onLog }) })),
      automationPort: await start(automationPort, (port) => startAutomationTcpServer(device, { host, port, ...(onLog && { onLog }) })),
    };
    return {
      ...ports,
      host,
      url: ports.apiPort === null ? null : `http://${urlHost(host)}:${ports.apiPort}/`,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
