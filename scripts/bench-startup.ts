// Start-up rows of `npm run bench` (issue 12): the built CLI (dist/, what `npm run build` writes and
// the package ships) next to a bare `node -e 0`. Each is a fresh process, timed from spawn: to exit
// for `--help`, to the one JSON ports line for `emulator`; then the emulator's resident memory after
// a second of idling. Median and minimum of `runs` processes, run one after another.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/taproot-hw.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const IDLE_MS = 1000;

export interface StartupRow {
  what: string;
  runs: number;
  medianMs: number;
  minMs: number;
  /** The goal of issue 12, in ms over the `node -e 0` median (start-up) or in MB (memory). */
  goal: string;
  /** Emulator only: resident set after IDLE_MS of idling, median, MB. */
  idleRssMb?: number;
  /** Emulator only: CPU time (user + system) at the ports line, median: what a loaded machine does not inflate. */
  cpuMs?: number;
}

/** CPU time of a live process from /proc (clock ticks of 10 ms on Linux). */
function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function timeProcess(args: string[], untilLine: boolean): Promise<{ ms: number; rssMb?: number; cpuMs?: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.once('error', reject);
    if (!untilLine) {
      child.stdout.resume();
      child.once('exit', (code) => (code === 0 ? resolve({ ms: performance.now() - start }) : reject(new Error(`${args.join(' ')}: exit ${code}`))));
      return;
    }
    child.stdout.once('data', () => {
      const ms = performance.now() - start;
      const cpuMs = cpuMsOf(child.pid!);
      setTimeout(() => {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        child.kill('SIGTERM');
        resolve({ ms, ...(rss ? { rssMb: Number(rss[1]) / 1024 } : {}), ...(cpuMs !== undefined ? { cpuMs } : {}) });
      }, IDLE_MS);
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchStartup(runs = 10): Promise<StartupRow[]> {
  if (!existsSync(BUILT)) throw new Error(`bench: ${BUILT} is missing: run \`npm run build\` first`);
  const cases: [string, string[], boolean, string][] = [
    ['node -e 0', ['-e', '0'], false, '(baseline)'],
    ['taproot-hw --help', [BIN, '--help'], false, '<= baseline + 150 ms'],
    ['taproot-hw emulator: ports line', [BIN, 'emulator', '--api-port', '0', '--apdu-port', '0'], true, '<= 150 ms; idle RSS <= 60 MB'],
  ];
  const rows: StartupRow[] = [];
  for (const [what, args, untilLine, goal] of cases) {
    const samples: { ms: number; rssMb?: number; cpuMs?: number }[] = [];
    for (let i = 0; i < runs; i++) samples.push(await timeProcess(args, untilLine));
    const ms = samples.map((s) => s.ms);
    const row: StartupRow = { what, runs, medianMs: median(ms), minMs: Math.min(...ms), goal };
    const rss = samples.flatMap((s) => (s.rssMb === undefined ? [] : [s.rssMb]));
    if (rss.length) row.idleRssMb = median(rss);
    const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
    if (cpu.length) row.cpuMs = median(cpu);
    rows.push(row);
  }
  return rows;
}

export function formatStartup(rows: readonly StartupRow[]): string[] {
  const w = Math.max(...rows.map((r) => r.what.length));
  return [
    `${'start-up (built CLI)'.padEnd(w)}  ${'median ms'.padStart(9)}  ${'min ms'.padStart(7)}  ${'CPU ms'.padStart(6)}  ${'idle RSS MB'.padStart(11)}  goal`,
    ...rows.map(
      (r) =>
        `${r.what.padEnd(w)}  ${r.medianMs.toFixed(0).padStart(9)}  ${r.minMs.toFixed(0).padStart(7)}  ${(r.cpuMs?.toFixed(0) ?? '').padStart(6)}  ${(r.idleRssMb?.toFixed(0) ?? '').padStart(11)}  ${r.goal}`,
    ),
  ];
}
