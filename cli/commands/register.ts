// `taproot-hw register --name N --policy TEMPLATE --key KEYINFO...`: registers a wallet policy
// (REGISTER_WALLET; the person reviews it) and prints its id, HMAC and first receive address, which
// the client has checked against its own derivation.

import { toHex } from '../../apdu/bytes.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { policyFromOptions } from '../psbt-args.ts';
import { noPositionals, parseArgs, parseWithUsage } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = 'register --name NAME --policy TEMPLATE --key KEYINFO [--key KEYINFO ...]';

export const register: Command = {
  name: 'register',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { name: 'value', policy: 'value', key: 'list' }, USAGE);
    noPositionals(args, USAGE);
    const name = args.values.get('name');
    if (!name) throw new CliError(`--name is required for a registered policy; usage: ${USAGE}`);
    const policy = parseWithUsage(USAGE, () => policyFromOptions(name, args.values.get('policy'), args.lists.get('key')));
    const reg = await withCliTransport(ctx, (transport) => new BitcoinAppClient(transport).registerWallet(policy));
    const out = { id: toHex(reg.id), hmac: toHex(reg.hmac), address: reg.address };
    ctx.stdout(ctx.global.json ? JSON.stringify(out) : `id      ${out.id}\nhmac    ${out.hmac}\naddress ${out.address}`);
  },
};
