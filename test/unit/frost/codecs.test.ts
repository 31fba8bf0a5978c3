// The FROST wire codecs (apdu/tap-app/frost*.ts): each request and response encodes and decodes
// the same shape, bytes are pinned where the layout is the spec, and malformed input is refused
// with the status word the device answers (6A80 value out of range, 6A87 short or trailing data).

import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import {
  decodeKeyPackage,
  decodeNonceCommitments,
  encodeKeyPackage,
  encodeNonceCommitments,
  frostDkgRound1,
  frostSign,
  frostSignGroupGenesis,
  tapRequestErrorStatus,
  yieldChunks,
  FROST_YIELD_CHUNK,
} from '../../../apdu/tap-app/index.ts';

const P = (b: number) => Uint8Array.of(0x02, ...new Uint8Array(32).fill(b));
const status = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    return tapRequestErrorStatus(e);
  }
  return 0x9000;
};

describe('FROST codecs', () => {
  it('FROST_DKG_ROUND1: t || n || index, range-checked', () => {
    expect(toHex(frostDkgRound1.encodeRequest({ threshold: 2, participants: 3, index: 1 }))).toBe('020301');
    expect(frostDkgRound1.decodeRequest(fromHex('030502'))).toEqual({ threshold: 3, participants: 5, index: 2 });
    expect(status(() => frostDkgRound1.decodeRequest(fromHex('040301')))).toBe(0x6a80); // t > n
    expect(status(() => frostDkgRound1.decodeRequest(fromHex('011101')))).toBe(0x6a80); // n = 17
    expect(status(() => frostDkgRound1.decodeRequest(fromHex('020304')))).toBe(0x6a80); // index > n
    expect(status(() => frostDkgRound1.decodeRequest(fromHex('0203')))).toBe(0x6a87);
    expect(status(() => frostDkgRound1.decodeRequest(fromHex('02030100')))).toBe(0x6a87);
    expect(() => frostDkgRound1.encodeRequest({ threshold: 1, participants: 3, index: 1 })).toThrow(RangeError);
  });

  it('FROST_SIGN: every tweak kind round-trips; an unknown kind is 6A80', () => {
    const base = {
      handle: new Uint8Array(32).fill(1),
      wrappedShare: new Uint8Array(49).fill(2),
      keyPackage: { length: 200, hash: new Uint8Array(32).fill(3) },
      message: new Uint8Array(32).fill(4),
      commitments: { length: 135, hash: new Uint8Array(32).fill(5) },
    };
    for (const tweak of [{ kind: 'none' }, { kind: 'bip86' }, { kind: 'merkleRoot', root: new Uint8Array(32).fill(6) }] as const) {
      const bytes = frostSign.encodeRequest({ ...base, tweak });
      expect(bytes.length).toBeLessThanOrEqual(255);
      expect(frostSign.decodeRequest(bytes)).toEqual({ ...base, tweak });
    }
    const bytes = frostSign.encodeRequest({ ...base, tweak: { kind: 'none' } });
    bytes[32 + 49 + 33 + 32] = 3;
    expect(status(() => frostSign.decodeRequest(bytes))).toBe(0x6a80);
  });

  it('FROST_SIGN_GROUP_GENESIS: the largest request fits one APDU, byte for byte; a leaf version other than 1 or 2 is 6A80', () => {
    const req = {
      handle: new Uint8Array(32).fill(1),
      wrappedShare: new Uint8Array(49).fill(2),
      keyPackage: { length: 1058, hash: new Uint8Array(32).fill(3) },
      commitments: { length: 1073, hash: new Uint8Array(32).fill(4) },
      asset: { length: 4096, hash: new Uint8Array(32).fill(5) },
      leafVersion: 2,
      anchorAssetId: new Uint8Array(32).fill(6),
    };
    const bytes = frostSignGroupGenesis.encodeRequest(req);
    expect(bytes.length).toBe(32 + 49 + 3 * (3 + 32) + 1 + 32);
    expect(toHex(bytes.subarray(81, 84))).toBe('fd2204');
    expect(frostSignGroupGenesis.decodeRequest(bytes)).toEqual(req);
    const { anchorAssetId: _, ...fresh } = req;
    expect(frostSignGroupGenesis.decodeRequest(frostSignGroupGenesis.encodeRequest(fresh))).toEqual(fresh);
    bytes[32 + 49 + 3 * 35] = 3;
    expect(status(() => frostSignGroupGenesis.decodeRequest(bytes))).toBe(0x6a80);
    expect(status(() => frostSignGroupGenesis.decodeRequest(frostSignGroupGenesis.encodeRequest(req).subarray(0, bytes.length - 1)))).toBe(0x6a87);
  });

  it('key package and nonce commitments: round trip, order and count checks', () => {
    const pkg = { threshold: 2, commitments: [P(1), P(2)], verifyingShares: [P(3), P(4), P(5)] };
    const bytes = encodeKeyPackage(pkg);
    expect(bytes.length).toBe(2 + 5 * 33);
    expect(decodeKeyPackage(bytes)).toEqual(pkg);
    const list = [
      { index: 1, hiding: P(7), binding: P(8) },
      { index: 3, hiding: P(9), binding: P(10) },
    ];
    expect(decodeNonceCommitments(encodeNonceCommitments(list), 2, 3)).toEqual(list);
    expect(status(() => decodeNonceCommitments(encodeNonceCommitments(list.slice(0, 1)), 2, 3))).toBe(0x6a80); // fewer than t
    const reversed = encodeNonceCommitments(list);
    reversed.set(encodeNonceCommitments([list[1]!, list[0]!].map((c, i) => ({ ...c, index: i + 1 }))).subarray(1), 1);
    reversed[1] = 3;
    reversed[1 + 67] = 1;
    expect(status(() => decodeNonceCommitments(reversed, 2, 3))).toBe(0x6a80); // not increasing
    expect(() => encodeNonceCommitments([list[1]!, list[0]!])).toThrow(RangeError);
  });

  it('yields carry a value in chunks that fit a YIELD', () => {
    const v = new Uint8Array(600).map((_, i) => i);
    const chunks = yieldChunks(v);
    expect(chunks.map((c) => c.length)).toEqual([FROST_YIELD_CHUNK, FROST_YIELD_CHUNK, 600 - 2 * FROST_YIELD_CHUNK]);
    expect(1 + FROST_YIELD_CHUNK).toBeLessThanOrEqual(255);
  });
});
