// What every command handler of the app receives, and how a handler is tied to the command spec
// (apdu/bitcoin-app) that decodes its request and encodes its response: the emulated app reads and
// writes exactly the bytes the host client writes and reads.

import type { CommandSpec } from '../../../apdu/command-spec.ts';
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
