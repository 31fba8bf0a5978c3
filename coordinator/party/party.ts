// A party of a cosigning session through the coordinator (docs/coordinator.md §2, after Blockchain
// Commons' "MuSig2 Sequence Diagrams", 3-of-3 with a coordinator). Steps, each a label the
// coordinator routes without reading:
//
//   hello        invitee -> initiator, sealed with the invite's secret: "this key took my invite"
//   roster       initiator -> invitee, sealed with the same secret: every party's HPKE key
//   keys         everyone -> everyone: the signer's key info [fpr/path]xpub
//   policy       everyone -> everyone: the BIP-388 policy id each derived; all must agree before
//                any device is asked to register it
//   psbt/K       initiator -> everyone: the K-th spend
//   nonce/K      everyone -> everyone: the MuSig2 public nonce (round 1)
//   psig/K       everyone -> everyone: the partial signature (round 2)
//   final/K      everyone -> everyone: the aggregate signature; all must agree
//
// Every message is sealed (HPKE auth mode) from the sender's key to the recipient's, with session,
// sender, recipient, step and sequence number as associated data. A party waits on the coordinator
// with retries, so a coordinator killed and restarted on the same store costs only time.

import { schnorr } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { nonceAggregate, Session } from '@scure/btc-signer/musig2.js';
import { equal, fromHex, toHex, utf8 } from '../../apdu/bytes.ts';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { parseKeyInfo } from '../../bitcoin/key-info.ts';
import { aggregateFingerprint, musigContexts, type MusigKeyContext } from '../../bitcoin/musig/context.ts';
import { walletPolicy, walletPolicyId, type WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import { musigSession } from '../../host/musig2/session.ts';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hpkeKeyPair, openMessage, sealMessage, type HpkeKeyPair, type InvitePsk } from '../envelope.ts';
import { decodeInvite, encodeInvite } from '../invite.ts';
import { b64 } from '../wire.ts';
import { CoordinatorClient, type ClientOptions } from './client.ts';
import type { Cosigner } from './cosigners.ts';
import { PartyHome, type PartyPolicy, type PartyState } from './home.ts';
import { CoordinatorLayerError } from '../errors.ts';

export interface CosignOptions extends ClientOptions {
  /** Where pins and session state live (default: $TAPROOT_HW_HOME or ~/.taproot-hw). */
  home?: string;
  /** How long to wait for the other parties at each step, ms. */
  stepTimeoutMs?: number;
  /** Told each step this party completed, e.g. "nonce/1 received from 1,2". */
  onProgress?: (line: string) => void;
}

export interface PolicyResult {
  policy: string;
  name: string;
  keys: string[];
  id: string;
  hmac: string | null;
  address: string;
}

export interface SignResult {
  /** The aggregate BIP-340 signature (hex). */
  signature: string;
  round: number;
  /** The initiator's: the PSBT with the signature, finalized (base64). */
  psbt?: string;
  txid?: string;
}

const MUSIG2 = 'musig2';
const FROST = 'frost';

/** What kind of session `start` creates. */
export type SessionScheme = { scheme: 'musig2' } | { scheme: 'frost'; threshold: number };
const LONG_POLL_MS = 20_000;

export class CosignParty {
  private constructor(
    readonly state: PartyState,
    /** @internal The client, store and routing helpers below are shared with the FROST steps (frost.ts). */
    readonly client: CoordinatorClient,
    readonly home: PartyHome,
    private readonly keys: HpkeKeyPair,
    readonly opts: CosignOptions,
  ) {}

  get stepTimeoutMs(): number {
    return this.opts.stepTimeoutMs ?? 600_000;
  }

  get session(): string {
    return this.state.session;
  }

  get party(): number {
    return this.state.party;
  }

  private static async connect(url: string, opts: CosignOptions, expectedKey?: Uint8Array) {
    const client = new CoordinatorClient(url, opts);
    const home = new PartyHome(opts.home);
    const { key } = await client.info();
    await home.pin(client.url, key, expectedKey);
    return { client, home, key };
  }

