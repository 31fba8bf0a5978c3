// The cosigning flow in one process over the coordinator's real HTTP port, on a PGlite directory:
// three parties with software keys exchange keys and spend, and so do a Bitcoin app, a Taproot
// Assets app (emulated, in process) and a software key together; then what a coordinator or an
// outsider could try — a replayed or expired invite, and a malicious coordinator (a proxy in front
// of the real one) that tampers with, replays or re-labels ciphertexts — is refused; last, the
// store's files, read raw, hold no key, nonce, signature or PSBT of the session in clear. A FROST
// 2-of-3 session (docs/frost.md) runs its DKG and two spends by different pairs through it too.

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { base64, base64urlnopad } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../apdu/bytes.ts';
import { parseKeyInfo } from '../../bitcoin/key-info.ts';
import {
  BitcoinAppCosigner,
  Coordinator,
  CoordinatorClient,
  CosignParty,
  decodeInvite,
  frostKeyGen,
  frostSign,
  hpkeKeyPair,
  PartyHome,
  type Cosigner,
  type GetMessagesReply,
  type HpkeKeyPair,
  type MusigInput,
  type PolicyResult,
  type SignResult,
  TapAppCosigner,
} from '../../coordinator/index.ts';
import { openPglite } from '../../coordinator/store/pglite.ts';
import type { SqlStore } from '../../coordinator/store/sql.ts';
import type { MusigSigner } from '../../host/musig2/signer.ts';
import { LoopbackTransport } from '../../devices/loopback.ts';
import { deviceOptions, EmulatedDevice } from '../../emulator/index.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { SEEDS, tapDevice } from '../e2e/helpers.ts';
import { expectFrostSpend, expectSignedSpend, frostSpendPsbt, MNEMONICS, PATH, softwareCosigner, spendPsbt, tempDir } from './fixture.ts';

/** A software cosigner that remembers every public nonce and partial signature it produced. */
class Recording implements Cosigner {
  readonly secrets: Uint8Array[] = [];
  constructor(readonly inner: Cosigner) {}
  get name() {
    return this.inner.name;
  }
  async keyInfo(path: string) {
    const k = await this.inner.keyInfo(path);
    this.secrets.push(utf8.encode(k), parseKeyInfo(k).xpub.hd.publicKey!);
    return k;
  }
  register(policy: Parameters<Cosigner['register']>[0]) {
    return this.inner.register(policy);
  }
  async musigSigner(input: MusigInput): Promise<MusigSigner> {
    const inner = await this.inner.musigSigner(input);
    return {
      name: inner.name,
      publicKey: inner.publicKey,
      round1: async (session) => {
        const r1 = await inner.round1(session);
        this.secrets.push(r1.pubnonce);
        return { pubnonce: r1.pubnonce, round2: async (i) => this.remember(await r1.round2(i)) };
      },
    };
  }
  private remember(b: Uint8Array) {
    this.secrets.push(b);
    return b;
  }
}

/** A malicious coordinator: forwards to the real one and rewrites what parties receive. */
async function proxy(target: string, rewrite: (step: string, reply: GetMessagesReply) => GetMessagesReply): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(target + req.url, {
      method: req.method!,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k === 'authorization' || k === 'content-type')) as Record<string, string>,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    let text = await upstream.text();
    const step = new URL(req.url!, target).searchParams.get('step');
    if (upstream.ok && req.method === 'GET' && step) text = JSON.stringify(rewrite(step, JSON.parse(text)));
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const flip = (data: string) => {
  const b = base64urlnopad.decode(data);
  b[b.length - 1]! ^= 1;
  return base64urlnopad.encode(b);
};

