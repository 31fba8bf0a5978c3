// Minimal argv parsing shared by the commands: `--flag`, `--opt value`, `--opt=value`, repeated
// options, positionals. Unknown options are errors so a typo never silently changes behaviour.

import { parsePath } from '../apdu/path.ts';
import { CliError } from './command.ts';

export interface OptionSpec {
  /** 'flag' takes no value; 'value' takes one; 'list' may repeat. */
  [name: string]: 'flag' | 'value' | 'list';
}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], spec: OptionSpec, usage: string): ParsedArgs {
  const out: ParsedArgs = { flags: new Set(), values: new Map(), lists: new Map(), positionals: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new CliError(`unknown option --${name}; usage: ${usage}`);
    if (kind === 'flag') {
      if (eq >= 0) throw new CliError(`--${name} takes no value; usage: ${usage}`);
      out.flags.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new CliError(`--${name} expects a value; usage: ${usage}`);
    if (kind === 'value') out.values.set(name, value);
    else out.lists.set(name, [...(out.lists.get(name) ?? []), value]);
  }
  return out;
}

/** Parses a decimal integer option within [min, max], naming the option when it is not one. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new CliError(`--${name}: expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new CliError(`--${name}: expected ${min}..${max}, got ${n}`);
  return n;
}

/** Parses a BIP-32 path argument; a malformed one is a CliError, prefixed with its option if it came from one. */
export function pathArgument(text: string, option?: string): number[] {
  try {
    return parsePath(text);
  } catch (err) {
    throw new CliError(option ? `--${option}: ${(err as Error).message}` : (err as Error).message);
  }
}

/** The one positional argument a command takes; `what` names it in the error. */
export function onePositional(args: ParsedArgs, what: string, usage: string): string {
  if (args.positionals.length !== 1) throw new CliError(`expected one ${what}; usage: ${usage}`);
  return args.positionals[0]!;
}

/** Refuses positional arguments where a command takes options only. */
export function noPositionals(args: ParsedArgs, usage: string): void {
  if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"; usage: ${usage}`);
}

/** Runs `parse` over what the person typed; what it refuses becomes a CliError that repeats the usage. */
export function parseWithUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${(err as Error).message}; usage: ${usage}`);
  }
}