  /**
   * Step 0 for the initiator: a session of `parties` and one invite for each other party. `scheme`
   * FROST makes a t-of-n key set (docs/frost.md) in place of the MuSig2 wallet.
   */
  static async start(url: string, parties: number, path: string, opts: CosignOptions = {}, scheme: SessionScheme = { scheme: MUSIG2 }): Promise<{ party: CosignParty; invites: string[] }> {
    if (scheme.scheme === FROST && (!Number.isInteger(scheme.threshold) || scheme.threshold! < 2 || scheme.threshold! > parties))
      throw new CoordinatorLayerError('E_COSIGN', `threshold: expected 2..${parties} for a FROST session, got ${scheme.threshold}`);
    const { client, home, key } = await CosignParty.connect(url, opts);
    const keys = hpkeKeyPair();
    const r = await client.createSession(scheme.scheme === FROST ? { scheme: FROST, parties, threshold: scheme.threshold! } : { scheme: MUSIG2, parties }, keys, key);
    if (r.invites.length !== parties - 1) throw new CoordinatorLayerError('E_COSIGN', `coordinator: expected ${parties - 1} invites, got ${r.invites.length}`);
    const secrets = r.invites.map(() => randomBytes(32));
    const invites = r.invites.map((token, i) =>
      encodeInvite({ party: i + 1, token: b64.decode(token, 'invite'), coordinatorKey: key, initiatorKey: keys.publicKey, secret: secrets[i]! }),
    );
    const state: PartyState = {
      version: 1,
      coordinator: client.url,
      coordinatorKey: toHex(key),
      session: r.session,
      scheme: scheme.scheme,
      ...(scheme.scheme === FROST ? { threshold: scheme.threshold! } : {}),
      party: 0,
      parties,
      path,
      secretKey: toHex(keys.secretKey),
      credential: r.credential,
      inviteSecrets: [null, ...secrets.map(toHex)],
      rounds: 0,
    };
    await home.save(state);
    client.credential = r.credential;
    return { party: new CosignParty(state, client, home, keys, opts), invites };
  }

  /** Step 0 for an invitee: pins the coordinator key the invite names and spends the invite. */
  static async join(url: string, inviteText: string, path: string, opts: CosignOptions = {}): Promise<CosignParty> {
    const invite = decodeInvite(inviteText);
    const { client, home, key } = await CosignParty.connect(url, opts, invite.coordinatorKey);
    const keys = hpkeKeyPair();
    const r = await client.join(invite.token, keys, key);
    if (r.party !== invite.party) throw new CoordinatorLayerError('E_COSIGN', `coordinator: the invite is for party ${invite.party}, the coordinator says ${r.party}`);
    if (r.scheme !== MUSIG2 && r.scheme !== FROST) throw new CoordinatorLayerError('E_COSIGN', `coordinator: expected a ${MUSIG2} or ${FROST} session, got ${r.scheme}`);
    if (r.scheme === FROST && (r.threshold === undefined || r.threshold < 2 || r.threshold > r.parties))
      throw new CoordinatorLayerError('E_COSIGN', `coordinator: a FROST session needs a threshold of 2..${r.parties}, got ${r.threshold}`);
    const state: PartyState = {
      version: 1,
      coordinator: client.url,
      coordinatorKey: toHex(key),
      session: r.session,
      scheme: r.scheme,
      ...(r.scheme === FROST ? { threshold: r.threshold! } : {}),
      party: r.party,
      parties: r.parties,
      path,
      secretKey: toHex(keys.secretKey),
      credential: r.credential,
      inviteSecrets: Array.from({ length: r.parties }, (_, i) => (i === r.party ? toHex(invite.secret) : null)),
      // The initiator's key comes from the invite, never from the coordinator.
      roster: Array.from({ length: r.parties }, (_, i) => (i === 0 ? toHex(invite.initiatorKey) : '')),
      rounds: 0,
    };
    await home.save(state);
    client.credential = r.credential;
    return new CosignParty(state, client, home, keys, opts);
  }

