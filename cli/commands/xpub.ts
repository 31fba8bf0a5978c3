// `taproot-hw xpub PATH [--display]`: the extended public key at PATH (GET_EXTENDED_PUBKEY). A path
// outside the standard families needs --display: the device shows it and the person approves.

import { parsePath } from '../../apdu/path.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { parseArgs } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { openCliTransport } from '../transport.ts';

const USAGE = "xpub PATH [--display]   (PATH like m/86'/1'/0')";

export const xpub: Command = {
  name: 'xpub',
  summary: 'print the extended public key at a BIP-32 path (Bitcoin app)',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { display: 'flag' }, USAGE);
    if (args.positionals.length !== 1) throw new CliError(`expected one PATH; usage: ${USAGE}`);
    let path: number[];
    try {
      path = parsePath(args.positionals[0]!);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const transport = await openCliTransport(ctx.global.transport, ctx.global);
    try {
      const key = await new BitcoinAppClient(transport).getExtendedPubkey(path, { display: args.flags.has('display') });
      ctx.stdout(ctx.global.json ? JSON.stringify({ xpub: key }) : key);
    } finally {
      await transport.close();
    }
  },
};
