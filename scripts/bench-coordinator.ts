// `npm run bench` (coordinator rows): whole cosigning sessions completed per second — start, two
// joins, key exchange and one MuSig2 spend, by three software parties — with 1, 10 and 100
// sessions in flight at once, on PGlite (a directory, the default store) and on PostgreSQL (a
// private throwaway cluster; the rows are skipped, saying why, where it cannot start). The
// coordinator and the parties share this process and talk over its loopback HTTP port. Every
// session's signature is checked by the parties (BIP-327 PartialSigVerify, BIP-340 verify) and the
// finalized PSBT again here, so a fast wrong answer cannot count.
// Prints a table and writes bench-results/coordinator.json.
//
//   npx tsx scripts/bench-coordinator.ts [--out FILE]

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { Coordinator, CosignParty, hpkeKeyPair } from '../coordinator/index.ts';
import { openPglite } from '../coordinator/store/pglite.ts';
import { openPostgres } from '../coordinator/store/postgres.ts';
import type { SqlStore } from '../coordinator/store/sql.ts';
import { PATH, softwareCosigner, spendPsbt, tempDir } from '../test/coordinator/fixture.ts';
import { startCluster } from '../test/coordinator/postgres-cluster.ts';

export interface CoordinatorRow {
  store: 'pglite' | 'postgres';
  concurrent: number;
  sessions: number;
  seconds: number;
  sessionsPerSecond: number;
  /** Mean wall time of one session, start to signed PSBT. */
  meanSessionMs: number;
}

const CONCURRENCY = [1, 10, 100] as const;
/** Sessions per row: enough that the one-at-a-time row is not a single sample. */
const sessionsFor = (concurrent: number) => Math.max(concurrent, 5);

const signers = [0, 1, 2].map(softwareCosigner);

async function oneSession(url: string, root: string, n: number): Promise<number> {
  const t0 = performance.now();
  const homes = [0, 1, 2].map((i) => join(root, `s${n}-p${i}`));
  const { party: p0, invites } = await CosignParty.start(url, 3, PATH, { home: homes[0] });
  const joined = await Promise.all(invites.map((inv, i) => CosignParty.join(url, inv, PATH, { home: homes[i + 1] })));
  const parties = [p0, ...joined];
  const policies = await Promise.all(parties.map((p, i) => p.exchangeKeys(signers[i]!)));
  const psbt = spendPsbt(policies[0]!);
  const results = await Promise.all(parties.map((p, i) => p.sign(signers[i]!, i === 0 ? psbt : undefined)));
  const tx = Transaction.fromPSBT(base64.decode(results[0]!.psbt!));
  if (!tx.isFinal || results.some((r) => r.signature !== results[0]!.signature)) throw new Error(`bench: session ${n} did not end with one final signature`);
  return performance.now() - t0;
}

async function row(store: SqlStore, concurrent: number): Promise<CoordinatorRow> {
  const coordinator = await Coordinator.open({ store, key: hpkeKeyPair() });
  const { url } = await coordinator.listen('127.0.0.1', 0);
  const root = tempDir('bench-parties');
  const total = sessionsFor(concurrent);
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrent }, async () => {
        while (next < total) times.push(await oneSession(url, root, next++));
      }),
    );
  } finally {
    await coordinator.close();
    await rm(root, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { store: store.kind, concurrent, sessions: total, seconds, sessionsPerSecond: total / seconds, meanSessionMs: times.reduce((a, b) => a + b, 0) / times.length };
}

export async function benchCoordinator(out = 'bench-results/coordinator.json'): Promise<CoordinatorRow[]> {
  const rows: CoordinatorRow[] = [];
  const skipped: string[] = [];
  const dir = tempDir('bench-pglite');
  const pglite = await openPglite(dir);
  try {
    for (const c of CONCURRENCY) rows.push(await row(pglite, c));
  } finally {
    await pglite.close();
    await rm(dir, { recursive: true, force: true });
  }
  const cluster = await startCluster();
  if ('skip' in cluster) skipped.push(`postgres: ${cluster.skip}`);
  else {
    const pg = await openPostgres(cluster.url);
    try {
      for (const c of CONCURRENCY) rows.push(await row(pg, c));
    } finally {
      await pg.close();
      await cluster.stop();
    }
  }

  console.log(`\n${'coordinator store'.padEnd(17)}  ${'concurrent'.padStart(10)}  ${'sessions'.padStart(8)}  ${'seconds'.padStart(8)}  ${'sessions/s'.padStart(10)}  ${'mean session ms'.padStart(15)}`);
  for (const r of rows)
    console.log(
      `${r.store.padEnd(17)}  ${String(r.concurrent).padStart(10)}  ${String(r.sessions).padStart(8)}  ${r.seconds.toFixed(2).padStart(8)}  ${r.sessionsPerSecond.toFixed(2).padStart(10)}  ${r.meanSessionMs.toFixed(0).padStart(15)}`,
    );
  for (const s of skipped) console.log(`skipped: ${s}`);
  const report = { date: new Date().toISOString(), node: process.version, platform: `${platform()} ${release()}`, cpu: cpus()[0]?.model ?? 'unknown', cpus: availableParallelism(), parties: 3, rows, skipped };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${out}`);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--out');
  benchCoordinator(i >= 0 ? process.argv[i + 1] : undefined).catch((err: unknown) => {
    console.error(`bench: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exitCode = 1;
  });
}
