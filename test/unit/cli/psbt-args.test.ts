import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { toHex } from '../../../apdu/bytes.ts';
import { parseHmac, readPsbtArgument } from '../../../cli/psbt-args.ts';
import { loadFlow } from '../apdu-bitcoin-app/corpus.ts';

describe('PSBT arguments', () => {
  const b64 = loadFlow('nanosp', 'sign-psbt-wpkh').inputs.psbt_base64 as string;
  const bytes = base64.decode(b64);
  it('reads base64, hex, and files holding binary, base64 or hex', () => {
    const dir = mkdtempSync(join(tmpdir(), 'psbt-'));
    writeFileSync(join(dir, 'a.psbt'), bytes);
    writeFileSync(join(dir, 'b.txt'), b64 + '\n');
    writeFileSync(join(dir, 'c.hex'), toHex(bytes));
    for (const arg of [b64, toHex(bytes), join(dir, 'a.psbt'), join(dir, 'b.txt'), join(dir, 'c.hex')])
      expect(toHex(readPsbtArgument(arg))).toBe(toHex(bytes));
  });
  it('refuses text that is no PSBT', () => {
    expect(() => readPsbtArgument('not a psbt!')).toThrow(/base64, hex or a file path/);
    expect(() => readPsbtArgument(base64.encode(Uint8Array.of(1, 2, 3, 4, 5, 6)))).toThrow(/magic/);
  });
  it('HMACs are 64 hex digits', () => {
    expect(parseHmac('ab'.repeat(32)).length).toBe(32);
    expect(() => parseHmac('ab')).toThrow(/64 hex digits/);
  });
});
