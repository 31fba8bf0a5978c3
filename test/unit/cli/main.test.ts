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
