// Who may drive the emulator through its REST API (docs/SECURITY.md): a web page on another origin
// may not (no CORS by default, its preflights and requests refused, DNS-rebound Host names refused),
// an origin given with allowOrigins may; POST bodies must be declared JSON (415), so a page cannot
// slip a "simple" text/plain request past the browser's preflight; a body over the limit gets its
// 413 before the connection closes.

import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedDevice } from '../../../emulator/device.ts';
import { MAX_BODY } from '../../../emulator/server/http.ts';
import { startServers, type RunningServers } from '../../../emulator/server/index.ts';
import { reviewDevice } from './review-app.ts';

const WALLET = 'http://localhost:3000';
const EVIL = 'http://evil.example';

let device: EmulatedDevice;
let closed: RunningServers;
let open: RunningServers;

beforeAll(async () => {
  device = reviewDevice('nanosp');
  closed = await startServers(device, { apiPort: 0, apduPort: null });
  open = await startServers(device, { apiPort: 0, apduPort: null, allowOrigins: [WALLET] });
});
afterAll(async () => {
  await closed.close();
  await open.close();
});

const url = (s: RunningServers, path: string) => `http://127.0.0.1:${s.apiPort}${path}`;

/** An approve-everything rule, as a hostile page would install it. */
const APPROVE_ALL = JSON.stringify({ version: 1, rules: [{ actions: [['button', 2, true], ['button', 2, false]] }] });

/** A raw request (fetch forbids setting Host and Origin). */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What a browser asks before a page's JSON POST to another origin. */
const preflightPost = (port: number, path: string, origin: string) =>
  raw(port, 'OPTIONS', path, { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' });

describe('web pages on other origins', () => {
  it('get no CORS header and a 403 for preflights and requests, and cannot install automation rules', async () => {
    const port = closed.apiPort!;
    const preflight = await preflightPost(port, '/automation', EVIL);
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(preflight.body)).toEqual({
      error: `Origin "${EVIL}" may not drive this device; start the emulator with --allow-origin ${EVIL} if it should`,
    });
    // What a page can send without a preflight: text/plain. Refused before the body is looked at.
    const simple = await raw(port, 'POST', '/automation', { Origin: EVIL, 'Content-Type': 'text/plain' }, APPROVE_ALL);
    expect(simple.status).toBe(403);
    const read = await raw(port, 'GET', '/events', { Origin: EVIL });
    expect(read.status).toBe(403);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a Host other than a loopback name (DNS rebinding), even with a same-origin Origin', async () => {
    const port = closed.apiPort!;
    const res = await raw(port, 'GET', '/events', { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: `Host: expected 127.0.0.1, localhost or [::1], got "evil.example:${port}"` });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
      expect((await raw(port, 'GET', '/events', { Host: host })).status).toBe(200);
  });

  it('lets the emulator page (same origin) and clients without Origin through', async () => {
    const port = closed.apiPort!;
    const page = await raw(port, 'POST', '/apdu', { Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/json' }, '{"data":"b001000000"}');
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body).data).toMatch(/9000$/);
    expect((await fetch(url(closed, '/events'))).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an origin given with allowOrigins gets its preflight and its own origin back (never *)', async () => {
    const port = open.apiPort!;
    const preflight = await preflightPost(port, '/apdu', WALLET);
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(WALLET);
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
    expect(preflight.headers.vary).toBe('Origin');
    const res = await raw(port, 'POST', '/apdu', { Origin: WALLET, 'Content-Type': 'application/json' }, '{"data":"b001000000"}');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(WALLET);
    expect((await raw(port, 'GET', '/events', { Origin: EVIL })).status).toBe(403);
  });
});

describe('request bodies', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined])(
    'POST with Content-Type %s is refused with 415 and does nothing',
    async (type) => {
      const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
      const res = await raw(closed.apiPort!, 'POST', '/button/right', headers, '{"action":"press-and-release","delay":0}');
      expect(res.status).toBe(415);
      expect(JSON.parse(res.body)).toEqual({ error: `Content-Type: expected application/json, got ${type ? JSON.stringify(type.split(';')[0]) : 'none'}` });
    },
  );

  it('takes application/json with a charset', async () => {
    const res = await raw(closed.apiPort!, 'POST', '/ticker', { 'Content-Type': 'application/json; charset=utf-8' }, '{"action":"pause"}');
    expect(res.status).toBe(200);
  });

  it.each([
    ['with Content-Length', false],
    ['chunked', true],
  ])('a body over the limit (%s) gets its 413 before the connection closes', async (_, chunked) => {
    const body = Buffer.alloc(MAX_BODY + 4096, 0x20);
    const head =
      `POST /apdu HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      (chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${body.length}\r\n\r\n`);
    const socket = connect({ host: '127.0.0.1', port: closed.apiPort! });
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    const ended = new Promise<string | undefined>((resolve) => {
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code));
      socket.on('close', () => resolve(undefined));
    });
    socket.write(head);
    if (chunked) socket.write(`${body.length.toString(16)}\r\n`);
    socket.write(body);
    if (chunked) socket.write('\r\n0\r\n\r\n');
    expect(await ended).toBeUndefined();
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer).toContain('Connection: close');
    expect(answer).toContain(`{"error":"body: expected at most ${MAX_BODY} bytes"}`);
  });
});
