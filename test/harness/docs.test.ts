// docs/harness.md gives the Linux udev rule; it must be the one the USB transport's hint prints.

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { UDEV_RULES } from '../../devices/node-hid.ts';

it('docs/harness.md carries the udev rule of devices/node-hid.ts', () => {
  const doc = readFileSync(new URL('../../docs/harness.md', import.meta.url), 'utf8');
  const rules = UDEV_RULES.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  expect(rules).toHaveLength(2);
  expect(doc).toContain(`\`\`\`\n${rules.join('\n')}\n\`\`\``);
});
