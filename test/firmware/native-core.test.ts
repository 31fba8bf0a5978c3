// The C core of the Taproot Assets app (firmware/tap-app), built natively and run against the
// vectors the TypeScript implementation exports (firmware/README.md; vectors-fresh.test.ts keeps them
// current). Skips, saying why, when the
// native tool chain is absent (Debian: cmake gcc pkg-config libcmocka-dev libssl-dev
// libsecp256k1-dev; `.ci/run` installs them).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeAppUnavailableReason } from '../../harness/native.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = join(ROOT, 'firmware/tap-app');

const reason = nativeAppUnavailableReason();
if (reason) console.log(`firmware native core tests skipped: ${reason}`);

describe.skipIf(reason !== undefined)(`firmware/tap-app native core (cmake, cmocka, OpenSSL, libsecp256k1)${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const build = mkdtempSync(join(tmpdir(), 'taproot-hw-firmware-'));
  afterAll(() => rmSync(build, { recursive: true, force: true }));

  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { cwd: build, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };

  it('configures, builds with -Werror under ASan and UBSan, and passes every C test', () => {
    const configure = run('cmake', ['-S', SOURCE, '-B', build]);
    expect(configure.ok, configure.out).toBe(true);
    const make = run('cmake', ['--build', build, '--parallel', '2']);
    expect(make.ok, make.out).toBe(true);
    const ctest = run('ctest', ['--test-dir', build, '--output-on-failure', '--verbose']);
    // The C tests' own counts (vectors checked per kind) go to the log.
    for (const line of ctest.out.split('\n')) if (/^\d+: (accepted|mutations|split leaves|folds|sighashes|keysort|sizeof|transcripts|stream grammar)/.test(line)) console.log(line.replace(/^\d+: /, 'firmware: '));
    expect(ctest.ok, ctest.out).toBe(true);
    expect(ctest.out).toMatch(/100% tests passed, 0 tests failed out of 8/);
  }, 240_000);
});

const ARM_GCC = 'arm-none-eabi-gcc';
const armReason = spawnSync(ARM_GCC, ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : `${ARM_GCC} is absent (Debian: gcc-arm-none-eabi)`;
if (armReason) console.log(`firmware freestanding check skipped: ${armReason}`);

describe.skipIf(armReason !== undefined)(`firmware/tap-app core for a Cortex-M target${armReason ? ` (skipped: ${armReason})` : ''}`, () => {
  it('compiles freestanding with -Werror and needs nothing from the C library but memcpy, memset, memcmp and strlen', () => {
    const out = mkdtempSync(join(tmpdir(), 'taproot-hw-firmware-arm-'));
    try {
      const core = join(SOURCE, 'core');
      const sources = readdirSync(core).filter((f) => f.endsWith('.c'));
      for (const f of sources) {
        const r = spawnSync(ARM_GCC, ['-mthumb', '-mcpu=cortex-m33', '-Os', '-std=c11', '-ffreestanding', '-fstack-usage', '-Wall', '-Wextra', '-Werror', '-I', core, '-I', join(SOURCE, 'test/freestanding'), '-c', join(core, f), '-o', join(out, f.replace(/\.c$/, '.o'))], { cwd: out, encoding: 'utf8' });
        expect(r.status, `${f}: ${r.stderr}`).toBe(0);
      }
      const objects = sources.map((f) => join(out, f.replace(/\.c$/, '.o')));
      const nm = spawnSync('arm-none-eabi-nm', ['-u', ...objects], { encoding: 'utf8' });
      const undefinedSymbols = new Set(nm.stdout.split('\n').map((l) => l.trim().split(/\s+/)[1]).filter((s): s is string => !!s));
      const defined = new Set(spawnSync('arm-none-eabi-nm', ['--defined-only', ...objects], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.trim().split(/\s+/)[2]).filter((s): s is string => !!s));
      const platform = [...readFileSync(join(core, 'platform.h'), 'utf8').matchAll(/\b(tap_[a-z0-9_]+)\(/g)].map((m) => m[1]!);
      const external = [...undefinedSymbols].filter((s) => !defined.has(s) && !platform.includes(s)).sort();
      expect(external).toEqual(['memcmp', 'memcpy', 'memset', 'strlen']);
      const frames = readdirSync(out).filter((f) => f.endsWith('.su')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n')).filter((l) => l.includes('\t')).map((l) => Number(l.split('\t')[1]));
      console.log(`firmware: Cortex-M33 -Os, ${sources.length} files, largest stack frame ${Math.max(...frames)} bytes`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
