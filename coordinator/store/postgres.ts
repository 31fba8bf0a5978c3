// PostgreSQL through `pg`: a pool for queries and transactions, and one dedicated connection that
// LISTENs. If that connection drops, waiting requests still see new messages by polling (the
// server re-queries on a timer), so a lost notification delays an answer and never loses one.

import pg from 'pg';
import type { Row, SqlClient, SqlStore } from './sql.ts';

/** pg takes Buffer for bytea; our callers pass Uint8Array. */
const param = (v: unknown) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

function client(c: Pick<pg.Pool, 'query'>): SqlClient {
  return {
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      return (await c.query<T>(sql, params.map(param))).rows;
    },
  };
}

export async function openPostgres(url: string): Promise<SqlStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that errors (server restart) must not crash the coordinator; the next query reconnects.
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  const listeners: pg.Client[] = [];
  return {
    kind: 'postgres',
    ...client(pool),
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(client(c));
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    async listen(channel, wake) {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {});
      c.on('notification', (n) => {
        if (n.channel === channel) wake(n.payload ?? '');
      });
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listeners.push(c);
    },
    async close() {
      await Promise.all(listeners.map((c) => c.end().catch(() => {})));
      await pool.end();
    },
  };
}
