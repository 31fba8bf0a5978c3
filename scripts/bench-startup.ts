// Start-up rows of `npm run bench` (issue 12): the built CLI (dist/, what `npm run build` writes and
// the package ships) next to a bare `node -e 0`. Each is a fresh process, timed from spawn: to exit
// for `--help`, to the one JSON ports line for `emulator`; then the emulator's resident memory after
// a second of idling, or longer until it is idle indeed (no CPU time for IDLE_QUIET_MS: on a loaded
// machine the work it does after the line, deriving its keys, may take longer than the second).
// Median and minimum of `runs` processes, run one after another.
// CPU time (user + system) is the process's own count at that moment, written by a small preload
// (CPU_PROBE) to a fourth descriptor: reading /proc once the line has arrived would also count what
// the emulator does after printing it (it derives its keys then), more of it the more loaded the machine.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/taproot-hw.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const IDLE_MS = 1000;
const IDLE_QUIET_MS = 300;
const IDLE_MAX_MS = 10_000;

export interface StartupRow {
  what: string;
  runs: number;
  medianMs: number;
  minMs: number;
  /** The goal of issue 12, in ms over the `node -e 0` median (start-up) or in MB (memory). */
  goal: string;
  /** Emulator only: resident set once idle (IDLE_MS at least, IDLE_QUIET_MS without CPU time), median, MB. */
  idleRssMb?: number;
  /** The CLI: CPU time (user + system) at exit, or at the emulator's ports line, median: what a loaded machine inflates least. */
  cpuMs?: number;
}

/**
 * Preloaded into the CLI's processes: writes its CPU time in µs to descriptor 3 at its first write to
 * stdout (the emulator's ports line) or else at exit. The CLI is an ES module, so this adds one small
 * module to its start; `node -e 0` runs without it (a preload would start the ES module loader there).
 */
const CPU_PROBE = `data:text/javascript,${encodeURIComponent(`
import { writeSync } from 'node:fs';
let told = false;
const tell = () => { if (told) return; told = true; const u = process.cpuUsage(); writeSync(3, String(u.user + u.system)); };
const write = process.stdout.write;
process.stdout.write = function (...args) { tell(); return write.apply(this, args); };
process.once('exit', tell);
`)}`;

interface Sample {
  ms: number;
  cpuMs?: number;
  rssMb?: number;
}

function timeProcess(args: string[], untilLine: boolean, probe: boolean): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, probe ? ['--import', CPU_PROBE, ...args] : args, { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
    child.once('error', reject);
    let told = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => (told += chunk.toString('ascii')));
    const cpuMs = async (): Promise<{ cpuMs?: number }> => {
      if (!probe) return {};
      if (!told) await new Promise((r) => child.stdio[3]!.once('data', r));
      return { cpuMs: Number(told) / 1000 };
    };
    if (!untilLine) {
      child.stdout!.resume();
      child.once('exit', (code) => {
        const ms = performance.now() - start;
        if (code !== 0) return reject(new Error(`${args.join(' ')}: exit ${code}`));
        cpuMs().then((cpu) => resolve({ ms, ...cpu }), reject);
      });
      return;
    }
    child.stdout!.once('data', () => {
      const ms = performance.now() - start;
      whenIdle(child.pid!)
        .then(async (rssMb) => {
          child.kill('SIGTERM');
          return { ms, ...(await cpuMs()), rssMb };
        })
        .then(resolve, reject);
    });
  });
}

/** CPU ticks (user + system, 10 ms each) of a live process, from /proc. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident set in MB once the process has run IDLE_MS and then used no CPU time for IDLE_QUIET_MS. */
async function whenIdle(pid: number): Promise<number> {
  const started = performance.now();
  let ticks = cpuTicks(pid);
  let quietSince = started;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const now = performance.now();
    const t = cpuTicks(pid);
    if (t !== ticks) [ticks, quietSince] = [t, now];
    if ((now - started >= IDLE_MS && now - quietSince >= IDLE_QUIET_MS) || now - started >= IDLE_MAX_MS) break;
  }
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
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
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await timeProcess(args, untilLine, args[0] === BIN));
    const ms = samples.map((s) => s.ms);
    const row: StartupRow = { what, runs, medianMs: median(ms), minMs: Math.min(...ms), goal };
    const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
    if (cpu.length) row.cpuMs = median(cpu);
    const rss = samples.flatMap((s) => (s.rssMb === undefined ? [] : [s.rssMb]));
    if (rss.length) row.idleRssMb = median(rss);
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
