// Dispatcher and interrupt rules of the app (dispatcher.c), GET_EXTENDED_PUBKEY reviews, and the
// MuSig2 session slots (musig_sessions.c).

import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../../apdu/bytes.ts';
import { MAX_MUSIG_SESSIONS, popSession, storeSession } from '../../../emulator/apps/common/musig-sessions.ts';
import { bitcoinDevice } from './harness.ts';

describe('Bitcoin app dispatcher', () => {
  it('checks P2 before CLA, ignores P1, answers a stray CONTINUE with B007', async () => {
    const d = bitcoinDevice();
    expect(await d.exchangeHex('e005000200')).toBe('6a86');
    expect(await d.exchangeHex('f801000200')).toBe('6a86');
    expect(await d.exchangeHex('e1050f0100')).toBe('f5acc2fd9000');
    expect(await d.exchangeHex('f801000100')).toBe('b007');
    expect(await d.exchangeHex('e005000100')).toBe('6e00');
    expect(await d.exchangeHex('e107000100')).toBe('6d00');
    // Without Lc the SDK's APDU parser answers before the app sees the command.
    expect(await d.exchangeHex('e0050001')).toBe('6a87');
    expect(d.person.prompts).toEqual([]);
  });

  it('ends an interrupted command with 6A80 when the host sends anything but CONTINUE', async () => {
    const d = bitcoinDevice();
    // SIGN_MESSAGE of a 1-chunk message at m/0': the app first asks for a leaf proof
    const root = new Uint8Array(32).fill(0x11);
    const apdu = concat(Uint8Array.of(0xe1, 0x10, 0x00, 0x01, 1 + 4 + 1 + 32, 0x01, 0x80, 0x00, 0x00, 0x00, 0x05), root);
    const first = toHex(await d.device.exchange(apdu));
    expect(first.slice(0, 2)).toBe('41');
    expect(first.slice(-4)).toBe('e000');
    expect(await d.exchangeHex('e105000100')).toBe('6a80');
    // the app is idle again
    expect(await d.exchangeHex('e105000100')).toBe('f5acc2fd9000');
  });

  it('shows a non-standard path and returns the xpub only after approval; 6985 on reject', async () => {
    const d = bitcoinDevice();
    d.person.answer(false);
    expect(await d.exchangeHex('e1000001160105800003f980000001800000d40000000000000000')).toBe('6985');
    expect(d.person.prompts.map((p) => [p.kind, p.approved, p.flow?.pairs[0]])).toEqual([['review', false, { item: 'Path', value: "1017'/1'/212'/0/0" }]]);
    d.person.answer(true);
    const xpub = await d.exchangeHex('e1000001160105800003f980000001800000d40000000000000000');
    expect(xpub.slice(-4)).toBe('9000');
    expect(Buffer.from(xpub.slice(0, -4), 'hex').toString()).toMatch(/^tpub/);
    // the mainnet coin type is outside the testnet app's allowed paths: refused without a review
    expect(await d.exchangeHex('e10000010e0103800000568000000080000000')).toBe('6a82');
    expect(d.person.prompts).toHaveLength(2);
    expect(d.person.unexpected).toEqual([]);
  });
});

describe('MuSig2 session slots', () => {
  const id = (n: number) => new Uint8Array(32).fill(n);
  const session = (n: number) => ({ id: id(n), randRoot: new Uint8Array(32).fill(0x80 + n) });

  it('stores up to 8, replaces the same id, overwrites slot 0 when full, pops once', () => {
    const nvram = new Map<string, Uint8Array>();
    for (let i = 1; i <= MAX_MUSIG_SESSIONS; i++) storeSession(nvram, session(i));
    storeSession(nvram, { id: id(3), randRoot: new Uint8Array(32).fill(0x33) });
    expect(popSession(nvram, id(3))!.randRoot[0]).toBe(0x33);
    expect(popSession(nvram, id(3))).toBeUndefined();
    storeSession(nvram, session(3));
    storeSession(nvram, session(9)); // all 8 slots full: slot 0 (session 1) is overwritten
    expect(popSession(nvram, id(1))).toBeUndefined();
    expect(popSession(nvram, id(9))!.randRoot[0]).toBe(0x89);
    expect(popSession(nvram, id(2))).toBeDefined();
  });
});
