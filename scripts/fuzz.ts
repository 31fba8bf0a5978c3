// `npm run fuzz`: a fuzzing campaign against the emulated device in process. For each app, the
// stateful fuzzer (test/fuzz/stateful/engine.ts: client commands answered from valid data, then
// mutated; invariants checked on every case), then the decoders fuzzed directly
// (test/fuzz/decoders.ts: only typed errors may escape). Prints a table and writes
// fuzz-results/fuzz-<seed>.json. Exits 1 if any case broke an invariant.
//
//   npx tsx scripts/fuzz.ts [--apdus N] [--cases N] [--minutes M] [--seed S] [--app bitcoin|tap|all] [--decoders N] [--out FILE]
//
// --apdus N    stop each app's run after N APDUs (default: no APDU limit)
// --cases N    stop each app's run after N cases (default 1,000,000)
// --minutes M  stop each app's run after M minutes (default: no time limit)
// --decoders N inputs per decoder (default 20,000; 0 skips the decoders)

import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { dirname } from 'node:path';
import { runDecoderFuzz, type DecoderStats } from '../test/fuzz/decoders.ts';
import { prng } from '../test/fuzz/prng.ts';
import { runCampaign, type FuzzStats, type FuzzTarget } from '../test/fuzz/stateful/engine.ts';
import { bitcoinTarget } from '../test/fuzz/stateful/bitcoin.ts';
import { tapTarget } from '../test/fuzz/stateful/tap.ts';

const TARGETS: Record<string, FuzzTarget> = { bitcoin: bitcoinTarget, tap: tapTarget };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name}: expected a value`);
  return value;
}

function numberArg(name: string): number | undefined {
  const text = arg(name);
  if (text === undefined) return undefined;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got ${text}`);
  return n;
}

const seed = numberArg('seed') ?? 1;
const maxApdus = numberArg('apdus');
const cases = numberArg('cases') ?? 1_000_000;
const minutes = numberArg('minutes');
const decoderInputs = numberArg('decoders') ?? 20_000;
const app = arg('app') ?? 'all';
const out = arg('out') ?? `fuzz-results/fuzz-${seed}.json`;
if (app !== 'all' && !TARGETS[app]) throw new Error(`--app: expected one of all, ${Object.keys(TARGETS).join(', ')}, got ${app}`);
const targets = app === 'all' ? Object.values(TARGETS) : [TARGETS[app]!];

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const fmt = (n: number) => n.toLocaleString('en-US');

const runs: FuzzStats[] = [];
let decoders: DecoderStats[] = [];

/** Written after each stage, so a run that dies keeps what it measured. */
async function writeResults(): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const machine = { platform: platform(), release: release(), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version };
  const args = { seed, cases, maxApdus, minutes, decoderInputs, app };
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), machine, args, runs, decoders, maxRssMb: mb(process.resourceUsage().maxRSS * 1024) }, null, 2)}\n`);
}
for (const target of targets) {
  const started = performance.now();
  const stats = await runCampaign(target, prng(seed), {
    seed,
    cases,
    ...(maxApdus !== undefined ? { maxApdus } : {}),
    ...(minutes !== undefined ? { deadline: started + minutes * 60_000 } : {}),
    onProgress: (s) => {
      if (s.cases % 10_000 === 0)
        process.stderr.write(`${target.name}: ${fmt(s.cases)} cases, ${fmt(s.apdus)} APDUs, ${Math.round(s.apdus / s.seconds)} APDUs/s, RSS ${s.rssMb.at(-1)} MB, ${s.violations.length} violations\n`);
    },
  });
  runs.push(stats);
  await writeResults();
}

decoders = decoderInputs > 0 ? runDecoderFuzz(prng(seed), decoderInputs) : [];
await writeResults();

console.log('\nStateful fuzzing (in-process emulator, nanosp)\n');
console.log('| app | cases | APDUs | APDUs/s | cases/s | reviews shown / approved | signatures | leak checks | crashes | hangs | other violations | RSS MB first / middle / max / last |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const s of runs) {
  const crashes = s.violations.filter((v) => v.kind === 'fault').length;
  const hangs = s.violations.filter((v) => v.kind === 'hang').length;
  console.log(
    `| ${s.target} | ${fmt(s.cases)} | ${fmt(s.apdus)} | ${fmt(Math.round(s.apdus / s.seconds))} | ${fmt(Math.round(s.cases / s.seconds))} | ${fmt(s.reviewsShown)} / ${fmt(s.reviewsApproved)} | ${fmt(s.signatures)} | ${fmt(s.leakChecks)} | ${crashes} | ${hangs} | ${s.violations.length - crashes - hangs} | ${s.rssMb[0]} / ${s.rssMb[Math.floor(s.rssMb.length / 2)]} / ${Math.max(...s.rssMb)} / ${s.rssMb.at(-1)} |`,
  );
}
console.log('\nFinal status words of the fuzzed commands\n');
for (const s of runs) {
  const words = Object.entries(s.statusWords).sort((a, b) => b[1] - a[1]);
  console.log(`${s.target}: ${words.map(([w, n]) => `${w} ${fmt(n)}`).join(', ')}`);
}
if (decoders.length > 0) {
  console.log('\nDecoders fuzzed directly (only typed errors may escape)\n');
  console.log('| decoder | inputs | decoded | typed errors | untyped |');
  console.log('|---|---:|---:|---:|---:|');
  for (const d of decoders) console.log(`| ${d.name} | ${fmt(d.inputs)} | ${fmt(d.decoded)} | ${fmt(d.typed)} | ${d.untypedCount} |`);
}
const violations = runs.flatMap((s) => s.violations.map((v) => ({ target: s.target, ...v })));
for (const v of violations.slice(0, 20)) console.log(`\n${v.target} case ${v.case} (${v.scenario}) ${v.kind}: ${v.message}`);
for (const d of decoders) for (const u of d.untyped.slice(0, 5)) console.log(`\n${d.name}: ${u}`);
console.log(`\nmax RSS of the process: ${mb(process.resourceUsage().maxRSS * 1024)} MB`);

console.log(`wrote ${out}`);
if (violations.length > 0 || decoders.some((d) => d.untypedCount > 0)) process.exitCode = 1;
