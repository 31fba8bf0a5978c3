// The Speculos APDU TCP port (speculos/mcu/apdu.py; framing in devices/framing/speculos-tcp.ts).
// One client at a time: a new connection replaces the old one, whose command in flight is aborted.
// Frames are answered strictly in order, one at a time, even when a client pipelines several.
// Each response goes out in a single write, because @ledgerhq/hw-transport-node-speculos decodes every
// socket 'data' event on its own and throws on a split frame (docs/architecture.md §5).

import { createServer, type Server, type Socket } from 'node:net';
import { encodeSpeculosResponse, SpeculosRequestReader } from '../../devices/framing/speculos-tcp.ts';
import type { SpeculosSurface } from './surface.ts';
import { closeServer, listen, trackSockets } from './listen.ts';

export interface TcpServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

/** What an APDU connection holds, measured with the socket's own byte counters. */
export interface ApduTcpStats {
  /** Most bytes ever read from a client and not yet answered (frames waiting, a partial frame). */
  peakHeldInput: number;
  /** Most bytes ever written to a client and not yet taken by the kernel. */
  peakUnflushedOutput: number;
  /** The current connection waits for its client to read what it was sent. */
  waitingForClient: boolean;
}

export interface ApduTcpHandle extends TcpServerHandle {
  stats(): ApduTcpStats;
}

export interface ApduTcpOptions {
  host: string;
  port: number;
  /** Called for failures that are not the client's doing (a device bug); the connection is then closed. */
  onError?: (err: unknown) => void;
}

/**
 * One frame in flight per connection, with back-pressure both ways: once a read completes a frame
 * the socket is paused until every frame of that read is answered, and an answer the kernel does not
 * take at once is waited for ('drain') before anything more is read. A client that pipelines without
 * reading therefore fills its own buffers, not this process (docs/SECURITY.md).
 */
export async function startApduTcpServer(device: Pick<SpeculosSurface, 'exchange'>, options: ApduTcpOptions): Promise<ApduTcpHandle> {
  let current: { socket: Socket; abort: AbortController } | undefined;
  const stats: ApduTcpStats = { peakHeldInput: 0, peakUnflushedOutput: 0, waitingForClient: false };
  const server: Server = createServer((socket) => {
    if (current) {
      current.abort.abort(new Error('replaced by a new APDU client'));
      current.socket.destroy();
    }
    const session = { socket, abort: new AbortController() };
    current = session;
    socket.setNoDelay(true);
    const reader = new SpeculosRequestReader();
    const pending: Uint8Array[] = [];
    let answered = 0;
    let busy = false;
    const measure = (): void => {
      stats.peakHeldInput = Math.max(stats.peakHeldInput, socket.bytesRead - answered);
      stats.peakUnflushedOutput = Math.max(stats.peakUnflushedOutput, socket.writableLength);
    };
    const clientRead = (): Promise<void> =>
      new Promise((resolve) => {
        if (current === session) stats.waitingForClient = true;
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          if (current === session) stats.waitingForClient = false;
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    const answerPending = async (): Promise<void> => {
      busy = true;
      try {
        for (let frame = pending.shift(); frame; frame = pending.shift()) {
          if (session.abort.signal.aborted || socket.destroyed) return;
          const response = await device.exchange(frame, { signal: session.abort.signal });
          answered += 4 + frame.length;
          if (socket.destroyed) return;
          const flushed = socket.write(encodeSpeculosResponse(response));
          measure();
          if (!flushed) await clientRead();
        }
        socket.resume();
      } catch (err) {
        if (session.abort.signal.aborted) return;
        options.onError?.(err);
        socket.destroy();
      } finally {
        busy = false;
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
      measure();
      if (frames.length === 0) return;
      socket.pause();
      pending.push(...frames);
      if (!busy) void answerPending();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      session.abort.abort(new Error('APDU client disconnected'));
      if (current === session) {
        current = undefined;
        stats.waitingForClient = false;
      }
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 'APDU', options.host, options.port);
  return { port, close: () => closeServer(server, sockets), stats: () => ({ ...stats }) };
}
