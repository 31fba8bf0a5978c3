// The embedded store: PGlite persisted in a directory (its data in DIR/pgdata). PGlite takes no
// lock of its own and two processes writing one data directory would corrupt it, so the store
// holds DIR/coordinator.lock (the owner's pid) while open; a lock left by a process that died
// (SIGKILL) is taken over.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type Row, type SqlClient, type SqlStore } from './sql.ts';
import { CoordinatorLayerError } from '../errors.ts';

function client(db: Pick<PGlite, 'query'>): SqlClient {
  return {
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      return (await db.query<T>(sql, [...params])).rows;
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lock(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'coordinator.lock');
  for (;;) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && alive(owner))
      throw new CoordinatorLayerError('E_STORE_LOCKED', `store ${dir} is open in process ${owner}; one process at a time may use a PGlite store (use PostgreSQL to run several)`);
    // Left by a process that is gone; whoever removes and recreates it first owns the store.
    await rm(file, { force: true });
  }
}

/** `dir` undefined keeps the database in memory (tests that need no persistence). */
export async function openPglite(dir: string | undefined): Promise<SqlStore> {
  const unlock = dir === undefined ? async () => {} : await lock(dir);
  let db: PGlite;
  try {
    db = dir === undefined ? new PGlite() : new PGlite(join(dir, 'pgdata'));
    await db.waitReady;
  } catch (err) {
    await unlock();
    throw err;
  }
  return {
    kind: 'pglite',
    ...client(db),
    transaction: (fn) => db.transaction((tx) => fn(client(tx))),
    async listen(channel, wake) {
      await db.listen(channel, wake);
    },
    async close() {
      await db.close();
      await unlock();
    },
  };
}
