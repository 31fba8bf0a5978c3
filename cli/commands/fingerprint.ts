// `taproot-hw fingerprint`: the device's master key fingerprint (GET_MASTER_FINGERPRINT).

import { toHex } from '../../apdu/bytes.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { noPositionals, parseArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = 'fingerprint';

export const fingerprint: Command = {
  name: 'fingerprint',
  usage: USAGE,
  async run(ctx) {
    noPositionals(parseArgs(ctx.argv, {}, USAGE), USAGE);
    const fpr = toHex(await withCliTransport(ctx, (transport) => new BitcoinAppClient(transport).getMasterFingerprint()));
    ctx.stdout(ctx.global.json ? JSON.stringify({ fingerprint: fpr }) : fpr);
  },
};
