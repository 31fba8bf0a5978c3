import { schnorr } from '@noble/curves/secp256k1.js';
import { Session, keyAggExport, keyAggregate, nonceAggregate, nonceGen, sortKeys } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { parsePath } from '../../../apdu/path.ts';
import type { KeyAggContext } from '../../../apdu/tap-app/index.ts';
import { TapAppClient } from '../../../host/tap-app/client.ts';
import { OTHER_MNEMONIC, TESTNET_VERSIONS, emulated, masterKey } from './helpers.ts';

const master = masterKey();
const DEVICE_PATH = "m/1017'/1'/212'/0/3";
const devicePub = master.derive(DEVICE_PATH).publicKey!;
const cosigner = masterKey(OTHER_MNEMONIC).derive("m/1017'/1'/212'/0/0");
const msg = schnorr.utils.taggedHash('test', new TextEncoder().encode('host tap client'));

function context(): KeyAggContext {
  return { participants: sortKeys([devicePub, cosigner.publicKey!]), tweaks: [], ownPath: parsePath(DEVICE_PATH) };
}

/** Presses right until a page shows `text`, then both buttons (Nano S Plus reviews). */
async function choose(device: ReturnType<typeof emulated>['device'], text: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const texts = device.currentScreen().map((e) => e.text);
    if (texts.some((t) => t.includes(text))) return device.pressButton('both');
    if (texts.length > 0 && !texts.some((t) => t.includes('Taproot Assets'))) device.pressButton('right');
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no page shows "${text}"`);
}

describe('TapAppClient: app, fingerprint, keys', () => {
  it('reads app info and the master fingerprint, and checks the open app', async () => {
    const { transport } = emulated();
    const c = new TapAppClient(transport);
    expect(await c.getAppInfo()).toEqual({ protocolVersion: 2, blindSigning: false, nonceSlots: 4, freeNonceSlots: 4 });
    expect(toHex(await c.getMasterFingerprint())).toBe('f5acc2fd');
    expect((await c.assertTapApp()).name).toBe('Taproot Assets');
  });

  it('names the wrong app and the locked device', async () => {
    const { transport, device } = emulated({ app: 'bitcoin-test' });
    const c = new TapAppClient(transport);
    await expect(c.assertTapApp()).rejects.toMatchObject({ code: 'E_WRONG_APP', openApp: 'Bitcoin Test' });
    // The Bitcoin app checks P2 before CLA, and knows no protocol 2: 6A86 (assertTapApp names the app).
    await expect(c.getMasterFingerprint()).rejects.toMatchObject({ code: 'E_WRONG_P1P2', statusCode: 0x6a86 });
    device.lock();
    await expect(c.getMasterFingerprint()).rejects.toMatchObject({ code: 'E_LOCKED', statusCode: 0x5515 });
  });

  it.each(["m/86'/1'/0'", "m/86'/0'/2'/0/5", "m/1017'/1'/212'/0/9"])('getKey %s equals an independent BIP-32 derivation', async (path) => {
    const c = new TapAppClient(emulated().transport);
    const key = await c.getKey(path);
    const expected = masterKey(undefined, path.startsWith("m/86'/0'") ? undefined : TESTNET_VERSIONS).derive(path);
    expect(toHex(key.pubkey)).toBe(toHex(expected.publicKey!));
    expect(key.xpub).toBe(expected.publicExtendedKey);
    expect(toHex(key.fingerprint)).toBe('f5acc2fd');
    expect(key.path).toEqual(parsePath(path));
  });

  it('a non-standard path needs display; the person may refuse it', async () => {
    const { transport, device } = emulated({ autoApprove: false });
    const c = new TapAppClient(transport);
    await expect(c.getKey("m/44'/1'/0'")).rejects.toMatchObject({ code: 'E_NOT_SUPPORTED', statusCode: 0x6a82 });
    const refused = c.getKey("m/44'/1'/0'", { display: true });
    await choose(device, 'Reject');
    await expect(refused).rejects.toMatchObject({ code: 'E_USER_REFUSED', statusCode: 0x6985 });
    device.autoApprove = true;
    expect(toHex((await c.getKey("m/44'/1'/0'", { display: true })).pubkey)).toBe(toHex(master.derive("m/44'/1'/0'").publicKey!));
  });
});

describe('TapAppClient: MuSig2 rounds', () => {
  it('2-of-2 with a software cosigner: the aggregate signature verifies', async () => {
    const c = new TapAppClient(emulated({ blindSigning: true }).transport);
    const ctx = context();
    const r1 = await c.musigRound1(ctx, { message: msg });
    const agg = keyAggExport(keyAggregate(ctx.participants));
    expect(toHex(r1.aggregateXOnly)).toBe(toHex(agg));
    const soft = nonceGen(cosigner.publicKey!, cosigner.privateKey!, agg, msg);
    const aggnonce = nonceAggregate([r1.pubnonce, soft.public]);
    const psig = await c.musigRound2(r1.handle, aggnonce, msg, ctx);
    const session = new Session(aggnonce, ctx.participants, msg);
    const devIndex = ctx.participants.findIndex((p) => toHex(p) === toHex(devicePub));
    const nonces = devIndex === 0 ? [r1.pubnonce, soft.public] : [soft.public, r1.pubnonce];
    expect(session.partialSigVerify(psig, nonces, devIndex)).toBe(true);
    const sig = session.partialSigAgg([psig, session.sign(soft.secret, cosigner.privateKey!)]);
    expect(schnorr.verify(sig, msg, agg)).toBe(true);
    await expect(c.musigRound2(r1.handle, aggnonce, msg, ctx)).rejects.toMatchObject({ code: 'E_NONCE_SESSION_UNKNOWN', statusCode: 0xb010 });
  });

  it('names B011, B012, B013 and B014', async () => {
    const c = new TapAppClient(emulated({ blindSigning: true }).transport);
    const ctx = context();
    const other = new Uint8Array(32).fill(7);
    const r1 = await c.musigRound1(ctx, { message: msg });
    const aggnonce = nonceAggregate([r1.pubnonce, nonceGen(cosigner.publicKey!).public]);
    await expect(c.musigRound2(r1.handle, aggnonce, other, ctx)).rejects.toMatchObject({ code: 'E_NONCE_SESSION_MISMATCH', statusCode: 0xb011 });
    await expect(c.musigRound1({ ...ctx, ownPath: parsePath("m/1017'/1'/212'/0/4") })).rejects.toMatchObject({ code: 'E_KEY_NOT_HELD', statusCode: 0xb013 });
    for (let i = 0; i < 4; i++) await c.musigRound1(ctx);
    await expect(c.musigRound1(ctx)).rejects.toMatchObject({ code: 'E_NONCE_SLOTS_FULL', statusCode: 0xb014 });

    const off = new TapAppClient(emulated({ blindSigning: false }).transport);
    const r = await off.musigRound1(ctx, { message: msg });
    await expect(off.musigRound2(r.handle, aggnonce, msg, ctx)).rejects.toMatchObject({ code: 'E_BLIND_SIGNING_DISABLED', statusCode: 0xb012 });
  });
});
