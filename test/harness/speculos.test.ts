// The Speculos launcher (harness/speculos.ts). Without Speculos: the reasons it gives for not
// running, the typed errors, and the port checks, with stand-in executables (never run past the
// checks, or failing on purpose). With SPECULOS_APP_ELF (and SPECULOS_MODEL) set and speculos +
// qemu installed: real Speculos started, read, driven by buttons or fingers, run side by side,
// and stopped with its qemu child — nothing is left running after these tests.

import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, encodeCommand } from '../../apdu/apdu.ts';
import { GET_APP_AND_VERSION_APDU, getAppAndVersion } from '../../apdu/app-and-version.ts';
import { getModel, type ModelId } from '../../devices/models.ts';
import type { Transport } from '../../devices/transport.ts';
import { SpeculosBackend, freePort, speculosUnavailableReason, startSpeculos, waitForScreen, type SpeculosInstance, type TextEvent } from '../../harness/index.ts';
import { isTaprootHwError } from '../../apdu/errors.ts';

const ELF = process.env.SPECULOS_APP_ELF ?? '';
const BIN = process.env.SPECULOS_BIN;
const MODEL = getModel((process.env.SPECULOS_MODEL ?? 'nanosp') as ModelId);
const REAL_REASON = ELF ? speculosUnavailableReason({ elf: ELF, ...(BIN && { bin: BIN }) }) : 'SPECULOS_APP_ELF is not set';
if (REAL_REASON) console.log(`harness: skipping the real Speculos tests: ${REAL_REASON}`);

/** Running and not a zombie (a reparented child nobody reaps is dead for our purpose). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Every process below `pid`, read from /proc (Speculos runs the app in a qemu child). */
function processTree(pid: number): number[] {
  const tasks = existsSync(`/proc/${pid}/task`) ? readdirSync(`/proc/${pid}/task`) : [];
  const children = tasks.flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  return [pid, ...children.flatMap(processTree)];
}

async function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return { port: address.port, server };
}

async function appName(transport: Transport): Promise<string> {
  const res = decodeResponse(await transport.exchange(encodeCommand(GET_APP_AND_VERSION_APDU)));
  expect(res.statusWord).toBe(0x9000);
  return getAppAndVersion.decodeResponse(res.data).name;
}

