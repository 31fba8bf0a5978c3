// The Speculos button TCP port (speculos/mcu/button_tcp.py): ASCII `L`/`l`/`R`/`r` press or release
// the left / right button, other bytes are ignored, and each action is followed by a 100 ms pause so
// the app sees "LRlr" as both buttons held together. Clients such as hw-transport-node-speculos
// write the letters and close at once, so the letters are queued and played after the socket is gone.
//
// Each connection has its own bounded queue, and the player takes turns between connections, one
// gesture at a time (letters up to the point where that connection holds no button: "Rr", "LRlr"),
// so gestures never interleave. A client that floods the port loses its surplus letters (logged once
// per connection) and delays another client's gesture by one of its own, at most MAX_PENDING_PER_CLIENT
// letters; memory stays bounded (docs/SECURITY.md).

import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TcpServerHandle } from './apdu-tcp.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { ButtonSide, SpeculosSurface } from './surface.ts';

const ACTIONS: Readonly<Record<string, readonly [ButtonSide, boolean]>> = {
  L: ['left', true],
  l: ['left', false],
  R: ['right', true],
  r: ['right', false],
};

export const BUTTON_STEP_MS = 100;
/** Letters waiting per connection: 8 double presses ("LRlr"), 3.2 s of playing. */
export const MAX_PENDING_PER_CLIENT = 32;
/** Connections with letters waiting; a new one beyond this is refused (closed at once, logged). */
export const MAX_QUEUED_CLIENTS = 64;

export interface ButtonTcpOptions {
  host: string;
  port: number;
  onLog?: (line: string) => void;
}

interface ClientQueue {
  readonly peer: string;
  readonly letters: string[];
  /** Buttons this connection's played letters hold down. */
  readonly held: Set<ButtonSide>;
  dropped: number;
}

export async function startButtonTcpServer(device: Pick<SpeculosSurface, 'buttonEvent'>, options: ButtonTcpOptions): Promise<TcpServerHandle> {
  const queues: ClientQueue[] = [];
  let next = 0;
  let playing = false;
  let closed = false;

  const play = async (): Promise<void> => {
    playing = true;
    while (!closed && queues.length > 0) {
      next %= queues.length;
      const q = queues[next]!;
      const [side, pressed] = ACTIONS[q.letters.shift()!]!;
      if (pressed) q.held.add(side);
      else q.held.delete(side);
      // The turn passes once this connection's gesture is over (no button held) or it has no more letters.
      if (q.letters.length === 0) queues.splice(next, 1);
      else if (q.held.size === 0) next++;
      device.buttonEvent(side, pressed);
      await sleep(BUTTON_STEP_MS);
    }
    playing = false;
  };

  const server = createServer((socket: Socket) => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const q: ClientQueue = { peer, letters: [], held: new Set(), dropped: 0 };
    socket.on('data', (chunk: Uint8Array) => {
      for (const byte of chunk) {
        const letter = String.fromCharCode(byte);
        if (!ACTIONS[letter]) continue;
        if (q.letters.length >= MAX_PENDING_PER_CLIENT) {
          if (q.dropped++ === 0)
            options.onLog?.(`button port: ${peer} sends presses faster than they play (${MAX_PENDING_PER_CLIENT} waiting); dropping its further presses`);
          continue;
        }
        if (q.letters.length === 0) {
          if (queues.length >= MAX_QUEUED_CLIENTS) {
            options.onLog?.(`button port: ${MAX_QUEUED_CLIENTS} connections already have presses waiting; closing ${peer}`);
            socket.destroy();
            return;
          }
          queues.push(q);
        }
        q.letters.push(letter);
      }
      if (!playing) void play();
    });
    socket.on('error', () => socket.destroy());
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 'button', options.host, options.port);
  return {
    port,
    close: async () => {
      closed = true;
      await closeServer(server, sockets);
    },
  };
}
