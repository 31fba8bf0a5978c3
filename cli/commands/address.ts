// `taproot-hw address --policy T --key K... [--name N] [--hmac H] [--change] [--index I] [--display]`:
// a wallet policy's address (GET_WALLET_ADDRESS), checked against the host's own derivation. Without
// --hmac the policy must be a default one (empty name, single key on a standard path).

import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { parseHmac, policyFromOptions } from '../psbt-args.ts';
import { intOption, parseArgs } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { openCliTransport } from '../transport.ts';

const USAGE = 'address --policy TEMPLATE --key KEYINFO... [--name NAME] [--hmac HMAC] [--change] [--index I] [--display]';

export const address: Command = {
  name: 'address',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { name: 'value', policy: 'value', key: 'list', hmac: 'value', change: 'flag', index: 'value', display: 'flag' }, USAGE);
    if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"; usage: ${USAGE}`);
    const index = intOption(args, 'index', 0, 0, 0x7fffffff);
    let policy;
    let hmac: Uint8Array | null = null;
    try {
      policy = policyFromOptions(args.values.get('name') ?? '', args.values.get('policy'), args.lists.get('key'));
      const h = args.values.get('hmac');
      if (h !== undefined) hmac = parseHmac(h);
    } catch (err) {
      throw new CliError(`${(err as Error).message}; usage: ${USAGE}`);
    }
    const transport = await openCliTransport(ctx.global.transport, ctx.global);
    try {
      const addr = await new BitcoinAppClient(transport).getWalletAddress(policy, hmac, args.flags.has('change'), index, {
        display: args.flags.has('display'),
      });
      ctx.stdout(ctx.global.json ? JSON.stringify({ address: addr }) : addr);
    } finally {
      await transport.close();
    }
  },
};
