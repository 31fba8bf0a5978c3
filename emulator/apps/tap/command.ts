// What every command handler of the app receives, and the app's RAM state.

import type { AppContext } from '../../app.ts';
import type { HostChannel } from '../common/host-channel.ts';
import type { DkgSession } from './frost/dkg-session.ts';
import type { NonceSlots } from './nonce-slots.ts';
import type { VpsbtStreamSession } from './sign-vpsbt-stream.ts';

export interface TapState {
  /** MuSig2 nonce slots of MUSIG_ROUND1/2: RAM only, gone when the app closes (§4). */
  readonly slots: NonceSlots;
  /** The FROST DKG in progress, RAM only (docs/frost.md §2.1). */
  readonly frostDkg: DkgSession;
  /** SIGN_VPSBT in progress (between START and its last result batch). */
  stream?: VpsbtStreamSession | undefined;
  /** Peak bytes the last SIGN_VPSBT held (docs/tap-app-protocol.md §5.5.6). */
  lastStreamPeakBytes?: number | undefined;
}

export interface TapCommand {
  ctx: AppContext;
  host: HostChannel;
  state: TapState;
  body: Uint8Array;
  /** P1 (SIGN_VPSBT only; every other command requires 0). */
  p1?: number;
}

/** A handler returns the response data; the dispatcher appends 9000. */
export type TapHandler = (cmd: TapCommand) => Promise<Uint8Array>;
