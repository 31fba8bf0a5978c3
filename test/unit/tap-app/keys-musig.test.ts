import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { createBase58check } from '@scure/base';
import { p2tr } from '@scure/btc-signer';
import { IndividualPubkey, Session, keyAggExport, keyAggregate, nonceAggregate, nonceGen, sortKeys } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { parsePath } from '../../../apdu/path.ts';
import {
  commitKeyAgg,
  getAppInfo,
  getKey,
  getMasterFingerprint,
  musigRound1,
  musigRound2,
  tapCommand,
  xpubPublicKey,
  type KeyAggContext,
} from '../../../apdu/tap-app/index.ts';
import { decodeResponse } from '../../../apdu/apdu.ts';
import { Responder } from './responder.ts';
import { SPECULOS_MNEMONIC, chooseOnNano, tapDevice, untilScreen } from './device.ts';

const b58c = createBase58check(sha256);
const seed = mnemonicToSeedSync(SPECULOS_MNEMONIC);
const TESTNET = { private: 0x04358394, public: 0x043587cf };
const MAINNET = { private: 0x0488ade4, public: 0x0488b21e };

function independentXpub(path: string): string {
  const versions = /^m\/\d+'\/0'/.test(path) ? MAINNET : TESTNET;
  return HDKey.fromMasterSeed(seed, versions).derive(path).publicExtendedKey;
}

describe('Taproot Assets app: info, fingerprint, keys', () => {
  it('GET_APP_INFO and GET_MASTER_FINGERPRINT', async () => {
    const { device } = tapDevice();
    const r = new Responder();
    const info = await r.run(device, tapCommand(getAppInfo, undefined));
    expect(info.statusWord).toBe(0x9000);
    expect(getAppInfo.decodeResponse(info.data)).toEqual({ protocolVersion: 2, blindSigning: false, nonceSlots: 4, freeNonceSlots: 4 });
    const fp = await r.run(device, tapCommand(getMasterFingerprint, undefined));
    expect(toHex(getMasterFingerprint.decodeResponse(fp.data))).toBe('f5acc2fd');
    expect(HDKey.fromMasterSeed(seed).fingerprint.toString(16).padStart(8, '0')).toBe('f5acc2fd');
  });

  const standard = [
    "m/86'/1'/0'",
    "m/86'/0'/0'",
    "m/86'/1'/100'",
    "m/86'/1'/0'/0/0",
    "m/86'/0'/3'/1/42",
    "m/1017'/1'/212'/0/0",
    "m/1017'/0'/212'/0/7",
  ];
  for (const path of standard)
    it(`GET_KEY ${path} (display=0) equals an independent BIP-32 derivation`, async () => {
      const { device } = tapDevice({ autoApprove: false });
      const res = await new Responder().run(device, tapCommand(getKey, { display: false, path: parsePath(path) }));
      expect(res.statusWord).toBe(0x9000);
      const { masterFingerprint, xpub } = getKey.decodeResponse(res.data);
      expect(toHex(masterFingerprint)).toBe('f5acc2fd');
      expect(b58c.encode(xpub)).toBe(independentXpub(path));
      expect(toHex(xpubPublicKey(xpub))).toBe(toHex(HDKey.fromMasterSeed(seed).derive(path).publicKey!));
    });

  for (const path of ["m/86'/1'/101'", "m/44'/1'/0'", "m/1017'/1'/6'/0/0", "m/86'/2'/0'", "m/86'/1'/0'/2/0", "m/1017'/1'/212'/0/0'", 'm'])
    it(`GET_KEY ${path} (non-standard, display=0) -> 6a82`, async () => {
      const { device } = tapDevice();
      const res = await new Responder().run(device, tapCommand(getKey, { display: false, path: parsePath(path) }));
      expect(res.statusWord).toBe(0x6a82);
      expect(res.data.length).toBe(0);
    });

  it('GET_KEY non-standard with display=1: review shows path and key, then the key', async () => {
    const { device } = tapDevice({ autoApprove: false });
    const path = "m/1017'/1'/6'/0/0";
    const pending = new Responder().run(device, tapCommand(getKey, { display: true, path: parsePath(path) }));
    await untilScreen(device, (t) => t.includes('Confirm public key'));
    const pages = await chooseOnNano(device, 'Approve');
    const shown = pages.join(' ');
    expect(shown).toContain("m/1017'/1'/6'/0/0");
    expect(shown).toContain(independentXpub(path).slice(0, 10));
    const res = await pending;
    expect(res.statusWord).toBe(0x9000);
    expect(b58c.encode(getKey.decodeResponse(res.data).xpub)).toBe(independentXpub(path));
  });

  it('GET_KEY display=1 rejected -> 6985 and no key', async () => {
    const { device } = tapDevice({ autoApprove: false });
    const pending = new Responder().run(device, tapCommand(getKey, { display: true, path: parsePath("m/86'/1'/0'") }));
    await untilScreen(device, (t) => t.includes('Confirm public key'));
    await chooseOnNano(device, 'Reject');
    expect(await pending).toEqual({ data: new Uint8Array(), statusWord: 0x6985 });
  });

  it('dispatcher: P2 first, then CONTINUE, CLA, P1, INS; malformed data', async () => {
    const { device } = tapDevice();
    const sw = async (hex: string) => decodeResponse(await device.exchange(fromHex(hex))).statusWord;
    expect(await sw('e1050000' + '00')).toBe(0x6a86); // wrong CLA but P2 0: P2 checked first
    expect(await sw('e7050001' + '00')).toBe(0x6a86); // P2 1 passes the first check, then is refused
    expect(await sw('f8010001' + '00')).toBe(0xb007);
    expect(await sw('e1050002' + '00')).toBe(0x6e00);
    expect(await sw('e7050102' + '00')).toBe(0x6a86);
    expect(await sw('e7990002' + '00')).toBe(0x6d00);
    expect(await sw('e7100002' + '02' + '0200')).toBe(0x6a80);
    expect(await sw('e7100002' + '03' + '000180')).toBe(0x6a87);
    expect(await sw('e7050002' + '01' + '00')).toBe(0x6a87);
    // SIGN_VPSBT v2: NEXT / RESULTS without a stream, an unknown P1.
    expect(await sw('e7300102' + '01' + '00')).toBe(0xb007);
    expect(await sw('e7300202' + '00')).toBe(0xb007);
    expect(await sw('e7300302' + '00')).toBe(0x6a86);
    expect(await sw('b0010000')).toBe(0x9000);
  });
});

