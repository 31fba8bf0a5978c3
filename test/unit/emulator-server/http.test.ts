// The REST API against the real emulated device (docs/architecture.md §5): routes, status codes,
// bodies, the blocking POST /apdu with concurrent buttons, one APDU in flight, SSE framing. Who may
// call the API (origins, Host, content types, body limits) is in access.test.ts.

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { getAppAndVersion } from '../../../apdu/app-and-version.ts';
import { MODELS } from '../../../devices/models.ts';
import type { EmulatedDevice } from '../../../emulator/device.ts';
import { startServers, type RunningServers } from '../../../emulator/server/index.ts';
import { REVIEW_APDU, reviewDevice } from './review-app.ts';

let device: EmulatedDevice;
let servers: RunningServers;
let base: string;

beforeAll(async () => {
  device = reviewDevice('nanosp');
  servers = await startServers(device, { apiPort: 0, apduPort: null });
  base = `http://127.0.0.1:${servers.apiPort}`;
});
afterAll(() => servers.close());

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(base + path, init);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  json(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

async function screenTexts(): Promise<string[]> {
  const { body } = await json('/events?currentscreenonly=true');
  return (body as { events: { text: string }[] }).events.map((e) => e.text);
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('POST /apdu', () => {
  it('answers B0 01 as {"data": hex incl. SW}, ignoring unknown headers', async () => {
    const { status, body, headers } = await post('/apdu', { data: 'b001000000' }, {
      'X-Ledger-Client-Version': 'dmk/1.2.1',
      Authorization: 'Bearer anything',
    });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    const data = fromHex((body as { data: string }).data);
    expect(toHex(data.subarray(-2))).toBe('9000');
    expect(getAppAndVersion.decodeResponse(data.subarray(0, -2))).toEqual({ name: 'Review Test', version: '1.0.0', flags: Uint8Array.of(0) });
  });

  it.each([
    [{}, 'apdu.data: expected a value (required), got nothing'],
    [{ data: 'b00' }, 'apdu.data: expected non-empty even-length hex, got "b00"'],
    [{ data: '' }, 'apdu.data: expected non-empty even-length hex, got ""'],
    [{ data: 'b001000000', extra: 1 }, 'apdu.extra: expected no such property (allowed: data, tick_timeout), got number 1'],
    [{ data: 'b001000000', tick_timeout: 'x' }, 'apdu.tick_timeout: expected a number, got "x"'],
    ['not json', 'body: expected a JSON document, got "not json"'],
  ])('refuses %j with 400 {"error"}', async (body, error) => {
    expect(await post('/apdu', body)).toMatchObject({ status: 400, body: { error } });
  });

  it('sends headers at once, blocks through a review approved from another connection, one APDU in flight', async () => {
    const order: string[] = [];
    // Raw request: the status line must arrive before the device has answered.
    const headersSeen = new Promise<number>((resolve, reject) => {
      const req = request(`${base}/apdu`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        resolve(res.statusCode ?? 0);
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          order.push(`review:${JSON.parse(text).data}`);
        });
      });
      req.on('error', reject);
      req.end(JSON.stringify({ data: toHex(REVIEW_APDU) }));
    });
    expect(await headersSeen).toBe(200);
    await until(async () => (await screenTexts()).includes('Review'), 'the review screen');
    const second = post('/apdu', { data: 'b001000000' }).then(() => order.push('b001'));
    for (const expected of ['Amount', 'Approve payment']) {
      expect((await post('/button/right', { action: 'press-and-release', delay: 0.01 })).body).toEqual({});
      await until(async () => (await screenTexts()).includes(expected), expected);
    }
    expect(order).toEqual([]);
    await post('/button/both', { action: 'press-and-release', delay: 0.01 });
    await second;
    expect(order).toEqual(['review:9000', 'b001']);
  });

  it('breaks the streamed answer off when tick_timeout runs out, as Speculos does', async () => {
    const res = await fetch(`${base}/apdu`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: toHex(REVIEW_APDU), tick_timeout: 1 }),
    });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    // The review is still on screen: reject it so the device is free again.
    await until(async () => (await screenTexts()).includes('Review'), 'the review screen');
    for (let i = 0; i < 3; i++) await post('/button/right', { action: 'press-and-release', delay: 0 });
    await until(async () => (await screenTexts()).includes('Reject'), 'the reject page');
    await post('/button/both', { action: 'press-and-release', delay: 0 });
    const { body } = await post('/apdu', { data: 'b001000000' });
    expect((body as { data: string }).data.endsWith('9000')).toBe(true);
  });
});

