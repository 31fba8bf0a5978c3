// What every command handler of the app receives, and how a handler is tied to the command spec
// (apdu/bitcoin-app) that decodes its request and encodes its response: the emulated app reads and
// writes exactly the bytes the host client writes and reads.

import type { AppWire, CommandSpec } from '../../../apdu/command-spec.ts';
import type { AppContext } from '../../app.ts';
import type { HostChannel } from '../common/host-channel.ts';
import type { BitcoinNetwork } from './network.ts';

export interface Command {
  ctx: AppContext;
  host: HostChannel;
  net: BitcoinNetwork;
  /** P2 of the command APDU: 0 or 1 (docs/bitcoin-app-protocol.md §1). */
  protocolVersion: number;
}

/** A command of the app: its wire spec and what the device does with the decoded request. */
export interface Handler<Req, Res> {
  readonly spec: CommandSpec<Req, Res>;
  run(cmd: Command, req: Req): Promise<Res>;
}

export const handler = <Req, Res>(spec: CommandSpec<Req, Res>, run: (cmd: Command, req: Req) => Promise<Res>): Handler<Req, Res> => ({
  spec,
  run,
});

/**
 * The dispatcher's table, derived from the app's description: every command the description lists
 * has exactly one handler, and no handler serves a command it does not list.
 */
export function handlerTable(app: AppWire, handlers: readonly Handler<any, any>[]): Map<number, Handler<any, any>> {
  const table = new Map(handlers.map((h) => [h.spec.ins, h]));
  const listed = new Set(app.commands);
  if (table.size !== handlers.length || handlers.some((h) => !listed.has(h.spec)) || app.commands.some((c) => table.get(c.ins)?.spec !== c))
    throw new Error(`${app.name} app: expected one handler per command of its description, got ${handlers.map((h) => h.spec.name).join(', ')}`);
  return table;
}
