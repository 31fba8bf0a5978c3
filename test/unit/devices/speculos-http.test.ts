import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { parseApduRequest, parseButtonRequest, parseFingerRequest, parseTickerRequest, type TextEvent } from '../../../devices/framing/speculos-http.ts';
import { openTransport } from '../../../devices/open.ts';
import { SpeculosHttpControl, SpeculosHttpTransport } from '../../../devices/speculos-http.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

const SCREEN: TextEvent[] = [
  { text: 'Bitcoin Test', x: 20, y: 10, w: 88, h: 12, clear: false },
  { text: 'is ready', x: 41, y: 28, w: 47, h: 12, clear: false },
];
const HISTORY: TextEvent[] = [{ text: 'Boilerplate', x: 0, y: 0, w: 10, h: 10, clear: false }, ...SCREEN];
const PNG = fromHex('89504e470d0a1a0a0000000d49484452');

interface Log {
  method: string;
  url: string;
  body: string;
}

/**
 * A small Speculos-like REST server for these tests. It validates bodies with the shared DTO validators
 * (as the emulator's server does), streams /apdu answers after a first empty chunk as Speculos does, and
 * writes SSE events split across writes to exercise the client's buffering.
 */
async function restServer(options: { apduHold?: Promise<void>; badApdu?: boolean; refuseButtons?: boolean } = {}) {
  const log: Log[] = [];
  let events = HISTORY.slice();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    log.push({ method: req.method!, url: req.url!, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    try {
      const path = req.url!.split('?')[0]!;
      if (req.method === 'POST' && path === '/apdu') {
        const { data } = parseApduRequest(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        await options.apduHold;
        if (options.badApdu) return res.end('{"data":"9"}');
        const answers: Record<string, string> = { e105000000: 'f5acc2fd9000' };
        return res.end(JSON.stringify({ data: answers[data.toLowerCase()] ?? '6d00' }));
      }
      if (req.method === 'GET' && req.url === '/events?stream=true') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('');
        for (const ev of SCREEN) {
          const line = `data: ${JSON.stringify(ev)}\n\n`;
          res.write(line.slice(0, 9));
          await tick();
          res.write(line.slice(9));
          await tick();
        }
        return res.end();
      }
      if (req.method === 'GET' && path === '/events') return json(200, { events: req.url!.includes('currentscreenonly=true') ? SCREEN : events });
      if (req.method === 'DELETE' && path === '/events') {
        events = [];
        return json(200, {});
      }
      if (options.refuseButtons && path.startsWith('/button/')) return json(400, { error: 'buttons are disabled' });
      if (req.method === 'POST' && /^\/button\/(left|right|both)$/.test(path)) return json(200, (parseButtonRequest(JSON.parse(body)), {}));
      if (req.method === 'POST' && path === '/finger') return json(200, (parseFingerRequest(JSON.parse(body)), {}));
      if (req.method === 'POST' && (path === '/ticker/' || path === '/ticker')) return json(200, (parseTickerRequest(JSON.parse(body)), {}));
      if (req.method === 'POST' && path === '/automation') return json(200, {});
      if (req.method === 'GET' && path === '/screenshot') {
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(PNG);
      }
      json(404, { error: 'not found' });
    } catch (err) {
      json(400, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

describe('SpeculosHttpTransport', () => {
  it('opens after GET /events answers and exchanges through POST /apdu', async () => {
    const { url, log } = await restServer();
    const t = await SpeculosHttpTransport.open(url, { tickTimeout: 3000 });
    expect(t.kind).toBe('speculos-http');
    expect(toHex(await t.exchange(fromHex('e105000000')))).toBe('f5acc2fd9000');
    expect(toHex(await t.exchange(fromHex('e1ff000000')))).toBe('6d00');
    expect(log.map((l) => `${l.method} ${l.url} ${l.body}`)).toEqual([
      'GET /events?currentscreenonly=true ',
      'POST /apdu {"data":"e105000000","tick_timeout":3000}',
      'POST /apdu {"data":"e1ff000000","tick_timeout":3000}',
    ]);
  });

  it('a wrong answer body is a TransportResponseError; an empty APDU a RangeError', async () => {
    const { url } = await restServer({ badApdu: true });
    const t = await SpeculosHttpTransport.open(url);
    await expect(t.exchange(fromHex('e105000000'))).rejects.toMatchObject({ code: 'E_TRANSPORT_RESPONSE' });
    await expect(t.exchange(new Uint8Array())).rejects.toThrow(RangeError);
  });

  it('aborting cancels the blocked POST /apdu; the transport is then free', async () => {
    let release!: () => void;
    const { url } = await restServer({ apduHold: new Promise<void>((r) => (release = r)) });
    const t = await SpeculosHttpTransport.open(url);
    const ctl = new AbortController();
    const pending = t.exchange(fromHex('e105000000'), { signal: ctl.signal });
    await expect(t.exchange(fromHex('e105000000'))).rejects.toMatchObject({ code: 'E_TRANSPORT_BUSY' });
    ctl.abort();
    await expect(pending).rejects.toMatchObject({ code: 'E_ABORTED' });
    while (t.busy) await tick();
    release();
    expect(toHex(await t.exchange(fromHex('e105000000')))).toBe('f5acc2fd9000');
  });

  it('open fails with TransportDisconnectedError when nothing answers', async () => {
    const { url } = await restServer();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
    await expect(SpeculosHttpTransport.open(url)).rejects.toMatchObject({ code: 'E_DISCONNECTED' });
    await expect(SpeculosHttpTransport.open('ftp://x')).rejects.toThrow(RangeError);
    await expect(SpeculosHttpTransport.open(url, { tickTimeout: Number.NaN })).rejects.toThrow('speculos-http tickTimeout: expected a number of ticks > 0, got NaN');
  });

  it('openTransport("speculos-http://127.0.0.1:PORT") connects', async () => {
    const { url } = await restServer();
    const t = await openTransport(url.replace('http:', 'speculos-http:'));
    expect(toHex(await t.exchange(fromHex('e105000000')))).toBe('f5acc2fd9000');
  });
});

describe('SpeculosHttpControl', () => {
  it('reads, filters and clears events', async () => {
    const { url } = await restServer();
    const c = new SpeculosHttpControl(url);
    expect(await c.events()).toEqual(HISTORY);
    expect(await c.events({ currentScreenOnly: true })).toEqual(SCREEN);
    await c.clearEvents();
    expect(await c.events()).toEqual([]);
  });

  it('streams events whole although each is written in two pieces', async () => {
    const { url } = await restServer();
    const got: TextEvent[] = [];
    for await (const ev of await new SpeculosHttpControl(url).eventStream()) got.push(ev);
    expect(got).toEqual(SCREEN);
  });

  it('stops the stream when the signal fires or the loop breaks', async () => {
    const { url } = await restServer();
    const ctl = new AbortController();
    const got: TextEvent[] = [];
    for await (const ev of await new SpeculosHttpControl(url).eventStream({ signal: ctl.signal })) {
      got.push(ev);
      ctl.abort();
    }
    expect(got).toEqual(SCREEN.slice(0, 1));
    for await (const ev of await new SpeculosHttpControl(url).eventStream()) {
      expect(ev).toEqual(SCREEN[0]);
      break;
    }
    await expect(new SpeculosHttpControl(url).eventStream({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sends buttons, finger, ticker and automation with Speculos bodies', async () => {
    const { url, log } = await restServer();
    const c = new SpeculosHttpControl(url);
    await c.button('right');
    await c.button('both', 'press', 0.5);
    await c.finger({ x: 136, y: 430, delay: 3 });
    await c.finger({ action: 'press', x: 1, y: 2, x2: 3, y2: 4 });
    await c.ticker('pause');
    await c.automation({ version: 1, rules: [{ text: 'Approve', actions: [['button', 1, true]] }] });
    expect(log.map((l) => `${l.method} ${l.url} ${l.body}`)).toEqual([
      'POST /button/right {"action":"press-and-release"}',
      'POST /button/both {"action":"press","delay":0.5}',
      'POST /finger {"action":"press-and-release","x":136,"y":430,"delay":3}',
      'POST /finger {"action":"press","x":1,"y":2,"x2":3,"y2":4}',
      'POST /ticker/ {"action":"pause"}',
      'POST /automation {"version":1,"rules":[{"text":"Approve","actions":[["button",1,true]]}]}',
    ]);
  });

  it('refuses bad input before sending, and reports HTTP failures', async () => {
    const { url, log } = await restServer();
    const c = new SpeculosHttpControl(url);
    await expect(c.button('up' as 'left')).rejects.toThrow(RangeError);
    await expect(c.finger({ x: -1, y: 0 })).rejects.toMatchObject({ code: 'E_SPECULOS_SCHEMA', path: 'finger.x' });
    await expect(c.automation('{"version":2,"rules":[]}')).rejects.toMatchObject({ code: 'E_SPECULOS_SCHEMA' });
    expect(log).toEqual([]);
    const refusing = new SpeculosHttpControl((await restServer({ refuseButtons: true })).url);
    await expect(refusing.button('left')).rejects.toMatchObject({
      code: 'E_SPECULOS_HTTP',
      status: 400,
      message: expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/button\/left: expected HTTP 200, got 400: \{"error":"buttons are disabled"\}$/),
    });
  });

  it('returns the screenshot PNG bytes', async () => {
    const { url } = await restServer();
    expect(toHex(await new SpeculosHttpControl(url).screenshot())).toBe(toHex(PNG));
  });
});
