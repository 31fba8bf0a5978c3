// The Taproot Assets app as one description (docs/tap-app-protocol.md §1, §3, §5): CLA E7, protocol
// version 2, its commands with the P1 values each takes, and its status words. The emulated app's
// dispatcher, the host client and the tests' command tables are derived from it.

import type { AppWire, CommandSpec } from '../command-spec.ts';
import { frostCommit, frostDkgRound1, frostDkgRound2, frostDkgRound3, frostSign, frostSignGroupGenesis } from './frost.ts';
import { getAppInfo } from './get-app-info.ts';
import { getKey } from './get-key.ts';
import { getMasterFingerprint } from './get-master-fingerprint.ts';
import { musigRound1, musigRound2 } from './musig.ts';
import { signGroupGenesis } from './sign-group-genesis.ts';
import { SIGN_VPSBT_P1, signVpsbt } from './sign-vpsbt.ts';
import { CLA_TAP, TAP_APP_NAME, TAP_PROTOCOL_VERSION } from './spec.ts';
import { TAP_SW } from './status.ts';

export interface TapAppWire extends AppWire {
  /** The P1 values of the commands that take others than 0, by INS (§1). */
  readonly p1: Readonly<Record<number, readonly number[]>>;
}

export const TAP_APP: TapAppWire = {
  name: TAP_APP_NAME,
  cla: CLA_TAP,
  protocolVersion: TAP_PROTOCOL_VERSION,
  commands: [getAppInfo, getMasterFingerprint, getKey, musigRound1, musigRound2, signVpsbt, signGroupGenesis, frostDkgRound1, frostDkgRound2, frostDkgRound3, frostCommit, frostSign, frostSignGroupGenesis],
  statusWords: TAP_SW,
  p1: { [signVpsbt.ins]: SIGN_VPSBT_P1 },
};

/** Whether command `ins` of the app takes `p1` (0 unless the description lists its own). */
export function takesP1(ins: number, p1: number): boolean {
  return (TAP_APP.p1[ins] ?? [0]).includes(p1);
}

/** Whether `spec` is a command of the app's description (the host sends no other). */
export function isTapCommand(spec: CommandSpec<unknown, unknown>): boolean {
  return TAP_APP.commands.includes(spec);
}
