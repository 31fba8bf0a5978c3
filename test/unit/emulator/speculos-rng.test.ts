// The rules of emulator/speculos-rng.ts on their own: what each operation draws from the glibc
// srand(seed) stream, checked against the raw stream of emulator/rng.ts.

import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { deterministicRandom } from '../../../emulator/rng.ts';
import { SpeculosRandom } from '../../../emulator/speculos-rng.ts';

const H = 0x80000000;

describe('SpeculosRandom', () => {
  it('starts after the launcher\'s 256 power-on bytes, then hands out the stream in order', () => {
    const raw = deterministicRandom(42)(300);
    const r = new SpeculosRandom(42);
    expect(r.position).toBe(256);
    expect(toHex(r.bytes(8))).toBe(toHex(raw.subarray(256, 264)));
    expect(toHex(r.bytes(0))).toBe('');
    expect(r.position).toBe(264);
  });

  it('charges 64 bytes per scalar multiplication and master key identifier, 32 per hidden cx_bn_rng', () => {
    const r = new SpeculosRandom(7);
    r.charge('point-mul');
    expect(r.position).toBe(256 + 64);
    r.charge('master-key-id');
    expect(r.position).toBe(256 + 128);
    r.charge('scalar-rng');
    expect(r.position).toBe(256 + 160);
    // the next app byte is the one after everything charged
    expect(r.bytes(1)[0]).toBe(deterministicRandom(7)(256 + 161)[256 + 160]);
  });

  it('charges one multiplication per unhardened step of an OS derivation, none for hardened ones', () => {
    const r = new SpeculosRandom(42);
    r.charge({ derive: [86 + H, 1 + H, 0 + H] });
    expect(r.position).toBe(256);
    r.charge({ derive: [86 + H, 1 + H, 0 + H, 0, 3] });
    expect(r.position).toBe(256 + 128);
    r.charge({ derive: [] });
    expect(r.position).toBe(256 + 128);
  });

  it('rejects a bad length', () => {
    const r = new SpeculosRandom(42);
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => r.bytes(bad)).toThrow(RangeError);
  });
});
