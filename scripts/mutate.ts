// `npm run mutate` (outside CI): plants realistic bugs one at a time and expects the tests to fail
// for each. The tree is copied to a scratch directory first (tracked and untracked, not ignored,
// files; node_modules linked), so the working tree is never touched. Each mutant names one exact
// source change (a string that must occur exactly once) and the test files that should catch it;
// `--full` runs the whole suite for every mutant instead (slow: minutes per mutant).
// Prints a table and writes bench-results/mutate.json; exits 1 if a mutant survives or stops applying.
//
//   npx tsx scripts/mutate.ts [--full] [--only ID,ID] [--out FILE] [--check]

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Mutant {
  id: string;
  /** The bug, as a reviewer would describe it. */
  bug: string;
  file: string;
  find: string;
  replace: string;
  tests: string[];
}

const FUZZ = 'test/fuzz/stateful.test.ts';

const MUTANTS: Mutant[] = [
  {
    id: 'hmac-check-removed',
    bug: 'SIGN_PSBT accepts any wallet-policy HMAC',
    file: 'emulator/apps/bitcoin/sign-psbt.ts',
    find: "if (!isDefault && !equalConstantTime(hmac, walletPolicyHmac(ctx.seed, id))) throw new AppError(SW.SIGNATURE_FAIL, 'wallet HMAC does not match');",
    replace: '',
    tests: ['test/unit/emulator-bitcoin/musig-e2e.test.ts', 'test/unit/emulator-bitcoin/sign-psbt.test.ts'],
  },
  {
    id: 'group-genesis-host-check-removed',
    bug: "the host returns a group-genesis signature without verifying it against the group key",
    file: 'host/tap-app/client.ts',
    find: 'if (!verifySchnorr(res.signature, sighash, res.tweakedGroupKey))',
    replace: 'if (false)',
    tests: ['test/unit/host/lying-tap-device.test.ts', 'test/unit/host-tap/client.test.ts', 'test/e2e/group-genesis.test.ts'],
  },
  {
    id: 'sw-6700-unmapped',
    bug: 'status word 6700 has no name or error code',
    file: 'apdu/status.ts',
    find: "  row('WRONG_LENGTH', 'E_WRONG_LENGTH', 'wrong length'),\n",
    replace: '',
    tests: ['test/unit/apdu/apdu-status.test.ts', 'test/unit/emulator/device.test.ts'],
  },
  {
    id: 'stream-rejection-ignored',
    bug: 'SIGN_VPSBT signs after the person rejected the streamed review',
    file: 'emulator/apps/tap/sign-vpsbt-stream.ts',
    find: '    if (!approved) throw denied();\n',
    replace: '',
    tests: ['test/unit/tap-app/sign-vpsbt.test.ts', FUZZ],
  },
  {
    id: 'nonce-slot-not-wiped',
    bug: 'MUSIG_ROUND2 leaves the secret nonce in its slot (a replay signs twice with one nonce)',
    file: 'emulator/apps/tap/nonce-slots.ts',
    find: '    this.slots[i] = undefined;\n    const copy = slot.secnonce.slice();\n    slot.secnonce.fill(0);\n',
    replace: '    const copy = slot.secnonce.slice();\n',
    tests: ['test/unit/tap-app/keys-musig.test.ts', FUZZ],
  },
  {
    id: 'partial-signature-verify-skipped',
    bug: "the MuSig2 session aggregates a signer's partial signature without PartialSigVerify",
    file: 'host/musig2/session.ts',
    find: 'return !verifier.partialSigVerify(partialSignatures[i]!, pubnonces, i);',
    replace: 'return false;',
    tests: ['test/e2e/musig2-orchestrator.test.ts'],
  },
  {
    id: 'review-rejection-ignored',
    bug: 'SIGN_PSBT signs after the person rejected the review',
    file: 'emulator/apps/bitcoin/sign-psbt.ts',
    find: '  if (!(await ctx.review(flow))) throw denied();',
    replace: '  await ctx.review(flow);',
    tests: ['test/unit/emulator-bitcoin/sign-psbt.test.ts', 'test/unit/emulator-bitcoin/musig-e2e.test.ts', FUZZ],
  },
  {
    id: 'merkle-proof-unchecked',
    bug: "the device takes a Merkle leaf without checking its proof against the root",
    file: 'emulator/apps/common/host-channel.ts',
    find: 'return equal(cur, root) ? leaf : undefined;',
    replace: 'return leaf;',
    tests: ['test/corpus/replay.test.ts', FUZZ],
  },
  {
    id: 'preimage-hash-unchecked',
    bug: 'the device takes a GET_PREIMAGE answer without hashing it',
    file: 'emulator/apps/common/host-channel.ts',
    find: 'return equal(h.digest(), hash) ? len : undefined;',
    replace: 'return len;',
    tests: ['test/unit/emulator-bitcoin/lying-host.test.ts'],
  },
  {
    id: 'host-address-check-removed',
    bug: "the host returns the device's address without deriving it itself",
    file: 'host/bitcoin-app/client.ts',
    find: 'if (expected !== address)',
    replace: 'if (false)',
    tests: ['test/unit/host/lying-device.test.ts', 'test/unit/host/bitcoin-app-corpus.test.ts', 'test/e2e/cli.test.ts'],
  },
  {
    id: 'host-wallet-id-check-removed',
    bug: "the host accepts a registration whose wallet id is not the policy's",
    file: 'host/bitcoin-app/client.ts',
    find: 'if (toHex(walletId) !== toHex(expectedId))',
    replace: 'if (false)',
    tests: ['test/unit/host/lying-device.test.ts', 'test/unit/host/bitcoin-app-corpus.test.ts'],
  },
  {
    id: 'blind-signing-check-removed',
    bug: 'MUSIG_ROUND2 signs a host-supplied message with blind signing off',
    file: 'emulator/apps/tap/musig.ts',
    find: "if (!cmd.ctx.settings.blindSigning) throw new TapError(TAP_SW.BLIND_SIGNING_DISABLED, 'blind signing is off');",
    replace: '',
    tests: ['test/unit/tap-app/keys-musig.test.ts', 'test/unit/host-tap/client.test.ts'],
  },
  {
    id: 'key-not-held-check-removed',
    bug: "MUSIG_ROUND1 draws a nonce for a context the device's key is not part of",
    file: 'emulator/apps/tap/musig.ts',
    find: 'if (!ctx.participants.some((p) => equal(p, pk)))',
    replace: 'if (false)',
    tests: ['test/unit/tap-app/keys-musig.test.ts', 'test/unit/host-tap/client.test.ts'],
  },
  {
    id: 'bitcoin-musig-session-kept',
    bug: 'the Bitcoin app keeps a MuSig2 session after round 2 used it (nonce reuse on replay)',
    file: 'emulator/apps/common/musig-sessions.ts',
    find: '      nvram.set(slotKey(i), new Uint8Array(64));\n',
    replace: '',
    tests: ['test/unit/emulator-bitcoin/musig-e2e.test.ts', 'test/unit/emulator-bitcoin/dispatcher.test.ts'],
  },
  {
    id: 'lc-check-removed',
    bug: 'the device passes an APDU whose Lc disagrees with its length to the app',
    file: 'emulator/os.ts',
    find: 'if (apdu.length < 5 || apdu[4] !== apdu.length - 5) return {',
    replace: 'if (apdu.length < 5) return {',
    tests: ['test/unit/emulator/device.test.ts', 'test/unit/emulator-bitcoin/lying-host.test.ts', 'test/unit/emulator/robustness.test.ts', 'test/unit/tap-app/keys-musig.test.ts'],
  },
  {
    id: 'negative-fee-unchecked',
    bug: 'SIGN_PSBT signs a transaction whose outputs exceed its inputs',
    file: 'emulator/apps/bitcoin/sign-psbt.ts',
    find: "  if (st.inputsTotal < st.outputsTotal) throw incorrectData('negative fee');\n",
    replace: '',
    tests: ['test/unit/emulator-bitcoin/sign-psbt.test.ts', FUZZ],
  },
  {
    id: 'split-fold-unchecked',
    bug: 'SIGN_VPSBT signs outputs that do not rebuild the signed split commitment root',
    file: 'emulator/apps/tap/sign-vpsbt-stream.ts',
    find: 'if (!nodeEqual(rebuilt, root.splitCommitmentRoot))',
    replace: 'if (false)',
    tests: ['test/unit/tap-app/sign-vpsbt.test.ts', 'test/unit/tap-app/review-binding.test.ts'],
  },
  {
    id: 'proof-index-unchecked',
    bug: 'the host accepts a Merkle proof request for a leaf beyond the tree',
    file: 'apdu/interrupt.ts',
    find: 'if (index >= size) throw new CodecError',
    replace: 'if (false) throw new CodecError',
    tests: ['test/unit/apdu-bitcoin-app/interrupt.test.ts', 'test/unit/host/lying-device.test.ts', 'test/fuzz/decoders.test.ts'],
  },
  {
    id: 'reader-bounds-unchecked',
    bug: 'ByteReader reads past the end of its bytes',
    file: 'apdu/bytes.ts',
    find: '    if (this.remaining < n)\n',
    replace: '    if (false)\n',
    tests: ['test/fuzz/decoders.test.ts'],
  },
  {
    id: 'request-decode-error-escapes',
    bug: "a malformed Taproot Assets request body escapes the app's decoder as an internal fault (B007 instead of 6A80/6A87)",
    file: 'emulator/apps/tap/decode.ts',
    find: '    throw new TapError(tapRequestErrorStatus(e), (e as Error).message);',
    replace: '    throw e;',
    tests: ['test/unit/tap-app/keys-musig.test.ts', FUZZ],
  },
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const full = process.argv.includes('--full');
const only = arg('only')?.split(',');
const out = arg('out') ?? 'bench-results/mutate.json';
const mutants = only ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;

/** A copy of the tree (what git would see: tracked and untracked, not ignored) with node_modules linked. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taproot-hw-mutate-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(dir, f));
    } catch {
      // deleted in the working tree but still in the index
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

interface VitestReport {
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
}

/**
 * Runs the tests (vitest's JSON report) and names every failing test as `file > test`; a file
 * that failed without a failing test (it did not load) is named alone.
 */
function runTests(dir: string, tests: string[]): { ok: boolean; failed: string[]; failedTests: string[]; seconds: number; tail: string } {
  const started = performance.now();
  const report = join(dir, '.mutate-report.json');
  rmSync(report, { force: true });
  const res = spawnSync('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${report}`, ...(full ? [] : tests)], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    maxBuffer: 64 * 2 ** 20,
  });
  const tail = `${res.stdout}\n${res.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').slice(-3000);
  const seconds = (performance.now() - started) / 1000;
  let parsed: VitestReport;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
  } catch {
    // vitest died before writing its report: the run failed, without names.
    return { ok: res.status === 0, failed: [], failedTests: [], seconds, tail };
  }
  const failedTests: string[] = [];
  const failed: string[] = [];
  for (const file of parsed.testResults) {
    const name = relative(dir, file.name);
    const tests = file.assertionResults.filter((a) => a.status === 'failed').map((a) => `${name} > ${a.fullName}`);
    if (tests.length > 0 || file.status === 'failed') failed.push(name);
    failedTests.push(...(tests.length > 0 ? tests : file.status === 'failed' ? [`${name} (did not load)`] : []));
  }
  return { ok: res.status === 0, failed, failedTests, seconds, tail };
}

/** `--check`: only whether each mutant still plants into exactly one place (no tests run). */
if (process.argv.includes('--check')) {
  const stale = mutants.filter((m) => {
    const text = readFileSync(join(ROOT, m.file), 'utf8');
    const at = text.indexOf(m.find);
    return at < 0 || text.indexOf(m.find, at + 1) >= 0;
  });
  for (const m of stale) console.error(`${m.id}: does not apply to ${m.file} (the code it plants into changed)`);
  console.error(`${mutants.length - stale.length} of ${mutants.length} mutants apply`);
  process.exit(stale.length > 0 ? 1 : 0);
}

const dir = scratchCopy();
interface Result {
  id: string;
  bug: string;
  file: string;
  applied: boolean;
  caught: boolean;
  /** Test files with a failing test. */
  failedFiles: string[];
  /** Failing tests, `file > test`. */
  failedTests: string[];
  seconds: number;
}
const results: Result[] = [];
try {
  const allTests = [...new Set(mutants.flatMap((m) => m.tests))];
  const baseline = runTests(dir, allTests);
  if (!baseline.ok) throw new Error(`the unmutated tests fail (${baseline.failedTests.join(', ')}): fix them before a mutation run\n${baseline.tail}`);
  console.error(`baseline: ${allTests.length} test files pass (${baseline.seconds.toFixed(0)} s)`);
  for (const m of mutants) {
    const path = join(dir, m.file);
    const original = readFileSync(path, 'utf8');
    const at = original.indexOf(m.find);
    const applied = at >= 0 && original.indexOf(m.find, at + 1) < 0;
    if (!applied) {
      results.push({ id: m.id, bug: m.bug, file: m.file, applied: false, caught: false, failedFiles: [], failedTests: [], seconds: 0 });
      console.error(`${m.id}: does not apply (the code it plants into changed)`);
      continue;
    }
    writeFileSync(path, original.slice(0, at) + m.replace + original.slice(at + m.find.length));
    try {
      const r = runTests(dir, m.tests);
      results.push({ id: m.id, bug: m.bug, file: m.file, applied: true, caught: !r.ok, failedFiles: r.failed, failedTests: r.failedTests, seconds: r.seconds });
      console.error(`${m.id}: ${r.ok ? 'SURVIVED' : `caught by ${r.failedTests.length} tests in ${r.failed.join(', ') || 'a failing run'}`} (${r.seconds.toFixed(0)} s)`);
      if (r.ok) continue;
      for (const t of r.failedTests) console.error(`  ${t}`);
      if (r.failedTests.length === 0) console.error(r.tail);
    } finally {
      writeFileSync(path, original);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log('\n| mutant | bug | caught | failing tests | in files |');
console.log('|---|---|---|---:|---|');
for (const r of results)
  console.log(`| ${r.id} | ${r.bug} | ${!r.applied ? 'does not apply' : r.caught ? 'yes' : '**no**'} | ${r.failedTests.length} | ${r.failedFiles.join(', ')} |`);
const caught = results.filter((r) => r.caught).length;
console.log(`\n${caught} of ${results.length} mutants caught${full ? ' (whole suite per mutant)' : ' (their listed test files)'}`);
mkdirSync(dirname(resolve(ROOT, out)), { recursive: true });
writeFileSync(resolve(ROOT, out), `${JSON.stringify({ date: new Date().toISOString(), full, results }, null, 2)}\n`);
if (caught < results.length) process.exitCode = 1;
