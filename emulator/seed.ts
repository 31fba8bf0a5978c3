// The device seed: a BIP-39 mnemonic (no passphrase), as Speculos's `--seed`, or raw seed bytes given
// as "hex:<seed>" (Speculos accepts the same prefix). The default is Speculos's default seed, so the
// emulator and Speculos derive the same keys (master fingerprint f5acc2fd).

import { HDKey } from '@scure/bip32';
import { validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { fromHex } from '../apdu/bytes.ts';
import { EmulatorError } from './errors.ts';

export const SPECULOS_DEFAULT_MNEMONIC =
  'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin';

export interface DeviceSeed {
  /** The BIP-39 seed bytes (64 for a mnemonic; 16..64 for "hex:"). */
  readonly seed: Uint8Array;
  readonly master: HDKey;
}

/**
 * Parses a mnemonic or "hex:<seed>": the text is checked now (a bad seed fails at start), the seed
 * bytes and master key are derived at first use. PBKDF2's 2,048 rounds and the first point
 * multiplication are most of an emulator's start-up, so a process can listen before paying for them.
 */
export function parseSeed(spec: string = SPECULOS_DEFAULT_MNEMONIC): DeviceSeed {
  if (typeof spec !== 'string') throw new EmulatorError('E_SEED', `seed: expected a BIP-39 mnemonic or "hex:<seed>", got ${typeof spec}`);
  let derive: () => Uint8Array;
  if (spec.startsWith('hex:')) {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(spec.slice(4), 'seed');
    } catch (e) {
      throw new EmulatorError('E_SEED', `seed: expected "hex:" followed by even-length hex, got "${spec}" (${(e as Error).message})`);
    }
    // BIP-32 master key generation requires 128..512 bits of seed.
    if (bytes.length < 16 || bytes.length > 64)
      throw new EmulatorError('E_SEED', `seed: expected 16..64 bytes after "hex:", got ${bytes.length}`);
    derive = () => bytes;
  } else {
    const mnemonic = spec.trim().split(/\s+/).join(' ');
    if (!validateMnemonic(mnemonic, wordlist))
      throw new EmulatorError(
        'E_SEED',
        `seed: expected a BIP-39 English mnemonic of 12/15/18/21/24 words with a valid checksum, got ${mnemonic.split(' ').length} words that do not validate`,
      );
    derive = () => mnemonicToSeed(mnemonic);
  }
  let seed: Uint8Array | undefined;
  let master: HDKey | undefined;
  return {
    get seed() {
      return (seed ??= derive());
    },
    get master() {
      return (master ??= HDKey.fromMasterSeed(this.seed));
    },
  };
}

/**
 * BIP-39 "From mnemonic to seed": PBKDF2-HMAC-SHA512 of the NFKD mnemonic, salt "mnemonic" (no
 * passphrase), 2,048 rounds, 64 bytes. OpenSSL's rather than @scure/bip39's: the same bytes
 * (test/unit/emulator/seed.test.ts) in a fraction of the time: the emulator's CPU from start to
 * idle drops from 250 to 170 ms (`npm run bench`, start-up rows). node:crypto loads at this first
 * use, not with the emulator.
 */
function mnemonicToSeed(mnemonic: string): Uint8Array {
  const { pbkdf2Sync } = process.getBuiltinModule('node:crypto');
  return new Uint8Array(pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512'));
}

/** The 4-byte BIP-32 fingerprint of the master key, as GET_MASTER_FINGERPRINT returns it. */
export function masterFingerprint(master: HDKey): Uint8Array {
  const fp = master.fingerprint;
  return Uint8Array.of(fp >>> 24, (fp >>> 16) & 0xff, (fp >>> 8) & 0xff, fp & 0xff);
}

