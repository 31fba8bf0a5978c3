// Junk against the coordinator's port, as a hostile client or a web page would send it: every
// refusal is a typed JSON error with its HTTP status, no response carries CORS permission, refused
// requests store nothing, and the service keeps answering afterwards.

import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coordinator, CoordinatorClient, CosignParty, decodeInvite, hpkeKeyPair } from '../../coordinator/index.ts';
import type { SqlStore } from '../../coordinator/store/sql.ts';
import { b64, ERRORS } from '../../coordinator/wire.ts';
import { memoryCoordinator, PATH, tempDir } from './fixture.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

function raw(url: string, method: string, path: string, { headers = {}, body }: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function expectRefused(a: Answer, code: keyof typeof ERRORS): void {
  expect(a.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(a.status).toBe(ERRORS[code].status);
  expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Object.keys(a.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
}

const messageCount = async (store: SqlStore) => Number((await store.query<{ n: unknown }>('SELECT count(*) AS n FROM cosign_messages'))[0]!.n);

describe('the coordinator port under attack', () => {
  let coordinator: Coordinator;
  let url: string;
  let store: SqlStore;
  let session: string;
  let credential: string;
  let invites: string[];

  beforeAll(async () => {
    ({ coordinator, url, store } = await memoryCoordinator({ maxBody: 4096, maxMessagesPerSession: 3, maxSessions: 2, maxWaiters: 1 }));
    const { party, invites: inv } = await CosignParty.start(url, 3, PATH, { home: tempDir('attacks') });
    invites = inv;
    session = party.session;
    credential = party.state.credential;
  });
  afterAll(() => coordinator.close());

  const auth = () => ({ authorization: `Bearer ${credential}` });
  const post = (body: unknown) => raw(url, 'POST', `/v1/sessions/${session}/messages`, { headers: auth(), body: JSON.stringify(body) });
  const envelope = (to: number, fill: number) => ({ to, data: b64.encode(new Uint8Array(64).fill(fill)) });

  it('refuses web pages: any Origin, a foreign Host (DNS rebinding), and CORS preflights', async () => {
    expectRefused(await raw(url, 'GET', '/v1/info', { headers: { origin: 'https://evil.example' } }), 'origin_refused');
    expectRefused(await raw(url, 'GET', '/v1/info', { headers: { host: 'evil.example:80' } }), 'origin_refused');
    expectRefused(await raw(url, 'OPTIONS', '/v1/info'), 'method_not_allowed');
    expectRefused(
      await raw(url, 'OPTIONS', `/v1/sessions/${session}/messages`, { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } }),
      'origin_refused',
    );
    // A simple (no-preflight) cross-site form post: no Origin check would still fail on the media type.
    expectRefused(await raw(url, 'POST', '/v1/join', { headers: { 'content-type': 'text/plain' }, body: '{}' }), 'unsupported_media_type');
  });

  it('answers junk with typed errors', async () => {
    expectRefused(await raw(url, 'GET', '/'), 'not_found');
    expectRefused(await raw(url, 'GET', '/v1/../../etc/passwd'), 'not_found');
    expectRefused(await raw(url, 'DELETE', '/v1/info'), 'method_not_allowed');
    expectRefused(await raw(url, 'POST', '/v1/join', { body: '{not json' }), 'bad_request');
    expectRefused(await raw(url, 'POST', '/v1/join', { body: '[]' }), 'bad_request');
    expectRefused(await raw(url, 'POST', '/v1/join', { body: JSON.stringify({ pk: '00'.repeat(32), data: b64.encode(new Uint8Array(80)) }) }), 'sealed_request');
    expectRefused(await raw(url, 'GET', '/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA'), 'session_unknown');
    expectRefused(await raw(url, 'GET', `/v1/sessions/${session}`), 'unauthorized');
    expectRefused(await raw(url, 'GET', `/v1/sessions/${session}`, { headers: { authorization: `Bearer ${'A'.repeat(43)}` } }), 'unauthorized');
    expectRefused(await raw(url, 'GET', `/v1/sessions/${session}/messages?step=a&prefix=b`, { headers: auth() }), 'bad_request');
    expectRefused(await raw(url, 'GET', `/v1/sessions/${session}/messages?step=%00`, { headers: auth() }), 'bad_request');
    expectRefused(await post({ step: 'Bad Step', seq: 0, envelopes: [envelope(1, 1)] }), 'bad_request');
    expectRefused(await post({ step: 'x', seq: -1, envelopes: [envelope(1, 1)] }), 'bad_request');
    expectRefused(await post({ step: 'x', seq: 0, envelopes: [envelope(0, 1)] }), 'bad_request');
    expectRefused(await post({ step: 'x', seq: 0, envelopes: [envelope(1, 1), envelope(1, 2)] }), 'bad_request');
    expectRefused(await post({ step: 'x', seq: 0, envelopes: [envelope(7, 1)] }), 'bad_request');
    expect(await messageCount(store)).toBe(0);
  });

  it('refuses bodies over the limit, declared or streamed, and stores nothing', async () => {
    const big = JSON.stringify({ step: 'x', seq: 0, envelopes: [{ to: 1, data: 'A'.repeat(5000) }] });
    expectRefused(await post(JSON.parse(big)), 'body_too_large');
    // Chunked, without a Content-Length: refused while streaming.
    const chunked = await new Promise<Answer>((resolve, reject) => {
      const u = new URL(url);
      const req = request({ host: u.hostname, port: u.port, method: 'POST', path: `/v1/sessions/${session}/messages`, headers: { ...auth(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('A'.repeat(1000));
      req.end();
    });
    expectRefused(chunked, 'body_too_large');
    expect(await messageCount(store)).toBe(0);
  });

  it('keeps the first message at a step and sequence: a retry is a no-op, a different one a conflict', async () => {
    expect((await post({ step: 'x', seq: 0, envelopes: [envelope(1, 1)] })).body).toEqual({ stored: 1 });
    expect((await post({ step: 'x', seq: 0, envelopes: [envelope(1, 1)] })).body).toEqual({ stored: 0 });
    expectRefused(await post({ step: 'x', seq: 0, envelopes: [envelope(1, 9)] }), 'message_conflict');
    // A batch with one conflicting envelope stores none of it.
    expectRefused(await post({ step: 'x', seq: 0, envelopes: [envelope(2, 1), envelope(1, 9)] }), 'message_conflict');
    expect(await messageCount(store)).toBe(1);

    // The recipient sees it, by step or by prefix; the sender does not.
    const recipient = new CoordinatorClient(url);
    const joined = await recipient.join(decodeInvite(invites[0]!).token, hpkeKeyPair(), coordinator.publicKey);
    recipient.credential = joined.credential;
    const expected = { messages: [{ step: 'x', from: 0, seq: 0, data: envelope(1, 1).data }] };
    expect(await recipient.messages(session, { step: 'x' }, 1, 0)).toEqual(expected);
    expect(await recipient.messages(session, { prefix: '' }, 1, 0)).toEqual(expected);
    expect(await recipient.messages(session, { prefix: 'y' }, 0, 0)).toEqual({ messages: [] });
    expect((await raw(url, 'GET', `/v1/sessions/${session}/messages?prefix=`, { headers: auth() })).body).toEqual({ messages: [] });
  });

  it('enforces messages per session, sessions, and waiting requests', async () => {
    expect((await post({ step: 'y', seq: 0, envelopes: [envelope(1, 1), envelope(2, 1)] })).body).toEqual({ stored: 2 });
    expectRefused(await post({ step: 'z', seq: 0, envelopes: [envelope(1, 1)] }), 'message_limit');
    expect(await messageCount(store)).toBe(3);

    await CosignParty.start(url, 2, PATH, { home: tempDir('attacks') });
    const err = await CosignParty.start(url, 2, PATH, { home: tempDir('attacks') }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'E_COORDINATOR', reason: 'session_limit', status: 503 });

    // One waiting slot: of two long polls at once, one waits (and times out empty), the other is refused.
    const poll = () => raw(url, 'GET', `/v1/sessions/${session}/messages?step=never&min=1&wait=1500`, { headers: auth() });
    const answers = await Promise.all([poll(), poll()]);
    const busy = answers.filter((a) => a.status !== 200);
    expect(busy).toHaveLength(1);
    expectRefused(busy[0]!, 'busy');
    expect(answers.find((a) => a.status === 200)!.body).toEqual({ messages: [] });
  });

  it('expires sessions, then collects them', async () => {
    const brief = await Coordinator.open({ store, key: hpkeKeyPair(), limits: { sessionTtlMs: 1 } });
    const { url: briefUrl } = await brief.listen('127.0.0.1', 0);
    try {
      const { party } = await CosignParty.start(briefUrl, 2, PATH, { home: tempDir('brief') });
      await new Promise((r) => setTimeout(r, 5));
      const client = new CoordinatorClient(briefUrl);
      client.credential = party.state.credential;
      await expect(client.session(party.session)).rejects.toMatchObject({ reason: 'session_expired', status: 410 });
      expect(await brief.collectExpired()).toBeGreaterThanOrEqual(1);
      await expect(client.session(party.session)).rejects.toMatchObject({ reason: 'session_unknown', status: 404 });
    } finally {
      await brief.close();
    }
  });

  it('survives a flood of junk connections and keeps answering', async () => {
    const junk = Array.from({ length: 200 }, (_, i) =>
      new Promise<void>((resolve) => {
        const u = new URL(url);
        const s = connect(Number(u.port), u.hostname, () => s.end(i % 2 ? Buffer.from([0, 1, 2, 0xff, 13, 10, 13, 10]) : `GET /${'%'.repeat(i)} HTTP/1.1\r\nHost: x\r\n\r\n`));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      }),
    );
    await Promise.all(junk);
    const info = await new CoordinatorClient(url).info();
    expect(info.publicKey).toBe(Buffer.from(coordinator.publicKey).toString('hex'));
  });
});
