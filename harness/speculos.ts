// Starts and stops real Speculos (LedgerHQ/speculos) for tests: the pip `speculos` command, or the
// ghcr.io/ledgerhq/speculos image when a Docker engine is there. Ports are chosen and checked here,
// because Speculos silently moves a busy APDU port to a random one (speculos/mcu/apdu.py), and
// readiness is GET /events answering, never a sleep (device-sdk-ts#995, docs/architecture.md §4).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { HarnessError } from './errors.ts';

export interface SpeculosOptions {
  /** Path of the app ELF. */
  elf: string;
  /** Speculos model name: nanosp, nanox, stax, flex, apex_p. */
  model: string;
  /** BIP-39 mnemonic or "hex:…"; Speculos's default seed when absent. */
  seed?: string;
  /** Speculos --deterministic-rng value. */
  deterministicRng?: number;
  /** The speculos command (default: $SPECULOS_BIN, else `speculos` on PATH); 'docker' runs the image. */
  bin?: string;
  /** Docker image when bin is 'docker'. */
  image?: string;
  /** API and APDU ports; 0 or absent = a free port found here. */
  apiPort?: number;
  apduPort?: number;
  /**
   * The deprecated raw button port: off unless given (0 = a free one). There is no automation port
   * option: current Speculos disables its REST API when --automation-port is set.
   */
  buttonPort?: number;
  extraArgs?: string[];
  /** How long to wait for GET /events to answer (default 60 s: a cold qemu start is slow on CI). */
  startTimeoutMs?: number;
}

export interface SpeculosInstance {
  readonly apiPort: number;
  readonly apduPort: number;
  readonly buttonPort: number | null;
  readonly url: string;
  readonly pid: number | undefined;
  /** Everything Speculos printed so far (stdout and stderr). */
  log(): string;
  /** Stops Speculos and every process below it (qemu); resolves once all of them have exited. */
  stop(): Promise<void>;
}

