// Writes the vectors the C core of the Taproot Assets app is tested against (firmware/README.md)
// from the TypeScript implementation: `npx tsx scripts/export-firmware-vectors.ts`.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { firmwareVectorFiles } from '../test/firmware/vectors.ts';

const root = new URL('../', import.meta.url);
for (const [path, text] of Object.entries(await firmwareVectorFiles())) {
  const url = new URL(path, root);
  mkdirSync(dirname(url.pathname), { recursive: true });
  writeFileSync(url, text);
  console.log(`${path}: ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} lines`);
}
