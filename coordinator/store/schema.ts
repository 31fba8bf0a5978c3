// The coordinator's tables, the same on PGlite and PostgreSQL. In clear only what routing needs:
// ids, party numbers, step labels, sequence numbers, expiry times, and SHA-256 digests of secrets
// (invite tokens, party credentials) and of stored ciphertexts (to tell a retry from a conflicting
// message). Everything else — the session's parameters, each party's key, every routed message —
// is sealed under the coordinator's state key (state-cipher.ts).

import type { SqlStore } from './sql.ts';

export const NOTIFY_CHANNEL = 'taproot_hw_cosign';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS cosign_sessions (
     id text PRIMARY KEY,
     sealed bytea NOT NULL,
     expires_at bigint NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS cosign_invites (
     token_hash bytea PRIMARY KEY,
     session_id text NOT NULL REFERENCES cosign_sessions(id) ON DELETE CASCADE,
     party integer NOT NULL,
     expires_at bigint NOT NULL,
     used boolean NOT NULL DEFAULT false)`,
  `CREATE TABLE IF NOT EXISTS cosign_parties (
     session_id text NOT NULL REFERENCES cosign_sessions(id) ON DELETE CASCADE,
     party integer NOT NULL,
     credential_hash bytea NOT NULL UNIQUE,
     sealed_key bytea NOT NULL,
     PRIMARY KEY (session_id, party))`,
  `CREATE TABLE IF NOT EXISTS cosign_messages (
     session_id text NOT NULL REFERENCES cosign_sessions(id) ON DELETE CASCADE,
     recipient integer NOT NULL,
     step text NOT NULL,
     sender integer NOT NULL,
     seq integer NOT NULL,
     digest bytea NOT NULL,
     sealed bytea NOT NULL,
     PRIMARY KEY (session_id, recipient, step, sender, seq))`,
  `CREATE INDEX IF NOT EXISTS cosign_sessions_expiry ON cosign_sessions (expires_at)`,
];

/** Creates the tables once; concurrent coordinators on one database serialize on an advisory lock. */
export async function migrate(store: SqlStore): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7274801)');
    for (const statement of SCHEMA) await tx.query(statement);
  });
}
