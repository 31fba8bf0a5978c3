// `taproot-hw emulator`: runs the emulated device behind its Speculos-compatible servers until SIGINT
// or SIGTERM. Harnesses read the one JSON line it prints on stdout once every port listens.

import { readFile } from 'node:fs/promises';
import { APPS_ON_DEMAND } from '../../emulator/apps/on-demand.ts';
import { createEmulatorWith, type EmulatorOptions } from '../../emulator/create.ts';
import { SPECULOS_DEFAULT_MNEMONIC } from '../../emulator/seed.ts';
import { intOption, parseArgs, type ParsedArgs } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { stopSignal } from '../stop-signal.ts';

const MODEL_IDS = ['nanosp', 'nanox', 'stax', 'flex', 'apex'] as const;

const USAGE =
  'emulator [--model nanosp|nanox|stax|flex|apex] [--seed MNEMONIC|hex:SEED] [--app NAME] [--api-port N] [--apdu-port N] ' +
  '[--button-port N] [--automation-port N] [--automation FILE] [--auto-approve] [--blind-signing] [--deterministic-rng SEED] [--host H] [--allow-origin ORIGIN]...';

const SPEC = {
  model: 'value',
  seed: 'value',
  app: 'value',
  'api-port': 'value',
  'apdu-port': 'value',
  'button-port': 'value',
  'automation-port': 'value',
  automation: 'value',
  'auto-approve': 'flag',
  'blind-signing': 'flag',
  'deterministic-rng': 'value',
  host: 'value',
  'allow-origin': 'list',
} as const;

/** scheme://host[:port], as a browser sends it in Origin. */
const ORIGIN = /^https?:\/\/[^/\s]+$/;

function portOption(args: ParsedArgs, name: string, fallback: number | null): number | null {
  if (!args.values.has(name)) return fallback;
  return intOption(args, name, 0, 0, 0xffff);
}

/** Builds the emulator options from argv; the global --model/--seed/--app apply when not given here. */
export async function emulatorOptionsFromArgs(
  argv: readonly string[],
  global: { seed?: string; model?: string; app?: string } = {},
): Promise<EmulatorOptions> {
  const args = parseArgs(argv, SPEC, USAGE);
  if (args.positionals.length > 0) throw new CliError(`emulator: expected options only, got "${args.positionals[0]}"; usage: ${USAGE}`);
  const model = args.values.get('model') ?? global.model ?? 'nanosp';
  if (!(MODEL_IDS as readonly string[]).includes(model))
    throw new CliError(`--model: expected one of ${MODEL_IDS.join(', ')}, got "${model}"`);
  const options: EmulatorOptions = {
    model: model as EmulatorOptions['model'] & string,
    host: args.values.get('host') ?? '127.0.0.1',
    apiPort: portOption(args, 'api-port', 5000),
    apduPort: portOption(args, 'apdu-port', 9999),
    buttonPort: portOption(args, 'button-port', null),
    automationPort: portOption(args, 'automation-port', null),
    autoApprove: args.flags.has('auto-approve'),
    blindSigning: args.flags.has('blind-signing'),
  };
  for (const origin of args.lists.get('allow-origin') ?? [])
    if (!ORIGIN.test(origin)) throw new CliError(`--allow-origin: expected an origin such as http://localhost:3000, got "${origin}"`);
  const origins = args.lists.get('allow-origin');
  if (origins) options.allowOrigins = origins;
  const seed = args.values.get('seed') ?? global.seed;
  if (seed !== undefined) options.seed = seed;
  const app = args.values.get('app') ?? global.app;
  if (app !== undefined) options.app = app;
  if (args.values.has('deterministic-rng')) {
    // The stream restarts at the same point on every start: nonces, and MuSig2 secret nonces, repeat
    // across restarts, and two signatures with one nonce give the key away. That is only acceptable
    // for the public Speculos test seed, whose keys are known to everyone anyway.
    if (seed !== undefined && seed.trim().split(/\s+/).join(' ') !== SPECULOS_DEFAULT_MNEMONIC)
      throw new CliError(
        '--deterministic-rng: refused with a --seed other than the Speculos default: it makes signature nonces and MuSig2 secret nonces repeat across restarts, which leaks the private keys of that seed',
      );
    options.deterministicRng = intOption(args, 'deterministic-rng', 0, 0, 0xffffffff);
  }
  const automation = args.values.get('automation');
  if (automation !== undefined) {
    // Speculos spells it `--automation file:PATH`; a bare path means the same.
    const path = automation.startsWith('file:') ? automation.slice(5) : automation;
    try {
      options.automation = await readFile(path, 'ascii');
    } catch (err) {
      throw new CliError(`--automation: expected a readable rules file, got "${path}" (${(err as Error).message})`);
    }
  }
  return options;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  usage: USAGE,
  async run(ctx) {
    const options = await emulatorOptionsFromArgs(ctx.argv, ctx.global);
    const { stopped, stop } = stopSignal();
    let emulator;
    try {
      // The apps' code loads at their first command: the ports listen first (`npm run bench`, start-up rows).
      emulator = await createEmulatorWith(APPS_ON_DEMAND, { ...options, onError: (err) => ctx.stderr(`emulator: ${String(err)}`), onLog: (line) => ctx.stderr(line) });
    } catch (err) {
      stop('failed');
      throw err;
    }
    emulator.device.on('exit', () => stop('automation exit'));
    const { apduPort, apiPort, buttonPort, automationPort, url } = emulator;
    ctx.stdout(JSON.stringify({ apduPort, apiPort, buttonPort, automationPort, url }));
    // Listening comes first; the keys are derived while the client connects (emulator/seed.ts).
    emulator.device.deriveKeys();
    await stopped;
    await emulator.close();
    return 0;
  },
};
