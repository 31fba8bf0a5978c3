// The Speculos automation TCP port (speculos/mcu/automation_server.py): every screen event, clear
// events included, as one JSON object per line, each line in a single write (the Ledger TCP client
// parses every 'data' chunk on its own).

import { createServer } from 'node:net';
import type { TcpServerHandle } from './apdu-tcp.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { SpeculosSurface } from './surface.ts';
import { textEventJson } from './text-event.ts';

export async function startAutomationTcpServer(
  device: Pick<SpeculosSurface, 'on'>,
  options: { host: string; port: number },
): Promise<TcpServerHandle> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const unsubscribe = device.on('text', (event) => {
      if (!socket.destroyed) socket.write(`${textEventJson(event)}\n`);
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
