// Byte-exact command transcripts of the emulated Taproot Assets app (emulator/apps/tap), which the C
// command layer (firmware/tap-app/core/tap_app.c) must reproduce: every APDU the host sends, every
// response (client commands included), every review the app shows with the person's answer, and the
// device randomness the app draws, so that MuSig2 nonces and partial signatures match too.
//
// The host side is the real client (host/tap-app), so the requests are what a wallet sends.
// Format, one event a line: `seed <hex>`, `blind 0|1` (the blind-signing setting from now on),
// `reset` (a fresh app: no nonce slots), `> <apdu>` (host to device), `< <response>` (data || SW),
// `random <hex>` (what the app's next tap_random call returns), `review approve|reject <intro>
// <finish> <hold 0|1> <n> (<item> <value>)×n` with every string as UTF-8 hex; a streaming review
// (SIGN_VPSBT) as its steps, `stream start|warning|pairs|finish approve|reject ...` (start: intro,
// reject; warning: title, text; pairs: reject, n, pairs; finish: finish, hold, approved, rejected,
// reject), and `status <text>` (a review that ends with "Transfer refused").

import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { p2tr } from '@scure/btc-signer';
import { keyAggExport, keyAggregate, nonceAggregate, nonceGen, sortKeys } from '@scure/btc-signer/musig2.js';
import { decodeCommand, encodeCommand, statusOnly, type CommandApdu } from '../../apdu/apdu.ts';
import { concat, equal as equalBytes, toHex, u32be } from '../../apdu/bytes.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
import { parsePath } from '../../apdu/path.ts';
import type { KeyAggContext } from '../../apdu/tap-app/index.ts';
import { encodeVpsbtStream, resultsCommand, streamCommands, type VpsbtStream } from '../../apdu/tap-app/vpsbt-stream.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import { ZERO_PREV_ID } from '../../assets/asset/prev-id.ts';
import { encodeAddressTlv, type TapAddress } from '../../assets/address/address.ts';
import { parsePoint, tapLeafHash, taprootTweak } from '../../assets/crypto.ts';
import { NonSpendLeafVersion, groupKeyTapscriptRoot, groupPubKeyV0, groupPubKeyV1, nonSpendableLeafScript } from '../../assets/group/group-key.ts';
import { getModel } from '../../devices/models.ts';
import type { Transport } from '../../devices/transport.ts';
import type { AppContext, CommandIO, DeviceSettings } from '../../emulator/app.ts';
import { createTapApp } from '../../emulator/apps/tap/app.ts';
import type { ReviewFlow } from '../../emulator/ui/review.ts';
import { musigSession, vpsbtMusigKey } from '../../host/musig2/index.ts';
import { TapAppClient, vpsbtInputSighash, withMusigParticipants, withMusigPubNonces } from '../../host/tap-app/index.ts';
import { encodeVpsbtStreamFor } from '../../host/tap-app/vpsbt-stream.ts';
import { inputAsset } from '../e2e/helpers.ts';
import { SPECULOS_MNEMONIC } from '../unit/tap-app/device.ts';
import { mutate, rng } from './mutate.ts';
import { GENESIS, foreignKey, transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { unsplitTransfer } from '../unit/tap-v2/transfers.ts';

const text = (s: string): string => toHex(utf8(s));

/** The emulated app behind a Transport, writing the transcript as the client talks to it. */
class TranscriptDevice implements Transport {
  readonly kind = 'transcript';
  readonly busy = false;
  readonly lines: string[] = [];
  /** What the person answers to the next reviews, in order. */
  readonly decisions: boolean[] = [];
  /** What the person answers to the next streaming-review steps and finishes (approve when none is left). */
  readonly steps: boolean[] = [];
  readonly finishes: boolean[] = [];
  readonly settings: DeviceSettings = { blindSigning: false };
  private app = createTapApp();
  private counter = 0;
  private waiting: ((cmd: CommandApdu) => void) | undefined;
  private answer: ((response: Uint8Array) => void) | undefined;
  private readonly ctx: AppContext;

  constructor(seed: Uint8Array) {
    const master = HDKey.fromMasterSeed(seed);
    const lines = this.lines;
    this.ctx = {
      model: getModel('nanosp'),
      family: 'nano',
      master,
      seed,
      // A reproducible stream, recorded so the C side draws the same bytes.
      random: (n) => {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i += 32) out.set(sha256(concat(utf8('transcript-rng'), u32be(this.counter++))).subarray(0, Math.min(32, n - i)), i);
        lines.push(`random ${toHex(out)}`);
        return out;
      },
      nvram: new Map(),
      settings: this.settings,
      review: async (flow: ReviewFlow) => {
        const approve = this.decisions.shift();
        if (approve === undefined) throw new Error('transcript: a review nobody planned for');
        const pairs = flow.pairs.flatMap((p) => [text(p.item), text(p.value)]);
        lines.push(['review', approve ? 'approve' : 'reject', text(flow.intro), text(flow.finish.text), flow.finish.action === 'hold' ? 1 : 0, flow.pairs.length, ...pairs].join(' '));
        return approve;
      },
      warn: async (page) => {
        const approve = this.steps.shift() ?? true;
        lines.push(['stream warning', approve ? 'approve' : 'reject', text(page.title), text(page.text ?? '')].join(' '));
        return approve;
      },
      reviewStreaming: async (step) => {
        const approve = (step.kind === 'finish' ? this.finishes : this.steps).shift() ?? true;
        const verdict = approve ? 'approve' : 'reject';
        if (step.kind === 'start') lines.push(['stream start', verdict, text(step.intro), text(step.reject ?? '')].join(' '));
        else if (step.kind === 'pairs')
          lines.push(['stream pairs', verdict, text(step.reject ?? ''), step.pairs.length, ...step.pairs.flatMap((p) => [text(p.item), text(p.value)])].join(' '));
        else {
          const f = step.flow;
          lines.push(['stream finish', verdict, text(f.finish.text), f.finish.action === 'hold' ? 1 : 0, text(f.approved ?? ''), text(f.rejected ?? ''), text(f.reject ?? '')].join(' '));
        }
        return approve;
      },
      status: (t) => void lines.push(`status ${text(t)}`),
      busy: () => {},
      fault: (e) => {
        throw e;
      },
    };
    lines.push(`seed ${toHex(seed)}`);
  }

  blind(on: boolean): void {
    this.settings.blindSigning = on;
    this.lines.push(`blind ${on ? 1 : 0}`);
  }

  reset(): void {
    this.app = createTapApp();
    this.lines.push('reset');
  }

  async exchange(apdu: Uint8Array): Promise<Uint8Array> {
    this.lines.push(`> ${toHex(apdu)}`);
    const response = new Promise<Uint8Array>((resolve) => (this.answer = resolve));
    const waiting = this.waiting;
    this.waiting = undefined;
    let cmd: CommandApdu | undefined;
    try {
      cmd = decodeCommand(apdu);
    } catch {
      this.answer!(statusOnly(0x6a87));
    }
    if (cmd && waiting) waiting(cmd);
    else if (cmd) {
      const io: CommandIO = {
        respond: (r) =>
          new Promise((resolve) => {
            this.waiting = resolve;
            this.answer!(r);
          }),
      };
      void this.app.handle(cmd, io, this.ctx).then((r) => this.answer!(r));
    }
    const r = await response;
    this.lines.push(`< ${toHex(r)}`);
    return r;
  }

  /** Sends raw bytes and records the answer, whatever it is. */
  raw(hex: string): Promise<Uint8Array> {
    return this.exchange(Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16))));
  }

  async close(): Promise<void> {}
  onDisconnect(): () => void {
    return () => {};
  }
}

