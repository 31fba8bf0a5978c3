// Custody of FROST secrets on the device (docs/frost.md §2, §4): the DKG polynomial lives in RAM for
// one DKG, round 2 runs once, shares travel sealed, the signing share only exists wrapped to the
// seed and one key set, and nonces follow the MuSig2 slot rules. Every attack is refused with its
// typed error (status word and stable name), and nothing is signed.

import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { encodeKeyPackage, groupKeyXOnly, type DkgTranscript, type EncryptedShare } from '../../../apdu/tap-app/frost-data.ts';
import { signingKeyXOnly } from '../../../bitcoin/frost/key-package.ts';
import {
  DeviceFrostParticipant,
  DeviceFrostSigner,
  SoftwareFrostParticipant,
  runFrostDkg,
  runFrostSign,
  signOnDevice,
  type FrostDkgParticipant,
} from '../../../host/frost/index.ts';
import { SEEDS, tapDevice } from '../../e2e/helpers.ts';
import { chooseOnNano, untilScreen } from '../tap-app/device.ts';

const message = sha256(new TextEncoder().encode('custody'));
const other = sha256(new TextEncoder().encode('another message'));

function devices(blindSigning = true) {
  const a = tapDevice({ blindSigning });
  const b = tapDevice({ seed: SEEDS.abandon, blindSigning });
  return { a, b, pa: new DeviceFrostParticipant(a.client, 'device A'), pb: new DeviceFrostParticipant(b.client, 'device B') };
}

async function keySet(blindSigning = true) {
  const d = devices(blindSigning);
  const dkg = await runFrostDkg(2, [d.pa, d.pb, new SoftwareFrostParticipant('software C')]);
  return { ...d, dkg, signerA: dkg.signers[0] as DeviceFrostSigner, signerC: dkg.signers[2]! };
}

/** Runs rounds 1 (and 2) of a 2-of-3 DKG by hand: device A, device B and a software participant. */
async function rounds(upTo: 1 | 2) {
  const d = devices();
  const parts: FrostDkgParticipant[] = [d.pa, d.pb, new SoftwareFrostParticipant('software C')];
  const packages = [];
  for (const [i, p] of parts.entries()) packages.push(await p.round1(2, 3, i + 1));
  const transcript: DkgTranscript = { threshold: 2, packages };
  const shares: EncryptedShare[] = [];
  if (upTo === 2) for (const p of parts) shares.push(...(await p.round2(transcript)));
  return { ...d, parts, transcript, shares };
}

const status = (name: string, statusCode: number) => expect.objectContaining({ name, statusCode });

/** Screen text without spaces and without the "Label (1/2)" headers of values split over pages. */
const flat = (text: string): string => text.replace(/\s/g, '').replace(/[A-Z][a-z]*\(\d+\/\d+\)/g, '');

