// docs/architecture.md: the coordinator service sees only apdu and bitcoin; only its party client
// (coordinator/party) drives signers through host.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const files = (readdirSync(join(ROOT, 'coordinator'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.startsWith('party/') && f !== 'index.ts');

it.each(files)('coordinator/%s does not import host/', (file) => {
  const code = readFileSync(join(ROOT, 'coordinator', file), 'utf8');
  const targets = [...code.matchAll(/from\s*['"](\.[^'"]+)['"]/g)].map((m) => relative(ROOT, resolve(ROOT, 'coordinator', dirname(file), m[1]!)));
  expect(targets.filter((t) => t.startsWith('host/'))).toEqual([]);
});
