// The Speculos APDU TCP port (speculos/mcu/apdu.py; framing in devices/framing/speculos-tcp.ts).
// One client at a time: a new connection replaces the old one, whose command in flight is aborted.
// Each response goes out in a single write, because @ledgerhq/hw-transport-node-speculos decodes every
// socket 'data' event on its own and throws on a split frame (ECOSYSTEM.md B1).

import { createServer, type Server, type Socket } from 'node:net';
import { encodeSpeculosResponse, SpeculosRequestReader } from '../../devices/framing/speculos-tcp.ts';
import type { ApduGate } from './apdu-gate.ts';
import { closeServer, listen, trackSockets } from './listen.ts';

export interface TcpServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

export interface ApduTcpOptions {
  host: string;
  port: number;
  /** Called for failures that are not the client's doing (a device bug); the connection is then closed. */
  onError?: (err: unknown) => void;
}

export async function startApduTcpServer(gate: ApduGate, options: ApduTcpOptions): Promise<TcpServerHandle> {
  let current: { socket: Socket; abort: AbortController } | undefined;
  const server: Server = createServer((socket) => {
    if (current) {
      current.abort.abort(new Error('replaced by a new APDU client'));
      current.socket.destroy();
    }
    const session = { socket, abort: new AbortController() };
    current = session;
    socket.setNoDelay(true);
    const reader = new SpeculosRequestReader();
    // Frames are answered strictly in order, even when a client pipelines several.
    let queue: Promise<void> = Promise.resolve();
    const answer = async (apdu: Uint8Array): Promise<void> => {
      if (session.abort.signal.aborted) return;
      try {
        const response = await gate.exchange(apdu, session.abort.signal);
        if (!socket.destroyed) socket.write(encodeSpeculosResponse(response));
      } catch (err) {
        if (session.abort.signal.aborted) return;
        options.onError?.(err);
        socket.destroy();
      }
    };
    socket.on('data', (chunk: Uint8Array) => {
      let frames: Uint8Array[];
      try {
        frames = reader.push(chunk);
      } catch {
        // A length beyond any APDU: the stream cannot be resynchronised, so the peer is dropped.
        socket.destroy();
        return;
      }
      for (const frame of frames) queue = queue.then(() => answer(frame));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      session.abort.abort(new Error('APDU client disconnected'));
      if (current === session) current = undefined;
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 'APDU', options.host, options.port);
  return { port, close: () => closeServer(server, sockets) };
}
