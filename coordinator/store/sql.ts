// One storage interface over two engines that run the same SQL (docs/coordinator.md §4): PGlite,
// Postgres compiled to WASM and persisted in a directory (the default, no set-up), and PostgreSQL
// through `pg` (several coordinator processes on one database). NOTIFY wakes waiting requests in
// every process on the same database.

export type Row = Record<string, unknown>;

export interface SqlClient {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface SqlStore extends SqlClient {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Calls `wake(payload)` on every NOTIFY on `channel`, from this process or any other. */
  listen(channel: string, wake: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** bytea comes back as Buffer from pg and Uint8Array from PGlite: callers see Uint8Array only. */
export function bytesOf(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`store: expected bytea, got ${typeof value}`);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** bigint columns come back as string from pg and number or bigint from PGlite. */
export function numberOf(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError(`store: expected an integer, got ${String(value)}`);
  return n;
}

/** Opens the store a `--store` value names: a postgres:// URL, else a PGlite directory. */
export async function openStore(spec: string): Promise<SqlStore> {
  if (/^postgres(ql)?:\/\//.test(spec)) return (await import('./postgres.ts')).openPostgres(spec);
  return (await import('./pglite.ts')).openPglite(spec);
}
