// Device randomness. By default crypto.getRandomValues. With a seed N it reproduces Speculos's
// `--deterministic-rng N`: Speculos calls the C library's srand(N) and takes each random byte as
// `rand() & 0xff`, so on glibc the bytes come from random_r's TYPE_3 generator (an additive lagged
// Fibonacci generator, r[i] = r[i-3] + r[i-31] mod 2^32, seeded by the Park-Miller LCG, with the first
// 310 outputs discarded after the 34 seed words, and each output shifted right by one bit).

export type RandomSource = (length: number) => Uint8Array;

/** glibc's rand() after srand(seed): the TYPE_3 state of random_r (stdlib/random_r.c). */
export class GlibcRand {
  private readonly r = new Int32Array(34);
  private i = 0;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new RangeError(`deterministic rng seed: expected an unsigned 32-bit integer, got ${seed}`);
    // srand(0) behaves as srand(1); the seed word is the unsigned seed reinterpreted as int32.
    let word = seed === 0 ? 1 : seed | 0;
    const r = this.r;
    r[0] = word;
    for (let k = 1; k < 31; k++) {
      // 16807 * word mod (2^31 - 1) without overflow (Schrage's method), with C's truncating division.
      const hi = Math.trunc(word / 127773);
      const lo = word % 127773;
      word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      r[k] = word;
    }
    for (let k = 31; k < 34; k++) r[k] = r[k - 31]!;
    this.i = 34;
    // The state is stirred 310 times before the first output (34 + 310 = 344 words generated).
    for (let k = 0; k < 310; k++) this.step();
  }

  private step(): number {
    // Ring buffer of the last 34 words: r[i-31] and r[i-3] are at (i+3)%34 and (i+31)%34.
    const r = this.r;
    const v = (r[(this.i + 3) % 34]! + r[(this.i + 31) % 34]!) | 0;
    r[this.i % 34] = v;
    this.i++;
    return v;
  }

  /** The next rand() value, 0..2^31-1. */
  next(): number {
    return this.step() >>> 1;
  }
}

export function deterministicRandom(seed: number): RandomSource {
  const g = new GlibcRand(seed);
  return (length) => {
    const out = new Uint8Array(checkLength(length));
    for (let k = 0; k < length; k++) out[k] = g.next() & 0xff;
    return out;
  };
}

export const secureRandom: RandomSource = (length) => {
  const out = new Uint8Array(checkLength(length));
  // getRandomValues fills at most 65536 bytes per call.
  for (let k = 0; k < length; k += 65536) crypto.getRandomValues(out.subarray(k, Math.min(length, k + 65536)));
  return out;
};

function checkLength(length: number): number {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`random: expected a length >= 0, got ${length}`);
  return length;
}
