// The Speculos REST API (docs/architecture.md §5; speculos/api/*.py), served with node:http.
// Same routes, status codes and JSON bodies as Speculos; request bodies are checked with the shared
// schema validators of devices/framing/speculos-http.ts. Responses that wait on the device (POST /apdu)
// and the event stream send their headers at once, and every body or event goes out in one write.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import {
  type ButtonName,
  BUTTONS,
  parseApduRequest,
  parseButtonRequest,
  parseFingerRequest,
  parseTickerRequest,
} from '../../devices/framing/speculos-http.ts';
import { renderPage } from '../web/page.ts';
import type { TcpServerHandle } from './apdu-tcp.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { ButtonSide, SpeculosSurface } from './surface.ts';
import { textEventJson, textEventsJson } from './text-event.ts';

/** Speculos counts POST /apdu timeouts in ticks of its 100 ms ticker; default 5 * 60 * 10 ticks. */
export const TICK_MS = 100;
export const DEFAULT_TICK_TIMEOUT = 5 * 60 * 10;
/** Default `delay` of button and finger actions, in seconds (speculos/api/button.py). */
const DEFAULT_DELAY_S = 0.1;
/** Bodies are small JSON documents; the largest is an APDU in hex. */
export const MAX_BODY = 1 << 20;
/**
 * After a 413 the rest of an oversized body is read and dropped, up to this many bytes, so the client
 * gets to read the answer before the connection closes (closing a socket with unread input resets it
 * and the peer loses what was sent); a client that keeps sending beyond this is cut off.
 */
const MAX_DISCARD = 8 * MAX_BODY;
/** Names under which a loopback-bound server is reached; any other Host is a DNS-rebinding page. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

const SIDES: Readonly<Record<ButtonName, readonly ButtonSide[]>> = {
  left: ['left'],
  right: ['right'],
  both: ['left', 'right'],
};

export interface HttpServerOptions {
  host: string;
  port: number;
  /**
   * Web origins (scheme://host[:port]) whose pages may call the API, e.g. a browser wallet under
   * development. None by default: only the emulator's own page, command-line clients and other
   * processes of this machine drive the device.
   */
  allowOrigins?: readonly string[];
  /** Called for failures that are not the client's doing (a device bug). */
  onError?: (err: unknown) => void;
}

/** A request the client got wrong: answered with `status` and a JSON body. */
class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): HttpRequestError => new HttpRequestError(413, { error: `body: expected at most ${MAX_BODY} bytes` });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY) {
      discardRest(req);
      reject(tooLarge());
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        parts.length = 0;
        discardRest(req, size);
        reject(tooLarge());
        return;
      }
      parts.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Reads and drops the rest of a refused body (MAX_DISCARD bytes at most), then lets the socket go. */
function discardRest(req: IncomingMessage, already = 0): void {
  let dropped = already;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DISCARD) req.socket.destroy();
  });
  req.resume();
}

/** A POST body must be declared JSON: a page on another origin can send text/plain without asking first. */
function requireJson(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpRequestError(415, { error: `Content-Type: expected application/json, got ${type === '' ? 'none' : JSON.stringify(type)}` });
}

/** Parses a JSON body; the Content-Type was checked by the router. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpRequestError(400, { error: `body: expected a JSON document, got ${JSON.stringify(text.slice(0, 40))}` });
  }
}

/** Runs a schema validator; its SpeculosSchemaError becomes 400 {"error": "..."} as in Speculos. */
function validate<T>(parse: (value: unknown) => T, value: unknown): T {
  try {
    return parse(value);
  } catch (err) {
    throw new HttpRequestError(400, { error: (err as Error).message });
  }
}

/** flask_restful.inputs.boolean: "true"/"1" and "false"/"0" in any case; absent or empty is false. */
function queryBoolean(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '') return false;
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new HttpRequestError(400, { error: `${name}: expected true, false, 1 or 0, got ${JSON.stringify(raw)}` });
}

function seconds(delay: number | undefined): number {
  return Math.max(0, (delay ?? DEFAULT_DELAY_S) * 1000);
}

