// docker/ checked without a Docker engine (there is none where this was written): the emulator
// Dockerfile's instructions and the files it copies, then its ENTRYPOINT and HEALTHCHECK run on
// this host exactly as the image would run them from /app (the repository root here); the
// Speculos compose file parsed as YAML (Python's yaml, when present) and its Speculos arguments
// checked against what the harness needs.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../harness/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (name: string) => readFileSync(new URL(`../../docker/${name}`, import.meta.url), 'utf8');

const INSTRUCTIONS = new Set(['FROM', 'WORKDIR', 'ENV', 'COPY', 'RUN', 'USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD', 'ARG', 'LABEL']);

/** Dockerfile instructions: comments dropped, `\` continuations joined. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n').replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l);
      if (!m) throw new Error(`Dockerfile: expected "INSTRUCTION arguments", got ${JSON.stringify(l)}`);
      return { op: m[1]!, args: m[2]! };
    });
}

/** Runs a `node …` command line with this Node and resolves with its exit code. */
function run(command: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, command.slice(1), { cwd: root, stdio: 'ignore', timeout: 10_000 });
    child.once('exit', (code) => resolve(code));
  });
}

describe('docker/emulator.Dockerfile', () => {
  const steps = instructions(read('emulator.Dockerfile'));
  const one = (op: string) => {
    const found = steps.filter((s) => s.op === op);
    expect(found, op).toHaveLength(1);
    return found[0]!.args;
  };

  it('uses known instructions, a node:20 base, and copies only what exists', () => {
    for (const s of steps) expect(INSTRUCTIONS.has(s.op), s.op).toBe(true);
    expect(steps[0]).toEqual({ op: 'FROM', args: 'node:20-bookworm-slim' });
    expect(one('WORKDIR')).toBe('/app');
    expect(steps.find((s) => s.op === 'RUN')!.args).toMatch(/^npm ci\b/);
    for (const copy of steps.filter((s) => s.op === 'COPY')) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const src of sources) expect(existsSync(new URL(`../../${src}`, import.meta.url)), src).toBe(true);
    }
    expect(one('EXPOSE').split(/\s+/)).toEqual(['5000', '9999']);
  });

  it('its ENTRYPOINT starts the emulator, and its HEALTHCHECK passes on GET /events (fails when nothing listens)', async () => {
    const entrypoint: string[] = JSON.parse(one('ENTRYPOINT'));
    expect(entrypoint).toEqual(['node', 'bin/taproot-hw.js', 'emulator', '--host', '0.0.0.0']);
    const health = /^(?:--\S+\s+)*CMD\s+(\[.*\])$/.exec(one('HEALTHCHECK'));
    expect(health).not.toBeNull();
    const check: string[] = JSON.parse(health![1]!);
    expect(check.join(' ')).toContain('http://127.0.0.1:5000/events');

    // `docker run image ARGS` appends ARGS to the entrypoint; on this host we ask for loopback and
    // free ports instead of 0.0.0.0:5000 (the last --host wins).
    const emulator = spawn(process.execPath, [...entrypoint.slice(1), '--host', '127.0.0.1', '--api-port', '0', '--apdu-port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: emulator.stdout! }).once('line', resolve);
        emulator.once('exit', (code) => reject(new Error(`emulator exited (${code}) before printing its ports`)));
      });
      const { apiPort } = JSON.parse(line) as { apiPort: number };
      const at = (port: number) => check.map((a) => a.replace('127.0.0.1:5000', `127.0.0.1:${port}`));
      expect(await run(at(apiPort))).toBe(0);
      expect(await run(at(await freePort()))).toBe(1);
    } finally {
      const exited = new Promise((r) => emulator.once('exit', r));
      emulator.kill('SIGTERM');
      await exited;
    }
  });
});

const python = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' });
const yamlReason = python.status === 0 ? undefined : 'python3 with the yaml module is not installed';
if (yamlReason) console.log(`docker: skipping the compose file check: ${yamlReason}`);

describe.skipIf(yamlReason !== undefined)(`docker/speculos.compose.yml${yamlReason ? ` (skipped: ${yamlReason})` : ''}`, () => {
  it('parses, runs the Speculos image with the mounted ELF on 5000/9999, and no automation port', () => {
    const parsed = spawnSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], {
      input: read('speculos.compose.yml'),
      encoding: 'utf8',
    });
    expect(parsed.status, parsed.stderr).toBe(0);
    const speculos = JSON.parse(parsed.stdout).services.speculos;
    expect(speculos.image).toMatch(/^ghcr\.io\/ledgerhq\/speculos(:|$)/);
    const args: string[] = speculos.command;
    const arg = (flag: string) => args[args.indexOf(flag) + 1];
    expect([arg('--api-port'), arg('--apdu-port'), arg('--display')]).toEqual(['5000', '9999', 'headless']);
    expect(args.some((a) => a.startsWith('--automation-port') || a.startsWith('--button-port'))).toBe(false);
    const elf = args[args.length - 1]!;
    expect(speculos.volumes).toEqual([expect.stringMatching(new RegExp(`^\\$\\{SPECULOS_APP_ELF:\\?[^}]*\\}:${elf}:ro$`))]);
    expect(speculos.ports).toEqual(['127.0.0.1:5000:5000', '127.0.0.1:9999:9999']);
  });
});
