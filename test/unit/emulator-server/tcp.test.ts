// The APDU, button and automation TCP ports against the real emulated device, and port binding.

import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, toHex, u32be } from '../../../apdu/bytes.ts';
import { encodeSpeculosRequest, SpeculosResponseReader } from '../../../devices/framing/speculos-tcp.ts';
import type { EmulatedDevice } from '../../../emulator/device.ts';
import { PortInUseError, startServers, type RunningServers } from '../../../emulator/server/index.ts';
import { REVIEW_APDU, reviewDevice } from './review-app.ts';

const B001 = Uint8Array.of(0xb0, 0x01, 0x00, 0x00, 0x00);

let device: EmulatedDevice;
let servers: RunningServers;
let b001Answer: Uint8Array;

beforeAll(async () => {
  device = reviewDevice('nanosp');
  servers = await startServers(device, { apiPort: null, apduPort: 0, buttonPort: 0, automationPort: 0 });
  b001Answer = await device.exchange(B001);
});
afterAll(() => servers.close());

/** A raw client that records every 'data' chunk, so tests can see how the server wrote. */
async function rawClient(port: number): Promise<{ socket: Socket; chunks: Uint8Array[]; closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  const chunks: Uint8Array[] = [];
  socket.on('data', (c: Buffer) => chunks.push(new Uint8Array(c)));
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, chunks, closed };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const texts = (): string[] => device.currentScreen().map((e) => e.text);

describe('APDU TCP port', () => {
  it('answers u32 BE (len - 2) || data || SW, each reply in one write', async () => {
    const c = await rawClient(servers.apduPort!);
    c.socket.write(encodeSpeculosRequest(B001));
    await until(() => c.chunks.length > 0, 'a reply');
    expect(toHex(c.chunks[0]!)).toBe(toHex(concat(u32be(b001Answer.length - 2), b001Answer)));
    c.socket.destroy();
  });

  it('reassembles a request split into single bytes, and answers pipelined requests in order', async () => {
    const c = await rawClient(servers.apduPort!);
    const frame = encodeSpeculosRequest(B001);
    for (const byte of frame) {
      c.socket.write(Uint8Array.of(byte));
      await new Promise((r) => setImmediate(r));
    }
    const unknownIns = Uint8Array.of(0xe0, 0x7f, 0x00, 0x00, 0x00);
    c.socket.write(concat(encodeSpeculosRequest(unknownIns), encodeSpeculosRequest(B001)));
    const reader = new SpeculosResponseReader();
    const replies: string[] = [];
    await until(() => {
      for (const chunk of c.chunks.splice(0)) replies.push(...reader.push(chunk).map(toHex));
      return replies.length === 3;
    }, 'three replies');
    expect(replies).toEqual([toHex(b001Answer), '6d00', toHex(b001Answer)]);
    c.socket.destroy();
  });

  it('serves one client at a time: a new connection replaces the old one', async () => {
    const first = await rawClient(servers.apduPort!);
    const second = await rawClient(servers.apduPort!);
    await first.closed;
    second.socket.write(encodeSpeculosRequest(B001));
    await until(() => second.chunks.length > 0, 'a reply on the new connection');
    expect(toHex(second.chunks[0]!.subarray(4))).toBe(toHex(b001Answer));
    second.socket.destroy();
  });

  it('drops a peer that announces a frame larger than any APDU', async () => {
    const c = await rawClient(servers.apduPort!);
    c.socket.write(u32be(0x7fffffff));
    await c.closed;
    expect(c.chunks).toEqual([]);
  });
});

describe('button and automation TCP ports', () => {
  it('plays L/l/R/r bytes as button presses (others ignored) and streams every event as one JSON line per write', async () => {
    const auto = await rawClient(servers.automationPort!);
    const lines = (): string[] => Buffer.concat(auto.chunks).toString().split('\n').filter(Boolean);
    const apdu = await rawClient(servers.apduPort!);
    apdu.socket.write(encodeSpeculosRequest(REVIEW_APDU));
    await until(() => texts().includes('Review'), 'the review');

    // Like hw-transport-node-speculos: a new connection per command, written and closed at once.
    const press = async (keys: string): Promise<void> => {
      const b = await rawClient(servers.buttonPort!);
      b.socket.end(keys);
    };
    await press('Rxr');
    await until(() => texts().includes('Amount'), 'the Amount page');
    await press('Rr');
    await until(() => texts().includes('Approve payment'), 'the approve page');
    await press('LRlr');
    await until(() => apdu.chunks.length > 0, 'the APDU reply');
    expect(toHex(apdu.chunks[0]!)).toBe('000000009000');

    await until(() => lines().some((l) => l.includes('"text":"Payment approved"')), 'the status event');
    for (const chunk of auto.chunks) expect(Buffer.from(chunk).toString()).toMatch(/^(\{[^\n]*\}\n)+$/);
    const events = lines().map((l) => JSON.parse(l));
    for (const e of events) expect(Object.keys(e)).toEqual(['text', 'x', 'y', 'w', 'h', 'clear']);
    const seen = events.map((e) => e.text);
    for (const t of ['Review', 'test payment', 'Amount', '0.5 BTC', 'Approve payment', 'Payment approved']) expect(seen).toContain(t);
    expect(seen.indexOf('Amount')).toBeLessThan(seen.indexOf('Approve payment'));
    auto.socket.destroy();
    apdu.socket.destroy();
  });
});

describe('binding', () => {
  it('refuses a busy port with PortInUseError naming it, and leaves nothing half-started', async () => {
    const blocker = createServer();
    const busy = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)));
    const free = createServer();
    const apiPort = await new Promise<number>((r) => free.listen(0, '127.0.0.1', () => r((free.address() as { port: number }).port)));
    await new Promise<void>((r) => free.close(() => r()));
    const attempt = startServers(device, { apduPort: 0, apiPort, buttonPort: busy });
    await expect(attempt).rejects.toThrow(PortInUseError);
    await expect(attempt).rejects.toMatchObject({ code: 'E_PORT_IN_USE', role: 'button', port: busy, host: '127.0.0.1' });
    await expect(attempt).rejects.toThrow(`button port: expected 127.0.0.1:${busy} to be free`);
    // The API server bound before the failure was closed again: its port is free.
    const again = await startServers(device, { apduPort: null, apiPort });
    expect(again.apiPort).toBe(apiPort);
    await again.close();
    await new Promise<void>((r) => blocker.close(() => r()));
  });

  it('binds 127.0.0.1 by default and refuses ports outside 0..65535', async () => {
    expect(servers.host).toBe('127.0.0.1');
    await expect(startServers(device, { apduPort: 70000, apiPort: null })).rejects.toThrow('APDU port: expected an integer 0..65535, got 70000');
  });
});