export async function startHttpServer(
  device: SpeculosSurface,
  options: HttpServerOptions,
): Promise<TcpServerHandle> {
  const page = renderPage(device.model);

  async function postApdu(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = validate(parseApduRequest, await readJson(req));
    const ticks = body.tick_timeout ?? DEFAULT_TICK_TIMEOUT;
    const abort = new AbortController();
    // Headers go out now; the body follows when the device answers, which may take a review.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new Error('HTTP client went away'));
    });
    const timer = ticks > 0 ? setTimeout(() => abort.abort(new Error('tick_timeout reached')), ticks * TICK_MS) : undefined;
    try {
      const response = await device.exchange(fromHex(body.data), { signal: abort.signal });
      res.end(JSON.stringify({ data: toHex(response) }));
    } catch (err) {
      // Like Speculos on a timeout: the chunked body breaks off, which clients read as a failure.
      if (!abort.signal.aborted) options.onError?.(err);
      res.destroy();
    } finally {
      clearTimeout(timer);
    }
  }

  function getEvents(query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const stream = queryBoolean(query, 'stream');
    const currentOnly = queryBoolean(query, 'currentscreenonly');
    if (!stream) {
      const text = textEventsJson(currentOnly ? device.currentScreen() : device.events());
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    // A clear event resets the screen and is not broadcast (speculos/api/events.py).
    const unsubscribe = device.on('text', (event) => {
      if (!event.clear && !res.destroyed) res.write(`data: ${textEventJson(event)}\n\n`);
    });
    req.socket.setNoDelay(true);
    res.once('close', unsubscribe);
  }

  async function postButton(name: ButtonName, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = validate(parseButtonRequest, await readJson(req));
    const sides = SIDES[name];
    if (body.action === 'press-and-release') {
      for (const side of sides) device.buttonEvent(side, true);
      await sleep(seconds(body.delay));
      for (const side of sides) device.buttonEvent(side, false);
      // Speculos waits again after the release so the app has drawn the next screen on return.
      await sleep(seconds(body.delay));
    } else {
      for (const side of sides) device.buttonEvent(side, body.action === 'press');
    }
    sendJson(res, 200, {});
  }

  async function postFinger(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = validate(parseFingerRequest, await readJson(req));
    if (body.action === 'press-and-release') {
      device.touch(body.x, body.y, { action: 'press' });
      await sleep(seconds(body.delay));
      device.touch(body.x2 ?? body.x, body.y2 ?? body.y, { action: 'release' });
    } else {
      device.touch(body.x, body.y, { action: body.action });
    }
    sendJson(res, 200, {});
  }

  async function postAutomation(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    // Speculos answers these failures with a bare JSON string, not an {"error"} object.
    if (raw.some((byte) => byte > 0x7f)) throw new HttpRequestError(400, 'invalid encoding');
    const document = raw.toString('ascii');
    if (document.startsWith('file:')) throw new HttpRequestError(400, 'invalid document');
    try {
      device.setAutomation(document);
    } catch {
      throw new HttpRequestError(400, 'invalid document');
    }
    sendJson(res, 200, {});
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const allow = (methods: string[]): void => {
      if (!methods.includes(method))
        throw new HttpRequestError(405, { error: `${path}: expected ${methods.join(' or ')}, got ${method}` });
      if (method === 'POST') requireJson(req);
    };
    if (path === '/' || path === '/index.html') {
      allow(['GET']);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page) });
      res.end(page);
    } else if (path === '/apdu') {
      allow(['POST']);
      await postApdu(req, res);
    } else if (path === '/events') {
      allow(['GET', 'DELETE']);
      if (method === 'DELETE') {
        device.clearEvents();
        sendJson(res, 200, {});
      } else getEvents(url.searchParams, req, res);
    } else if (path.startsWith('/button/') && (BUTTONS as readonly string[]).includes(path.slice(8))) {
      allow(['POST']);
      await postButton(path.slice(8) as ButtonName, req, res);
    } else if (path === '/finger') {
      allow(['POST']);
      await postFinger(req, res);
    } else if (path === '/screenshot') {
      allow(['GET']);
      const png = device.screenshot();
      res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-cache,no-store', 'Content-Length': png.length });
      res.end(png);
    } else if (path === '/automation') {
      allow(['POST']);
      await postAutomation(req, res);
    } else if (path === '/ticker' || path === '/ticker/') {
      // Registered with a trailing slash in Speculos while its Python client posts /ticker: accept both.
      // The emulator has no tick-driven firmware to pause, so a valid request is acknowledged.
      allow(['POST']);
      validate(parseTickerRequest, await readJson(req));
      sendJson(res, 200, {});
    } else {
      throw new HttpRequestError(404, { error: `expected a Speculos API route, got ${method} ${path}` });
    }
  }

  const allowed = new Set(options.allowOrigins ?? []);
  const loopback = options.host === '127.0.0.1' || options.host === '::1' || options.host === 'localhost';

  /**
   * Who may drive the device (docs/SECURITY.md): a request naming another Host is a page that
   * rebound its DNS name to this machine, and a request from another Origin is a page the person
   * merely visited; both are refused unless that origin was allowed with --allow-origin. Same-origin
   * requests (the emulator's own page) and clients that send no Origin (curl, Node, Python) pass.
   */
  function checkCaller(req: IncomingMessage, res: ServerResponse): void {
    const host = (req.headers.host ?? '').toLowerCase();
    if (loopback && !LOOPBACK_NAMES.has(host.replace(/:\d+$/, '')))
      throw new HttpRequestError(403, { error: `Host: expected 127.0.0.1, localhost or [::1], got ${JSON.stringify(host)}` });
    const origin = req.headers.origin;
    if (origin === undefined || origin === `http://${host}`) return;
    if (!allowed.has(origin))
      throw new HttpRequestError(403, {
        error: `Origin ${JSON.stringify(origin)} may not drive this device; start the emulator with --allow-origin ${origin} if it should`,
      });
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
  }

  const server = createServer((req, res) => {
    try {
      checkCaller(req, res);
    } catch (err) {
      sendJson(res, (err as HttpRequestError).status, (err as HttpRequestError).body);
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'content-type',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpRequestError) {
        // The rest of a body too large is dropped, not parsed: the connection cannot carry another request.
        if (err.status === 413) res.setHeader('Connection', 'close');
        if (!res.headersSent) sendJson(res, err.status, err.body);
        else res.destroy();
        return;
      }
      options.onError?.(err);
      if (!res.headersSent) sendJson(res, 500, { error: `emulator: ${(err as Error).message}` });
      else res.destroy();
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 'API', options.host, options.port);
  return { port, close: () => closeServer(server, sockets) };
}
