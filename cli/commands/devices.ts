// `taproot-hw devices`: the Ledger devices attached over USB, one per line (or `{"devices":[…]}` with
// --json): the model from the USB product id, the HID path, and what answers GET_APP_AND_VERSION
// (B0 01, answered by the OS in the dashboard and by every app), or that the device is locked. No
// device is not an error: the list is empty and the exit code 0.

import { decodeResponse, encodeCommand } from '../../apdu/apdu.ts';
import { getAppAndVersion, GET_APP_AND_VERSION_APDU } from '../../apdu/app-and-version.ts';
import { formatStatusWord, SW } from '../../apdu/status.ts';
import { MODELS } from '../../devices/models.ts';
import { listHidDevices, loadHidBackend, NodeHidTransport, type HidBackend, type HidDeviceInfo } from '../../devices/node-hid.ts';
import { noPositionals, parseArgs } from '../args.ts';
import type { Command } from '../command.ts';

const USAGE = 'devices';
/** A device busy with a review does not answer B0 01; the listing does not wait for the person. */
const PROBE_TIMEOUT_MS = 2000;

export interface AttachedDevice {
  path: string;
  productId: number;
  /** Model name, from the product id; null when the product id is not one we know. */
  model: string | null;
  /** 'app': `app` answered B0 01 ('BOLOS' is the dashboard); 'locked'; 'no-answer': see `detail`. */
  state: 'app' | 'locked' | 'no-answer';
  app: { name: string; version: string } | null;
  detail: string | null;
}

async function probe(backend: HidBackend, d: HidDeviceInfo): Promise<AttachedDevice> {
  const out: AttachedDevice = {
    path: d.path,
    productId: d.productId,
    model: d.model ? MODELS[d.model].productName : null,
    state: 'no-answer',
    app: null,
    detail: null,
  };
  let transport: NodeHidTransport | undefined;
  try {
    transport = await NodeHidTransport.open({ path: d.path, backend });
    const { data, statusWord } = decodeResponse(await transport.exchange(encodeCommand(GET_APP_AND_VERSION_APDU), { timeoutMs: PROBE_TIMEOUT_MS }));
    if (statusWord === SW.LOCKED_DEVICE) out.state = 'locked';
    else if (statusWord !== SW.OK) out.detail = `B0 01 answered status 0x${formatStatusWord(statusWord)}`;
    else {
      const { name, version } = getAppAndVersion.decodeResponse(data);
      out.state = 'app';
      out.app = { name, version };
    }
  } catch (err) {
    out.detail = `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    await transport?.close().catch(() => undefined);
  }
  return out;
}

function line(d: AttachedDevice): string {
  const what = d.state === 'app' ? `app "${d.app!.name}" ${d.app!.version}` : d.state === 'locked' ? 'locked' : `no answer to B0 01 (${d.detail})`;
  return `${d.model ?? `unknown Ledger (pid 0x${d.productId.toString(16).padStart(4, '0')})`}  ${d.path}  ${what}`;
}

/** Every Ledger the backend lists, each asked B0 01 in turn (opening a device can be exclusive). */
export async function attachedDevices(backend: HidBackend = loadHidBackend()): Promise<AttachedDevice[]> {
  const found: AttachedDevice[] = [];
  for (const d of await listHidDevices(backend)) found.push(await probe(backend, d));
  return found;
}

export const devicesCommand: Command = {
  name: 'devices',
  usage: USAGE,
  async run(ctx) {
    noPositionals(parseArgs(ctx.argv, {}, USAGE), USAGE);
    const found = await attachedDevices();
    if (ctx.global.json) ctx.stdout(JSON.stringify({ devices: found }));
    else if (found.length === 0) ctx.stdout('no Ledger device attached over USB');
    else for (const d of found) ctx.stdout(line(d));
  },
};
