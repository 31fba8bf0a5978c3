// The coordinator service (docs/coordinator.md): HTTP routes only. It creates sessions and invites
// for a party that asks (sealed to its key, TOFU-pinned by the party), admits a party that brings
// an invite (single use, expiring, bound to one session), and stores and hands out opaque
// ciphertexts addressed by (session, step, sender, sequence, recipient). It cannot read them.
// Every refusal is a typed JSON error with its HTTP status and changes nothing in the store.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from '@noble/ciphers/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equal, fromHex, toHex, utf8 } from '../apdu/bytes.ts';
import { openRequest, sealReply, type HpkeKeyPair } from './envelope.ts';
import { StateCipher } from './state-cipher.ts';
import { migrate, NOTIFY_CHANNEL } from './store/schema.ts';
import { bytesOf, numberOf, type SqlClient, type SqlStore } from './store/sql.ts';
import {
  API_VERSION,
  b64,
  CoordinatorError,
  DEFAULT_LIMITS,
  SESSION_PATTERN,
  STEP_PATTERN,
  type CreateSessionReply,
  type CreateSessionRequest,
  type ErrorBody,
  type GetMessagesReply,
  type InfoResponse,
  type JoinReply,
  type Limits,
  type PostMessagesReply,
  type SealedBody,
  type SessionInfo,
} from './wire.ts';
import { isTaprootHwError } from '../apdu/errors.ts';

export interface CoordinatorOptions {
  store: SqlStore;
  key: HpkeKeyPair;
  limits?: Partial<Limits>;
  /** Clock, ms since the epoch. */
  now?: () => number;
}

interface SessionState {
  scheme: string;
  parties: number;
  threshold?: number;
}