describe('Speculos launcher without Speculos', () => {
  let dir: string;
  let elf: string;
  let savedPath: string | undefined;

  /** An executable shell script in the scratch directory. */
  function script(name: string, body: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taproot-hw-speculos-'));
    elf = join(dir, 'app.elf');
    writeFileSync(elf, 'not an ELF: the launcher checks presence, Speculos checks the rest');
    savedPath = process.env.PATH;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `body` with PATH holding only `dirs` (the launcher looks commands up at call time). */
  async function withPath<T>(dirs: string[], body: () => Promise<T> | T): Promise<T> {
    process.env.PATH = dirs.join(':');
    try {
      return await body();
    } finally {
      process.env.PATH = savedPath;
    }
  }

  it('says why it cannot run: no ELF, missing ELF, missing speculos, missing qemu, no Docker engine', async () => {
    expect(speculosUnavailableReason({ elf: '' })).toBe('no app ELF given (set SPECULOS_APP_ELF)');
    expect(speculosUnavailableReason({ elf: join(dir, 'absent.elf') })).toBe(`app ELF not found at ${join(dir, 'absent.elf')}`);
    expect(speculosUnavailableReason({ elf, bin: join(dir, 'no-speculos') })).toMatch(/^speculos not found .*pip install speculos.*SPECULOS_BIN/);
    const binDir = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(binDir, 'speculos'), '');
    await withPath([binDir], () => {
      expect(speculosUnavailableReason({ elf, bin: 'speculos' })).toMatch(/^qemu-arm-static not found; install Debian's qemu-user-static/);
      expect(speculosUnavailableReason({ elf, bin: 'docker' })).toBe('bin is docker but no Docker engine answers `docker info`');
    });
  });

  it('startSpeculos fails with SpeculosUnavailableError and the hint for a missing ELF or speculos', async () => {
    await expect(startSpeculos({ elf: join(dir, 'absent.elf'), model: 'nanosp' })).rejects.toSatisfy(
      (e: Error) => isTaprootHwError(e, 'E_SPECULOS_UNAVAILABLE') && e.name === 'SpeculosUnavailableError' && e.message.includes('app ELF not found'),
    );
    await expect(startSpeculos({ elf, model: 'nanosp', bin: join(dir, 'no-speculos') })).rejects.toSatisfy(
      (e: Error) => isTaprootHwError(e, 'E_SPECULOS_UNAVAILABLE') && /pip install speculos/.test(e.message),
    );
  });

  it('freePort gives a port nobody listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await canListen(port)).toBe(true);
  });

  it('a busy requested port is refused before Speculos starts (it would silently move it)', async () => {
    const marker = join(dir, 'started');
    const fake = script('fake-speculos', `touch ${marker}`);
    script('qemu-arm-static', 'exit 1');
    const busy = await occupy();
    try {
      await withPath([dir, savedPath ?? ''], async () => {
        await expect(startSpeculos({ elf, model: 'nanosp', bin: fake, apiPort: busy.port })).rejects.toSatisfy(
          (e: Error) => isTaprootHwError(e, 'E_SPECULOS_START') && e.message === `API port ${busy.port} is already in use; Speculos would silently move it`,
        );
        await expect(startSpeculos({ elf, model: 'nanosp', bin: fake, apduPort: busy.port })).rejects.toThrow(`APDU port ${busy.port} is already in use`);
      });
    } finally {
      busy.server.close();
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('a speculos that exits before it is ready: SpeculosStartError with its log', async () => {
    const fake = script('exiting-speculos', 'echo "qemu: could not load the app" >&2\nexit 3');
    script('qemu-arm-static', 'exit 1');
    await withPath([dir, savedPath ?? ''], async () => {
      await expect(startSpeculos({ elf, model: 'nanosp', bin: fake })).rejects.toSatisfy(
        (e: Error) => isTaprootHwError(e, 'E_SPECULOS_START') && /exited \(3\) before it was ready/.test(e.message) && e.message.includes('qemu: could not load the app'),
      );
    });
  });

  it('stop() resolves only once the qemu child is gone, not when it was sent SIGKILL', async () => {
    // A stand-in Speculos: answers GET /events and runs a "qemu" child holding 200 MB, which outlives
    // a SIGTERM to its parent and, once killed, takes a moment to tear its memory down.
    const qemuPid = join(dir, 'qemu.pid');
    const js = join(dir, 'forking-speculos.cjs');
    writeFileSync(
      js,
      `const { spawn } = require('node:child_process');
const { createServer } = require('node:http');
const { writeFileSync } = require('node:fs');
const qemu = spawn(process.execPath, ['-e', 'globalThis.b = Buffer.alloc(200e6, 1); process.on("SIGTERM", () => {}); setInterval(() => {}, 1e3)'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(qemuPid)}, String(qemu.pid));
const port = Number(process.argv[process.argv.indexOf('--api-port') + 1]);
createServer((req, res) => res.end('{"events": []}')).listen(port, '127.0.0.1');
`,
    );
    const fake = script('forking-speculos', `exec "${process.execPath}" ${js} "$@"`);
    script('qemu-arm-static', 'exit 1');
    await withPath([dir, savedPath ?? ''], async () => {
      const s = await startSpeculos({ elf, model: 'nanosp', bin: fake });
      const qemu = Number(readFileSync(qemuPid, 'utf8'));
      expect(alive(qemu)).toBe(true);
      await s.stop();
      expect(alive(qemu)).toBe(false);
    });
  });

  it('a speculos that never answers GET /events is stopped after the start timeout', async () => {
    const pidFile = join(dir, 'pid');
    const fake = script('silent-speculos', `echo $$ > ${pidFile}\nexec sleep 60`);
    script('qemu-arm-static', 'exit 1');
    await withPath([dir, savedPath ?? ''], async () => {
      await expect(startSpeculos({ elf, model: 'nanosp', bin: fake, startTimeoutMs: 600 })).rejects.toThrow(/did not answer GET \/events within 600 ms/);
    });
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});

describe.skipIf(REAL_REASON !== undefined)(`real Speculos (${MODEL.id})${REAL_REASON ? ` (skipped: ${REAL_REASON})` : ''}`, () => {
  const options = { elf: ELF, model: MODEL.speculosModel, ...(BIN && { bin: BIN }) };
  let backend: SpeculosBackend;
  const started: number[] = [];
  let home: string;

  const texts = (events: TextEvent[]) => events.map((e) => e.text).join(' | ');

  beforeAll(async () => {
    backend = await SpeculosBackend.start(options);
    started.push(...processTree(backend.speculos.pid!));
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('is ready when start resolves: GET /events answers, the app answers B0 01, the log is captured', async () => {
    const res = await fetch(`${backend.speculos.url}/events`);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('events');
    expect((await appName(backend.transport)).length).toBeGreaterThan(0);
    expect(backend.speculos.log()).not.toBe('');
    // the app runs in qemu, a child of Speculos
    expect(started.length).toBeGreaterThan(1);
  });

  it('reports the screen as text events', async () => {
    const events = await waitForScreen(backend.screen, (evs) => evs.length > 0, 'the app home screen');
    for (const e of events) expect(e).toMatchObject({ text: expect.any(String), x: expect.any(Number), y: expect.any(Number) });
    home = texts(events);
  });

  it.skipIf(MODEL.input !== 'buttons')('button navigation: right shows the next page, left comes back', async () => {
    await backend.screen.press('right');
    const next = await waitForScreen(backend.screen, (evs) => evs.length > 0 && texts(evs) !== home, 'the next page');
    expect(texts(next)).not.toBe(home);
    await backend.screen.press('left');
    await waitForScreen(backend.screen, (evs) => texts(evs) === home, 'the home page again');
  });

  it.skipIf(MODEL.input !== 'touch')('finger navigation: the top-right icon opens app info, the top-left arrow comes back', async () => {
    await backend.screen.touch(MODEL.screen.width - 50, 60);
    await backend.waitForText('Version');
    await backend.screen.touch(40, 60);
    await waitForScreen(backend.screen, (evs) => texts(evs) === home, 'the home page again');
  });

  it('screenshot is a PNG of the model screen size', async () => {
    const png = await backend.screen.screenshot();
    expect(Buffer.from(png.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe('IHDR');
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([MODEL.screen.width, MODEL.screen.height]);
  });

  it('a busy requested port is refused: here the running instance\'s API port', async () => {
    await expect(startSpeculos({ ...options, apiPort: backend.speculos.apiPort })).rejects.toThrow(
      `API port ${backend.speculos.apiPort} is already in use; Speculos would silently move it`,
    );
  });

  it('runs several instances side by side on distinct free ports, and stop() ends each with its qemu', async () => {
    const others: SpeculosInstance[] = await Promise.all([startSpeculos(options), startSpeculos(options)]);
    try {
      const ports = [backend.speculos, ...others].flatMap((s) => [s.apiPort, s.apduPort]);
      expect(new Set(ports).size).toBe(6);
      for (const s of others) {
        const res = await fetch(`${s.url}/events`);
        expect(res.status).toBe(200);
        await res.body?.cancel();
      }
    } finally {
      const trees = others.map((s) => processTree(s.pid!));
      await Promise.all(others.map((s) => s.stop()));
      for (const pid of trees.flat()) expect(alive(pid), `process ${pid}`).toBe(false);
      for (const s of others) expect(await canListen(s.apiPort)).toBe(true);
    }
  });

  it('close() leaves nothing running (Speculos and its qemu child)', async () => {
    const apiPort = backend.speculos.apiPort;
    await backend.close();
    for (const pid of started) expect(alive(pid), `process ${pid}`).toBe(false);
    expect(await canListen(apiPort)).toBe(true);
  });
});