async function refused(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch {
    return;
  }
  throw new Error('transcript: expected the device to refuse');
}

/** Mutated streams sent raw at the end of the transcripts. */
const STREAM_MUTATIONS = 120;

/** Sends a stream as a lying host does, chunk by chunk, and stops at the first refusal. */
async function sendStream(dev: TranscriptDevice, bytes: Uint8Array, what: string): Promise<void> {
  for (const c of streamCommands(bytes)) {
    const r = await dev.exchange(encodeCommand(c));
    if (r[r.length - 2] !== 0x90 || r[r.length - 1] !== 0x00) return;
  }
  throw new Error(`transcript: expected the device to refuse the stream (${what})`);
}

export async function commandTranscripts(): Promise<string> {
  const seed = mnemonicToSeedSync(SPECULOS_MNEMONIC);
  const dev = new TranscriptDevice(seed);
  const client = new TapAppClient(dev);

  // §1 framing, in the dispatcher's order, and the strict request decoders.
  for (const apdu of ['e7010002', 'e7010000', 'e0010001', 'f8010001', 'e7010101', 'e7990001', 'e701000100', 'e701000101aa', 'e70100', 'e71000010202', 'e7100001020b', 'e71000010103800000']) await dev.raw(apdu);

  // §5.1, §5.2
  await client.getAppInfo();
  dev.blind(true);
  await client.getAppInfo();
  await client.getMasterFingerprint();

  // §5.3: standard families without review, a non-standard path only on screen.
  for (const path of ["m/86'/1'/0'", "m/86'/0'/100'", "m/86'/1'/0'/0/7", "m/86'/1'/3'/1/2147483647", "m/1017'/1'/212'/0/3", "m/1017'/0'/212'/0/0"]) await client.getKey(path);
  for (const path of ["m/86'/1'/101'", "m/86'/2'/0'", "m/1017'/1'/6'/0/0", "m/86'/1'/0'/2/0", "m/44'/0'/0'/0/0", 'm']) await refused(client.getKey(path));
  dev.decisions.push(true, false, true);
  await client.getKey("m/1017'/1'/6'/0/0", { display: true });
  await refused(client.getKey("m/1017'/1'/6'/0/0", { display: true }));
  await client.getKey("m/86'/1'/0'/0/7", { display: true });
  // Depth 1: the parent fingerprint is the master key's.
  dev.decisions.push(true);
  await client.getKey("m/44'", { display: true });

  // §5.4 MuSig2: both rounds against a software cosigner, replay, and each refusal.
  const master = HDKey.fromMasterSeed(seed);
  const path = "m/1017'/1'/212'/0/3";
  const cosigner = HDKey.fromMasterSeed(sha256(utf8('transcript cosigner'))).derive(path);
  const participants = sortKeys([master.derive(path).publicKey!, cosigner.publicKey!]);
  const ctx: KeyAggContext = { participants, tweaks: [{ xOnly: true, tweak: sha256(utf8('transcript tweak')) }], ownPath: parsePath(path) };
  const message = sha256(utf8('transcript message'));
  const r1 = await client.musigRound1(ctx, { message });
  const aggregate = keyAggExport(keyAggregate(participants, [ctx.tweaks[0]!.tweak], [true]));
  const theirs = nonceGen(cosigner.publicKey!, cosigner.privateKey!, aggregate, message, undefined, sha256(utf8('transcript cosigner nonce')));
  const aggnonce = nonceAggregate([r1.pubnonce, theirs.public]);
  dev.decisions.push(true);
  await client.musigRound2(r1.handle, aggnonce, message, ctx);
  await refused(client.musigRound2(r1.handle, aggnonce, message, ctx));
  // A message-bound session and another message: B011, and the slot is gone.
  const r1b = await client.musigRound1(ctx, { message });
  await refused(client.musigRound2(r1b.handle, aggnonce, sha256(utf8('another message')), ctx));
  await refused(client.musigRound2(r1b.handle, aggnonce, message, ctx));
  // Rejected on screen: 6985 and the slot is gone.
  const r1c = await client.musigRound1(ctx);
  dev.decisions.push(false);
  await refused(client.musigRound2(r1c.handle, aggnonce, message, ctx));
  // Blind signing off: B012, the slot kept (GET_APP_INFO shows it).
  dev.blind(false);
  await client.musigRound1(ctx);
  await client.getAppInfo();
  const r1d = await client.musigRound1(ctx);
  await refused(client.musigRound2(r1d.handle, aggnonce, message, ctx));
  await client.getAppInfo();
  // The device's key is not a participant: B013. Four slots in use: B014.
  // Eight participants: the context (over 255 bytes) arrives in GET_MORE_ELEMENTS pieces too.
  const others = Array.from({ length: 8 }, (_, i) => master.derive(`m/1017'/1'/212'/0/${10 + i}`).publicKey!);
  await refused(client.musigRound1({ ...ctx, participants: others }));
  await client.musigRound1(ctx);
  await client.musigRound1(ctx);
  await refused(client.musigRound1(ctx));
  // A restart forgets every slot: the handle is unknown (B010).
  dev.reset();
  await refused(client.musigRound2(r1d.handle, aggnonce, message, ctx));
  // A host that answers the client command with another command: 6A80; then CONTINUE alone is B007.
  const round1 = encodeCommand({ cla: 0xe7, ins: 0x20, p1: 0, p2: 1, data: concat(Uint8Array.of(5), sha256(utf8('x')), Uint8Array.of(0)) });
  await dev.exchange(round1);
  await dev.raw('e701000100');
  await dev.raw('f801000100');
  // A preimage that does not hash to the commitment: 6A80.
  await dev.exchange(round1);
  await dev.raw('f80100010705057878787878');

  // §5.6 SIGN_GROUP_GENESIS: V1 over either non-spendable leaf, V0 new and re-issued, and each refusal.
  dev.reset();
  dev.blind(false);
  const groupPath = "m/86'/1'/0'/0/7";
  const raw = master.derive(groupPath).publicKey!;
  const genesis = (tag: string, amount: bigint, groupKey: (id: Uint8Array) => Uint8Array, extra: Partial<Asset> = {}): Asset => {
    const base = { ...inputAsset(raw, amount, tag).asset, ...extra };
    return { ...base, groupKey: groupKey(assetId(base.genesis)), prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }] };
  };
  const v1 = (leaf: NonSpendLeafVersion) => (id: Uint8Array) => groupPubKeyV1(raw, leaf, id);
  const opReturn = genesis('transcript grouped', 21_000n, v1(NonSpendLeafVersion.opReturn), { lockTime: 500n, relativeLockTime: 7n });
  const opReturnId = assetId(opReturn.genesis);
  dev.decisions.push(true, true, true, true, false);
  await client.signGroupGenesis({ asset: opReturn, keyVersion: 1, groupKeyPath: groupPath, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, opReturnId) });
  const pedersen = genesis('gr\u00fcp\\coin', 1_234_567n, v1(NonSpendLeafVersion.pedersen));
  await client.signGroupGenesis({ asset: pedersen, keyVersion: 1, groupKeyPath: groupPath, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, assetId(pedersen.genesis)) });
  const v0 = genesis('', 5n, (id) => groupPubKeyV0(raw, id));
  await client.signGroupGenesis({ asset: v0, keyVersion: 0, groupKeyPath: groupPath });
  // Re-issuance into the V0 group anchored by the first asset: the review names the anchor.
  const anchor = assetId(v0.genesis);
  const reissue = genesis('transcript reissue', 12_345_678_901_234_567n, () => groupPubKeyV0(raw, anchor));
  await client.signGroupGenesis({ asset: reissue, keyVersion: 0, groupKeyPath: groupPath, anchorAssetId: anchor });
  await refused(client.signGroupGenesis({ asset: opReturn, keyVersion: 1, groupKeyPath: groupPath, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, opReturnId) }));
  // Refused before any review: a hidden subtree, a V0 root, a V1 key without root, another device's
  // key (B013), a non-standard path (6A82), an asset that is no grouped genesis.
  const hidden = groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, opReturnId, sha256(utf8('hidden leaf')));
  await refused(client.signGroupGenesis({ asset: { ...opReturn, groupKey: groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, opReturnId, sha256(utf8('hidden leaf'))) }, keyVersion: 1, groupKeyPath: groupPath, tapscriptRoot: hidden }));
  await refused(client.signGroupGenesis({ asset: v0, keyVersion: 0, groupKeyPath: groupPath, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, anchor) }));
  await refused(client.signGroupGenesis({ asset: opReturn, keyVersion: 1, groupKeyPath: groupPath }));
  await refused(client.signGroupGenesis({ asset: opReturn, keyVersion: 1, groupKeyPath: "m/86'/1'/0'/0/8", tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, opReturnId) }));
  await refused(client.signGroupGenesis({ asset: opReturn, keyVersion: 1, groupKeyPath: "m/86'/1'/0'", tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, opReturnId) }));
  await refused(client.signGroupGenesis({ asset: { ...opReturn, prevWitnesses: [] }, keyVersion: 1, groupKeyPath: groupPath, tapscriptRoot: groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, opReturnId) }));

  // §5.5 SIGN_VPSBT v2 (one stream, its review page by page, the signatures with recorded randomness):
  // 2 outputs, a larger transfer over several chunks and result batches, a rejection at the finish.
  dev.reset();
  await client.signVpsbt(transferPacket({ inputs: [600n, 400n], recipients: 1 }));
  await client.signVpsbt(transferPacket({ inputs: [5n, 7n, 11n, 13n, 17n], recipients: 12, lockTime: 500n, relativeLockTime: 7n, courier: 'authmailbox+universerpc://courier.example:10029/gr\u00fc\\n' }));
  dev.finishes.push(false);
  await refused(client.signVpsbt(transferPacket({ inputs: [600n, 400n], recipients: 1 })));
  // Rejected at the first page: nothing more is read.
  dev.steps.push(false);
  await refused(client.signVpsbt(transferPacket({ inputs: [600n, 400n], recipients: 1 })));
  // An unsplit transfer (no split commitment: the virtual output is the root's own leaf, its anchor not
  // signed), and an input signed with SIGHASH_ALL (its entry carries the type byte).
  await client.signVpsbt(unsplitTransfer());
  const all = transferPacket({ inputs: [600n, 400n], recipients: 1 });
  all.inputs[1]!.sighashType = 1;
  await client.signVpsbt(all);
  // A burn, declared in the header: its warning comes right after the start page; rejected there,
  // and (a touch device) rejected at the first input's page: 6985 and "Transfer refused".
  await client.signVpsbt(transferPacket({ inputs: [600n, 400n], recipients: 2, burn: true }));
  dev.steps.push(true, false);
  await refused(client.signVpsbt(transferPacket({ inputs: [600n, 400n], recipients: 2, burn: true })));
  dev.steps.push(true, true, false);
  await refused(client.signVpsbt(transferPacket({ inputs: [600n, 400n], recipients: 2 })));

  // §5.5.7 MuSig2 inside SIGN_VPSBT: the input is a 2-of-2 of the device and a software cosigner (its
  // nonce drawn from fixed randomness). Round 1 (no review) gives the device's pubnonce and keeps the
  // session in a persistent slot; round 2 signs after the review; a replay finds no session (B007);
  // another pubnonce in the device's place is 6A80.
  const musigPath = "m/1017'/1'/212'/0/0";
  const devicePk = master.derive(musigPath).publicKey!;
  const soft = HDKey.fromMasterSeed(sha256(utf8('transcript musig cosigner'))).derive(musigPath);
  const musigParticipants = sortKeys([devicePk, soft.publicKey!]);
  const musigKey = concat(Uint8Array.of(2), p2tr(keyAggExport(keyAggregate(musigParticipants))).tweakedPubkey);
  const musigPacket = withMusigParticipants(transferPacket({ inputs: [1000n], recipients: 2, inputScriptKeys: [musigKey] }), 0, musigParticipants, [
    { xOnlyPubKey: devicePk.subarray(1), leafHashes: [], fingerprint: await client.getMasterFingerprint(), path: parsePath(musigPath) },
  ]);
  const musig = musigSession(vpsbtMusigKey(musigPacket, 0), vpsbtInputSighash(musigPacket, 0));
  const theirNonce = nonceGen(soft.publicKey!, soft.privateKey!, musig.aggregateXOnly, musig.message, undefined, sha256(utf8('transcript musig nonce'))).public;
  const round2 = (ownNonce: Uint8Array) =>
    withMusigPubNonces(musigPacket, 0, musig.aggregatePubkey, musigParticipants.map((participant) => ({ participant, pubnonce: equalBytes(participant, devicePk) ? ownNonce : theirNonce })));
  const [r1v] = await client.signVpsbt(musigPacket);
  if (r1v?.type !== 'musigPubNonce') throw new Error('transcript: expected a pubnonce from round 1');
  await client.signVpsbt(round2(r1v.pubnonce));
  await refused(client.signVpsbt(round2(r1v.pubnonce)));
  const [r1w] = await client.signVpsbt(musigPacket);
  if (r1w?.type !== 'musigPubNonce') throw new Error('transcript: expected a pubnonce from round 1');
  await refused(client.signVpsbt(round2(theirNonce)));
  // Rejected at the finish: the session stays, and round 2 signs after a second review.
  dev.finishes.push(false);
  await refused(client.signVpsbt(round2(r1w.pubnonce)));
  await client.signVpsbt(round2(r1w.pubnonce));
  // A packet mixing a MuSig2 input and a single-key input: round 1 streams the MuSig2 signer only
  // (sent as raw commands after an explicit GET_MASTER_FINGERPRINT, as the transcript recorded it),
  // round 2 gives the signature and the partial signature in one batch after one review.
  const mixedBase = transferPacket({ inputs: [1000n, 500n], recipients: 2, inputScriptKeys: [musigKey] });
  const mixed = withMusigParticipants(mixedBase, 0, musigParticipants, musigPacket.inputs[0]!.trBip32Derivation);
  const mixedSession = musigSession(vpsbtMusigKey(mixed, 0), vpsbtInputSighash(mixed, 0));
  const mixedRound1 = encodeVpsbtStreamFor(mixed, { fingerprint: await client.getMasterFingerprint(), mode: 1 }).stream;
  let answer: Uint8Array = new Uint8Array();
  for (const c of streamCommands(encodeVpsbtStream(mixedRound1))) answer = await dev.exchange(encodeCommand(c));
  const mixedNonce = answer.slice(3, 3 + 66);
  const mixedTheirs = nonceGen(soft.publicKey!, soft.privateKey!, mixedSession.aggregateXOnly, mixedSession.message, undefined, sha256(utf8('transcript mixed nonce'))).public;
  await client.signVpsbt(
    withMusigPubNonces(mixed, 0, mixedSession.aggregatePubkey, musigParticipants.map((participant) => ({ participant, pubnonce: equalBytes(participant, devicePk) ? mixedNonce : mixedTheirs }))),
  );

  // §6.1 0x7f addresses, shown only when they re-derive from their output: V1 (the address' own script
  // key) with the anchor's internal key and tapscript sibling, V2 (its key tweaked by the Pedersen leaf
  // over the asset ID, any amount when it names 0), a V2 group address (at most the amount it names).
  const anchorKey = foreignKey(40);
  const sibling = { type: 0, preimage: Uint8Array.of(0xc0, 1, 0x51) };
  const addressed = (opts: Parameters<typeof transferPacket>[0], over: Partial<TapAddress>, anchor = true) => {
    const p = transferPacket({ inputs: [600n, 400n], recipients: 2, ...opts });
    const o = p.outputs[1]!;
    const a = o.asset!;
    o.address = { version: 1, assetVersion: a.version, assetId: assetId(a.genesis), scriptKey: a.scriptKey, internalKey: anchorKey, amount: a.amount, proofCourierAddr: 'authmailbox+universerpc://courier.example:10029', unknownOddTypes: [], ...over };
    if (anchor) {
      o.anchorOutputInternalKey = anchorKey;
      o.anchorOutputTapscriptSibling = sibling;
      o.address.tapscriptSibling = sibling;
    }
    return p;
  };
  const K = foreignKey(70);
  const unique = concat(Uint8Array.of(2), taprootTweak(parsePoint(K, 'K'), tapLeafHash(nonSpendableLeafScript(NonSpendLeafVersion.pedersen, assetId(GENESIS)))).toBytes(true).subarray(1));
  const groupKey = foreignKey(71);
  await client.signVpsbt(addressed({}, {}));
  await client.signVpsbt(addressed({ recipientKeys: [unique] }, { version: 2, scriptKey: K, amount: 0n }, false));
  await client.signVpsbt(addressed({ recipientKeys: [unique], inputGroupKey: groupKey, outputGroupKey: groupKey }, { version: 2, scriptKey: K, amount: 5n, assetId: new Uint8Array(32), groupKey }));

  // A lying host (§6.1, field → binding table): each row's shown or signed value changed in the stream
  // itself, on an otherwise coherent transfer; refused with its status word, nothing signed. A refusal
  // after pages were shown ends the review with "Transfer refused".
  const fingerprint = await client.getMasterFingerprint();
  const lie = async (tamper: (s: VpsbtStream) => void, opts: Parameters<typeof transferPacket>[0] = { inputs: [600n, 400n], recipients: 2 }) => {
    const { stream } = encodeVpsbtStreamFor(transferPacket(opts), { fingerprint });
    tamper(stream);
    await sendStream(dev, encodeVpsbtStream(stream), tamper.toString());
  };
  type Canonical = Extract<VpsbtStream['outputs'][number]['leaf'], { form: 'canonical' }>;
  const leafOf = (s: VpsbtStream, j: number) => s.outputs[j]!.leaf as Canonical;
  const flip = (b: Uint8Array, i: number) => (b[i]! ^= 1);
  await lie((s) => void (s.header.hrp = 'tapbc')); // Network: the keys are at coin type 0' now, no signer matches
  await lie((s) => flip(s.inputs[1]!.prevId, 40)); // Asset ID of input 2
  await lie((s) => flip(s.inputs[0]!.leaf, 60)); // Asset name (a tag byte of input 1's genesis)
  await lie((s) => flip(s.inputs[1]!.prevId, 70)); // Input 2's prev ID names another script key than its asset
  await lie((s) => void (s.inputs[1] = s.inputs[0]!)); // the same prev ID twice
  await lie((s) => flip(s.inputs[0]!.leaf, s.inputs[0]!.leaf.length - 40)); // Input 1 amount / script key inside its leaf
  await lie((s) => void (leafOf(s, 1).amount += 1n)); // Output amount: the rebuilt split root differs
  await lie((s) => void (leafOf(s, 2).scriptKey = leafOf(s, 1).scriptKey)); // Output recipient: another output's script key
  await lie((s) => void (s.outputs[2]!.anchorOutputIndex += 5)); // Output anchor
  await lie((s) => void (s.outputs[2]!.lockTime = 9n)); // Lock time of one output
  await lie((s) => void (s.outputs[0]!.type = s.outputs[0]!.type === 1 ? 0 : 1)); // Output kind
  await lie((s) => void (s.outputs[1]!.type = 1)); // a second split root
  await lie((s) => void (s.outputs.find((o) => o.changeKeyIndex === undefined)!.changeKeyIndex = 100)); // "this signer (change)" for another's key
  await lie((s) => void (s.header.warnings = 0), { inputs: [600n, 400n], recipients: 2, burn: true }); // an undeclared burn
  await lie((s) => void (s.header.warnings = 1)); // a declared burn that never comes
  await lie((s) => void (s.outputs[1]!.proofCourier = new TextEncoder().encode('not a url'))); // a courier that is no URL
  await lie((s) => void (s.signers[0]!.keyIndex += 1)); // a signer whose key is not the input's
  await lie((s) => void (s.signers = [])); // no signer: B013 before the first output's page
  await lie((s) => void s.outputs.reverse()); // outputs out of tree order
  // Asset group key: input 2 of a grouped asset names another group key (its leaf's last record).
  const grouped = { inputs: [600n, 400n], recipients: 2, inputGroupKey: foreignKey(71), outputGroupKey: foreignKey(71) };
  await lie((s) => s.inputs[1]!.leaf.set(foreignKey(72), s.inputs[1]!.leaf.length - 33), grouped);
  // The header and the stream's length, byte by byte (§5.5.3): 33 inputs (6A82), mode 2, an unknown
  // warning bit, a network no HRP names (6A80), a stream_len short of the items and past them (6A87).
  const rawLie = async (tamper: (b: Uint8Array) => Uint8Array) =>
    sendStream(dev, tamper(encodeVpsbtStreamFor(transferPacket({ inputs: [600n, 400n], recipients: 2 }), { fingerprint }).bytes.slice()), tamper.toString());
  const hrpEnd = 6 + 5;
  await rawLie((b) => ((b[hrpEnd] = 33), b));
  await rawLie((b) => ((b[4] = 2), b));
  await rawLie((b) => ((b[hrpEnd + 3] = 2), b));
  await rawLie((b) => ((b[6] = 0x78), b));
  await rawLie((b) => (b.set(u32be(b.length - 1), 0), b));
  await rawLie((b) => (b.set(u32be(b.length + 1), 0), concat(b, Uint8Array.of(0x05))));
  // An address that does not re-derive from its output: each committed field changed in the stream.
  const addressLie = async (over: Partial<TapAddress>, tamper: (o: VpsbtStream['outputs'][number]) => void = () => {}) => {
    const p = addressed({}, {});
    const { stream } = encodeVpsbtStreamFor(p, { fingerprint });
    const o = stream.outputs.find((x) => x.address !== undefined)!;
    o.address = encodeAddressTlv({ ...p.outputs[1]!.address!, ...over });
    tamper(o);
    await sendStream(dev, encodeVpsbtStream(stream), `address ${Object.keys(over).join(', ')} ${tamper.toString()}`);
  };
  await addressLie({ scriptKey: foreignKey(50) }); // Output recipient (address): pays another script key
  await addressLie({ assetId: assetId({ ...GENESIS, tag: 'other' }) });
  await addressLie({ amount: 2n });
  await addressLie({ assetVersion: 1 });
  await addressLie({ assetId: new Uint8Array(32), groupKey: foreignKey(51) });
  await addressLie({ internalKey: foreignKey(52) });
  await addressLie({ tapscriptSibling: { type: 1, preimage: new Uint8Array(64) } });
  await addressLie({}, (o) => void (o.anchorSibling = new Uint8Array())); // an empty 0x78
  await addressLie({}, (o) => void (o.address = Uint8Array.of(0, 1, 1))); // an address TLV without its required records
  // MuSig2 signers: the device's key not among the participants (B013); round 1 with a single-key signer.
  const musigLie = async (tamper: (s: VpsbtStream) => void, mode: 0 | 1) => {
    const { stream } = encodeVpsbtStreamFor(mode ? musigPacket : round2(r1w.pubnonce), { fingerprint, mode });
    tamper(stream);
    await sendStream(dev, encodeVpsbtStream(stream), tamper.toString());
  };
  await musigLie((s) => void (s.signers[0]!.participants = s.signers[0]!.participants.map((p) => (equalBytes(p, devicePk) ? soft.publicKey! : p))), 1);
  await musigLie((s) => void (s.signers[0]!.participants = []), 1);
  await musigLie((s) => void (s.signers[0]!.tweak = Uint8Array.of(1)), 0);
  // Framing of the stream (§5.5.1): a short chunk, NEXT and RESULTS with no stream, a bad P1, a
  // stream dropped by another command.
  const honest = encodeVpsbtStreamFor(transferPacket({ inputs: [600n, 400n], recipients: 12 }), { fingerprint }).bytes;
  const [first, second] = streamCommands(honest);
  await dev.exchange(encodeCommand(first!));
  await dev.exchange(encodeCommand({ ...second!, data: second!.data.subarray(1) }));
  await dev.exchange(encodeCommand(second!));
  await dev.exchange(encodeCommand(resultsCommand()));
  await dev.exchange(encodeCommand({ ...first!, p1: 3 }));
  await dev.exchange(encodeCommand(first!));
  await client.getAppInfo();
  await dev.exchange(encodeCommand(second!));

  // Seeded mutations of a 2-output stream (a byte replaced, inserted or removed, the stream cut)
  // sent as they are, whatever the device answers: every chunk's answer, page and signature must be
  // the emulator's.
  const base = encodeVpsbtStreamFor(transferPacket({ inputs: [600n, 400n], recipients: 1, courier: 'authmailbox+universerpc://courier.example:10029' }), { fingerprint }).bytes;
  const pick = rng(0x5eed5);
  for (let i = 0; i < STREAM_MUTATIONS; i++) {
    for (const c of streamCommands(mutate(base, pick).bytes)) {
      const r = await dev.exchange(encodeCommand(c));
      if (r[r.length - 2] !== 0x90 || r[r.length - 1] !== 0x00) break;
    }
  }
  await client.getAppInfo();

  return [
    '# Command transcripts of the emulated Taproot Assets app (emulator/apps/tap) driven by host/tap-app:',
    '# seed, blind 0|1, reset, > apdu, < response, random bytes, review approve|reject intro finish hold n (item value)* (strings as UTF-8 hex)',
    '# Written by scripts/export-firmware-vectors.ts (test/firmware/transcripts.ts); do not edit.',
    ...dev.lines,
    '',
  ].join('\n');
}