describe('cosigning through the coordinator (in process, software keys)', () => {
  const dir = tempDir('coordinator-pglite');
  let store: SqlStore;
  let coordinator: Coordinator;
  let key: HpkeKeyPair;
  let url: string;
  const secrets: Uint8Array[] = [];
  const texts: string[] = [];
  let session = '';

  beforeAll(async () => {
    store = await openPglite(dir);
    key = hpkeKeyPair();
    coordinator = await Coordinator.open({ store, key });
    ({ url } = await coordinator.listen('127.0.0.1', 0));
  });
  afterAll(async () => {
    await coordinator.close();
    await store.close().catch(() => {});
  });

  it('FROST 2-of-3 (docs/frost.md): two Taproot Assets apps and a software party make one key set; any two sign, one sitting out', async () => {
    const signers: Cosigner[] = [new TapAppCosigner(tapDevice().client, 'device 0'), new TapAppCosigner(tapDevice({ seed: SEEDS.abandon }).client, 'device 1'), softwareCosigner(2)];
    const homes = [0, 1, 2].map((i) => tempDir(`frost-${i}`));
    const { party: p0, invites } = await CosignParty.start(url, 3, PATH, { home: homes[0] }, { scheme: 'frost', threshold: 2 });
    const joined = await Promise.all(invites.map((inv, i) => CosignParty.join(url, inv, PATH, { home: homes[i + 1] })));
    const parties = [p0, ...joined];
    const keySets = await Promise.all(parties.map((p, i) => frostKeyGen(p, signers[i]!)));
    for (const k of keySets) expect(k).toEqual(keySets[0]);
    expect(keySets[0]).toMatchObject({ scheme: 'frost', threshold: 2, parties: 3 });
    expect(keySets[0]!.address).toMatch(/^tb1p/);

    // Spend 1 by parties 0 and 2 (party 1 sits out); spend 2 by parties 0 and 1, from state on disk.
    const one = await Promise.all([frostSign(p0, signers[0]!, frostSpendPsbt(keySets[0]!, 1), [0, 2]), frostSign(parties[2]!, signers[2]!)]);
    expectFrostSpend(keySets[0]!, one[0].psbt!, one[0].signature);
    expect(one[1].signature).toBe(one[0].signature);
    const reloaded = await Promise.all([0, 1].map((i) => CosignParty.load(url, p0.session, { home: homes[i] })));
    const two = await Promise.all([frostSign(reloaded[0]!, signers[0]!, frostSpendPsbt(keySets[0]!, 2), [0, 1]), frostSign(reloaded[1]!, signers[1]!)]);
    expectFrostSpend(keySets[0]!, two[0].psbt!, two[0].signature);
    expect(two[0].round).toBe(2);
    expect(two[1].round).toBe(2);

    // One signer is not a threshold.
    await expect(frostSign(reloaded[0]!, signers[0]!, frostSpendPsbt(keySets[0]!, 3), [0])).rejects.toMatchObject({ name: 'CosignError' });
  });

  it('three parties exchange keys, agree on one policy and sign a spend', async () => {
    const homes = [tempDir('p0'), tempDir('p1'), tempDir('p2')];
    const signers = [0, 1, 2].map((i) => new Recording(softwareCosigner(i)));
    const { party: p0, invites } = await CosignParty.start(url, 3, PATH, { home: homes[0] });
    expect(invites).toHaveLength(2);
    const joined = await Promise.all(invites.map((inv, i) => CosignParty.join(url, inv, PATH, { home: homes[i + 1] })));
    const parties = [p0, ...joined];
    const policies: PolicyResult[] = await Promise.all(parties.map((p, i) => p.exchangeKeys(signers[i]!)));
    expect(policies[0]!.policy).toBe('tr(musig(@0,@1,@2)/**)');
    expect(policies[1]).toEqual(policies[0]);
    expect(policies[2]).toEqual(policies[0]);
    expect(policies[0]!.hmac).toBeNull();

    const psbt = spendPsbt(policies[0]!);
    // `cosign sign` runs in a new process: each party reloads its state from its home directory.
    const results: SignResult[] = await Promise.all(
      [0, 1, 2].map((i) => CosignParty.load(url, p0.session, { home: homes[i] }).then((p) => p.sign(signers[i]!, i === 0 ? psbt : undefined))),
    );
    expect(results[1]!.signature).toBe(results[0]!.signature);
    expect(results[2]!.signature).toBe(results[0]!.signature);
    expectSignedSpend(policies[0]!, results[0]!.psbt!, results[0]!.signature);

    // What the raw-store test below must not find.
    for (const s of signers) secrets.push(...s.secrets);
    for (const p of parties) secrets.push(p.state.roster!.map((k) => Buffer.from(k, 'hex')).reduce((a, b) => Buffer.concat([a, b])), Buffer.from(p.state.secretKey, 'hex'));
    for (const inv of invites) secrets.push(decodeInvite(inv).token, decodeInvite(inv).secret);
    secrets.push(Buffer.from(results[0]!.signature, 'hex'));
    for (let i = 0; i + 24 <= psbt.length; i += 24) secrets.push(psbt.slice(i, i + 24));
    session = p0.session;
    texts.push(results[0]!.psbt!, p0.state.credential, ...policies[0]!.keys);
  });

  it('parties with different signers: the Bitcoin app, the Taproot Assets app and a software key', async () => {
    const btcDevice = new EmulatedDevice(deviceOptions({ seed: MNEMONICS[0], autoApprove: true }));
    const tap = tapDevice({ seed: MNEMONICS[1] });
    const signers: Cosigner[] = [new BitcoinAppCosigner(new BitcoinAppClient(new LoopbackTransport(btcDevice))), new TapAppCosigner(tap.client), softwareCosigner(2)];
    const paths = ["m/86'/1'/0'", "m/1017'/1'/212'/0/2", PATH];
    const { party: p0, invites } = await CosignParty.start(url, 3, paths[0]!, { home: tempDir('mix') });
    const joined = await Promise.all(invites.map((inv, i) => CosignParty.join(url, inv, paths[i + 1]!, { home: tempDir('mix') })));
    const parties = [p0, ...joined];
    const policies = await Promise.all(parties.map((p, i) => p.exchangeKeys(signers[i]!)));
    // One policy; only the Bitcoin app keeps a registration (an HMAC).
    expect(policies.map((p) => ({ ...p, hmac: undefined }))).toEqual(Array(3).fill({ ...policies[0], hmac: undefined }));
    expect(policies.map((p) => p.hmac === null)).toEqual([false, true, true]);
    const results = await Promise.all(parties.map((p, i) => p.sign(signers[i]!, i === 0 ? spendPsbt(policies[0]!) : undefined)));
    expectSignedSpend(policies[0]!, results[0]!.psbt!, results[0]!.signature);
    expect(results.map((r) => r.signature)).toEqual(Array(3).fill(results[0]!.signature));
  });

  it('refuses a replayed invite, keeps a retried join idempotent, and refuses an expired invite', async () => {
    const { invites } = await CosignParty.start(url, 2, PATH, { home: tempDir('inv') });
    const invite = decodeInvite(invites[0]!);
    const client = new CoordinatorClient(url);
    const invitee = hpkeKeyPair();
    const joined = await client.join(invite.token, invitee, key.publicKey);
    // The same key again (its reply was lost): the same answer.
    expect(await client.join(invite.token, invitee, key.publicKey)).toEqual(joined);
    // Anyone else: refused, and the session still holds the first key.
    await expect(client.join(invite.token, hpkeKeyPair(), key.publicKey)).rejects.toMatchObject({ code: 'E_COORDINATOR', reason: 'invite_used', status: 409 });
    await expect(CosignParty.join(url, invites[0]!, PATH, { home: tempDir('inv') })).rejects.toMatchObject({ reason: 'invite_used' });
    client.credential = joined.credential;
    expect((await client.session(joined.session)).keys[1]).toBe(toHex(invitee.publicKey));
    await expect(client.join(new Uint8Array(32), hpkeKeyPair(), key.publicKey)).rejects.toMatchObject({ reason: 'invite_unknown', status: 404 });

    // A second coordinator on the same store whose invites live 1 ms.
    const hasty = await Coordinator.open({ store, key, limits: { inviteTtlMs: 1 } });
    const { url: hastyUrl } = await hasty.listen('127.0.0.1', 0);
    try {
      const { invites: late } = await CosignParty.start(hastyUrl, 2, PATH, { home: tempDir('inv') });
      await new Promise((r) => setTimeout(r, 5));
      await expect(CosignParty.join(hastyUrl, late[0]!, PATH, { home: tempDir('inv') })).rejects.toMatchObject({ reason: 'invite_expired', status: 410 });
    } finally {
      await hasty.close();
    }
  });

  it.each([
    ['tampers with a ciphertext', 'keys', (r: GetMessagesReply) => ({ messages: r.messages.map((m) => ({ ...m, data: flip(m.data) })) })],
    ['swaps the senders of two ciphertexts', 'keys', (r: GetMessagesReply) => ({ messages: r.messages.map((m, i, all) => ({ ...m, from: all[(i + 1) % all.length]!.from })) })],
    ['replays an earlier step as a later one', 'policy', (r: GetMessagesReply, old?: GetMessagesReply) => ({ messages: (old ?? r).messages.map((m) => ({ ...m, step: 'policy' })) })],
  ] as const)('a coordinator that %s is caught by the recipient', async (_, target, rewrite) => {
    let keysReply: GetMessagesReply | undefined;
    const evil = await proxy(url, (step, reply) => {
      if (step === 'keys' && reply.messages.length > 0) keysReply = reply;
      return step === target && reply.messages.length > 0 ? rewrite(reply, keysReply) : reply;
    });
    try {
      const opts = (tag: string) => ({ home: tempDir(tag), stepTimeoutMs: 3_000, retryMs: 3_000 });
      const { party: p0, invites } = await CosignParty.start(evil.url, 3, PATH, opts('t0'));
      const [p1, p2] = await Promise.all(invites.map((inv) => CosignParty.join(evil.url, inv, PATH, opts('t1'))));
      const outcomes = await Promise.allSettled([p0, p1!, p2!].map((p, i) => p.exchangeKeys(softwareCosigner(i))));
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => (o.reason as Error).name);
      // Every party got rewritten messages at that step: none completes, and each says why.
      expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
      expect(refused).toContain('EnvelopeError');
      for (const o of outcomes) expect(String((o as PromiseRejectedResult).reason.message)).toMatch(/does not open|within 3000 ms/);
    } finally {
      evil.server.close();
    }
  });

  it('a coordinator that repeats one sender in place of another delays the step, and the parties say who is missing', async () => {
    const evil = await proxy(url, (step, reply) => (step === 'keys' && reply.messages.length > 1 ? { messages: reply.messages.map(() => reply.messages[0]!) } : reply));
    try {
      const opts = (tag: string) => ({ home: tempDir(tag), stepTimeoutMs: 2_000, retryMs: 2_000 });
      const { party: p0, invites } = await CosignParty.start(evil.url, 3, PATH, opts('d0'));
      const [p1, p2] = await Promise.all(invites.map((inv) => CosignParty.join(evil.url, inv, PATH, opts('d1'))));
      const outcomes = await Promise.allSettled([p0, p1!, p2!].map((p, i) => p.exchangeKeys(softwareCosigner(i))));
      for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'E_COSIGN', message: expect.stringMatching(/^step keys: no message from party \d within 2000 ms$/) });
    } finally {
      evil.server.close();
    }
  });

  it('keeps a second opener off the PGlite directory while it is open', async () => {
    await expect(openPglite(dir)).rejects.toMatchObject({ code: 'E_STORE_LOCKED', message: expect.stringContaining(`process ${process.pid}`) });
  });

  it('refuses a coordinator key other than the pinned one, and other than the one the invite names', async () => {
    const home = tempDir('pins');
    const { invites } = await CosignParty.start(url, 2, PATH, { home });
    const impostor = await Coordinator.open({ store, key: hpkeKeyPair() });
    const { url: impostorUrl } = await impostor.listen('127.0.0.1', 0);
    try {
      // The pin is per URL: pin the impostor's URL as if it had shown the real key before.
      await new PartyHome(home).pin(impostorUrl, key.publicKey);
      await expect(CosignParty.start(impostorUrl, 2, PATH, { home })).rejects.toMatchObject({ code: 'E_PIN_MISMATCH', message: expect.stringContaining('pinned key') });
      // A fresh party with the invite: the invite names the real key, the impostor shows another.
      await expect(CosignParty.join(impostorUrl, invites[0]!, PATH, { home: tempDir('pins') })).rejects.toMatchObject({ code: 'E_PIN_MISMATCH', message: expect.stringContaining('the invite names key') });
    } finally {
      await impostor.close();
    }
  });

  it('stores nothing of the session in clear: the PGlite files, read raw, hold no key, nonce, signature or PSBT', async () => {
    expect(secrets.length).toBeGreaterThan(20);
    await coordinator.close();
    await store.close();
    const files = (readdirSync(dir, { recursive: true }) as string[]).map((f) => join(dir, f)).filter((f) => {
      try {
        return readFileSync(f).length >= 0;
      } catch {
        return false;
      }
    });
    const blob = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(blob.length).toBeGreaterThan(1_000_000);
    // The scan does find what is stored in clear: the session id (routing needs it).
    expect(blob.includes(Buffer.from(session))).toBe(true);
    for (const s of secrets) {
      const b = Buffer.from(s);
      for (const form of [b, Buffer.from(b.toString('hex')), Buffer.from(base64urlnopad.encode(b)), Buffer.from(base64.encode(b))])
        expect(blob.includes(form), `found ${b.toString('hex').slice(0, 32)}… in the store`).toBe(false);
    }
    for (const t of texts) expect(blob.includes(Buffer.from(t)), `found "${t.slice(0, 24)}…" in the store`).toBe(false);
  });
});
