import { describe, expect, it } from 'vitest';
import {
  abytes,
  ByteReader,
  compareBytes,
  concat,
  encodeVarint,
  equal,
  equalConstantTime,
  fromHex,
  toHex,
  u16be,
  u32be,
  u32le,
  u64be,
  u64le,
  utf8,
} from '../../../apdu/bytes.ts';

const codec = (message: string) => expect.objectContaining({ code: 'E_CODEC', message });

describe('byte helpers', () => {
  it('hex both ways, either case; odd length and non-hex refused', () => {
    expect(toHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe('0001abff');
    expect(toHex(fromHex('00FFaB'))).toBe('00ffab');
    expect(fromHex('')).toEqual(new Uint8Array());
    expect(() => fromHex('abc')).toThrow('hex: expected an even number of hex digits, got 3');
    expect(() => fromHex('zz', 'sw')).toThrow('sw: expected only hex digits');
    expect(() => fromHex(12 as unknown as string)).toThrow(TypeError);
  });

  it('concat, equal, constant-time equal, lexicographic compare', () => {
    expect(toHex(concat(fromHex('01'), new Uint8Array(), fromHex('0203')))).toBe('010203');
    expect(equal(fromHex('0102'), fromHex('0102'))).toBe(true);
    expect(equal(fromHex('0102'), fromHex('0103'))).toBe(false);
    expect(equal(fromHex('01'), fromHex('0100'))).toBe(false);
    expect(equalConstantTime(fromHex('aabb'), fromHex('aabb'))).toBe(true);
    expect(equalConstantTime(fromHex('aabb'), fromHex('aabc'))).toBe(false);
    expect(equalConstantTime(fromHex('aa'), fromHex('aabb'))).toBe(false);
    expect(Math.sign(compareBytes(fromHex('01'), fromHex('02')))).toBe(-1);
    expect(Math.sign(compareBytes(fromHex('0101'), fromHex('01')))).toBe(1);
    expect(compareBytes(fromHex('ab'), fromHex('ab'))).toBe(0);
  });

  it('abytes checks type and length', () => {
    expect(() => abytes('x', undefined, 'key')).toThrow('key: expected Uint8Array, got string');
    expect(() => abytes(new Uint8Array(31), 32, 'key')).toThrow('key: expected 32 bytes, got 31');
    expect(abytes(new Uint8Array(32), 32)).toHaveLength(32);
  });

  it('integers in both byte orders', () => {
    expect(toHex(u16be(0x9000))).toBe('9000');
    expect(toHex(u32be(0x80000056))).toBe('80000056');
    expect(toHex(u32le(0x80000056))).toBe('56000080');
    expect(toHex(u64be(0x0102030405060708n))).toBe('0102030405060708');
    expect(toHex(u64le(0x0102030405060708n))).toBe('0807060504030201');
    expect(toHex(utf8.encode('Bitcoin Test'))).toBe('426974636f696e2054657374');
    expect(utf8.decode(fromHex('32 2e 34 2e 36'.replaceAll(' ', '')))).toBe('2.4.6');
    expect(() => utf8.decode(fromHex('ff'))).toThrow(TypeError);
  });

  it.each([
    [0, '00'],
    [0xfc, 'fc'],
    [0xfd, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0xffffffff, 'feffffffff'],
    [0x100000000n, 'ff0000000001000000'],
    [0xffffffffffffffffn, 'ffffffffffffffffff'],
  ])('CompactSize %s is %s and reads back', (n, hex) => {
    expect(toHex(encodeVarint(n))).toBe(hex);
    const r = new ByteReader(fromHex(hex));
    expect(r.varint()).toBe(BigInt(n));
    expect(r.done).toBe(true);
  });

  it('CompactSize refuses negatives, 2^64 and non-canonical encodings', () => {
    expect(() => encodeVarint(-1)).toThrow(RangeError);
    expect(() => encodeVarint(2n ** 64n)).toThrow(RangeError);
    expect(() => new ByteReader(fromHex('fd fc00'.replace(' ', '')), 'psbt').varint('count')).toThrow(codec('psbt.count: non-canonical varint'));
    expect(() => new ByteReader(fromHex('feffff0000')).varint()).toThrow(codec('data.varint: non-canonical varint'));
    expect(() => new ByteReader(fromHex('ffffffffff00000000')).varint()).toThrow(codec('data.varint: non-canonical varint'));
    expect(() => new ByteReader(fromHex('65'), 'm').varintNumber('n', 100)).toThrow(codec('m.n: expected at most 100, got 101'));
  });

  it('ByteReader reads in order and names the field that ran out', () => {
    const r = new ByteReader(fromHex('01' + '0203' + '04050607' + '08090a0b' + '0c'), 'resp');
    expect(r.u8()).toBe(1);
    expect(r.u16be()).toBe(0x0203);
    expect(r.u32be()).toBe(0x04050607);
    expect(r.u32le()).toBe(0x0b0a0908);
    expect(r.offset).toBe(11);
    expect(r.remaining).toBe(1);
    expect(() => r.end()).toThrow(codec('resp: expected end of data, got 1 extra bytes'));
    expect(() => r.bytesN(2, 'hmac')).toThrow(codec('resp.hmac: expected 2 bytes, got 1'));
    expect(toHex(r.rest())).toBe('0c');
    r.end();
    expect(() => r.bytesN(-1, 'x')).toThrow(codec('resp.x: invalid length -1'));
    const le = new ByteReader(fromHex('0807060504030201' + '0102030405060708'));
    expect(le.u64le()).toBe(0x0102030405060708n);
    expect(le.u64be()).toBe(0x0102030405060708n);
  });
});
