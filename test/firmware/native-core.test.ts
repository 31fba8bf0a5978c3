// The C core of the Taproot Assets app (firmware/tap-app), built natively and run against the
// vectors the TypeScript implementation exports (firmware/README.md; vectors-fresh.test.ts keeps them
// current). Skips, saying why, when the
// native tool chain is absent (Debian: cmake gcc pkg-config libcmocka-dev libssl-dev
// libsecp256k1-dev; `.ci/run` installs them).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const SOURCE = join(ROOT, 'firmware/tap-app');

function missingToolchain(): string | undefined {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (!ok('cmake', ['--version'])) return 'cmake is absent';
  if (!ok('cc', ['--version'])) return 'no C compiler (cc)';
  if (!ok('pkg-config', ['--version'])) return 'pkg-config is absent';
  for (const [pkg, deb] of [['cmocka', 'libcmocka-dev'], ['libcrypto', 'libssl-dev'], ['libsecp256k1', 'libsecp256k1-dev']])
    if (!ok('pkg-config', ['--exists', pkg!])) return `${pkg} is absent (Debian: ${deb})`;
  return undefined;
}

const reason = missingToolchain();
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
    for (const line of ctest.out.split('\n')) if (/^\d+: (accepted|mutations|split leaves|folds|sighashes|keysort|sizeof)/.test(line)) console.log(line.replace(/^\d+: /, 'firmware: '));
    expect(ctest.ok, ctest.out).toBe(true);
    expect(ctest.out).toMatch(/100% tests passed, 0 tests failed out of 6/);
  }, 240_000);
});
