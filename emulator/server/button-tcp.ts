// The Speculos button TCP port (speculos/mcu/button_tcp.py): ASCII `L`/`l`/`R`/`r` press or release
// the left / right button, other bytes are ignored, and each action is followed by a 100 ms pause so
// the app sees "LRlr" as both buttons held together. Clients such as hw-transport-node-speculos
// write the letters and close at once, so the bytes are queued and played after the socket is gone;
// one queue serves every connection, in arrival order.

import { createServer } from 'node:net';
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

export async function startButtonTcpServer(
  device: Pick<SpeculosSurface, 'buttonEvent'>,
  options: { host: string; port: number },
): Promise<TcpServerHandle> {
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const play = async (letter: string): Promise<void> => {
    const action = ACTIONS[letter];
    if (!action || closed) return;
    device.buttonEvent(action[0], action[1]);
    await sleep(BUTTON_STEP_MS);
  };
  const server = createServer((socket) => {
    socket.on('data', (chunk: Uint8Array) => {
      for (const byte of chunk) {
        const letter = String.fromCharCode(byte);
        queue = queue.then(() => play(letter));
      }
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
