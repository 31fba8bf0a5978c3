// The Speculos automation TCP port (speculos/mcu/automation_server.py): every screen event, clear
// events included, as one JSON object per line, each line in a single write (the Ledger TCP client
// parses every 'data' chunk on its own).
//
// A client that does not read would make its unsent lines pile up in this process: once more than
// MAX_UNREAD_BYTES wait for it, it is disconnected with a log line; the other clients go on.

import { createServer } from 'node:net';
import type { TcpServerHandle } from './apdu-tcp.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { SpeculosSurface } from './surface.ts';
import { textEventJson } from './text-event.ts';

/** Unsent event bytes allowed per client: thousands of screens, far more than a reader ever lags. */
export const MAX_UNREAD_BYTES = 1 << 20;

export interface AutomationTcpOptions {
  host: string;
  port: number;
  onLog?: (line: string) => void;
}

export async function startAutomationTcpServer(device: Pick<SpeculosSurface, 'on'>, options: AutomationTcpOptions): Promise<TcpServerHandle> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const unsubscribe = device.on('text', (event) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_UNREAD_BYTES) {
        options.onLog?.(`automation port: ${peer} left ${socket.writableLength} bytes of events unread; disconnected`);
        socket.destroy();
        return;
      }
      socket.write(`${textEventJson(event)}\n`);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', unsubscribe);
    // The port only sends; whatever a client writes is read and dropped so its buffers drain.
    socket.resume();
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 'automation', options.host, options.port);
  return { port, close: () => closeServer(server, sockets) };
}
