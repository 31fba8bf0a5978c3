// The Taproot Assets app inside the emulator (docs/tap-app-protocol.md), its dispatcher table derived
// from the app's description (apdu/tap-app/app.ts). Rules, in order (§1): P2 other than 2 or 1 ->
// 6A86 before any other check; CONTINUE with no command in progress -> B007; CLA other than E7 ->
// 6E00; P2 1 -> 6A86 (it passed the first check only so that a Bitcoin app command reads 6E00); a P1
// the command does not take (every command 0, SIGN_VPSBT 00 START / 01 NEXT / 02 RESULTS, §5.5) ->
// 6A86; unknown INS -> 6D00. Any command other than a NEXT / RESULTS drops a stream in progress.
// Every failure inside a command ends it with a status word and no partial result (§7 rule 5).

import { concat, u16be } from '../../../apdu/bytes.ts';
import { statusOnly } from '../../../apdu/apdu.ts';
import { CLA_FRAMEWORK, INS_CONTINUE } from '../../../apdu/interrupt.ts';
import { TAP_APP, takesP1 } from '../../../apdu/tap-app/app.ts';
import { frostCommit, frostDkgRound1, frostDkgRound2, frostDkgRound3, frostSign, frostSignGroupGenesis } from '../../../apdu/tap-app/frost.ts';
import { getAppInfo } from '../../../apdu/tap-app/get-app-info.ts';
import { getKey } from '../../../apdu/tap-app/get-key.ts';
import { getMasterFingerprint } from '../../../apdu/tap-app/get-master-fingerprint.ts';
import { musigRound1, musigRound2 } from '../../../apdu/tap-app/musig.ts';
import { signGroupGenesis } from '../../../apdu/tap-app/sign-group-genesis.ts';
import { signVpsbt } from '../../../apdu/tap-app/sign-vpsbt.ts';
import { BITCOIN_APP_PROTOCOL_VERSION, TAP_APP_NAME } from '../../../apdu/tap-app/spec.ts';
import { SignVpsbtP1 } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import type { CommandSpec } from '../../../apdu/command-spec.ts';
import { AppCommandAborted, type AppContext, type DeviceApp } from '../../app.ts';
import { handlerTable } from '../common/handler-table.ts';
import { HostChannel } from '../common/host-channel.ts';
import { AppError } from '../common/app-error.ts';
import type { TapHandler, TapState } from './command.ts';
import { TapError } from './errors.ts';
import { frostDkgRound1Handler, frostDkgRound2Handler, frostDkgRound3Handler } from './frost/dkg.ts';
import { DkgSession } from './frost/dkg-session.ts';
import { frostCommitHandler, frostSignHandler } from './frost/sign.ts';
import { frostSignGroupGenesisHandler } from './frost/group-genesis.ts';
import { getKeyHandler } from './get-key.ts';
import { tapAppIdentity } from './identity.ts';
import { getAppInfoHandler, getMasterFingerprintHandler } from './info.ts';
import { musigRound1Handler, musigRound2Handler } from './musig.ts';
import { NonceSlots } from './nonce-slots.ts';
import { signGroupGenesisHandler } from './sign-group-genesis.ts';
import { signVpsbtStreamHandler } from './sign-vpsbt-v2.ts';

export { TAP_APP_NAME };

const HANDLERS = handlerTable(TAP_APP, [
  { spec: getAppInfo, run: getAppInfoHandler },
  { spec: getMasterFingerprint, run: getMasterFingerprintHandler },
  { spec: getKey, run: getKeyHandler },
  { spec: musigRound1, run: musigRound1Handler },
  { spec: musigRound2, run: musigRound2Handler },
  { spec: signVpsbt, run: signVpsbtStreamHandler },
  { spec: signGroupGenesis, run: signGroupGenesisHandler },
  { spec: frostDkgRound1, run: frostDkgRound1Handler },
  { spec: frostDkgRound2, run: frostDkgRound2Handler },
  { spec: frostDkgRound3, run: frostDkgRound3Handler },
  { spec: frostCommit, run: frostCommitHandler },
  { spec: frostSign, run: frostSignHandler },
  { spec: frostSignGroupGenesis, run: frostSignGroupGenesisHandler },
] satisfies { spec: CommandSpec<any, any>; run: TapHandler }[]);

export interface TapApp extends DeviceApp {
  /** Peak bytes the last SIGN_VPSBT held (for tests and the benchmark), or undefined. */
  readonly lastStreamPeakBytes: number | undefined;
}

/** Ends a SIGN_VPSBT stream: nothing of it is kept, and a review on screen ends with a refusal page. */
function dropStream(state: TapState, ctx: AppContext): void {
  const stream = state.stream;
  state.stream = undefined;
  if (stream?.reviewing) ctx.status('Transfer refused');
}

export function createTapApp(): TapApp {
  const state: TapState = { slots: new NonceSlots(), frostDkg: new DkgSession(), stream: undefined, lastStreamPeakBytes: undefined };
  return {
    ...tapAppIdentity(),
    get lastStreamPeakBytes() {
      return state.lastStreamPeakBytes;
    },
    async handle(command, io, ctx) {
      // A CONTINUE outside a command keeps the Bitcoin app's P2 (protocol 1): it is B007 either way.
      const continues = command.cla === CLA_FRAMEWORK && command.ins === INS_CONTINUE;
      const streaming = command.p2 === TAP_APP.protocolVersion && command.cla === TAP_APP.cla && command.ins === signVpsbt.ins;
      // NEXT and RESULTS go on with the stream; START replaces it in its handler; anything else ends it.
      if (!(streaming && command.p1 !== SignVpsbtP1.START && takesP1(command.ins, command.p1))) dropStream(state, ctx);
      // The Bitcoin app's P2 passes the first check, so its commands (CLA E1, P2 1) read 6E00 here: the wrong app.
      if (command.p2 !== TAP_APP.protocolVersion && command.p2 !== BITCOIN_APP_PROTOCOL_VERSION && !continues) return statusOnly(TAP_SW.WRONG_P1P2);
      if (continues) return statusOnly(TAP_SW.BAD_STATE);
      if (command.cla !== TAP_APP.cla) return statusOnly(TAP_SW.CLA_NOT_SUPPORTED);
      if (command.p2 !== TAP_APP.protocolVersion || !takesP1(command.ins, command.p1)) return statusOnly(TAP_SW.WRONG_P1P2);
      const handler = HANDLERS.get(command.ins)?.run;
      if (!handler) return statusOnly(TAP_SW.INS_NOT_SUPPORTED);
      try {
        const data = await handler({ ctx, state, host: new HostChannel(io), body: command.data, p1: command.p1 });
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
