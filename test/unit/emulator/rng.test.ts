import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { deterministicRandom, GlibcRand, secureRandom } from '../../../emulator/rng.ts';

// Expected bytes from glibc itself: this C program, compiled with gcc 12 on Debian (glibc 2.36) and
// run as `./rng 42 64` and `./rng 1 64`:
//   #include <stdio.h>
//   #include <stdlib.h>
//   int main(int argc, char **argv) {
//     srand((unsigned)strtoul(argv[1], 0, 10));
//     int n = atoi(argv[2]);
//     for (int i = 0; i < n; i++) printf("%02x", rand() & 0xff);
//     printf("\n");
//   }
const GLIBC_SEED_42 =
  '466431296486ed9cd71fc207254820a2c4a85aeb0b2041494f8bf1f8cd30f11394223cf8a82995804957876e9fa71163506b4e5b8c8fa4db1b95d3e8c5c5fb5a';
const GLIBC_SEED_1 =
  '67c6697351ff4aec29cdbaabf2fbe3467cc254f81be8e78d765a2e63339fc99a66320db73158a35a255d051758e95ed4abb2cdc69bb454110e827441213ddc87';
// `./rng 0 16` (srand(0) is srand(1)) and `./rng 4294967295 16` (a seed word that is negative as int32).
const GLIBC_SEED_0 = '67c6697351ff4aec29cdbaabf2fbe346';
const GLIBC_SEED_MAX = '3bcc08e1e4aee6fb5028c0e936efed6d';

describe('deterministic RNG (Speculos --deterministic-rng)', () => {
  it('reproduces glibc srand/rand & 0xff', () => {
    expect(toHex(deterministicRandom(42)(64))).toBe(GLIBC_SEED_42);
    expect(toHex(deterministicRandom(1)(64))).toBe(GLIBC_SEED_1);
    expect(toHex(deterministicRandom(0)(16))).toBe(GLIBC_SEED_0);
    expect(toHex(deterministicRandom(0xffffffff)(16))).toBe(GLIBC_SEED_MAX);
  });

  it('is one stream however the bytes are requested', () => {
    const r = deterministicRandom(42);
    expect(toHex(r(10)) + toHex(r(0)) + toHex(r(54))).toBe(GLIBC_SEED_42);
  });

  it('rand() values stay in 0..2^31-1 and the first one after srand(1) is glibc\'s 1804289383', () => {
    const g = new GlibcRand(1);
    expect(g.next()).toBe(1804289383);
    expect(g.next()).toBe(846930886);
  });

  it('rejects seeds that are not unsigned 32-bit integers', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => deterministicRandom(bad)).toThrow(RangeError);
  });

  it('secure randomness has the asked length and is not constant', () => {
    const a = secureRandom(70_000);
    expect(a.length).toBe(70_000);
    expect(toHex(secureRandom(32))).not.toBe(toHex(secureRandom(32)));
    expect(() => secureRandom(-1)).toThrow(RangeError);
  });
});
