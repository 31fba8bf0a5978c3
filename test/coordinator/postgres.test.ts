// The Postgres tier: the same schema and queries on a real PostgreSQL (a private throwaway cluster,
// postgres-cluster.ts) through `pg`, with two coordinators on one database — as two processes
// behind a load balancer would be — sharing one key. Parties talk to different coordinators, so
// every step crosses from one to the other: a waiting request is woken by the other's NOTIFY.
// Skips, saying why, where PostgreSQL cannot start.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coordinator, CoordinatorClient, CosignParty, hpkeKeyPair } from '../../coordinator/index.ts';
import { openPostgres } from '../../coordinator/store/postgres.ts';
import type { SqlStore } from '../../coordinator/store/sql.ts';
import { expectSignedSpend, PATH, softwareCosigner, spendPsbt, tempDir } from './fixture.ts';
import { startCluster, type Cluster } from './postgres-cluster.ts';

const cluster = await startCluster();
if ('skip' in cluster) console.log(`postgres tier skipped: ${cluster.skip}`);

describe.skipIf('skip' in cluster)('two coordinators on one PostgreSQL database', () => {
  const stores: SqlStore[] = [];
  const coordinators: Coordinator[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    const key = hpkeKeyPair();
    for (let i = 0; i < 2; i++) {
      const store = await openPostgres((cluster as Cluster).url);
      const c = await Coordinator.open({ store, key });
      stores.push(store);
      coordinators.push(c);
      urls.push((await c.listen('127.0.0.1', 0)).url);
    }
  });
  afterAll(async () => {
    for (const c of coordinators) await c.close();
    for (const s of stores) await s.close();
    await (cluster as Cluster).stop();
  });

  it('three parties on two coordinators exchange keys and spend', async () => {
    const homes = [tempDir('pg0'), tempDir('pg1'), tempDir('pg2')];
    const at = [urls[0]!, urls[1]!, urls[1]!];
    const signers = [0, 1, 2].map(softwareCosigner);
    const { party: p0, invites } = await CosignParty.start(at[0]!, 3, PATH, { home: homes[0] });
    const joined = await Promise.all(invites.map((inv, i) => CosignParty.join(at[i + 1]!, inv, PATH, { home: homes[i + 1] })));
    const policies = await Promise.all([p0, ...joined].map((p, i) => p.exchangeKeys(signers[i]!)));
    expect(policies[1]).toEqual(policies[0]);
    expect(policies[2]).toEqual(policies[0]);
    const psbt = spendPsbt(policies[0]!);
    const results = await Promise.all(
      [0, 1, 2].map((i) => CosignParty.load(at[i]!, p0.session, { home: homes[i] }).then((p) => p.sign(signers[i]!, i === 0 ? psbt : undefined))),
    );
    expectSignedSpend(policies[0]!, results[0]!.psbt!, results[0]!.signature);
    expect(results.map((r) => r.signature)).toEqual(Array(3).fill(results[0]!.signature));
    // The rows are in the one database both coordinators serve, sealed.
    const rows = await stores[0]!.query<{ n: unknown }>('SELECT count(*) AS n FROM cosign_messages WHERE session_id = $1', [p0.session]);
    // hello and roster 2 each, psbt 2, keys, policy, nonce, psig and final 3 × 2 each.
    expect(Number(rows[0]!.n)).toBe(2 + 2 + 2 + 5 * 6);
    const client = new CoordinatorClient(urls[0]!);
    client.credential = joined[0]!.state.credential;
    const { messages } = await client.messages(p0.session, { prefix: 'psig/' }, 0, 0);
    expect(messages.map((m) => [m.step, m.from])).toEqual([['psig/1', 0], ['psig/1', 2]]);
  });
});
