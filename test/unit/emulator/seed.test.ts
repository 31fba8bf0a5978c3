import { HDKey } from '@scure/bip32';
import { generateMnemonic, mnemonicToSeedSync } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../apdu/bytes.ts';
import { masterFingerprint, parseSeed, SPECULOS_DEFAULT_MNEMONIC } from '../../../emulator/seed.ts';

describe('device seed (emulator/seed.ts)', () => {
  it('derives the Speculos default seed to master fingerprint f5acc2fd', () => {
    expect(toHex(masterFingerprint(parseSeed().master))).toBe('f5acc2fd');
  });

  it("OpenSSL's PBKDF2 gives @scure/bip39's seed and master key, for 12 to 24 words and spacing as typed", () => {
    const mnemonics = [SPECULOS_DEFAULT_MNEMONIC, ...[128, 160, 192, 224, 256].map((bits) => generateMnemonic(wordlist, bits))];
    for (const mnemonic of mnemonics) {
      const device = parseSeed(`  ${mnemonic.split(' ').join(' \t ')}\n`);
      const expected = mnemonicToSeedSync(mnemonic);
      expect(toHex(device.seed)).toBe(toHex(expected));
      expect(device.master.privateExtendedKey).toBe(HDKey.fromMasterSeed(expected).privateExtendedKey);
    }
  });

  it('checks the text when parsed: a bad checksum or hex seed fails at start, not at first use', () => {
    expect(() => parseSeed(SPECULOS_DEFAULT_MNEMONIC.replace(/skin$/, 'glory'))).toThrow(expect.objectContaining({ code: 'E_SEED' }));
    expect(() => parseSeed('hex:00')).toThrow(expect.objectContaining({ code: 'E_SEED' }));
    expect(toHex(parseSeed(`hex:${'ab'.repeat(16)}`).seed)).toBe('ab'.repeat(16));
  });
});
