import { describe, expect, it } from 'vitest';
import { ByteReader, toHex } from '../../../apdu/bytes.ts';
import { encodePath, formatPath, HARDENED, isHardened, MAX_PATH_DEPTH, parsePath, readPath } from '../../../apdu/path.ts';

const H = HARDENED;
const pathError = (message?: string | RegExp) =>
  expect.objectContaining({ code: 'E_CODEC', ...(message ? { message: typeof message === 'string' ? message : expect.stringMatching(message) } : {}) });

describe('BIP-32 paths', () => {
  it.each([
    ["m/86'/1'/0'", [86 + H, 1 + H, H]],
    ['m/86h/1h/0h', [86 + H, 1 + H, H]],
    ['M/86H/1H/0H', [86 + H, 1 + H, H]],
    ["86'/1'/0'/0/5", [86 + H, 1 + H, H, 0, 5]],
    ["m/1017'/1'/212'/0/0", [1017 + H, 1 + H, 212 + H, 0, 0]],
    ["m/2147483647'/2147483647", [0xffffffff, 0x7fffffff]],
    ['m', []],
    ['', []],
    ['  m/0  ', [0]],
  ])('parses %j', (text, expected) => {
    expect(parsePath(text)).toEqual(expected);
  });

  it('accepts number arrays as given, copied', () => {
    const input = [86 + H, 1 + H, H];
    const out = parsePath(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(parsePath([])).toEqual([]);
  });

  it('formats with apostrophes by default, h or no prefix on request', () => {
    expect(formatPath([86 + H, 1 + H, H, 0, 5])).toBe("m/86'/1'/0'/0/5");
    expect(formatPath([86 + H, 1 + H, H], { hardenedMark: 'h' })).toBe('m/86h/1h/0h');
    expect(formatPath([48 + H, 1 + H, H, 2 + H], { prefix: false })).toBe("48'/1'/0'/2'");
    expect(formatPath([])).toBe('m');
    expect(isHardened(H)).toBe(true);
    expect(isHardened(H - 1)).toBe(false);
  });

  it('round-trips text -> numbers -> text', () => {
    for (const text of ["m/44'/1'/0'", "m/49'/1'/0'", "m/84'/1'/0'", "m/86'/1'/5'", "m/48'/1'/0'/2'", "m/86'/1'/0'/1/9"])
      expect(formatPath(parsePath(text))).toBe(text);
  });

  it(`refuses more than ${MAX_PATH_DEPTH} levels`, () => {
    const eleven = 'm' + '/0'.repeat(11);
    expect(parsePath('m' + '/0'.repeat(10))).toHaveLength(10);
    expect(() => parsePath(eleven)).toThrow(pathError('path: expected at most 10 elements, got 11'));
    expect(() => parsePath(new Array(11).fill(0))).toThrow(pathError());
    expect(() => formatPath(new Array(11).fill(0))).toThrow(pathError());
  });

  it.each([
    ['m/abc', /expected elements like 86' or 86h or 0, got "abc"/],
    ["m/86''", /got "86''"/],
    ['m/-1', /got "-1"/],
    ['m//1', /got ""/],
    ['m/1/', /got ""/],
    ['m/2147483648', /expected an index below 2\^31, got 2147483648/],
    ["m/2147483648'", /below 2\^31/],
    ['m/99999999999999999999', /below 2\^31/],
    ['x/1', /got "x"/],
    ['m/1 /2', /got "1 "/],
  ])('refuses %j with E_CODEC', (text, message) => {
    expect(() => parsePath(text)).toThrow(pathError(message));
  });

  it.each([
    [[-1], 'path: expected u32 elements, got -1'],
    [[2 ** 32], 'path: expected u32 elements, got 4294967296'],
    [[1.5], 'path: expected u32 elements, got 1.5'],
    [['1'], 'path: expected u32 elements, got 1'],
  ])('refuses the array %j', (arr, message) => {
    expect(() => parsePath(arr as number[])).toThrow(pathError(message));
  });

  it('refuses a value that is neither text nor an array', () => {
    expect(() => parsePath(5 as unknown as string)).toThrow(pathError('path: expected string or number[], got number'));
    expect(() => parsePath(null as unknown as string)).toThrow(pathError());
  });

  it('encodes as n || n * u32 BE (corpus: m/86h/1h/0h) and reads it back', () => {
    const wire = encodePath("m/86'/1'/0'");
    expect(toHex(wire)).toBe('03' + '80000056' + '80000001' + '80000000');
    const r = new ByteReader(wire);
    expect(readPath(r)).toEqual([86 + H, 1 + H, H]);
    r.end();
    expect(toHex(encodePath([]))).toBe('00');
  });

  it('readPath refuses a depth over 10 and a short buffer, naming the field', () => {
    expect(() => readPath(new ByteReader(Uint8Array.of(11, ...new Array(44).fill(0))), 'key.path')).toThrow(
      pathError('key.path: expected at most 10 elements, got 11'),
    );
    expect(() => readPath(new ByteReader(Uint8Array.of(2, 0, 0, 0, 1, 0, 0), 'getpubkey'))).toThrow(
      expect.objectContaining({ code: 'E_CODEC', message: 'getpubkey.path[1]: expected 4 bytes, got 2' }),
    );
  });
});
