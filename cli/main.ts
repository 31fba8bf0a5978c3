// `taproot-hw [--transport T] [--json] [--seed MNEMONIC] [--model M] [--app NAME] COMMAND [ARGS]`.
// Results go to stdout, errors to stderr with a non-zero exit code.

import { pathToFileURL } from 'node:url';
import type { CommandContext } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { isTaprootHwError } from '../apdu/errors.ts';

const GLOBAL_USAGE =
  'taproot-hw [--transport auto|hid|emulator|speculos-tcp://HOST:PORT|speculos-http://HOST:PORT] [--wait SECONDS] [--json] [--seed MNEMONIC] [--model M] [--app NAME] COMMAND [ARGS]';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `usage: ${GLOBAL_USAGE}`,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'taproot-hw COMMAND --help' for a command's options.",
  ].join('\n');
}

function exitCodeOf(err: unknown): number {
  return isTaprootHwError(err, 'E_USAGE') ? 2 : 1;
}

export async function main(argv: string[], io = { stdout: console.log, stderr: console.error }): Promise<number> {
  const global: CommandContext['global'] = { transport: 'auto', json: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) break;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} expects a value`);
      return v;
    };
    try {
      if (name === '--help' || name === '-h') {
        io.stdout(help());
        return 0;
      } else if (name === '--json') global.json = true;
      else if (name === '--transport') global.transport = value();
      else if (name === '--wait') {
        // auto/hid: how long to wait for a device to be plugged in.
        const text = value();
        const seconds = Number(text);
        if (!/^\d+(\.\d+)?$/.test(text) || seconds > 86_400) throw new Error(`--wait: expected seconds 0..86400, got "${text}"`);
        global.waitMs = seconds * 1000;
      }
      else if (name === '--seed') global.seed = value();
      else if (name === '--model') global.model = value();
      else if (name === '--app') global.app = value();
      else {
        io.stderr(`taproot-hw: unknown global option ${name}\n${help()}`);
        return 2;
      }
    } catch (err) {
      io.stderr(`taproot-hw: ${(err as Error).message}`);
      return 2;
    }
  }
  const name = argv[i];
  if (name === undefined) {
    io.stderr(help());
    return 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`taproot-hw: unknown command "${name}"\n${help()}`);
    return 2;
  }
  const args = argv.slice(i + 1);
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`usage: taproot-hw ${command.usage}\n\n${entry.summary}`);
    return 0;
  }
  try {
    const code = await command.run({ argv: args, global, stdout: io.stdout, stderr: io.stderr });
    return code ?? 0;
  } catch (err) {
    const e = err as Error;
    // A usage error reads as a sentence; other errors keep their stable name to search for.
    const prefix = e.name && e.name !== 'Error' && e.name !== 'CliError' ? `${e.name}: ` : '';
    io.stderr(`taproot-hw ${name}: ${prefix}${e.message}`);
    return exitCodeOf(err);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
