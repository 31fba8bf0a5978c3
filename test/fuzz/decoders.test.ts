// A slice of the decoder fuzzer (decoders.ts) for every CI run: each decoder of untrusted bytes or text
// gets its valid seeds and then mutated inputs from a fixed seed; only typed errors may escape.
// `npm run fuzz` runs the same decoders for as many inputs as asked.

import { describe, expect, it } from 'vitest';
import { CodecError } from '../../apdu/errors.ts';
import { decoders, runDecoderFuzz } from './decoders.ts';
import { isTypedError } from './typed-errors.ts';
import { prng } from './prng.ts';

const PER_DECODER = 400;

describe('decoder fuzzing: only typed errors escape', () => {
  it('tells typed errors from accidents', () => {
    expect(isTypedError(new CodecError('psbt: expected magic 70736274ff, got 00'))).toBe(true);
    expect(isTypedError(new RangeError('hex: expected an even number of hex digits, got 9'))).toBe(true);
    let accident: unknown;
    try {
      (undefined as unknown as { x: number }).x;
    } catch (e) {
      accident = e;
    }
    expect(isTypedError(accident)).toBe(false);
    try {
      new DataView(new ArrayBuffer(2)).getUint32(0);
    } catch (e) {
      accident = e;
    }
    expect(isTypedError(accident)).toBe(false);
    expect(isTypedError(new Error('Invalid checksum'))).toBe(false);
  });

  const list = decoders();
  it.each(list.map((d, i) => [d.name, i] as const))('%s', (_name, i) => {
    const [stats] = runDecoderFuzz(prng(0xdec0de + i), PER_DECODER, [list[i]!]);
    expect(stats!.inputs).toBe(PER_DECODER);
    expect(stats!.untyped).toEqual([]);
  });
});
