// The C core is tested against files; this keeps them equal to what the TypeScript implementation
// computes today, so a change on either side cannot leave the two silently apart.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firmwareVectorFiles } from './vectors.ts';

const ROOT = new URL('../../', import.meta.url);

describe('firmware vectors', () => {
  it('test/vectors/firmware and the flash table are what the TypeScript implementation exports today', async () => {
    for (const [path, text] of Object.entries(await firmwareVectorFiles()))
      expect(readFileSync(new URL(path, ROOT), 'utf8'), `${path} is stale: run npx tsx scripts/export-firmware-vectors.ts`).toBe(text);
    // 13 s on this shared machine at load 11 (the transcripts stream some 160 SIGN_VPSBT packets
    // through the emulator); the margin is for a busier one.
  }, 180_000);
});