describe('FROST custody: signing', () => {
  it('a replayed FROST_SIGN finds no nonce (B010); the first share was valid', async () => {
    const { dkg, signerA, signerC } = await keySet();
    const session = { keyPackage: dkg.keyPackage, message, tweak: { kind: 'bip86' } as const };
    const a = await signerA.commit(session);
    const c = await signerC.commit(session);
    const list = [a.commitment, c.commitment];
    await a.sign(list);
    await expect(a.sign(list)).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
  });

  it('reordered: FROST_SIGN before any commit (B010), with another commit\'s handle (B011, then wiped), or another message (B011)', async () => {
    const { dkg, signerA, signerC, a } = await keySet();
    const pkg = encodeKeyPackage(dkg.keyPackage);
    const session = { keyPackage: dkg.keyPackage, message, tweak: { kind: 'none' } as const };
    const wrapped = signerA.share.wrappedShare;
    const c = await signerC.commit(session);
    await expect(signOnDevice(a.client, new Uint8Array(32).fill(7), wrapped, pkg, message, session.tweak, [])).rejects.toMatchObject({ statusCode: 0xb010 });

    const first = await signerA.commit(session);
    const second = await signerA.commit(session);
    // The host answers FROST_SIGN of the first nonce with the second nonce's commitment.
    await expect(first.sign([second.commitment, c.commitment])).rejects.toEqual(status('NonceSessionMismatchError', 0xb011));
    await expect(first.sign([first.commitment, c.commitment])).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
    // A nonce bound to `message` does not sign `other` (and is wiped).
    const c2 = await signerC.commit(session);
    const list = [second.commitment, c2.commitment];
    await expect(signOnDevice(a.client, second.handle, wrapped, pkg, other, session.tweak, list)).rejects.toEqual(status('NonceSessionMismatchError', 0xb011));
    await expect(second.sign(list)).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
    // Unbound, the nonce signs whatever message FROST_SIGN names.
    const free = await signerA.commit(session, { bindMessage: false });
    const c3 = await signerC.commit({ ...session, message: other });
    const share = await signOnDevice(a.client, free.handle, wrapped, pkg, other, session.tweak, [free.commitment, c3.commitment]);
    expect(share).toHaveLength(32);
  });

  it('a restart between FROST_COMMIT and FROST_SIGN voids the nonce (B010)', async () => {
    const { dkg, signerA, signerC, a } = await keySet();
    const session = { keyPackage: dkg.keyPackage, message, tweak: { kind: 'bip86' } as const };
    for (const restart of [() => a.device.reset(), () => (a.device.quitApp(), a.device.openApp('Taproot Assets'))]) {
      const mine = await signerA.commit(session);
      const c = await signerC.commit(session);
      restart();
      await expect(mine.sign([mine.commitment, c.commitment])).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
    }
    // After the restart the wrapped share still signs: the device kept nothing but its seed.
    const r = await runFrostSign(dkg.keyPackage, message, [signerA, signerC], { kind: 'bip86' });
    expect(schnorr.verify(r.signature, message, signingKeyXOnly(dkg.keyPackage, { kind: 'bip86' }))).toBe(true);
  });

  it('a wrapped share from another key set, another device, or altered is refused (B022)', async () => {
    const one = await keySet();
    const two = await keySet();
    const session = { keyPackage: two.dkg.keyPackage, message, tweak: { kind: 'none' } as const };
    // Device A's share of key set one, presented with key set two's package, to device A of set two's seed.
    const stranger = new DeviceFrostSigner(two.a.client, 'device A', { ...one.signerA.share, keyPackage: two.dkg.keyPackage });
    await expect(stranger.commit(session)).rejects.toEqual(status('WrappedShareInvalidError', 0xb022));
    // Device B's share of set two, on device A (another seed).
    const signerB = two.dkg.signers[1] as DeviceFrostSigner;
    await expect(new DeviceFrostSigner(two.a.client, 'device A', signerB.share).commit(session)).rejects.toEqual(status('WrappedShareInvalidError', 0xb022));
    // One bit of the wrapped share flipped.
    const altered = two.signerA.share.wrappedShare.slice();
    altered[20]! ^= 1;
    await expect(new DeviceFrostSigner(two.a.client, 'device A', { ...two.signerA.share, wrappedShare: altered }).commit(session)).rejects.toEqual(
      status('WrappedShareInvalidError', 0xb022),
    );
    // A key package with one verifying share changed: its hash is another key-set ID.
    const forged = { ...two.dkg.keyPackage, verifyingShares: [two.dkg.keyPackage.verifyingShares[1]!, ...two.dkg.keyPackage.verifyingShares.slice(1)] };
    await expect(new DeviceFrostSigner(two.a.client, 'device A', { ...two.signerA.share, keyPackage: forged }).commit({ ...session, keyPackage: forged })).rejects.toEqual(
      status('WrappedShareInvalidError', 0xb022),
    );
  });

  it('blind signing off: FROST_SIGN refused (B012) and the nonce kept; a rejected review wipes it (6985)', async () => {
    const { dkg, signerA, signerC, a } = await keySet(false);
    const session = { keyPackage: dkg.keyPackage, message, tweak: { kind: 'bip86' } as const };
    const mine = await signerA.commit(session);
    const c = await signerC.commit(session);
    await expect(mine.sign([mine.commitment, c.commitment])).rejects.toEqual(status('BlindSigningDisabledError', 0xb012));
    a.device.settings.blindSigning = true;
    a.device.autoApprove = false;
    const pending = mine.sign([mine.commitment, c.commitment]).catch((e: unknown) => e);
    await untilScreen(a.device, (t) => t.includes('Blind sign FROST'));
    const shown = (await chooseOnNano(a.device, 'Reject')).join(' ');
    expect(flat(shown)).toContain(toHex(signingKeyXOnly(dkg.keyPackage, { kind: 'bip86' })));
    expect(flat(shown)).toContain(toHex(message));
    expect(await pending).toMatchObject({ statusCode: 0x6985 });
    a.device.autoApprove = true;
    await expect(mine.sign([mine.commitment, c.commitment])).rejects.toEqual(status('NonceSessionUnknownError', 0xb010));
  });
});

