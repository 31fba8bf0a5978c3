// Binding a server port. Speculos moves a busy APDU port to a random one and only logs a warning
// (speculos/mcu/apdu.py); harnesses then talk to the wrong process. Here a busy port is an error that
// names the port, and port 0 is the only way to ask for "any free port".

import type { Server, Socket } from 'node:net';
import { PortInUseError } from '../errors.ts';

export { PortInUseError };

export function checkPort(role: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw new RangeError(`${role} port: expected an integer 0..65535, got ${port}`);
  return port;
}

/** Listens on host:port and resolves with the bound port; EADDRINUSE becomes PortInUseError. */
export function listen(server: Server, role: string, host: string, port: number): Promise<number> {
  checkPort(role, port);
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(role, host, port) : err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** Keeps the open sockets of a server so that close() ends long-lived connections too. */
export function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
