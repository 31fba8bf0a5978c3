// The embedded store: PGlite persisted in a directory. One process owns the directory at a time.

import { PGlite } from '@electric-sql/pglite';
import type { Row, SqlClient, SqlStore } from './sql.ts';

function client(db: Pick<PGlite, 'query'>): SqlClient {
  return {
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      return (await db.query<T>(sql, [...params])).rows;
    },
  };
}

/** `dir` undefined keeps the database in memory (tests that need no persistence). */
export async function openPglite(dir: string | undefined): Promise<SqlStore> {
  const db = dir === undefined ? new PGlite() : new PGlite(dir);
  await db.waitReady;
  return {
    kind: 'pglite',
    ...client(db),
    transaction: (fn) => db.transaction((tx) => fn(client(tx))),
    async listen(channel, wake) {
      await db.listen(channel, wake);
    },
    close: () => db.close(),
  };
}
