// cli/main.ts as a process runs it, in-process: the command table it lists without loading the
// commands, and each entry's module answering to its own name.

import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../cli/commands/index.ts';
import { main } from '../../../cli/main.ts';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('taproot-hw --help', () => {
  it('lists every command with its summary', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    for (const c of COMMANDS) expect(out).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: the loaded module is the command of that name, and --help prints its usage', async (name, entry) => {
    const command = await entry.load();
    expect(command.name).toBe(name);
    const { code, out } = await cli([name, '--help']);
    expect(code).toBe(0);
    expect(out).toBe(`usage: taproot-hw ${command.usage}\n\n${entry.summary}`);
  });

  it('an unknown command is exit 2 with the command list', async () => {
    const { code, err } = await cli(['nope']);
    expect(code).toBe(2);
    expect(err).toContain('unknown command "nope"');
    expect(err).toContain('  fingerprint  ');
  });
});

describe('CLI messages speak CLI', () => {
  // A script-key path (README): outside the app's standard families; its xpub under the Speculos seed.
  const PATH = "m/1017'/1'/212'/0/0";
  const XPUB = 'tpubDGnnh9T5mXyvaUqJpJLLdYr58tKhCjNWmxQqA1gQdNQU9p6H8L6oynEx1ZyTbDpQ4j5jx7m6a2MWisdYnzedK2Cs5EkBhK5hHT4LmLPzzJz';

  it('a non-standard path without --display names --display, and with it the device shows the path', async () => {
    const refused = await cli(['--transport', 'emulator', 'xpub', PATH]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`taproot-hw xpub: ${PATH} is not a standard path for the app: add --display to show it on the device and approve it there`);
    expect(refused.err).not.toContain('display=true');
    const shown = await cli(['--transport', 'emulator', 'xpub', PATH, '--display']);
    expect(shown.code).toBe(0);
    expect(shown.out).toBe(XPUB);
  });
});