// --- MuSig2 ---

const OWN_PATH = parsePath("m/1017'/1'/212'/0/0");
const devicePk = HDKey.fromMasterSeed(seed).derive("m/1017'/1'/212'/0/0").publicKey!;
const coSk = sha256(new TextEncoder().encode('taproot-hw tap-app test cosigner'));
const coPk = IndividualPubkey(coSk);
const participants = sortKeys([devicePk, coPk]);
const internal = keyAggExport(keyAggregate(participants));
const tapTweak = schnorr.utils.taggedHash('TapTweak', internal);
const keyAgg: KeyAggContext = { participants, tweaks: [{ xOnly: true, tweak: tapTweak }], ownPath: OWN_PATH };
const outputKey = p2tr(internal).tweakedPubkey;
const msg = sha256(new TextEncoder().encode('message to co-sign'));

async function round1(r: Responder, device: Parameters<Responder['run']>[0], ctx = keyAgg, message?: Uint8Array) {
  const { preimage, commitment } = commitKeyAgg(ctx);
  r.addPreimage(preimage);
  const res = await r.run(device, tapCommand(musigRound1, message ? { keyAgg: commitment, message } : { keyAgg: commitment }));
  expect(res.statusWord).toBe(0x9000);
  return musigRound1.decodeResponse(res.data);
}

function cosign(devNonce: Uint8Array, message = msg) {
  const co = nonceGen(coPk, coSk, outputKey, message);
  const aggnonce = nonceAggregate([devNonce, co.public]);
  const session = new Session(aggnonce, participants, message, [tapTweak], [true]);
  return { aggnonce, session, coNonce: co.public, coPsig: session.sign(co.secret, coSk) };
}

async function round2(r: Responder, device: Parameters<Responder['run']>[0], handle: Uint8Array, aggnonce: Uint8Array, ctx = keyAgg, message: Uint8Array = msg) {
  const { preimage, commitment } = commitKeyAgg(ctx);
  r.addPreimage(preimage);
  return r.run(device, tapCommand(musigRound2, { handle, aggnonce, message, keyAgg: commitment }));
}

