// Starts `taproot-hw emulator` as a real subprocess from the sources (through tsx, so no build is
// needed and an edit is never shadowed by a stale dist/), reads the one JSON line it prints when
// listening, and stops it with a signal. Shared by the compat tests; test/package/ runs the built bin.

import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `node …CLI` runs cli/main.ts from source. */
export const CLI = ['--import', 'tsx', fileURLToPath(new URL('../../cli/main.ts', import.meta.url))];

export interface ListeningLine {
  apduPort: number;
  apiPort: number;
  buttonPort: number | null;
  automationPort: number | null;
  url: string;
}

export interface EmulatorProcess {
  ports: ListeningLine;
  /** Everything the process wrote on stdout so far (the JSON line and nothing else is expected). */
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | undefined>;
}

export function runCli(args: string[]): ResultPromise<{ cwd: string; reject: false; timeout: number }> {
  return execa('node', [...CLI, ...args], { cwd: ROOT, reject: false, timeout: 30_000 });
}

export async function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const child = execa('node', [...CLI, 'emulator', ...args], { cwd: ROOT, reject: false, buffer: false });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.then(
      (result) => reject(new Error(`emulator exited with ${result.exitCode} before listening; stderr: ${err}`)),
      reject,
    );
  });
  return {
    ports: JSON.parse(line) as ListeningLine,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return (await child).exitCode;
    },
  };
}