  /** A party of an existing session, from its state file (for `cosign sign` in a new process). */
  static async load(url: string, session: string, opts: CosignOptions = {}): Promise<CosignParty> {
    const home = new PartyHome(opts.home);
    const state = await home.load(session);
    const client = new CoordinatorClient(url, opts);
    if (client.url !== state.coordinator) throw new CoordinatorLayerError('E_COSIGN', `session ${session} runs on ${state.coordinator}, not ${client.url}`);
    const { key } = await client.info();
    await home.pin(client.url, key, fromHex(state.coordinatorKey));
    client.credential = state.credential;
    return new CosignParty(state, client, home, hpkeKeyPair(fromHex(state.secretKey)), opts);
  }

  others(): number[] {
    return Array.from({ length: this.state.parties }, (_, i) => i).filter((i) => i !== this.state.party);
  }

  private psk(other: number): InvitePsk {
    const invitee = this.state.party === 0 ? other : this.state.party;
    return { party: invitee, secret: fromHex(this.state.inviteSecrets[invitee]!) };
  }

  private rosterKey(party: number): Uint8Array {
    const k = this.state.roster?.[party];
    if (!k) throw new CoordinatorLayerError('E_COSIGN', `party ${party}: no key in the roster yet`);
    return fromHex(k);
  }

  /** Seals `payloads` (by recipient) for `step` and posts them; a retry posts the same bytes. */
  async send(step: string, payloads: Map<number, Uint8Array>, opts: { psk?: boolean; recipientKey?: (to: number) => Uint8Array } = {}): Promise<void> {
    const envelopes = [];
    for (const [to, plaintext] of payloads) {
      const address = { session: this.session, from: this.party, to, step, seq: 0 };
      const recipient = opts.recipientKey ? opts.recipientKey(to) : this.rosterKey(to);
      envelopes.push({ to, data: b64.encode(await sealMessage(address, plaintext, this.keys, recipient, opts.psk ? this.psk(to) : undefined)) });
    }
    await this.client.post(this.session, { step, seq: 0, envelopes });
    this.opts.onProgress?.(`${step} sent to ${[...payloads.keys()].join(',')}`);
  }

  broadcast(step: string, payload: Uint8Array): Promise<void> {
    return this.send(step, new Map(this.others().map((to) => [to, payload])));
  }

  /** Waits for `step` from each of `from` and opens each message; one that does not open names its sender. */
  async receive(step: string, from: number[], opts: { psk?: boolean; senderKey?: (party: number) => Uint8Array | Promise<Uint8Array> } = {}): Promise<Map<number, Uint8Array>> {
    const deadline = Date.now() + this.stepTimeoutMs;
    for (;;) {
      const { messages } = await this.client.messages(this.session, { step }, from.length, Math.min(LONG_POLL_MS, Math.max(0, deadline - Date.now())));
      const got = messages.filter((m) => m.step === step && m.seq === 0 && from.includes(m.from));
      // Counted by sender: a coordinator that repeats one sender's message in place of another's
      // has not delivered the other one.
      if (from.every((f) => got.some((m) => m.from === f))) {
        const out = new Map<number, Uint8Array>();
        for (const m of got) {
          const address = { session: this.session, from: m.from, to: this.party, step, seq: 0 };
          const sender = opts.senderKey ? await opts.senderKey(m.from) : this.rosterKey(m.from);
          out.set(m.from, await openMessage(address, b64.decode(m.data, 'message'), this.keys, sender, opts.psk ? this.psk(m.from) : undefined));
        }
        this.opts.onProgress?.(`${step} received from ${from.join(',')}`);
        return out;
      }
      if (Date.now() >= deadline) {
        const missing = from.filter((f) => !got.some((m) => m.from === f));
        throw new CoordinatorLayerError('E_COSIGN', `step ${step}: no message from part${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')} within ${this.stepTimeoutMs} ms`);
      }
    }
  }

