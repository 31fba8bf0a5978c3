// Client for a Speculos-compatible REST API (docs/architecture.md §5), on the global fetch: the APDU transport
// (POST /apdu, which blocks while the device waits for a person) and SpeculosHttpControl for the rest
// (screen events, buttons, finger, screenshot, automation, ticker). The harness drives real Speculos and
// our emulator through the same class. Requests are checked with the shared DTO validators before they
// leave, and answers are checked before they are believed.

import { fromHex, toHex } from '../apdu/bytes.ts';
import { SpeculosHttpError } from './errors.ts';
import {
  parseApduResponse,
  parseAutomationDocument,
  parseButtonRequest,
  parseEventsResponse,
  parseFingerRequest,
  parseTextEventMessage,
  parseTickerRequest,
  SseParser,
  type AutomationDocument,
  type ButtonName,
  type FingerRequest,
  type PressAction,
  type TextEvent,
  type TickerAction,
} from './framing/speculos-http.ts';
import { GuardedTransport } from './guarded.ts';
import { TransportError } from './errors.ts';

const PNG_SIGNATURE = '89504e470d0a1a0a';

function baseOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`speculos-http url: expected http://HOST:PORT, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new RangeError(`speculos-http url: expected http: or https:, got "${parsed.protocol}"`);
  return parsed.origin;
}

async function request(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const init: RequestInit = { method };
  if (signal) init.signal = signal;
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    throw new TransportError('E_DISCONNECTED', `${method} ${url}: no answer (${(err as Error).message}); is the server running?`, { cause: err });
  }
  if (res.status !== 200) throw new SpeculosHttpError(method, url, res.status, await res.text().catch(() => ''));
  return res;
}

async function readJson(method: string, url: string, res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new TransportError('E_TRANSPORT_RESPONSE', `${method} ${url}: expected a JSON body, got ${JSON.stringify(text.slice(0, 80))}`);
  }
}

export interface SpeculosHttpOptions {
  /** Sent as `tick_timeout` with each APDU (Speculos ticks are 100 ms; its default is 5 * 60 * 10). */
  tickTimeout?: number;
}

export class SpeculosHttpTransport extends GuardedTransport {
  readonly kind = 'speculos-http';
  readonly baseUrl: string;

  private constructor(baseUrl: string, private readonly options: SpeculosHttpOptions) {
    super();
    this.baseUrl = baseUrl;
  }

  /** Checks that the server answers GET /events (the readiness probe Ledger's device-sdk-ts settled on). */
  static async open(url: string, options: SpeculosHttpOptions = {}): Promise<SpeculosHttpTransport> {
    const base = baseOf(url);
    const tick = options.tickTimeout;
    if (tick !== undefined && !(Number.isFinite(tick) && tick > 0))
      throw new RangeError(`speculos-http tickTimeout: expected a number of ticks > 0, got ${tick}`);
    await new SpeculosHttpControl(base).events({ currentScreenOnly: true });
    return new SpeculosHttpTransport(base, options);
  }

  protected async transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    if (apdu.length === 0) throw new RangeError('speculos-http exchange apdu: expected at least 1 byte (POST /apdu refuses empty data)');
    const url = `${this.baseUrl}/apdu`;
    const body = this.options.tickTimeout === undefined ? { data: toHex(apdu) } : { data: toHex(apdu), tick_timeout: this.options.tickTimeout };
    const res = await request('POST', url, body, signal);
    let json: unknown;
    try {
      json = await readJson('POST', url, res);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // Speculos breaks off the chunked answer when tick_timeout runs out (speculos/api/apdu.py).
      if (err instanceof TypeError)
        throw new TransportError('E_DISCONNECTED', `POST ${url}: the server broke off the answer (Speculos does this when tick_timeout runs out, or the server stopped)`, { cause: err });
      throw err;
    }
    try {
      return fromHex(parseApduResponse(json).data);
    } catch (err) {
      throw new TransportError('E_TRANSPORT_RESPONSE', `POST ${url}: ${(err as Error).message}`, { cause: err });
    }
  }

  protected async release(): Promise<void> {}
}

/** The non-APDU half of the Speculos REST API. */
export class SpeculosHttpControl {
  readonly baseUrl: string;

  constructor(url: string) {
    this.baseUrl = baseOf(url);
  }

  /** GET /events: every event since start or the last clearEvents(); only the current screen's with `currentScreenOnly`. */
  async events({ currentScreenOnly = false }: { currentScreenOnly?: boolean } = {}): Promise<TextEvent[]> {
    const url = `${this.baseUrl}/events${currentScreenOnly ? '?currentscreenonly=true' : ''}`;
    const json = await readJson('GET', url, await request('GET', url));
    try {
      return parseEventsResponse(json).events;
    } catch (err) {
      throw new TransportError('E_TRANSPORT_RESPONSE', `GET ${url}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** DELETE /events: forgets the event history. */
  async clearEvents(): Promise<void> {
    await this.send('DELETE', '/events');
  }

  /**
   * GET /events?stream=true. Resolves once the server has answered (so no event after that moment is
   * missed) with an async iterator of screen events, one per SSE message however the server chunks them.
   * It ends when the server closes the stream or `signal` fires; leaving a for-await loop closes it.
   */
  async eventStream({ signal }: { signal?: AbortSignal } = {}): Promise<AsyncGenerator<TextEvent, void, undefined>> {
    const url = `${this.baseUrl}/events?stream=true`;
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    if (signal?.aborted) stop.abort(signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let res: Response;
    try {
      res = await request('GET', url, undefined, stop.signal);
      if (!res.body) throw new TransportError('E_TRANSPORT_RESPONSE', `GET ${url}: expected an event stream, got no body`);
    } catch (err) {
      signal?.removeEventListener('abort', onAbort);
      throw err;
    }
    const reader = res.body.getReader();
    return (async function* read(): AsyncGenerator<TextEvent, void, undefined> {
      const parser = new SseParser();
      try {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (err) {
            if (stop.signal.aborted) return;
            throw new TransportError('E_DISCONNECTED', `GET ${url}: event stream broken (${(err as Error).message})`, { cause: err });
          }
          if (chunk.done) return;
          for (const message of parser.push(chunk.value)) yield parseTextEventMessage(message);
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        stop.abort();
        reader.cancel().catch(() => undefined);
      }
    })();
  }

  /** POST /button/{left,right,both}; `delay` in seconds between press and release (Speculos default 0.1). */
  async button(button: ButtonName, action: PressAction = 'press-and-release', delay?: number): Promise<void> {
    if (button !== 'left' && button !== 'right' && button !== 'both')
      throw new RangeError(`button: expected "left", "right" or "both", got ${JSON.stringify(button)}`);
    await this.send('POST', `/button/${button}`, parseButtonRequest(delay === undefined ? { action } : { action, delay }));
  }

  /** POST /finger: a tap at (x, y), or a swipe released at (x2, y2). */
  async finger(touch: Omit<FingerRequest, 'action'> & { action?: PressAction }): Promise<void> {
    await this.send('POST', '/finger', parseFingerRequest({ action: 'press-and-release', ...touch }));
  }

  /** GET /screenshot: the PNG bytes of the current screen. */
  async screenshot(): Promise<Uint8Array> {
    const url = `${this.baseUrl}/screenshot`;
    const res = await request('GET', url);
    const png = new Uint8Array(await res.arrayBuffer());
    if (toHex(png.subarray(0, 8)) !== PNG_SIGNATURE)
      throw new TransportError('E_TRANSPORT_RESPONSE', `GET ${url}: expected a PNG image, got ${png.length} bytes starting ${toHex(png.subarray(0, 8))}`);
    return png;
  }

  /** POST /automation with a v1 rules document (validated here first, as the server will). */
  async automation(document: AutomationDocument | string): Promise<void> {
    const doc = parseAutomationDocument(document);
    await this.send('POST', '/automation', JSON.stringify(doc));
  }

  /** POST /ticker: pause, resume or single-step the device clock. */
  async ticker(action: TickerAction): Promise<void> {
    await this.send('POST', '/ticker/', parseTickerRequest({ action }));
  }

  private async send(method: string, path: string, body?: unknown): Promise<void> {
    const res = await request(method, `${this.baseUrl}${path}`, body);
    await res.arrayBuffer();
  }
}
