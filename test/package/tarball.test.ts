// The package as an integrator gets it: `npm pack` (which builds through `prepare`), the tarball
// installed into an empty project, then plain `node` — no TypeScript loader — imports every entry
// point and runs the bin. One install from the npm cache/registry; the rest is local. The pack runs
// on a copy of the package's files, so its build never rewrites the dist/ other tests are running.

import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const USB_TIER = process.env.LEDGER_HID === '1';
/** What `npm pack` needs to build and pack (package.json `files`, the build's inputs). */
const PACKAGE_INPUTS = ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'apdu', 'bitcoin', 'assets', 'devices', 'host', 'coordinator', 'emulator', 'harness', 'cli'];

let dir: string;
let files: string[];

/** Runs plain node in the project: ESM, no loader, only what the tarball installed. */
async function node(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: dir });
  return stdout.trim();
}

async function bin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(npm, ['exec', '--offline', '--', 'taproot-hw', ...args], { cwd: dir, timeout: 60_000 });
    return { code: 0, stdout: stdout.trim(), stderr: stderr.trim() };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout.trim(), stderr: e.stderr.trim() };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taproot-hw-pack-'));
  const source = join(dir, 'source');
  mkdirSync(source);
  for (const entry of PACKAGE_INPUTS) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: source, timeout: 180_000 });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'integrator', private: true, type: 'module' }));
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, packed!.filename)], { cwd: dir, timeout: 240_000 });
}, 420_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack tarball in an empty project', () => {
  it('ships the build and the bin, not the TypeScript sources or the tests', () => {
    expect(files).toContain('bin/taproot-hw.js');
    expect(files).toContain('dist/host/index.js');
    expect(files).toContain('dist/host/index.d.ts');
    expect(files).toContain('dist/cli/main.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.includes('.test.'))).toEqual([]);
  });

  it('plain node imports every entry point (ESM)', async () => {
    const out = await node(`
      const main = await import('taproot-hw');
      const devices = await import('taproot-hw/devices');
      const emulator = await import('taproot-hw/emulator');
      const apdu = await import('taproot-hw/apdu');
      const harness = await import('taproot-hw/harness');
      console.log(JSON.stringify([
        typeof main.BitcoinAppClient, typeof main.TapAppClient, typeof main.openTransport, typeof main.walletPolicy,
        typeof devices.NodeHidTransport, typeof devices.encodeHidFrames,
        typeof emulator.createEmulator, typeof apdu.encodeCommand, typeof harness.backendsFromEnv,
      ]));`);
    expect(JSON.parse(out)).toEqual(Array(9).fill('function'));
  });

  it('the library talks to the emulator over the Speculos TCP port', async () => {
    const out = await node(`
      import { BitcoinAppClient, openTransport } from 'taproot-hw';
      import { createEmulator } from 'taproot-hw/emulator';
      const emu = await createEmulator({ apiPort: 0, apduPort: 0 });
      const t = await openTransport('speculos-tcp://127.0.0.1:' + emu.apduPort);
      const fpr = await new BitcoinAppClient(t).getMasterFingerprint();
      await t.close();
      await emu.close();
      console.log(Buffer.from(fpr).toString('hex'));`);
    expect(out).toBe('f5acc2fd');
  });

  it('npx taproot-hw --help', async () => {
    const r = await bin(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: taproot-hw \[--transport /);
    expect(r.stdout).toMatch(/^ {2}fingerprint {2,}print the master key fingerprint/m);
  });

  it('npx taproot-hw --transport emulator fingerprint', async () => {
    expect(await bin(['--transport', 'emulator', 'fingerprint'])).toEqual({
      code: 0,
      stdout: 'f5acc2fd',
      stderr: 'taproot-hw: --transport emulator: in-process software device, reviews are approved automatically',
    });
  });

  it.skipIf(USB_TIER)('npx taproot-hw devices: node-hid loaded from the install, no device, an empty list and exit 0', async () => {
    expect(readdirSync(join(dir, 'node_modules'))).toContain('node-hid');
    expect(await bin(['--json', 'devices'])).toEqual({ code: 0, stdout: '{"devices":[]}', stderr: '' });
  });
});
