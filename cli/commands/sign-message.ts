// `taproot-hw sign-message MESSAGE --path PATH`: a BIP-137 message signature (SIGN_MESSAGE; the person
// reviews the message), printed in base64 as Bitcoin Core's verifymessage takes it.

import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { onePositional, parseArgs, pathArgument } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = "sign-message MESSAGE --path PATH   (PATH like m/84'/1'/0'/0/0)";

export const signMessage: Command = {
  name: 'sign-message',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { path: 'value' }, USAGE);
    const message = onePositional(args, 'MESSAGE', USAGE);
    const text = args.values.get('path');
    if (!text) throw new CliError(`--path is required; usage: ${USAGE}`);
    const path = pathArgument(text);
    const sig = await withCliTransport(ctx, (transport) => new BitcoinAppClient(transport).signMessage(message, path));
    ctx.stdout(ctx.global.json ? JSON.stringify({ signature: sig.base64 }) : sig.base64);
  },
};
