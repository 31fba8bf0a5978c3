// `taproot-hw xpub PATH [--display]`: the extended public key at PATH (GET_EXTENDED_PUBKEY). A path
// outside the standard families needs --display: the device shows it and the person approves. The
// open app is asked first, so the key's version bytes are checked against its network.

import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { onePositional, parseArgs, pathArgument } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';
import { isTaprootHwError } from '../../apdu/errors.ts';

const USAGE = "xpub PATH [--display]   (PATH like m/86'/1'/0')";

export const xpub: Command = {
  name: 'xpub',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { display: 'flag' }, USAGE);
    const text = onePositional(args, 'PATH', USAGE);
    const path = pathArgument(text);
    const display = args.flags.has('display');
    const key = await withCliTransport(ctx, async (transport) => {
      const client = new BitcoinAppClient(transport);
      await client.assertBitcoinApp();
      return client.getExtendedPubkey(path, { display }).catch((err: Error) => {
        // Without display the app answers 6a82 only for a path outside the standard families.
        if (isTaprootHwError(err, 'E_NOT_SUPPORTED') && !display)
          throw new CliError(`${text} is not a standard path for the app: add --display to show it on the device and approve it there`);
        throw err;
      });
    });
    ctx.stdout(ctx.global.json ? JSON.stringify({ xpub: key }) : key);
  },
};
