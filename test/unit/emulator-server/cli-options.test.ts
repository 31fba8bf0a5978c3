// `taproot-hw emulator` options that decide who can drive the device and whether its nonces repeat.

import { describe, expect, it } from 'vitest';
import { emulatorOptionsFromArgs } from '../../../cli/commands/emulator.ts';
import { SPECULOS_DEFAULT_MNEMONIC } from '../../../emulator/index.ts';

const OTHER_SEED = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const WHY =
  '--deterministic-rng: refused with a --seed other than the Speculos default: it makes signature nonces and MuSig2 secret nonces repeat across restarts, which leaks the private keys of that seed';

describe('emulator --deterministic-rng', () => {
  it('is refused with any other seed, here or as the global --seed, and says why', async () => {
    await expect(emulatorOptionsFromArgs(['--seed', OTHER_SEED, '--deterministic-rng', '42'])).rejects.toThrow(WHY);
    await expect(emulatorOptionsFromArgs(['--deterministic-rng', '42'], { seed: OTHER_SEED })).rejects.toThrow(WHY);
    await expect(emulatorOptionsFromArgs(['--seed', `hex:${'00'.repeat(32)}`, '--deterministic-rng', '0'])).rejects.toThrow(WHY);
  });

  it('is taken with the Speculos default seed, named or not', async () => {
    expect((await emulatorOptionsFromArgs(['--deterministic-rng', '42'])).deterministicRng).toBe(42);
    const spaced = SPECULOS_DEFAULT_MNEMONIC.split(' ').join('  ');
    expect(await emulatorOptionsFromArgs(['--seed', spaced, '--deterministic-rng', '7'])).toMatchObject({ deterministicRng: 7, seed: spaced });
  });

  it('leaves any seed alone without it', async () => {
    expect(await emulatorOptionsFromArgs(['--seed', OTHER_SEED])).toMatchObject({ seed: OTHER_SEED });
  });
});

describe('emulator --allow-origin', () => {
  it('is off by default and repeatable', async () => {
    expect((await emulatorOptionsFromArgs([])).allowOrigins).toBeUndefined();
    const o = await emulatorOptionsFromArgs(['--allow-origin', 'http://localhost:3000', '--allow-origin', 'https://wallet.example']);
    expect(o.allowOrigins).toEqual(['http://localhost:3000', 'https://wallet.example']);
  });

  it.each(['*', 'localhost:3000', 'http://localhost:3000/', 'null'])('refuses %j: an origin is scheme://host[:port]', async (origin) => {
    await expect(emulatorOptionsFromArgs(['--allow-origin', origin])).rejects.toThrow(
      `--allow-origin: expected an origin such as http://localhost:3000, got "${origin}"`,
    );
  });
});