  /**
   * Steps 0.7 to 1: authenticates every party's HPKE key through the initiator, exchanges the
   * signers' key info, agrees on the policy id, then registers the policy with this party's signer.
   */
  async exchangeKeys(signer: Cosigner): Promise<PolicyResult> {
    if (this.state.scheme !== MUSIG2) throw new CoordinatorLayerError('E_COSIGN', `session ${this.session} is a ${this.state.scheme} session: run its key generation instead`);
    await this.authenticateRoster();
    const s = this.state;
    const own = await signer.keyInfo(s.path);
    await this.broadcast('keys', utf8.encode(own));
    const received = await this.receive('keys', this.others());
    const keyInfos = Array.from({ length: s.parties }, (_, i) => (i === s.party ? own : utf8.decode(received.get(i)!)));
    keyInfos.forEach((k, i) => {
      try {
        parseKeyInfo(k);
      } catch (err) {
        throw new CoordinatorLayerError('E_COSIGN', `party ${i}: sent key info that does not parse: ${(err as Error).message}`);
      }
    });
    const template = `tr(musig(${keyInfos.map((_, i) => `@${i}`).join(',')})/**)`;
    const policy = walletPolicy(`Cosign ${this.session.slice(0, 8)}`, template, keyInfos);
    const id = walletPolicyId(policy);
    await this.broadcast('policy', id);
    for (const [from, theirs] of await this.receive('policy', this.others()))
      if (!equal(theirs, id)) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: derived policy id ${toHex(theirs)}, this party ${toHex(id)}: the parties saw different keys`);

    const reg = await signer.register(policy);
    if (!equal(reg.id, id)) throw new CoordinatorLayerError('E_COSIGN', `${signer.name}: registered policy id ${toHex(reg.id)}, expected ${toHex(id)}`);
    const result: PartyPolicy = { name: policy.name, template, keys: keyInfos, id: toHex(id), hmac: reg.hmac ? toHex(reg.hmac) : null, address: reg.address };
    s.policy = result;
    await this.home.save(s);
    return { policy: template, name: result.name, keys: keyInfos, id: result.id, hmac: result.hmac, address: result.address };
  }

  /** Steps 0.7 and 0.8: every party's HPKE key, authenticated through the initiator with the invite secrets. */
  async authenticateRoster(): Promise<void> {
    const s = this.state;
    if (s.party === 0) {
      if (!s.roster) {
        // The coordinator names each invitee's key; the hello, sealed with that invite's secret, proves it.
        let keys: (string | null)[] = [];
        await this.receive('hello', this.others(), {
          psk: true,
          senderKey: async (p) => {
            if (keys.length === 0) keys = (await this.client.session(this.session)).keys;
            const k = keys[p];
            if (typeof k !== 'string' || !/^[0-9a-f]{64}$/.test(k)) throw new CoordinatorLayerError('E_COSIGN', `coordinator: no key for party ${p}, who sent a hello`);
            return fromHex(k);
          },
        });
        s.roster = keys.map((k, i) => (i === 0 ? toHex(this.keys.publicKey) : k!));
        await this.home.save(s);
      }
      await this.send('roster', new Map(this.others().map((to) => [to, utf8.encode(JSON.stringify(s.roster))])), { psk: true });
    } else {
      await this.send('hello', new Map([[0, utf8.encode('hello')]]), { psk: true, recipientKey: () => this.rosterKey(0) });
      const roster = JSON.parse(utf8.decode((await this.receive('roster', [0], { psk: true })).get(0)!)) as unknown;
      if (!Array.isArray(roster) || roster.length !== s.parties || !roster.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/.test(k)))
        throw new CoordinatorLayerError('E_COSIGN', `party 0: expected a roster of ${s.parties} keys`);
      if (roster[0] !== s.roster![0] || roster[s.party] !== toHex(this.keys.publicKey))
        throw new CoordinatorLayerError('E_COSIGN', 'party 0: the roster does not hold the initiator key of the invite and this party key');
      s.roster = roster as string[];
      await this.home.save(s);
    }
  }

  private walletPolicy(): { policy: WalletPolicy; hmac: Uint8Array | null } {
    const p = this.state.policy;
    if (!p) throw new CoordinatorLayerError('E_COSIGN', `session ${this.session}: the key exchange has not completed; run cosign start or join first`);
    return { policy: walletPolicy(p.name, p.template, p.keys), hmac: p.hmac === null ? null : fromHex(p.hmac) };
  }

  /** Steps 2 to 4: the initiator passes the PSBT; everyone else waits for the next one. */
  async sign(signer: Cosigner, psbt?: Uint8Array): Promise<SignResult> {
    const s = this.state;
    if (s.scheme !== MUSIG2) throw new CoordinatorLayerError('E_COSIGN', `session ${this.session} is a ${s.scheme} session: sign it with frostSign`);
    const { policy, hmac } = this.walletPolicy();
    let round: number;
    if (s.party === 0) {
      if (!psbt) throw new CoordinatorLayerError('E_COSIGN', 'the initiator (party 0) proposes the spend: give the PSBT');
      round = s.rounds + 1;
      await this.broadcast(`psbt/${round}`, psbt);
    } else {
      if (psbt) throw new CoordinatorLayerError('E_COSIGN', `party ${s.party}: only the initiator (party 0) proposes a spend; run sign without a PSBT`);
      round = s.rounds + 1;
      psbt = (await this.receive(`psbt/${round}`, [0])).get(0)!;
    }

    const { tx, inputIndex, ctx, sighash } = spendOf(psbt, policy);
    const session = musigSession(ctx, sighash);
    const keyInfos = policy.keys.map((k) => parseKeyInfo(k));
    const participantOf = (party: number) => {
      const key = keyInfos[party]!.xpub.hd.publicKey!;
      const i = session.participants.findIndex((p) => equal(p, key));
      if (i < 0) throw new CoordinatorLayerError('E_COSIGN', `party ${party}: its key is not a participant of the spent output`);
      return i;
    };
    const musig = await signer.musigSigner({ psbt, policy, hmac, inputIndex, publicKey: keyInfos[s.party]!.xpub.hd.publicKey!, path: s.path });
    if (!equal(musig.publicKey, keyInfos[s.party]!.xpub.hd.publicKey!))
      throw new CoordinatorLayerError('E_COSIGN', `${signer.name}: signs for ${toHex(musig.publicKey)}, expected this party's key ${toHex(keyInfos[s.party]!.xpub.hd.publicKey!)}`);

    const r1 = await musig.round1(session);
    await this.broadcast(`nonce/${round}`, r1.pubnonce);
    const pubnonces: Uint8Array[] = new Array(s.parties);
    pubnonces[participantOf(s.party)] = r1.pubnonce;
    for (const [from, nonce] of await this.receive(`nonce/${round}`, this.others())) {
      if (nonce.length !== 66) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: sent a public nonce of ${nonce.length} bytes, expected 66`);
      pubnonces[participantOf(from)] = nonce;
    }
    let aggnonce: Uint8Array;
    try {
      aggnonce = nonceAggregate(pubnonces);
    } catch (err) {
      const idx = (err as { idx?: number }).idx;
      const party = idx === undefined ? undefined : Array.from({ length: s.parties }, (_, p) => p).find((p) => participantOf(p) === idx);
      throw new CoordinatorLayerError('E_COSIGN', `party ${party ?? '?'}: sent a public nonce that is not two curve points`);
    }

    const psig = await r1.round2({ aggnonce, pubnonces });
    await this.broadcast(`psig/${round}`, psig);
    const psigs: Uint8Array[] = new Array(s.parties);
    psigs[participantOf(s.party)] = psig;
    for (const [from, p] of await this.receive(`psig/${round}`, this.others())) {
      if (p.length !== 32) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: sent a partial signature of ${p.length} bytes, expected 32`);
      psigs[participantOf(from)] = p;
    }
    const verifier = new Session(aggnonce, [...session.participants], sighash, [...session.tweaks], [...session.isXonly]);
    for (let party = 0; party < s.parties; party++) {
      const i = participantOf(party);
      let ok = false;
      try {
        ok = verifier.partialSigVerify(psigs[i]!, pubnonces, i);
      } catch {
        ok = false;
      }
      if (!ok) throw new CoordinatorLayerError('E_COSIGN', `party ${party}: its partial signature does not verify (BIP-327 PartialSigVerify)`);
    }
    const signature = verifier.partialSigAgg(psigs);
    if (!schnorr.verify(signature, sighash, session.aggregateXOnly)) throw new CoordinatorLayerError('E_COSIGN', `the aggregate signature does not verify against ${toHex(session.aggregateXOnly)}`);

