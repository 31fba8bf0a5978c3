// A CLI command: parsed by cli/main.ts, run with the remaining argv. Commands print results on
// stdout (one JSON object with --json) and throw CliError for bad arguments; main prints errors to
// stderr and exits non-zero.

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

export class CliError extends Error {
  override readonly name = 'CliError';
}
