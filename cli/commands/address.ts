// `taproot-hw address --policy T --key K... [--name N] [--hmac H] [--change] [--index I] [--display]`:
// a wallet policy's address (GET_WALLET_ADDRESS), checked against the host's own derivation. Without
// --hmac the policy must be a default one (empty name, single key on a standard path).

import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { policyArgs } from '../psbt-args.ts';
import { intOption, noPositionals, parseArgs, parseWithUsage } from '../args.ts';
import type { Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = 'address --policy TEMPLATE --key KEYINFO... [--name NAME] [--hmac HMAC] [--change] [--index I] [--display]';

export const address: Command = {
  name: 'address',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { name: 'value', policy: 'value', key: 'list', hmac: 'value', change: 'flag', index: 'value', display: 'flag' }, USAGE);
    noPositionals(args, USAGE);
    const index = intOption(args, 'index', 0, 0, 0x7fffffff);
    const { policy, hmac } = parseWithUsage(USAGE, () => policyArgs(args));
    const addr = await withCliTransport(ctx, (transport) =>
      new BitcoinAppClient(transport).getWalletAddress(policy, hmac, args.flags.has('change'), index, { display: args.flags.has('display') }),
    );
    ctx.stdout(ctx.global.json ? JSON.stringify({ address: addr }) : addr);
  },
};
