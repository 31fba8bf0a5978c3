// The host's exchange loop, one for every app: send a command APDU, answer each client command the
// device interrupts it with (SW E000, then F8 01 CONTINUE; docs/bitcoin-app-protocol.md §3) from
// what the host committed to, until a final status word. Nothing the device sends is trusted: a
// response longer than one APDU, or a client command to a command that has none, ends the command
// with E_DEVICE_RESPONSE.

import { decodeResponse, encodeCommand, MAX_APDU_DATA, type CommandApdu } from '../apdu/apdu.ts';
import type { CommandSpec } from '../apdu/command-spec.ts';
import { CodecError } from '../apdu/errors.ts';
import { continueCommand, SW_INTERRUPTED_EXECUTION } from '../apdu/interrupt.ts';
import { SW } from '../apdu/status.ts';
import type { Transport } from '../devices/transport.ts';
import type { ClientCommandInterpreter } from './client-commands.ts';
import { HostError } from './errors.ts';

/** An APDU response: up to 256 data bytes and the status word; nothing an app sends is longer. */
export const MAX_RESPONSE = MAX_APDU_DATA + 1 + 2;

/** The error for a final status word other than 9000, for the command `name`, with the response data. */
export type StatusErrorOf = (statusWord: number, name: string, data: Uint8Array) => Error;

export interface ExchangeOptions {
  /** Answers the command's client commands; without one, a client command is refused. */
  interpreter?: ClientCommandInterpreter;
  /** Called after each client command was answered, before the answer is sent. */
  onInterrupt?: () => void;
}

/** Sends `cmd` and answers client commands until a final status word; returns the response data. */
export async function exchangeCommand(transport: Transport, cmd: CommandApdu, name: string, statusError: StatusErrorOf, options: ExchangeOptions = {}): Promise<Uint8Array> {
  const receive = async (apdu: CommandApdu) => {
    const bytes = await transport.exchange(encodeCommand(apdu));
    if (bytes.length > MAX_RESPONSE)
      throw new HostError('E_DEVICE_RESPONSE', `${name}: expected a response of at most ${MAX_RESPONSE} bytes (an APDU's data and status word), got ${bytes.length}`);
    return decodeResponse(bytes);
  };
  let res = await receive(cmd);
  while (res.statusWord === SW_INTERRUPTED_EXECUTION) {
    if (!options.interpreter) throw new HostError('E_DEVICE_RESPONSE', `${name}: device sent a client command to a command that has none`);
    const answer = options.interpreter.execute(res.data);
    options.onInterrupt?.();
    res = await receive(continueCommand(answer));
  }
  if (res.statusWord !== SW.OK) throw statusError(res.statusWord, name, res.data);
  return res.data;
}

/** Runs `decode` over data the device sent: data the codec cannot read is the device's fault, named `what`. */
export function decodedFromDevice<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof CodecError) throw new HostError('E_DEVICE_RESPONSE', `${what}: ${err.message}`);
    throw err;
  }
}

/** Decodes a command's response with its spec: data the spec cannot read is the device's fault. */
export function decodeDeviceResponse<Res>(spec: Pick<CommandSpec<unknown, Res>, 'name' | 'decodeResponse'>, data: Uint8Array): Res {
  return decodedFromDevice(spec.name, () => spec.decodeResponse(data));
}
