// Clients that send without end or never read cannot grow the emulator's memory or starve other
// clients (docs/SECURITY.md): the APDU port answers one frame at a time with its reads paused, the
// button port keeps a bounded queue per connection and plays connections in turn, the automation port
// disconnects a client that leaves a megabyte of events unread. Memory is measured as bytes held,
// with the sockets' own counters.

import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { concat, toHex } from '../../../apdu/bytes.ts';
import { encodeSpeculosRequest, SpeculosResponseReader } from '../../../devices/framing/speculos-tcp.ts';
import { startApduTcpServer } from '../../../emulator/server/apdu-tcp.ts';
import { MAX_UNREAD_BYTES, startAutomationTcpServer } from '../../../emulator/server/automation-tcp.ts';
import { MAX_PENDING_PER_CLIENT, startButtonTcpServer } from '../../../emulator/server/button-tcp.ts';
import type { TcpServerHandle } from '../../../emulator/server/apdu-tcp.ts';
import type { ButtonSide } from '../../../emulator/server/surface.ts';
import { MAX_HISTORY } from '../../../emulator/ui/display.ts';
import { ECHO_INS, REVIEW_APDU, reviewDevice } from './review-app.ts';

const handles: TcpServerHandle[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function client(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  sockets.push(socket);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return socket;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('APDU TCP port', () => {
  it('a client pipelining 12 MB without reading fills its own buffers: the server holds at most one read and one unflushed answer', async () => {
    const device = reviewDevice('nanosp');
    const server = await startApduTcpServer(device, { host: '127.0.0.1', port: 0 });
    handles.push(server);
    const c = await client(server.port);
    c.pause();
    const payload = Uint8Array.from({ length: 255 }, (_, i) => i);
    const frame = encodeSpeculosRequest(concat(Uint8Array.of(0xe0, ECHO_INS, 0, 0, 255), payload));
    const count = 48_000;
    const all = new Uint8Array(frame.length * count);
    for (let i = 0; i < count; i++) all.set(frame, i * frame.length);
    c.write(all);
    expect(all.length).toBeGreaterThan(12_000_000);

    // The client reads nothing, so the kernel's buffers fill and the server must wait for it.
    await until(() => server.stats().waitingForClient, 'the server to wait for the client');
    const blocked = server.stats();
    expect(blocked.peakHeldInput).toBeLessThanOrEqual(256 * 1024);
    expect(blocked.peakUnflushedOutput).toBeLessThanOrEqual(64 * 1024);

    // Reading again, the client gets every answer, in order, and the bound holds to the end.
    const reader = new SpeculosResponseReader();
    const expected = toHex(concat(payload, Uint8Array.of(0x90, 0x00)));
    let answers = 0;
    let wrong = 0;
    c.on('data', (chunk: Buffer) => {
      for (const r of reader.push(new Uint8Array(chunk))) {
        answers++;
        if (toHex(r) !== expected) wrong++;
      }
    });
    c.resume();
    await until(() => answers === count, `${count} answers`);
    expect(wrong).toBe(0);
    const end = server.stats();
    expect(end.peakHeldInput).toBeLessThanOrEqual(256 * 1024);
    expect(end.peakUnflushedOutput).toBeLessThanOrEqual(64 * 1024);
  }, 120_000);
});

describe('button TCP port', () => {
  it('a flood is cut to a bounded queue with one log line; another client gets its gesture played next, not interleaved', async () => {
    const played: string[] = [];
    const logs: string[] = [];
    const device = {
      buttonEvent: (side: ButtonSide, pressed: boolean) => played.push(`${side}:${pressed}`),
    };
    const server = await startButtonTcpServer(device, { host: '127.0.0.1', port: 0, onLog: (l) => logs.push(l) });
    handles.push(server);
    const flooder = await client(server.port);
    flooder.write(Buffer.alloc(1 << 20, 'Ll'));
    await until(() => logs.length > 0, 'the log line');
    expect(logs).toEqual([
      `button port: 127.0.0.1:${flooder.localPort} sends presses faster than they play (${MAX_PENDING_PER_CLIENT} waiting); dropping its further presses`,
    ]);
    const other = await client(server.port);
    other.end('LRlr');
    const arrived = played.length;
    await until(() => played.includes('right:false'), "the other client's gesture");
    // Connections take turns by gesture: the flood finishes its click ("Ll") or plays one more, then
    // the other client's double press is played whole.
    const at = played.indexOf('right:true') - 1;
    expect(at - arrived).toBeLessThanOrEqual(2);
    expect(played.slice(0, at).join()).toMatch(/^(left:true,left:false,?)*$/);
    expect(played.slice(at, at + 4)).toEqual(['left:true', 'right:true', 'left:false', 'right:false']);
  });
});

describe('automation TCP port', () => {
  it('disconnects a client that leaves a megabyte of events unread, with a log line; a reading client gets every event', async () => {
    const device = reviewDevice('nanosp');
    const logs: string[] = [];
    const server = await startAutomationTcpServer(device, { host: '127.0.0.1', port: 0, onLog: (l) => logs.push(l) });
    handles.push(server);
    const stalled = await client(server.port);
    stalled.pause();
    const stalledPort = stalled.localPort;
    const stalledClosed = new Promise<void>((r) => stalled.once('close', () => r()));
    const reader = await client(server.port);
    let lines = 0;
    reader.on('data', (c: Buffer) => {
      for (const b of c) if (b === 0x0a) lines++;
    });
    let sent = 0;
    const unsubscribe = device.on('text', () => sent++);
    void device.exchange(REVIEW_APDU);
    await until(() => device.currentScreen().some((e) => e.text === 'Review'), 'the review');
    // Walk the review back and forth until the stalled client is dropped: each page is a few events.
    let step = 0;
    while (logs.length === 0) {
      const side: ButtonSide = step++ % 2 === 0 ? 'right' : 'left';
      device.buttonEvent(side, true);
      device.buttonEvent(side, false);
      if (step % 200 === 0) await new Promise((r) => setImmediate(r));
      if (step > 2_000_000) throw new Error('the stalled client was never dropped');
    }
    // The server closed its side: the client sees the end once it reads what the kernel still holds.
    stalled.resume();
    await stalledClosed;
    expect(logs[0]).toMatch(new RegExp(`^automation port: 127\\.0\\.0\\.1:${stalledPort} left \\d+ bytes of events unread; disconnected$`));
    expect(Number(/left (\d+) bytes/.exec(logs[0]!)![1])).toBeGreaterThan(MAX_UNREAD_BYTES);
    await until(() => lines === sent, 'every event on the reading client');
    unsubscribe();
  });
});

describe('screen-event history', () => {
  it('keeps the current screen and the last MAX_HISTORY events', async () => {
    const device = reviewDevice('nanosp');
    void device.exchange(REVIEW_APDU);
    await until(() => device.currentScreen().some((e) => e.text === 'Review'), 'the review');
    // 3 x MAX_HISTORY events (trimmed in batches: 0.2 s here, where trimming on every event took 19 s).
    let drawn = 0;
    const unsubscribe = device.on('text', (e) => {
      if (!e.clear) drawn++;
    });
    for (let step = 0; drawn < 3 * MAX_HISTORY; step++) {
      const side: ButtonSide = step % 2 === 0 ? 'right' : 'left';
      device.buttonEvent(side, true);
      device.buttonEvent(side, false);
    }
    unsubscribe();
    const history = device.events();
    expect(history).toHaveLength(MAX_HISTORY);
    const current = device.currentScreen();
    expect(history.slice(-current.length)).toEqual(current);
  });
});
