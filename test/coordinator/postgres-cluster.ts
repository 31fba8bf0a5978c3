// A private, throwaway PostgreSQL cluster for the Postgres tier and the bench: initdb in a temp
// directory, a server on loopback on a free port, stopped and removed afterwards. As root the
// cluster runs as the `postgres` user (PostgreSQL refuses to run as root). Where the binaries are
// missing or the server does not start, `startCluster` returns the reason instead.

import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Cluster {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) return dir;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'pg_ctl')));
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function startCluster(): Promise<Cluster | { skip: string }> {
  if (process.env.TAPROOT_HW_POSTGRES_URL) return { url: process.env.TAPROOT_HW_POSTGRES_URL, stop: async () => {} };
  const bin = binDir();
  if (!bin) return { skip: 'PostgreSQL is not installed (no pg_ctl/initdb on PATH or in /usr/lib/postgresql; .ci/run installs Debian\'s postgresql)' };
  const root = userInfo().uid === 0;
  let asUser: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'taproot-hw-pg-'));
  if (root) {
    try {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
      chmodSync(dir, 0o700);
      asUser = ['runuser', '-u', 'postgres', '--'];
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return { skip: 'running as root and there is no `postgres` user to run the cluster as' };
    }
  }
  const cmd = (tool: string, args: string[]) => (asUser.length ? run(asUser[0]!, [...asUser.slice(1), join(bin, tool), ...args]) : run(join(bin, tool), args));
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    await cmd('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    // fsync off: a throwaway cluster; the server still sees every commit before it answers.
    await cmd('pg_ctl', ['-D', data, '-w', '-t', '30', '-l', join(dir, 'log'), '-o', `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`, 'start']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `PostgreSQL did not start: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}` };
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await cmd('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
