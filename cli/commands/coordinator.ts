// `taproot-hw coordinator serve [--listen HOST:PORT] [--store DIR|postgres://URL] [--key FILE]`:
// runs the cosigning coordinator (docs/coordinator.md) until SIGINT or SIGTERM. Prints one JSON line
// {"url","publicKey"} once listening. The store defaults to a PGlite directory under
// $TAPROOT_HW_HOME (~/.taproot-hw); the key file to DIR/coordinator.key, or, with PostgreSQL, to
// $TAPROOT_HW_HOME/coordinator.key — coordinators sharing one database must share the key file.

import { join } from 'node:path';
import { Coordinator, defaultHome, loadOrCreateKey, openStore } from '../../coordinator/index.ts';
import { noPositionals, parseArgs } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { stopSignal } from '../stop-signal.ts';

const USAGE = 'coordinator serve [--listen HOST:PORT] [--store DIR|postgres://URL] [--key FILE]';
const DEFAULT_PORT = 7373;

function listenOption(text: string | undefined): { host: string; port: number } {
  if (text === undefined) return { host: '127.0.0.1', port: DEFAULT_PORT };
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 0xffff) throw new CliError(`--listen: expected HOST:PORT, got "${text}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export const coordinatorCommand: Command = {
  name: 'coordinator',
  usage: USAGE,
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    if (sub !== 'serve') throw new CliError(`expected serve, got ${sub === undefined ? 'nothing' : `"${sub}"`}; usage: ${USAGE}`);
    const args = parseArgs(rest, { listen: 'value', store: 'value', key: 'value' }, USAGE);
    noPositionals(args, USAGE);
    const { host, port } = listenOption(args.values.get('listen'));
    const storeSpec = args.values.get('store') ?? join(defaultHome(), 'coordinator');
    const postgres = /^postgres(ql)?:\/\//.test(storeSpec);
    const key = await loadOrCreateKey(args.values.get('key') ?? (postgres ? join(defaultHome(), 'coordinator.key') : join(storeSpec, 'coordinator.key')));
    const store = await openStore(storeSpec);
    let coordinator: Coordinator | undefined;
    try {
      coordinator = await Coordinator.open({ store, key });
      const listening = await coordinator.listen(host, port);
      ctx.stdout(JSON.stringify(listening));
      await stopSignal().stopped;
    } finally {
      await coordinator?.close();
      await store.close();
    }
    return 0;
  },
};
