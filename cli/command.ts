// A CLI command: parsed by cli/main.ts, run with the remaining argv. Commands print results on
// stdout (one JSON object with --json) and throw CliError for bad arguments; main prints errors to
// stderr and exits non-zero.

import { TaprootHwError } from '../apdu/errors.ts';

export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  /** Global options given before the command. */
  global: { transport: string; json: boolean; seed?: string; model?: string; app?: string; waitMs?: number };
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

export interface Command {
  name: string;
  usage: string;
  run(ctx: CommandContext): Promise<number | void>;
}

/** Prints a flat result: one JSON object with --json, else one "name: value" line per field. */
export function printFields(ctx: CommandContext, out: Readonly<Record<string, string>>): void {
  if (ctx.global.json) ctx.stdout(JSON.stringify(out));
  else for (const [k, v] of Object.entries(out)) ctx.stdout(`${k}: ${v}`);
}

/** E_USAGE (exit code 2): the command line cannot run as given; E_POLICY_STORE: the store file is unreadable. */
export class CliError extends TaprootHwError {
  constructor(message: string, code: 'E_USAGE' | 'E_POLICY_STORE' = 'E_USAGE') {
    super(code, message);
  }
}
