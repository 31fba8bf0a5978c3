// BOLOS's share of the APDUs: what the OS answers itself before (or instead of) the open app. In the
// dashboard: B0 01 answers "BOLOS", E0 D8 opens an app by name. With an app open: the SDK's I/O
// layer answers B0 01 with the app's name and version and B0 A7 quits (os_io_handle_default_apdu,
// even mid-command), and its apdu_parser answers 6A87 to a header shorter than 5 bytes or an Lc
// that is not the data length, before the app sees anything.

import { decodeCommand, statusOnly, type CommandApdu } from '../apdu/apdu.ts';
import { CLA_DEFAULT, getAppAndVersion, type AppAndVersion } from '../apdu/app-and-version.ts';
import { concat, u16be } from '../apdu/bytes.ts';
import { SW } from '../apdu/status.ts';

const INS_GET_APP_AND_VERSION = getAppAndVersion.ins;
const INS_QUIT_APP = 0xa7;
const CLA_DASHBOARD = 0xe0;
const INS_OPEN_APP = 0xd8;
const MAX_APP_NAME_LENGTH = 32;

/** What the OS layer needs from the device. */
export interface OsDevice {
  hasApp(name: string): boolean;
  /** Opens the app and shows its idle screen. */
  openApp(name: string): void;
  /** Closes the open app and returns to the dashboard. */
  quitApp(): void;
}

function appAndVersion(info: AppAndVersion): Uint8Array {
  return concat(getAppAndVersion.encodeResponse(info), u16be(SW.OK));
}

export function dashboardCommand(apdu: Uint8Array, osVersion: string, device: OsDevice): Uint8Array {
  if (apdu.length < 4) return statusOnly(SW.WRONG_LENGTH);
  const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
  if (cla === CLA_DEFAULT && ins === INS_GET_APP_AND_VERSION) return appAndVersion({ name: 'BOLOS', version: osVersion, flags: Uint8Array.of(0x00) });
  if (cla === CLA_DEFAULT) return statusOnly(SW.INS_NOT_SUPPORTED);
  if (cla !== CLA_DASHBOARD) return statusOnly(SW.CLA_NOT_SUPPORTED);
  if (ins !== INS_OPEN_APP) return statusOnly(SW.INS_NOT_SUPPORTED);
  let cmd: CommandApdu;
  try {
    cmd = decodeCommand(apdu);
  } catch {
    return statusOnly(SW.WRONG_LENGTH);
  }
  if (p1 !== 0 || p2 !== 0) return statusOnly(SW.WRONG_P1P2);
  if (cmd.data.length === 0 || cmd.data.length > MAX_APP_NAME_LENGTH) return statusOnly(SW.INVALID_APP_NAME_LENGTH);
  const name = new TextDecoder().decode(cmd.data);
  if (!device.hasApp(name)) return statusOnly(SW.APP_NOT_FOUND);
  device.openApp(name);
  return statusOnly(SW.OK);
}

/**
 * With an app open: the OS's own answer (`answer`, and `abort` when it also ends the running
 * command with that status word), or the decoded command for the app.
 */
export type InAppRouting = { answer: Uint8Array; abort?: number } | { command: CommandApdu };

export function inAppCommand(apdu: Uint8Array, app: { name: string; version: string; flags: Uint8Array }, device: OsDevice): InAppRouting {
  if (apdu.length >= 2 && apdu[0] === CLA_DEFAULT && apdu[1] === INS_GET_APP_AND_VERSION)
    return { answer: appAndVersion({ name: app.name, version: app.version, flags: app.flags }) };
  if (apdu.length >= 2 && apdu[0] === CLA_DEFAULT && apdu[1] === INS_QUIT_APP) {
    device.quitApp();
    return { answer: statusOnly(SW.OK) };
  }
  if (apdu.length < 5 || apdu[4] !== apdu.length - 5) return { answer: statusOnly(SW.WRONG_DATA_LENGTH), abort: SW.WRONG_DATA_LENGTH };
  return { command: decodeCommand(apdu) };
}