describe('Taproot Assets app: MuSig2 with on-device nonces', () => {
  it('2-of-2 with a software cosigner: the aggregate signature verifies against the tweaked key', async () => {
    const { device } = tapDevice({ settings: { blindSigning: true } });
    const r = new Responder();
    const r1 = await round1(r, device, keyAgg, msg);
    expect(toHex(r1.aggregateXOnly)).toBe(toHex(outputKey));
    const { aggnonce, session, coNonce, coPsig } = cosign(r1.pubnonce);
    const res = await round2(r, device, r1.handle, aggnonce);
    expect(res.statusWord).toBe(0x9000);
    const psig = musigRound2.decodeResponse(res.data);
    const devIndex = participants.findIndex((p) => toHex(p) === toHex(devicePk));
    const nonces = devIndex === 0 ? [r1.pubnonce, coNonce] : [coNonce, r1.pubnonce];
    expect(session.partialSigVerify(psig, nonces, devIndex)).toBe(true);
    const sig = session.partialSigAgg(devIndex === 0 ? [psig, coPsig] : [coPsig, psig]);
    expect(schnorr.verify(sig, msg, outputKey)).toBe(true);
  });

  it('replayed round 2 -> B010 and no signature', async () => {
    const { device } = tapDevice({ settings: { blindSigning: true } });
    const r = new Responder();
    const r1 = await round1(r, device);
    const { aggnonce } = cosign(r1.pubnonce);
    expect((await round2(r, device, r1.handle, aggnonce)).statusWord).toBe(0x9000);
    expect(await round2(r, device, r1.handle, aggnonce)).toEqual({ data: new Uint8Array(), statusWord: 0xb010 });
  });

  it('a handle from before quit/reopen, a reset, or another device with the same seed -> B010', async () => {
    const t = tapDevice({ settings: { blindSigning: true } });
    const r = new Responder();
    for (const restart of [() => t.device.openApp('Taproot Assets'), () => t.device.reset()]) {
      const r1 = await round1(r, t.device);
      restart();
      expect((await round2(r, t.device, r1.handle, cosign(r1.pubnonce).aggnonce)).statusWord).toBe(0xb010);
    }
    const r1 = await round1(r, t.device);
    t.device.quitApp();
    t.device.openApp('Taproot Assets');
    expect((await round2(r, t.device, r1.handle, cosign(r1.pubnonce).aggnonce)).statusWord).toBe(0xb010);
    const other = tapDevice({ settings: { blindSigning: true } });
    const r1b = await round1(r, t.device);
    expect((await round2(r, other.device, r1b.handle, cosign(r1b.pubnonce).aggnonce)).statusWord).toBe(0xb010);
  });

  it('round 2 out of order: before any round 1, or with the handle of another session -> refused, no signature', async () => {
    const { device } = tapDevice({ settings: { blindSigning: true } });
    const r = new Responder();
    // No round 1 has run: whatever handle the host makes up is unknown.
    const early = await round2(r, device, sha256(Uint8Array.of(1)), cosign(nonceGen(coPk, coSk, outputKey, msg).public).aggnonce);
    expect(early).toEqual({ data: new Uint8Array(), statusWord: 0xb010 });
    // Two sessions over different messages: A's handle sent with B's message is a mismatch, and A is gone.
    const msgB = sha256(Uint8Array.of(0xb));
    const a = await round1(r, device, keyAgg, msg);
    const b = await round1(r, device, keyAgg, msgB);
    expect((await round2(r, device, a.handle, cosign(a.pubnonce, msgB).aggnonce, keyAgg, msgB)).statusWord).toBe(0xb011);
    expect((await round2(r, device, a.handle, cosign(a.pubnonce).aggnonce)).statusWord).toBe(0xb010);
    // B, taken in its own order, still signs once.
    expect((await round2(r, device, b.handle, cosign(b.pubnonce, msgB).aggnonce, keyAgg, msgB)).statusWord).toBe(0x9000);
  });

  it('two hosts racing round 2 on one handle: both refused, no signature; the nonce still signs at most once', async () => {
    const { device } = tapDevice({ settings: { blindSigning: true } });
    const r1 = await round1(new Responder(), device);
    const { aggnonce } = cosign(r1.pubnonce);
    // Both start before either ends. The device serves one APDU at a time: the second host's command
    // arrives while the first waits for its key-aggregation preimage, which aborts the first (6a80,
    // doc §2) before it touched the slot; the first host's late CONTINUE then finds no command (b007).
    const results = await Promise.all([round2(new Responder(), device, r1.handle, aggnonce), round2(new Responder(), device, r1.handle, aggnonce)]);
    expect(results.map((res) => res.statusWord)).toEqual([0xb007, 0x6a80]);
    expect(results.every((res) => res.data.length === 0)).toBe(true);
    // Nothing was signed, so the slot is intact: one host alone gets one signature, then never again.
    const alone = await round2(new Responder(), device, r1.handle, aggnonce);
    expect(alone.statusWord).toBe(0x9000);
    expect(alone.data).toHaveLength(32);
    expect((await round2(new Responder(), device, r1.handle, aggnonce)).statusWord).toBe(0xb010);
  });

  it('changed participants, tweaks or bound message -> B011, and the slot is gone', async () => {
    const { device } = tapDevice({ settings: { blindSigning: true } });
    const r = new Responder();
    const other = IndividualPubkey(sha256(Uint8Array.of(9)));
    const changes: [KeyAggContext, Uint8Array][] = [
      [{ ...keyAgg, participants: sortKeys([devicePk, other]) }, msg],
      [{ ...keyAgg, participants: [...participants].reverse() }, msg],
      [{ ...keyAgg, tweaks: [] }, msg],
      [{ ...keyAgg, tweaks: [{ xOnly: false, tweak: tapTweak }] }, msg],
      [keyAgg, sha256(Uint8Array.of(1))],
    ];
    for (const [ctx, message] of changes) {
      const r1 = await round1(r, device, keyAgg, msg);
      const { aggnonce } = cosign(r1.pubnonce);
      expect((await round2(r, device, r1.handle, aggnonce, ctx, message)).statusWord).toBe(0xb011);
      expect((await round2(r, device, r1.handle, aggnonce)).statusWord).toBe(0xb010);
    }
    const info = await r.run(device, tapCommand(getAppInfo, undefined));
    expect(getAppInfo.decodeResponse(info.data).freeNonceSlots).toBe(4);
  });

  it('blind signing off -> B012 (slot kept); on -> the review shows message hash and aggregate key', async () => {
    const t = tapDevice({ autoApprove: false });
    const r = new Responder();
    const r1 = await round1(r, t.device);
    const { aggnonce, session, coNonce } = cosign(r1.pubnonce);
    expect(await round2(r, t.device, r1.handle, aggnonce)).toEqual({ data: new Uint8Array(), statusWord: 0xb012 });
    t.device.settings.blindSigning = true;
    const pending = round2(r, t.device, r1.handle, aggnonce);
    await untilScreen(t.device, (s) => s.includes('Blind sign MuSig2'));
    const pages = (await chooseOnNano(t.device, 'Sign MuSig2')).join(' ');
    expect(pages).toContain('Message hash');
    expect(pages).toContain(toHex(msg).slice(0, 16));
    expect(pages).toContain('Aggregate key');
    expect(pages).toContain(toHex(outputKey).slice(0, 16));
    const res = await pending;
    expect(res.statusWord).toBe(0x9000);
    const devIndex = participants.findIndex((p) => toHex(p) === toHex(devicePk));
    expect(session.partialSigVerify(res.data, devIndex === 0 ? [r1.pubnonce, coNonce] : [coNonce, r1.pubnonce], devIndex)).toBe(true);
  });

  it('blind-sign review rejected -> 6985 and the slot is wiped', async () => {
    const t = tapDevice({ autoApprove: false, settings: { blindSigning: true } });
    const r = new Responder();
    const r1 = await round1(r, t.device);
    const { aggnonce } = cosign(r1.pubnonce);
    const pending = round2(r, t.device, r1.handle, aggnonce);
    await untilScreen(t.device, (s) => s.includes('Blind sign MuSig2'));
    await chooseOnNano(t.device, 'Reject');
    expect((await pending).statusWord).toBe(0x6985);
    expect((await round2(r, t.device, r1.handle, aggnonce)).statusWord).toBe(0xb010);
  });

  it('own key not a participant -> B013; all slots used -> B014; a lying keyagg preimage -> 6a80', async () => {
    const { device } = tapDevice();
    const r = new Responder();
    const { preimage, commitment } = commitKeyAgg({ ...keyAgg, ownPath: parsePath("m/1017'/1'/212'/0/1") });
    r.addPreimage(preimage);
    expect((await r.run(device, tapCommand(musigRound1, { keyAgg: commitment }))).statusWord).toBe(0xb013);
    for (let i = 0; i < 4; i++) await round1(r, device);
    const { commitment: c } = commitKeyAgg(keyAgg);
    expect((await r.run(device, tapCommand(musigRound1, { keyAgg: c }))).statusWord).toBe(0xb014);
    const wrongLength = { ...c, length: c.length + 1 };
    expect((await r.run(device, tapCommand(musigRound1, { keyAgg: wrongLength }))).statusWord).toBe(0x6a80);
  });
});
