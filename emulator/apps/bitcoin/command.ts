// What every command handler of the app receives.

import type { AppContext } from '../../app.ts';
import type { HostChannel } from './client.ts';
import type { BitcoinNetwork } from './network.ts';
import type { Reply } from './reply.ts';

export interface Command {
  ctx: AppContext;
  host: HostChannel;
  net: BitcoinNetwork;
  /** P2 of the command APDU: 0 or 1 (docs/bitcoin-app-protocol.md §1). */
  protocolVersion: number;
  body: Reply;
}

/** A handler returns the response data; the dispatcher appends 9000. */
export type Handler = (cmd: Command) => Promise<Uint8Array>;
