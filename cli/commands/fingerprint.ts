// `taproot-hw fingerprint`: the device's master key fingerprint (GET_MASTER_FINGERPRINT).

import { toHex } from '../../apdu/bytes.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { parseArgs } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { openCliTransport } from '../transport.ts';

const USAGE = 'fingerprint';

export const fingerprint: Command = {
  name: 'fingerprint',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, {}, USAGE);
    if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"; usage: ${USAGE}`);
    const transport = await openCliTransport(ctx.global.transport, ctx.global);
    try {
      const fpr = toHex(await new BitcoinAppClient(transport).getMasterFingerprint());
      ctx.stdout(ctx.global.json ? JSON.stringify({ fingerprint: fpr }) : fpr);
    } finally {
      await transport.close();
    }
  },
};
