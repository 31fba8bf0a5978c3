// `taproot-hw tap-key PATH [--display]`: a key from the Taproot Assets app (GET_KEY): public key,
// xpub and master fingerprint, on tapd's paths (group keys m/86'/c'/a'[/0|1/i], script keys
// m/1017'/c'/212'/0/i). Any other path needs --display: the device shows it and the person approves.

import { toHex } from '../../apdu/bytes.ts';
import { formatPath } from '../../apdu/path.ts';
import { TapAppClient } from '../../host/tap-app/client.ts';
import { parseArgs, pathArgument } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { openCliTransport } from '../transport.ts';

const USAGE = "tap-key PATH [--display]   (PATH like m/86'/1'/0' or m/1017'/1'/212'/0/0)";

export const tapKey: Command = {
  name: 'tap-key',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { display: 'flag' }, USAGE);
    if (args.positionals.length !== 1) throw new CliError(`expected one PATH; usage: ${USAGE}`);
    const path = pathArgument(args.positionals[0]!);
    const transport = await openCliTransport(ctx.global.transport, { ...ctx.global, app: ctx.global.app ?? 'tap' });
    try {
      const key = await new TapAppClient(transport).getKey(path, { display: args.flags.has('display') });
      const out = { path: formatPath(key.path), pubkey: toHex(key.pubkey), xpub: key.xpub, fingerprint: toHex(key.fingerprint) };
      if (ctx.global.json) ctx.stdout(JSON.stringify(out));
      else for (const [k, v] of Object.entries(out)) ctx.stdout(`${k}: ${v}`);
    } finally {
      await transport.close();
    }
  },
};
