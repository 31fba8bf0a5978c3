// musigYield: the one rule both device MuSig2 signers use to pick their result out of a device's
// yields (input, participant, aggregate, leaf); anything else is the device's fault.

import { describe, expect, it } from 'vitest';
import type { MusigPubNonceYield, SignPsbtYield } from '../../../apdu/yields.ts';
import { musigYield } from '../../../host/musig2/device-yield.ts';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const P = bytes(33, 2);
const AGG = bytes(33, 3);
const LEAF = bytes(32, 4);
const nonce = (over: Partial<MusigPubNonceYield> = {}): MusigPubNonceYield => ({
  type: 'musigPubNonce', inputIndex: 1, participantPubkey: P, aggregatePubkey: AGG, pubnonce: bytes(66, 5), ...over,
});
const wanted = { inputIndex: 1, participant: P, aggregate: AGG, leafHash: undefined };

describe('musigYield', () => {
  it('picks the yield of this input, participant, aggregate and leaf among others', () => {
    const mine = nonce({ tapleafHash: LEAF });
    const others: SignPsbtYield[] = [nonce(), { type: 'partialSignature', inputIndex: 1, pubkey: bytes(32, 6), signature: bytes(64, 7) }];
    expect(musigYield('SIGN_PSBT', [...others, mine], 'musigPubNonce', { ...wanted, leafHash: LEAF })).toBe(mine);
    expect(musigYield('SIGN_PSBT', [mine, ...others], 'musigPubNonce', wanted)).toBe(others[0]);
  });

  it.each([
    ['another input', nonce({ inputIndex: 0 }), wanted],
    ['another participant', nonce({ participantPubkey: bytes(33, 9) }), wanted],
    ['another aggregate', nonce({ aggregatePubkey: bytes(33, 9) }), wanted],
    ['a leaf where the key path was asked', nonce({ tapleafHash: LEAF }), wanted],
    ['the key path where a leaf was asked', nonce(), { ...wanted, leafHash: LEAF }],
    ['another leaf', nonce({ tapleafHash: bytes(32, 9) }), { ...wanted, leafHash: LEAF }],
  ])('a yield for %s is not this signer\'s: E_DEVICE_RESPONSE naming the command and what was expected', (_, y, w) => {
    expect(() => musigYield('SIGN_VPSBT', [y], 'musigPubNonce', w)).toThrow(
      expect.objectContaining({
        code: 'E_DEVICE_RESPONSE',
        message: `SIGN_VPSBT: expected a musigPubNonce for input 1, participant ${'02'.repeat(33)}, aggregate ${'03'.repeat(33)}; the device yielded 1 other results`,
      }),
    );
  });

  it('a partial signature is not a pubnonce', () => {
    expect(() => musigYield('SIGN_PSBT', [nonce()], 'musigPartialSignature', wanted)).toThrow(/expected a musigPartialSignature for input 1/);
  });
});