    await this.broadcast(`final/${round}`, signature);
    for (const [from, theirs] of await this.receive(`final/${round}`, this.others()))
      if (!equal(theirs, signature)) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: aggregated ${toHex(theirs)}, this party ${toHex(signature)}`);

    s.rounds = round;
    await this.home.save(s);
    const out: SignResult = { signature: toHex(signature), round };
    if (s.party === 0) {
      tx.updateInput(inputIndex, { tapKeySig: signature });
      tx.finalize();
      out.psbt = base64.encode(tx.toPSBT());
      out.txid = tx.id;
    }
    return out;
  }
}

/**
 * The one input of `psbt` that spends `policy` by key path: its derivation (BIP-373 keydata of the
 * aggregate) names (change, index), and the output derived there must be the input's script. The
 * sighash (BIP-341, SIGHASH_DEFAULT) is computed here, so every party signs what it checked.
 */
export function spendOf(psbt: Uint8Array, policy: WalletPolicy): { tx: Transaction; inputIndex: number; ctx: MusigKeyContext; sighash: Uint8Array } {
  let tx: Transaction;
  try {
    tx = Transaction.fromPSBT(psbt, { allowUnknown: true, allowUnknownInputs: true, allowUnknownOutputs: true });
  } catch (err) {
    throw new CoordinatorLayerError('E_COSIGN', `party 0: sent a PSBT that does not parse: ${(err as Error).message}`);
  }
  const parsed = parsePolicy(policy.descriptorTemplate, policy.keys);
  const ours: { inputIndex: number; ctx: MusigKeyContext }[] = [];
  for (let i = 0; i < tx.inputsLength; i++) {
    const input = tx.getInput(i);
    for (const [, { der }] of input.tapBip32Derivation ?? []) {
      const [change, index] = der.path;
      if (der.path.length !== 2 || (change !== 0 && change !== 1) || index === undefined || index >= 0x80000000) continue;
      const out = policyOutput(parsed, change === 1, index);
      const ctx = musigContexts(out)[0];
      if (!ctx || !input.witnessUtxo || !equal(input.witnessUtxo.script, out.scriptPubKey)) continue;
      if (der.fingerprint !== new DataView(aggregateFingerprint(ctx.aggregate).buffer).getUint32(0)) continue;
      ours.push({ inputIndex: i, ctx });
      break;
    }
  }
  if (ours.length !== 1) throw new CoordinatorLayerError('E_COSIGN', `party 0: expected a PSBT with exactly one input spending the session's policy, got ${ours.length}`);
  const prevouts = Array.from({ length: tx.inputsLength }, (_, i) => tx.getInput(i).witnessUtxo);
  if (prevouts.some((p) => !p)) throw new CoordinatorLayerError('E_COSIGN', 'party 0: every input needs its witness UTXO (BIP-341 signs all amounts and scripts)');
  const { inputIndex, ctx } = ours[0]!;
  const sighash = tx.preimageWitnessV1(inputIndex, prevouts.map((p) => p!.script), 0, prevouts.map((p) => p!.amount));
  return { tx, inputIndex, ctx, sighash };
}