describe('GET and DELETE /events', () => {
  it('lists every event, the current screen only, and clears the history but not the screen', async () => {
    device.lock();
    device.unlock();
    const all = (await json('/events')).body as { events: unknown[] };
    expect(all.events).toEqual(device.events());
    const current = (await json('/events?currentscreenonly=true')).body as { events: unknown[] };
    expect(current.events).toEqual(device.currentScreen());
    expect(current.events.length).toBeGreaterThan(0);
    expect(await json('/events', { method: 'DELETE' })).toMatchObject({ status: 200, body: {} });
    expect((await json('/events')).body).toEqual({ events: [] });
    expect((await json('/events?currentscreenonly=1')).body).toEqual(current);
  });

  it('refuses a query flag that is not a boolean', async () => {
    expect(await json('/events?stream=maybe')).toMatchObject({ status: 400, body: { error: 'stream: expected true, false, 1 or 0, got "maybe"' } });
  });

  it('streams SSE: headers first, then each event as one whole `data: <json>\\n\\n` chunk, no clear events', async () => {
    const chunks: string[] = [];
    let release!: () => void;
    const got = new Promise<void>((r) => (release = r));
    const req = request(`${base}/events?stream=true`);
    const headers = new Promise<Record<string, unknown>>((resolve) =>
      req.on('response', (res) => {
        resolve(res.headers);
        res.on('data', (c: Buffer) => {
          chunks.push(c.toString());
          if (chunks.join('').includes('is ready')) release();
        });
      }),
    );
    req.end();
    expect((await headers)['content-type']).toBe('text/event-stream');
    expect(chunks).toEqual([]);
    device.lock();
    device.unlock();
    await got;
    req.destroy();
    const expected = device.events();
    const messages = chunks.join('').split('\n\n').filter(Boolean);
    for (const chunk of chunks) expect(chunk).toMatch(/^(data: \{[^\n]*\}\n\n)+$/);
    const events = messages.map((m) => JSON.parse(m.slice('data: '.length)));
    expect(events).toEqual(expected.slice(-events.length));
    expect(events.every((e) => e.clear === false)).toBe(true);
  });
});

describe('inputs and other routes', () => {
  it('validates button and finger bodies and routes', async () => {
    expect(await post('/button/left', { action: 'click' })).toMatchObject({
      status: 400,
      body: { error: 'button.action: expected one of "press", "release", "press-and-release", got "click"' },
    });
    expect((await post('/button/up', { action: 'press' })).status).toBe(404);
    expect(await post('/finger', { action: 'press', x: -1, y: 0 })).toMatchObject({ status: 400, body: { error: 'finger.x: expected an integer >= 0, got number -1' } });
    expect(await post('/finger', { action: 'press-and-release', x: 1, y: 2, delay: 0 })).toMatchObject({ status: 200, body: {} });
    expect(await post('/button/right', { action: 'press' })).toMatchObject({ status: 200, body: {} });
    expect(await post('/button/right', { action: 'release' })).toMatchObject({ status: 200, body: {} });
  });

  it('serves a PNG screenshot of the model size, not cached', async () => {
    const res = await fetch(`${base}/screenshot`);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('no-cache,no-store');
    const png = new Uint8Array(await res.arrayBuffer());
    expect(toHex(png.subarray(0, 8))).toBe('89504e470d0a1a0a');
    const view = new DataView(png.buffer, png.byteOffset);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([MODELS.nanosp.screen.width, MODELS.nanosp.screen.height]);
  });

  it('takes automation documents raw and refuses bad ones with "invalid document"', async () => {
    expect(await post('/automation', '{"version": 1, "rules": [{"text": "Never shown", "actions": [["button", 2, true]]}]}')).toMatchObject({ status: 200, body: {} });
    expect(await post('/automation', '{"version": 1, "rules": [')).toMatchObject({ status: 400, body: 'invalid document' });
    expect(await post('/automation', '{"version": 2, "rules": []}')).toMatchObject({ status: 400, body: 'invalid document' });
    expect(await post('/automation', 'file:/etc/passwd')).toMatchObject({ status: 400, body: 'invalid document' });
    expect(await post('/automation', '{"version": 1, "rules": [{"text": "é"}]}')).toMatchObject({ status: 400, body: 'invalid encoding' });
    expect(await post('/automation', '{"version": 1, "rules": []}')).toMatchObject({ status: 200, body: {} });
  });

  it('accepts /ticker and /ticker/', async () => {
    expect(await post('/ticker', { action: 'pause' })).toMatchObject({ status: 200, body: {} });
    expect(await post('/ticker/', { action: 'resume' })).toMatchObject({ status: 200, body: {} });
    expect((await post('/ticker/', { action: 'stop' })).status).toBe(400);
  });

  it('answers unknown routes 404 and wrong methods 405 with {"error"}', async () => {
    expect(await json('/swagger.json')).toMatchObject({ status: 404, body: { error: 'expected a Speculos API route, got GET /swagger.json' } });
    expect(await json('/apdu')).toMatchObject({ status: 405, body: { error: '/apdu: expected POST, got GET' } });
  });

  it('serves the web page at / with the buttons of a Nano', async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<title>taproot-hw emulator: Ledger Nano S Plus</title>');
    for (const id of ['button-left', 'button-both', 'button-right']) expect(html).toContain(`id="${id}"`);
  });
});
