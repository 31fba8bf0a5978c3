// The Taproot Assets app inside the emulator (docs/tap-app-protocol.md). Dispatcher rules, in
// order (§1): P2 other than 2 or 1 -> 6A86 before any other check; CONTINUE with no command in
// progress -> B007; CLA other than E7 -> 6E00; P2 1 other than the legacy v1 SIGN_VPSBT -> 6A86; SIGN_VPSBT
// v2 takes P1 00 START / 01 NEXT / 02 RESULTS (§5.5), every other command P1 = 0, else 6A86; unknown
// INS -> 6D00. Any command other than a v2 NEXT / RESULTS drops a stream in progress. Every failure
// inside a command ends it with a status word and no partial result (§7 rule 5).

import { concat, u16be } from '../../../apdu/bytes.ts';
import { statusOnly } from '../../../apdu/apdu.ts';
import { CLA_FRAMEWORK, INS_CONTINUE } from '../../../apdu/interrupt.ts';
import { CLA_TAP, TAP_INS, TAP_PROTOCOL_VERSION, TAP_PROTOCOL_VERSION_1 } from '../../../apdu/tap-app/spec.ts';
import { SignVpsbtP1 } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import { AppCommandAborted, type AppContext, type DeviceApp } from '../../app.ts';
import { HostChannel } from '../common/host-channel.ts';
import { AppError } from '../common/app-error.ts';
import type { TapHandler, TapState, VpsbtStats } from './command.ts';
import { TapError } from './errors.ts';
import { frostDkgRound1Handler, frostDkgRound2Handler, frostDkgRound3Handler } from './frost/dkg.ts';
import { DkgSession } from './frost/dkg-session.ts';
import { frostCommitHandler, frostSignHandler } from './frost/sign.ts';
import { getKeyHandler } from './get-key.ts';
import { tapAppIdentity } from './identity.ts';
import { getAppInfoHandler, getMasterFingerprintHandler } from './info.ts';
import { musigRound1Handler, musigRound2Handler } from './musig.ts';
import { NonceSlots } from './nonce-slots.ts';
import { signGroupGenesisHandler } from './sign-group-genesis.ts';
import { signVpsbtHandler } from './sign-vpsbt.ts';
import { signVpsbtStreamHandler } from './sign-vpsbt-v2.ts';

export { TAP_APP_NAME, TAP_APP_VERSION } from './identity.ts';

const HANDLERS: Record<number, TapHandler> = {
  [TAP_INS.GET_APP_INFO]: getAppInfoHandler,
  [TAP_INS.GET_MASTER_FINGERPRINT]: getMasterFingerprintHandler,
  [TAP_INS.GET_KEY]: getKeyHandler,
  [TAP_INS.MUSIG_ROUND1]: musigRound1Handler,
  [TAP_INS.MUSIG_ROUND2]: musigRound2Handler,
  [TAP_INS.SIGN_VPSBT]: signVpsbtHandler,
  [TAP_INS.SIGN_GROUP_GENESIS]: signGroupGenesisHandler,
  [TAP_INS.FROST_DKG_ROUND1]: frostDkgRound1Handler,
  [TAP_INS.FROST_DKG_ROUND2]: frostDkgRound2Handler,
  [TAP_INS.FROST_DKG_ROUND3]: frostDkgRound3Handler,
  [TAP_INS.FROST_COMMIT]: frostCommitHandler,
  [TAP_INS.FROST_SIGN]: frostSignHandler,
};

export interface TapApp extends DeviceApp {
  /** What the last v1 SIGN_VPSBT had to hold at once (for tests and the benchmark), or undefined. */
  readonly lastVpsbtStats: VpsbtStats | undefined;
  /** Peak bytes the last SIGN_VPSBT v2 held (for tests and the benchmark), or undefined. */
  readonly lastStreamPeakBytes: number | undefined;
}

/** Ends a SIGN_VPSBT v2 stream: nothing of it is kept, and a review on screen ends with a refusal page. */
function dropStream(state: TapState, ctx: AppContext): void {
  const stream = state.stream;
  state.stream = undefined;
  if (stream?.reviewing) ctx.status('Transfer refused');
}

export function createTapApp(): TapApp {
  const state: TapState = { slots: new NonceSlots(), frostDkg: new DkgSession(), lastVpsbtStats: undefined, stream: undefined, lastStreamPeakBytes: undefined };
  return {
    ...tapAppIdentity(),
    get lastVpsbtStats() {
      return state.lastVpsbtStats;
    },
    get lastStreamPeakBytes() {
      return state.lastStreamPeakBytes;
    },
    async handle(command, io, ctx) {
      const legacy = command.p2 === TAP_PROTOCOL_VERSION_1 && command.cla === CLA_TAP && command.ins === TAP_INS.SIGN_VPSBT;
      // A CONTINUE outside a command keeps the Bitcoin app's P2 (protocol 1): it is B007 either way.
      const continues = command.cla === CLA_FRAMEWORK && command.ins === INS_CONTINUE;
      const streaming = command.p2 === TAP_PROTOCOL_VERSION && command.cla === CLA_TAP && command.ins === TAP_INS.SIGN_VPSBT;
      if (!(streaming && command.p1 !== SignVpsbtP1.START)) dropStream(state, ctx);
      // Protocol 1 still passes the P2 check, so another app's command (CLA E1, P2 1) is 6E00 here as before.
      if (command.p2 !== TAP_PROTOCOL_VERSION && command.p2 !== TAP_PROTOCOL_VERSION_1 && !continues) return statusOnly(TAP_SW.WRONG_P1P2);
      if (continues) return statusOnly(TAP_SW.BAD_STATE);
      if (command.cla !== CLA_TAP) return statusOnly(TAP_SW.CLA_NOT_SUPPORTED);
      if (command.p2 !== TAP_PROTOCOL_VERSION && !legacy) return statusOnly(TAP_SW.WRONG_P1P2);
      if (command.p1 !== 0 && !streaming) return statusOnly(TAP_SW.WRONG_P1P2);
      const handler = streaming ? signVpsbtStreamHandler : HANDLERS[command.ins];
      if (!handler) return statusOnly(TAP_SW.INS_NOT_SUPPORTED);
      try {
        const data = await handler({ ctx, state, host: new HostChannel(io, { strictMerkle: true }), body: command.data, p1: command.p1 });
        return concat(data, u16be(TAP_SW.OK));
      } catch (e) {
        if (streaming) dropStream(state, ctx);
        if (e instanceof TapError) return statusOnly(e.statusWord);
        // The shared client-command helpers end a command this way (a host that does not CONTINUE).
        if (e instanceof AppError) return statusOnly(e.statusWord);
        if (e instanceof AppCommandAborted) throw e;
        // An internal fault still ends the command with a status word and no result.
        ctx.fault?.(e);
        return statusOnly(TAP_SW.BAD_STATE);
      }
    },
    close() {
      state.slots.wipeAll();
      state.frostDkg.wipe();
      state.stream = undefined;
    },
  };
}