function onPath(command: string): string | undefined {
  if (command.includes('/')) return existsSync(command) ? resolve(command) : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function dockerEngineRunning(): boolean {
  if (!onPath('docker')) return false;
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * Says why Speculos cannot run here, or undefined when it can. Used by test suites to skip with a
 * printed reason instead of failing.
 */
export function speculosUnavailableReason(options: Pick<SpeculosOptions, 'elf' | 'bin'>): string | undefined {
  if (!options.elf) return 'no app ELF given (set SPECULOS_APP_ELF)';
  if (!existsSync(options.elf)) return `app ELF not found at ${options.elf}`;
  const bin = options.bin ?? process.env.SPECULOS_BIN ?? 'speculos';
  if (bin === 'docker') return dockerEngineRunning() ? undefined : 'bin is docker but no Docker engine answers `docker info`';
  if (!onPath(bin))
    return `speculos not found (${bin}); install it in a venv with \`pip install speculos==0.27.1\` and put the venv's bin on PATH (docs/harness.md), or set SPECULOS_BIN`;
  if (!onPath('qemu-arm-static') && !onPath('qemu-arm'))
    return 'qemu-arm-static not found; install Debian\'s qemu-user-static (`apt-get install qemu-user-static`)';
  return undefined;
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

async function choosePort(requested: number | undefined, name: string): Promise<number> {
  if (!requested) return freePort();
  if (!(await portIsFree(requested)))
    throw new HarnessError('E_SPECULOS_START', `${name} port ${requested} is already in use; Speculos would silently move it`);
  return requested;
}

interface Ports {
  api: number;
  apdu: number;
  button: number | null;
}

function speculosArgs(options: SpeculosOptions, elf: string, ports: Ports): string[] {
  const args = ['--model', options.model, '--display', 'headless'];
  args.push('--api-port', String(ports.api), '--apdu-port', String(ports.apdu));
  if (ports.button !== null) args.push('--button-port', String(ports.button));
  if (options.seed) args.push('--seed', options.seed);
  if (options.deterministicRng !== undefined) args.push('--deterministic-rng', String(options.deterministicRng));
  args.push(...(options.extraArgs ?? []), elf);
  return args;
}

async function waitForEvents(url: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new HarnessError('E_SPECULOS_START', `speculos exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log().slice(-2000)}`);
    try {
      const res = await fetch(`${url}/events`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) {
        await res.body?.cancel();
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new HarnessError('E_SPECULOS_START', `speculos did not answer GET /events within ${timeoutMs} ms:\n${log().slice(-2000)}`);
}

/**
 * Every process below `pid` (Linux /proc; empty elsewhere). Speculos runs the app in a qemu child
 * that outlives a SIGTERM to Speculos itself, so stopping it means stopping these too.
 */
function descendants(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** A process's identity: its start time (field 22 of /proc/PID/stat), so a reused pid is not mistaken for it. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state (field 3); a zombie has exited, only its parent has not reaped it yet.
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Resolves once none of `procs` runs any more. A SIGKILL only asks the kernel: the process exits
 * when it is next scheduled and its memory is torn down, which for qemu takes a while, and a port
 * or an ELF it holds is not free until then (the side-by-side test failed 2 runs of 9 without this).
 */
async function waitGone(procs: readonly { pid: number; start: string | undefined }[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = procs.filter((p) => p.start !== undefined && startTime(p.pid) === p.start);
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new HarnessError('E_SPECULOS_STOP', `processes ${left.map((p) => p.pid).join(', ')} still run ${timeoutMs} ms after SIGKILL`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function killAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids)
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
}

const running = new Set<SpeculosInstance>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test runner that dies must not leave qemu processes behind.
  process.once('exit', () => {
    for (const instance of running) if (instance.pid) killAll([instance.pid, ...descendants(instance.pid)], 'SIGKILL');
  });
}

export async function startSpeculos(options: SpeculosOptions): Promise<SpeculosInstance> {
  const reason = speculosUnavailableReason(options);
  if (reason) throw new HarnessError('E_SPECULOS_UNAVAILABLE', reason);
  const ports: Ports = {
    api: await choosePort(options.apiPort, 'API'),
    apdu: await choosePort(options.apduPort, 'APDU'),
    button: options.buttonPort === undefined ? null : await choosePort(options.buttonPort, 'button'),
  };
  const elf = resolve(options.elf);
  const bin = options.bin ?? process.env.SPECULOS_BIN ?? 'speculos';
  let command: string;
  let args: string[];
  if (bin === 'docker') {
    const image = options.image ?? 'ghcr.io/ledgerhq/speculos';
    const publish = Object.values(ports)
      .filter((p): p is number => p !== null)
      .flatMap((p) => ['-p', `127.0.0.1:${p}:${p}`]);
    command = 'docker';
    args = ['run', '--rm', ...publish, '-v', `${elf}:/app.elf:ro`, image, ...speculosArgs(options, '/app.elf', ports)];
  } else {
    command = bin;
    args = speculosArgs(options, elf, ports);
  }
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const log = () => output;
  const url = `http://127.0.0.1:${ports.api}`;
  const stop = async (): Promise<void> => {
    running.delete(instance);
    const orphans = (child.pid === undefined ? [] : descendants(child.pid)).map((pid) => ({ pid, start: startTime(pid) }));
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    killAll(
      orphans.filter((p) => p.start !== undefined && startTime(p.pid) === p.start).map((p) => p.pid),
      'SIGKILL',
    );
    await waitGone(orphans, 10_000);
  };
  const instance: SpeculosInstance = {
    apiPort: ports.api,
    apduPort: ports.apdu,
    buttonPort: ports.button,
    url,
    pid: child.pid,
    log,
    stop,
  };
  running.add(instance);
  installExitHook();
  try {
    await waitForEvents(url, child, options.startTimeoutMs ?? 60_000, log);
    // Speculos only warns when it moves a busy port; refuse to run on a port we did not choose.
    if (/is in use\. Trying a random available port/.test(output))
      throw new HarnessError('E_SPECULOS_START', `speculos moved a busy port instead of failing:\n${output.slice(-1000)}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return instance;
}