describe('FROST custody: DKG', () => {
  it('a restart between DKG rounds aborts the DKG (B020)', async () => {
    const one = await rounds(1);
    one.a.device.reset();
    await expect(one.pa.round2(one.transcript)).rejects.toEqual(status('DkgSessionUnknownError', 0xb020));
    const two = await rounds(2);
    two.a.device.quitApp();
    two.a.device.openApp('Taproot Assets');
    await expect(two.pa.round3(two.transcript, two.shares.filter((s) => s.to === 1))).rejects.toEqual(status('DkgSessionUnknownError', 0xb020));
  });

  it('round 1 draws a fresh polynomial every time; a replayed round 2 with other encryption keys is refused (B020) and aborts the DKG', async () => {
    const r = await rounds(1);
    const again = await r.pa.round1(2, 3, 1);
    expect(toHex(again.commitment[0]!)).not.toBe(toHex(r.transcript.packages[0]!.commitment[0]!));
    expect(toHex(again.encryptionKey)).toBe(toHex(r.transcript.packages[0]!.encryptionKey)); // from the seed
    const transcript = { ...r.transcript, packages: [again, ...r.transcript.packages.slice(1)] };
    const shares = await r.pa.round2(transcript);
    expect(shares.map((s) => s.to)).toEqual([2, 3]);
    // The host swaps in its own encryption keys for participants 2 and 3 and asks again.
    const hostKeys = transcript.packages.map((p, i) => (i === 0 ? p : { ...p, encryptionKey: secp256k1.getPublicKey(secp256k1.utils.randomSecretKey()) }));
    await expect(r.pa.round2({ ...transcript, packages: hostKeys })).rejects.toEqual(status('DkgSessionUnknownError', 0xb020));
    // The replay aborted the DKG: round 3 finds nothing, even with the transcript round 2 ran on.
    await expect(r.pa.round3(transcript, [])).rejects.toEqual(status('DkgSessionUnknownError', 0xb020));
    await expect(r.pa.round2(transcript)).rejects.toEqual(status('DkgSessionUnknownError', 0xb020));
  });

  it('a round-2 transcript that alters the device\'s own round-1 package is refused (6A80)', async () => {
    const r = await rounds(1);
    const mine = r.transcript.packages[0]!;
    const swapped = { ...r.transcript, packages: [{ ...mine, encryptionKey: r.transcript.packages[1]!.encryptionKey }, ...r.transcript.packages.slice(1)] };
    await expect(r.pa.round2(swapped)).rejects.toMatchObject({ statusCode: 0x6a80 });
  });

  it('a tampered encrypted share is refused by the device (B021) and by a software participant, who names the sender', async () => {
    const r = await rounds(2);
    const toA = r.shares.filter((s) => s.to === 1).map((s) => ({ ...s, ciphertext: s.ciphertext.slice() }));
    toA[1]!.ciphertext[5]! ^= 0x40; // the share from participant 3
    await expect(r.pa.round3(r.transcript, toA)).rejects.toEqual(status('DkgShareInvalidError', 0xb021));
    // A share addressed to someone else, passed off as one's own.
    const toC = r.shares.filter((s) => s.to === 3).map((s) => (s.from === 2 ? { ...r.shares.find((x) => x.from === 2 && x.to === 1)!, to: 3 } : s));
    await expect(r.parts[2]!.round3(r.transcript, toC)).rejects.toMatchObject({ name: 'FrostDkgError', code: 'E_FROST_DKG', rule: 'share', participant: 2 });
  });

  it('the key-set review shows t of n, the group key, the Taproot key, and the same check code on every device', async () => {
    const d = devices();
    const texts = [d.a.device, d.b.device].map((dev) => {
      const seen: string[] = [];
      dev.on('text', (e) => seen.push(e.text));
      return seen;
    });
    const dkg = await runFrostDkg(2, [d.pa, d.pb, new SoftwareFrostParticipant('software C')]);
    const [ta, tb] = texts.map((t) => flat(t.join('')));
    for (const t of [ta!, tb!]) {
      expect(t).toContain('FROSTkeyset2of3');
      expect(t).toContain(toHex(groupKeyXOnly(dkg.keyPackage)));
      expect(t).toContain(toHex(signingKeyXOnly(dkg.keyPackage, { kind: 'bip86' })));
    }
    const code = (t: string) => /Checkcode([0-9a-f]{32})/.exec(t)?.[1];
    expect(code(ta!)).toMatch(/^[0-9a-f]{32}$/);
    expect(code(ta!)).toBe(code(tb!));
  });
});
