// A party's HTTP client for the coordinator's routes (wire.ts). Requests that may not have reached
// the coordinator, or that it could not answer — connection refused or reset (it was killed), 5xx
// other than "full" — are retried with backoff until `retryMs` passes. Retries are safe: a message
// is addressed by its step and sequence number and a join by the joining key, so neither counts
// twice; a repeated session creation leaves at most an unused session to expire. Refusals are
// thrown as CoordinatorError with the coordinator's code.

import { fromHex, toHex } from '../../apdu/bytes.ts';
import { openReply, sealRequest, type HpkeKeyPair } from '../envelope.ts';
import {
  b64,
  CoordinatorError,
  ERRORS,
  ROUTES,
  type CreateSessionReply,
  type CreateSessionRequest,
  type ErrorBody,
  type GetMessagesReply,
  type InfoResponse,
  type JoinReply,
  type PostMessages,
  type PostMessagesReply,
  type SessionInfo,
} from '../wire.ts';
import { CoordinatorLayerError } from '../errors.ts';

export interface ClientOptions {
  /** How long to keep retrying one request, ms. */
  retryMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CoordinatorClient {
  readonly url: string;
  readonly retryMs: number;
  credential: string | undefined;

  constructor(url: string, opts: ClientOptions = {}) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new RangeError(`coordinator: expected an http:// or https:// URL, got "${url}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RangeError(`coordinator: expected an http:// or https:// URL, got "${url}"`);
    this.url = u.origin;
    this.retryMs = opts.retryMs ?? 120_000;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, waitMs = 0): Promise<T> {
    const deadline = Date.now() + this.retryMs;
    let delay = 50;
    for (;;) {
      let res: Response;
      try {
        res = await fetch(this.url + path, {
          method,
          headers: {
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(this.credential ? { authorization: `Bearer ${this.credential}` } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(waitMs + 30_000),
        });
      } catch (err) {
        if (Date.now() >= deadline) throw new CoordinatorLayerError('E_COORDINATOR_UNREACHABLE', `coordinator ${this.url}: ${method} ${path}: ${(err as Error).message} (gave up after ${this.retryMs} ms)`, { cause: err });
        await sleep(delay);
        delay = Math.min(delay * 2, 1_000);
        continue;
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (res.ok && json !== undefined) return json as T;
      const error = (json as Partial<ErrorBody> | undefined)?.error;
      // A full coordinator stays full for a while: say so now rather than retry for minutes.
      if ((res.status < 500 || error?.code === 'session_limit') && error && error.code in ERRORS) throw new CoordinatorError(error.code, error.message);
      if (res.status < 500) throw new CoordinatorError('bad_request', `coordinator ${this.url}: ${method} ${path}: HTTP ${res.status} without a typed error`);
      if (Date.now() >= deadline) throw new CoordinatorLayerError('E_COORDINATOR_UNREACHABLE', `coordinator ${this.url}: ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)} (gave up after ${this.retryMs} ms)`);
      await sleep(delay);
      delay = Math.min(delay * 2, 1_000);
    }
  }

  async info(): Promise<InfoResponse & { key: Uint8Array }> {
    const r = await this.request<InfoResponse>('GET', ROUTES.info);
    if (typeof r.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(r.publicKey)) throw new CoordinatorError('bad_request', `coordinator ${this.url}: info: expected a 32-byte public key`);
    return { ...r, key: fromHex(r.publicKey) };
  }

  private async sealed<T>(route: string, path: string, body: unknown, party: HpkeKeyPair, coordinatorKey: Uint8Array): Promise<T> {
    const request = await sealRequest(route, body, party, coordinatorKey);
    const r = await this.request<{ data: string }>('POST', path, { pk: toHex(party.publicKey), data: b64.encode(request) });
    return (await openReply(route, request, b64.decode(r.data, `${route} reply`), party, coordinatorKey)) as T;
  }

  createSession(req: CreateSessionRequest, party: HpkeKeyPair, coordinatorKey: Uint8Array): Promise<CreateSessionReply> {
    return this.sealed('create-session', ROUTES.createSession, req, party, coordinatorKey);
  }

  join(token: Uint8Array, party: HpkeKeyPair, coordinatorKey: Uint8Array): Promise<JoinReply> {
    return this.sealed('join', ROUTES.join, { token: b64.encode(token) }, party, coordinatorKey);
  }

  session(id: string): Promise<SessionInfo> {
    return this.request('GET', ROUTES.session(id));
  }

  post(id: string, body: PostMessages): Promise<PostMessagesReply> {
    return this.request('POST', ROUTES.messages(id), body);
  }

  /** Messages to this party at `step` (or every step starting with `prefix`), waiting for `min`. */
  async messages(id: string, sel: { step: string } | { prefix: string }, min: number, waitMs: number): Promise<GetMessagesReply> {
    const q = new URLSearchParams({ ...sel, min: String(min), wait: String(waitMs) });
    return this.request('GET', `${ROUTES.messages(id)}?${q}`, undefined, waitMs);
  }
}
