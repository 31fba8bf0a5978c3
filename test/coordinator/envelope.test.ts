// The HPKE layer: our suite opens RFC 9180's own auth-PSK vector (DHKEM(X25519, HKDF-SHA256),
// HKDF-SHA256, AES-128-GCM, sequence 0); a party-to-party message opens only at the exact address,
// from the exact sender, with the exact invite secret it was sealed for; the invite codec round-trips.

import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../apdu/bytes.ts';
import { decodeInvite, encodeInvite, hpkeKeyPair } from '../../coordinator/index.ts';
import { openMessage, sealMessage, suite, type MessageAddress } from '../../coordinator/envelope.ts';

describe('RFC 9180 A.1.4 (AuthPSK) vector', () => {
  const v = {
    info: '4f6465206f6e2061204772656369616e2055726e',
    pkRm: 'cddf59d3a054f31b7ee9bfb3a63e8184a21dd5838a65427d24d8336cc4806d14',
    skRm: 'b635b1cf133dcfb36858123e2ed3dfa810d276d6946659fe0dbd273e071c496c',
    pkSm: 'f0a4abc0c7bc83c9bd05e11be67fa3108e25dd298923cca127f8d5a131d06b3b',
    psk: '0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82',
    pskId: '456e6e796e20447572696e206172616e204d6f726961',
    enc: '7b0f6df1f9015e3af3373434d246d8053c54da5ca83a9b5cad27141f2d2a597b',
    aad: '436f756e742d30',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    ct: 'd5b68e3a6f1f9f50c684675af9944e99a89f91c7a892268da37b9f5fbba420f0955b0357b97c54f344f02e3968',
  };
  const open = async (ct: string, pkS = v.pkSm) =>
    new Uint8Array(
      await suite.open(
        {
          recipientKey: await suite.kem.deserializePrivateKey(fromHex(v.skRm)),
          senderPublicKey: await suite.kem.deserializePublicKey(fromHex(pkS)),
          enc: fromHex(v.enc),
          info: fromHex(v.info),
          psk: { id: fromHex(v.pskId), key: fromHex(v.psk) },
        },
        fromHex(ct),
        fromHex(v.aad),
      ),
    );

  it('opens the ciphertext of sequence 0 to the plaintext', async () => {
    expect(toHex(hpkeKeyPair(fromHex(v.skRm)).publicKey)).toBe(v.pkRm);
    expect(toHex(await open(v.ct))).toBe(v.pt);
  });

  it('refuses it from another sender key', async () => {
    await expect(open(v.ct, v.pkRm)).rejects.toThrow();
  });
});

describe('party-to-party messages', () => {
  const a = hpkeKeyPair();
  const b = hpkeKeyPair();
  const c = hpkeKeyPair();
  const address: MessageAddress = { session: 'AAAAAAAAAAAAAAAAAAAAAA', from: 0, to: 1, step: 'nonce/1', seq: 0 };
  const invite = { party: 1, secret: new Uint8Array(32).fill(7) };
  const plaintext = utf8.encode('a public nonce');

  it('open only at the address they were sealed for', async () => {
    const sealed = await sealMessage(address, plaintext, a, b.publicKey);
    expect(await openMessage(address, sealed, b, a.publicKey)).toEqual(plaintext);
    for (const moved of [{ session: 'BAAAAAAAAAAAAAAAAAAAAA' }, { from: 2 }, { to: 2 }, { step: 'psig/1' }, { seq: 1 }])
      await expect(openMessage({ ...address, ...moved }, sealed, b, a.publicKey)).rejects.toMatchObject({ code: 'E_ENVELOPE' });
    // Another sender key, another recipient, a flipped bit.
    await expect(openMessage(address, sealed, b, c.publicKey)).rejects.toMatchObject({ code: 'E_ENVELOPE' });
    await expect(openMessage(address, sealed, c, a.publicKey)).rejects.toMatchObject({ code: 'E_ENVELOPE' });
    const flipped = sealed.slice();
    flipped[40]! ^= 1;
    await expect(openMessage(address, flipped, b, a.publicKey)).rejects.toMatchObject({ code: 'E_ENVELOPE', message: expect.stringContaining('nonce/1#0 from party 0 to party 1') });
  });

  it('sealed with an invite secret, need that secret to open', async () => {
    const sealed = await sealMessage(address, plaintext, a, b.publicKey, invite);
    expect(await openMessage(address, sealed, b, a.publicKey, invite)).toEqual(plaintext);
    await expect(openMessage(address, sealed, b, a.publicKey)).rejects.toMatchObject({ code: 'E_ENVELOPE' });
    await expect(openMessage(address, sealed, b, a.publicKey, { ...invite, secret: new Uint8Array(32) })).rejects.toMatchObject({ code: 'E_ENVELOPE' });
    await expect(openMessage(address, sealed, b, a.publicKey, { ...invite, party: 2 })).rejects.toMatchObject({ code: 'E_ENVELOPE' });
  });
});

describe('invites', () => {
  const fields = { party: 2, token: new Uint8Array(32).fill(1), coordinatorKey: new Uint8Array(32).fill(2), initiatorKey: new Uint8Array(32).fill(3), secret: new Uint8Array(32).fill(4) };

  it('round-trip', () => {
    const text = encodeInvite(fields);
    expect(text).toMatch(/^cosign1\.[A-Za-z0-9_-]{172}$/);
    expect(decodeInvite(text)).toEqual(fields);
  });

  it.each([
    ['cosign2.AAAA', /expected a string starting with "cosign1\."/],
    ['cosign1.!!!!', /expected base64url/],
    [`cosign1.${'A'.repeat(171)}`, /expected base64url|expected 129 bytes/],
    [encodeInvite(fields).replace(/^cosign1\.../, 'cosign1.AA'), /party 0 is the initiator/],
  ])('refuse %s', (text, message) => {
    expect(() => decodeInvite(text)).toThrow(message);
  });
});