interface Party {
  session: string;
  party: number;
  state: SessionState;
  expiresAt: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** A waiting GET re-reads the store this often even without a notification. */
const POLL_MS = 1_000;

const digest = (bytes: Uint8Array) => sha256(bytes);
const where = {
  session: (id: string) => `session/${id}`,
  partyKey: (id: string, party: number) => `party-key/${id}/${party}`,
  message: (id: string, to: number, step: string, from: number, seq: number) => `message/${id}/${to}/${step}/${from}/${seq}`,
};

function int(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new CoordinatorError('bad_request', `${what}: expected an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  return value;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CoordinatorError('bad_request', `${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

export class Coordinator {
  readonly limits: Limits;
  readonly publicKey: Uint8Array;
  readonly #store: SqlStore;
  readonly #key: HpkeKeyPair;
  readonly #cipher: StateCipher;
  readonly #now: () => number;
  readonly #waiters = new Map<string, Set<() => void>>();
  #waiting = 0;
  #server: Server | undefined;
  #loopbackOnly = false;
  #gc: NodeJS.Timeout | undefined;

  private constructor(opts: CoordinatorOptions) {
    this.#store = opts.store;
    this.#key = opts.key;
    this.publicKey = opts.key.publicKey;
    this.#cipher = new StateCipher(opts.key.secretKey);
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#now = opts.now ?? Date.now;
  }

  /** Prepares the store (tables, notifications); `listen` then serves it. */
  static async open(opts: CoordinatorOptions): Promise<Coordinator> {
    const c = new Coordinator(opts);
    await migrate(c.#store);
    await c.#store.listen(NOTIFY_CHANNEL, (session) => c.#wake(session));
    return c;
  }

  /** Listens on `host:port` (port 0: any free one); binds loopback unless told otherwise. */
  async listen(host = '127.0.0.1', port = 0): Promise<{ url: string; publicKey: string }> {
    const server = createServer({ maxHeaderSize: 8 * 1024, headersTimeout: 10_000, requestTimeout: this.limits.maxWaitMs + 15_000, keepAliveTimeout: 5_000 }, (req, res) => {
      // #handle answers every error itself; a socket that died meanwhile is no reason to crash.
      this.#handle(req, res).catch(() => res.destroy());
    });
    server.maxConnections = this.limits.maxWaiters + 256;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    this.#loopbackOnly = host === '127.0.0.1' || host === 'localhost' || host === '::1';
    this.#gc = setInterval(() => void this.collectExpired().catch(() => {}), 60_000);
    this.#gc.unref();
    const a = server.address() as AddressInfo;
    const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { url: `http://${shown}:${a.port}`, publicKey: toHex(this.publicKey) };
  }

  async close(): Promise<void> {
    clearInterval(this.#gc);
    for (const set of this.#waiters.values()) for (const wake of set) wake();
    const server = this.#server;
    if (server) {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
  }

  /** Deletes expired sessions (their invites, parties and messages go with them). */
  async collectExpired(): Promise<number> {
    const rows = await this.#store.query('DELETE FROM cosign_sessions WHERE expires_at <= $1 RETURNING id', [this.#now()]);
    await this.#store.query('DELETE FROM cosign_invites WHERE expires_at <= $1 AND used = false', [this.#now()]);
    return rows.length;
  }

  #wake(session: string): void {
    for (const wake of this.#waiters.get(session) ?? []) wake();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      this.#checkOrigin(req);
      const url = new URL(req.url ?? '/', 'http://coordinator');
      const body = await this.#route(req, url);
      send(res, 200, body);
    } catch (err) {
      if (err instanceof CoordinatorError) {
        if (err.reason === 'body_too_large') res.setHeader('connection', 'close');
        send(res, err.status, { error: { code: err.reason, message: err.message.slice(err.reason.length + 2) } } satisfies ErrorBody);
      } else send(res, 500, { error: { code: 'internal', message: 'the coordinator failed; the request changed nothing' } } satisfies ErrorBody);
    }
  }

  /**
   * Web pages are refused: a browser names the page's origin on every cross-origin request, and
   * bound to loopback the Host must be a loopback name (a DNS-rebinding page sends its own).
   */
  #checkOrigin(req: IncomingMessage): void {
    if (req.headers.origin !== undefined) throw new CoordinatorError('origin_refused', `requests from web pages are refused, got Origin ${req.headers.origin.slice(0, 80)}`);
    if (this.#loopbackOnly) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (!LOOPBACK_HOSTS.has(host)) throw new CoordinatorError('origin_refused', `expected a loopback Host, got "${host.slice(0, 80)}"`);
    }
  }

  async #route(req: IncomingMessage, url: URL): Promise<unknown> {
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const allow = (m: string) => {
      if (method !== m) throw new CoordinatorError('method_not_allowed', `${url.pathname}: expected ${m}, got ${method}`);
    };
    if (parts[0] !== API_VERSION) throw new CoordinatorError('not_found', `no route ${url.pathname.slice(0, 80)}`);
    if (parts.length === 2 && parts[1] === 'info') {
      allow('GET');
      return { version: API_VERSION, publicKey: toHex(this.publicKey), limits: this.limits } satisfies InfoResponse;
    }
    if (parts.length === 2 && parts[1] === 'sessions') {
      allow('POST');
      return this.#createSession(await readJson(req, this.limits.maxBody));
    }
    if (parts.length === 2 && parts[1] === 'join') {
      allow('POST');
      return this.#join(await readJson(req, this.limits.maxBody));
    }
    if (parts[1] === 'sessions' && (parts.length === 3 || (parts.length === 4 && parts[3] === 'messages'))) {
      const id = parts[2]!;
      if (!SESSION_PATTERN.test(id)) throw new CoordinatorError('session_unknown', `no session "${id.slice(0, 40)}"`);
      if (parts.length === 3) {
        allow('GET');
        return this.#sessionInfo(await this.#authenticate(req, id));
      }
      if (method === 'POST') {
        const party = await this.#authenticate(req, id);
        return this.#postMessages(party, await readJson(req, this.limits.maxBody));
      }
      allow('GET');
      return this.#getMessages(await this.#authenticate(req, id), url.searchParams);
    }
    throw new CoordinatorError('not_found', `no route ${url.pathname.slice(0, 80)}`);
  }

  async #openSealed(route: string, body: unknown): Promise<{ pk: Uint8Array; request: Uint8Array; payload: Record<string, unknown> }> {
    const b = object(body, route) as Partial<SealedBody>;
    if (typeof b.pk !== 'string' || !/^[0-9a-f]{64}$/.test(b.pk)) throw new CoordinatorError('bad_request', `${route}: pk: expected 32 bytes of hex`);
    const pk = fromHex(b.pk);
    const request = b64.decode(b.data, `${route}: data`);
    try {
      return { pk, request, payload: object(await openRequest(route, request, this.#key, pk), `${route} (sealed)`) };
    } catch (err) {
      if (isTaprootHwError(err, 'E_ENVELOPE') || err instanceof SyntaxError) throw new CoordinatorError('sealed_request', `${route}: ${err.message}`);
      throw err;
    }
  }

  async #reply(route: string, request: Uint8Array, pk: Uint8Array, body: unknown): Promise<{ data: string }> {
    return { data: b64.encode(await sealReply(route, request, body, this.#key, pk)) };
  }

  async #createSession(body: unknown): Promise<{ data: string }> {
    const route = 'create-session';
    const { pk, request, payload } = await this.#openSealed(route, body);
    const r = payload as Partial<CreateSessionRequest>;
    if (typeof r.scheme !== 'string' || !/^[a-z0-9-]{1,16}$/.test(r.scheme))
      throw new CoordinatorError('bad_request', `scheme: expected a short lowercase name, got ${JSON.stringify(r.scheme)?.slice(0, 40)}`);
    const parties = int(r.parties, 'parties', this.limits.minParties, this.limits.maxParties);
    const state: SessionState = { scheme: r.scheme, parties };
    if (r.threshold !== undefined) state.threshold = int(r.threshold, 'threshold', 1, parties);
    const now = this.#now();
    const id = b64.encode(randomBytes(16));
    const invites = Array.from({ length: parties - 1 }, () => randomBytes(32));
    const credential = this.#cipher.credential(id, 0, pk);
    await this.#store.transaction(async (tx) => {
      const [{ count }] = (await tx.query<{ count: unknown }>('SELECT count(*) AS count FROM cosign_sessions WHERE expires_at > $1', [now])) as [{ count: unknown }];
      if (numberOf(count) >= this.limits.maxSessions) throw new CoordinatorError('session_limit', `the coordinator holds ${this.limits.maxSessions} sessions`);
      await tx.query('INSERT INTO cosign_sessions (id, sealed, expires_at) VALUES ($1, $2, $3)', [id, this.#cipher.sealJson(where.session(id), state), now + this.limits.sessionTtlMs]);
      await this.#insertParty(tx, id, 0, pk, credential);
      for (const [i, token] of invites.entries())
        await tx.query('INSERT INTO cosign_invites (token_hash, session_id, party, expires_at) VALUES ($1, $2, $3, $4)', [digest(token), id, i + 1, now + this.limits.inviteTtlMs]);
    });
    const reply: CreateSessionReply = { session: id, party: 0, credential: b64.encode(credential), invites: invites.map(b64.encode) };
    return this.#reply(route, request, pk, reply);
  }

  async #insertParty(tx: SqlClient, session: string, party: number, pk: Uint8Array, credential: Uint8Array): Promise<void> {
    await tx.query('INSERT INTO cosign_parties (session_id, party, credential_hash, sealed_key) VALUES ($1, $2, $3, $4)', [
      session,
      party,
      digest(credential),
      this.#cipher.seal(where.partyKey(session, party), pk),
    ]);
  }

  async #join(body: unknown): Promise<{ data: string }> {
    const route = 'join';
    const { pk, request, payload } = await this.#openSealed(route, body);
    const token = b64.decode(payload.token, 'token');
    const now = this.#now();
    const reply = await this.#store.transaction(async (tx): Promise<JoinReply> => {
      const used = await tx.query<{ session_id: string; party: number }>(
        'UPDATE cosign_invites SET used = true WHERE token_hash = $1 AND used = false AND expires_at > $2 RETURNING session_id, party',
        [digest(token), now],
      );
      let session: string;
      let party: number;
      if (used.length === 1) {
        ({ session_id: session, party } = used[0]!);
        const state = await this.#sessionState(tx, session);
        await this.#insertParty(tx, session, party, pk, this.#cipher.credential(session, party, pk));
        return { session, party, credential: b64.encode(this.#cipher.credential(session, party, pk)), ...state };
      }
      const [invite] = await tx.query<{ session_id: string; party: number; expires_at: unknown; used: boolean }>(
        'SELECT session_id, party, expires_at, used FROM cosign_invites WHERE token_hash = $1',
        [digest(token)],
      );
      if (!invite) throw new CoordinatorError('invite_unknown', 'no such invite');
      ({ session_id: session, party } = invite);
      if (!invite.used) throw new CoordinatorError('invite_expired', `the invite expired at ${new Date(numberOf(invite.expires_at)).toISOString()}`);
      // A join retried by the same key (its reply was lost) gets the same answer; anyone else is refused.
      const [row] = await tx.query<{ sealed_key: unknown }>('SELECT sealed_key FROM cosign_parties WHERE session_id = $1 AND party = $2', [session, party]);
      if (!row || !equal(this.#cipher.open(where.partyKey(session, party), bytesOf(row.sealed_key)), pk))
        throw new CoordinatorError('invite_used', `the invite for party ${party} was already used`);
      const state = await this.#sessionState(tx, session);
      return { session, party, credential: b64.encode(this.#cipher.credential(session, party, pk)), ...state };
    });
    return this.#reply(route, request, pk, reply);
  }

  async #sessionState(tx: SqlClient, session: string): Promise<SessionState & { expiresAt: number }> {
    const [row] = await tx.query<{ sealed: unknown; expires_at: unknown }>('SELECT sealed, expires_at FROM cosign_sessions WHERE id = $1', [session]);
    if (!row) throw new CoordinatorError('session_unknown', `no session "${session}"`);
    const expiresAt = numberOf(row.expires_at);
    if (expiresAt <= this.#now()) throw new CoordinatorError('session_expired', `session ${session} expired at ${new Date(expiresAt).toISOString()}`);
    return { ...this.#cipher.openJson<SessionState>(where.session(session), bytesOf(row.sealed)), expiresAt };
  }

  async #authenticate(req: IncomingMessage, session: string): Promise<Party> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header);
    const { expiresAt, ...state } = await this.#sessionState(this.#store, session);
    if (!m) throw new CoordinatorError('unauthorized', 'expected "Authorization: Bearer CREDENTIAL"');
    const rows = await this.#store.query<{ party: number }>('SELECT party FROM cosign_parties WHERE session_id = $1 AND credential_hash = $2', [
      session,
      digest(b64.decode(m[1], 'credential')),
    ]);
    if (rows.length !== 1) throw new CoordinatorError('unauthorized', `no party of session ${session} holds this credential`);
    return { session, party: rows[0]!.party, state, expiresAt };
  }

  async #sessionInfo(p: Party): Promise<SessionInfo> {
    const rows = await this.#store.query<{ party: number; sealed_key: unknown }>('SELECT party, sealed_key FROM cosign_parties WHERE session_id = $1', [p.session]);
    const keys: (string | null)[] = Array.from({ length: p.state.parties }, () => null);
    for (const r of rows) keys[r.party] = toHex(this.#cipher.open(where.partyKey(p.session, r.party), bytesOf(r.sealed_key)));
    return { session: p.session, ...p.state, keys, expiresAt: p.expiresAt };
  }

  async #postMessages(p: Party, body: unknown): Promise<PostMessagesReply> {
    const b = object(body, 'messages');
    if (typeof b.step !== 'string' || !STEP_PATTERN.test(b.step)) throw new CoordinatorError('bad_request', `step: expected ${STEP_PATTERN}, got ${JSON.stringify(b.step)?.slice(0, 80)}`);
    const step = b.step;
    const seq = int(b.seq, 'seq', 0, 0x7fffffff);
    if (!Array.isArray(b.envelopes) || b.envelopes.length === 0 || b.envelopes.length > p.state.parties - 1)
      throw new CoordinatorError('bad_request', `envelopes: expected 1 to ${p.state.parties - 1} envelopes`);
    const seen = new Set<number>();
    const envelopes = b.envelopes.map((e, i) => {
      const o = object(e, `envelopes[${i}]`);
      const to = int(o.to, `envelopes[${i}].to`, 0, p.state.parties - 1);
      if (to === p.party || seen.has(to)) throw new CoordinatorError('bad_request', `envelopes[${i}].to: expected another party, once, got ${to}`);
      seen.add(to);
      return { to, data: b64.decode(o.data, `envelopes[${i}].data`) };
    });
    const stored = await this.#store.transaction(async (tx) => {
      const [{ count }] = (await tx.query<{ count: unknown }>('SELECT count(*) AS count FROM cosign_messages WHERE session_id = $1', [p.session])) as [{ count: unknown }];
      let n = 0;
      for (const e of envelopes) {
        const key = [p.session, e.to, step, p.party, seq];
        const inserted = await tx.query(
          'INSERT INTO cosign_messages (session_id, recipient, step, sender, seq, digest, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1',
          [...key, digest(e.data), this.#cipher.seal(where.message(p.session, e.to, step, p.party, seq), e.data)],
        );
        if (inserted.length === 1) {
          n++;
          continue;
        }
        const [prior] = await tx.query<{ digest: unknown }>('SELECT digest FROM cosign_messages WHERE session_id = $1 AND recipient = $2 AND step = $3 AND sender = $4 AND seq = $5', key);
        if (!prior || !equal(bytesOf(prior.digest), digest(e.data)))
          throw new CoordinatorError('message_conflict', `party ${p.party} already sent a different ${step}#${seq} to party ${e.to}`);
      }
      if (numberOf(count) + n > this.limits.maxMessagesPerSession)
        throw new CoordinatorError('message_limit', `session ${p.session} holds at most ${this.limits.maxMessagesPerSession} messages`);
      if (n > 0) await tx.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, p.session]);
      return n;
    });
    return { stored };
  }

  async #readMessages(p: Party, step: { exact?: string; prefix?: string }): Promise<GetMessagesReply['messages']> {
    const rows = await this.#store.query<{ step: string; sender: number; seq: number; sealed: unknown }>(
      step.exact !== undefined
        ? 'SELECT step, sender, seq, sealed FROM cosign_messages WHERE session_id = $1 AND recipient = $2 AND step = $3 ORDER BY step, sender, seq'
        : 'SELECT step, sender, seq, sealed FROM cosign_messages WHERE session_id = $1 AND recipient = $2 AND left(step, length($3::text)) = $3::text ORDER BY step, sender, seq',
      [p.session, p.party, step.exact ?? step.prefix],
    );
    return rows.map((r) => ({
      step: r.step,
      from: r.sender,
      seq: r.seq,
      data: b64.encode(this.#cipher.open(where.message(p.session, p.party, r.step, r.sender, r.seq), bytesOf(r.sealed))),
    }));
  }

  /** `step=S` or `prefix=P`; `min=K` waits (up to `wait` ms) until at least K messages are there. */
  async #getMessages(p: Party, q: URLSearchParams): Promise<GetMessagesReply> {
    const exact = q.get('step') ?? undefined;
    const prefix = q.get('prefix') ?? undefined;
    if ((exact === undefined) === (prefix === undefined)) throw new CoordinatorError('bad_request', 'expected exactly one of step= or prefix=');
    const label = (exact ?? prefix)!;
    if (!(exact !== undefined ? STEP_PATTERN.test(label) : label === '' || STEP_PATTERN.test(label)))
      throw new CoordinatorError('bad_request', `step: expected ${STEP_PATTERN}, got ${JSON.stringify(label.slice(0, 80))}`);
    const num = (name: string, fallback: number, max: number) => {
      const v = q.get(name);
      if (v === null) return fallback;
      if (!/^\d{1,9}$/.test(v)) throw new CoordinatorError('bad_request', `${name}: expected a non-negative integer, got "${v.slice(0, 20)}"`);
      return Math.min(Number(v), max);
    };
    const min = num('min', 0, this.limits.maxMessagesPerSession);
    const deadline = this.#now() + num('wait', 0, this.limits.maxWaitMs);
    const sel = exact !== undefined ? { exact } : { prefix: prefix! };
    let messages = await this.#readMessages(p, sel);
    if (messages.length >= min || this.#now() >= deadline) return { messages };
    if (this.#waiting >= this.limits.maxWaiters) throw new CoordinatorError('busy', `${this.limits.maxWaiters} requests are already waiting; retry later`);
    this.#waiting++;
    try {
      while (messages.length < min && this.#now() < deadline && this.#server?.listening) {
        await this.#waitFor(p.session, Math.min(POLL_MS, deadline - this.#now()));
        messages = await this.#readMessages(p, sel);
      }
    } finally {
      this.#waiting--;
    }
    return { messages };
  }

  #waitFor(session: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiters.get(session) ?? new Set();
      this.#waiters.set(session, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.#waiters.delete(session);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Reads a JSON body of at most `max` bytes; a larger one is refused before it is read whole. */
async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new CoordinatorError('unsupported_media_type', `expected application/json, got "${type.slice(0, 60)}"`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) throw new CoordinatorError('body_too_large', `expected at most ${max} bytes, got Content-Length ${declared}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new CoordinatorError('body_too_large', `expected at most ${max} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(utf8.decode(new Uint8Array(Buffer.concat(chunks))));
  } catch {
    throw new CoordinatorError('bad_request', 'expected a JSON body');
  }
}
