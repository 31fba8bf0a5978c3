// `taproot-hw tap-key PATH [--display]`: a key from the Taproot Assets app (GET_KEY): public key,
// xpub and master fingerprint, on tapd's paths (group keys m/86'/c'/a'[/0|1/i], script keys
// m/1017'/c'/212'/0/i). Any other path needs --display: the device shows it and the person approves.

import { toHex } from '../../apdu/bytes.ts';
import { formatPath } from '../../apdu/path.ts';
import { TapAppClient } from '../../host/tap-app/client.ts';
import { onePositional, parseArgs, pathArgument } from '../args.ts';
import { printFields, type Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = "tap-key PATH [--display]   (PATH like m/86'/1'/0' or m/1017'/1'/212'/0/0)";

export const tapKey: Command = {
  name: 'tap-key',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { display: 'flag' }, USAGE);
    const path = pathArgument(onePositional(args, 'PATH', USAGE));
    const key = await withCliTransport(ctx, (transport) => new TapAppClient(transport).getKey(path, { display: args.flags.has('display') }), 'tap');
    printFields(ctx, { path: formatPath(key.path), pubkey: toHex(key.pubkey), xpub: key.xpub, fingerprint: toHex(key.fingerprint) });
  },
};
