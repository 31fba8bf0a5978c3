// `taproot-hw sign-psbt PSBT --policy T --key K... [--name N] [--hmac H]`: signs a PSBT (base64, hex
// or a file) with the Bitcoin app and prints the PSBT with the results written in (BIP-174/371/373
// fields; PSBT v0 base64) and the results themselves. A MuSig2 round 1 yields pubnonces, round 2
// partial signatures.

import { base64 } from '@scure/base';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { parseHmac, policyFromOptions, readPsbtArgument, signPsbtYieldJson } from '../psbt-args.ts';
import { applySignPsbtResults } from '../../host/bitcoin-app/psbt-results.ts';
import { parseArgs } from '../args.ts';
import { CliError, type Command } from '../command.ts';
import { openCliTransport } from '../transport.ts';

const USAGE = 'sign-psbt PSBT --policy TEMPLATE --key KEYINFO... [--name NAME] [--hmac HMAC]   (PSBT: base64, hex or a file path)';

export const signPsbt: Command = {
  name: 'sign-psbt',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { name: 'value', policy: 'value', key: 'list', hmac: 'value' }, USAGE);
    if (args.positionals.length !== 1) throw new CliError(`expected one PSBT; usage: ${USAGE}`);
    let psbt: Uint8Array;
    let policy;
    let hmac: Uint8Array | null = null;
    try {
      psbt = readPsbtArgument(args.positionals[0]!);
      policy = policyFromOptions(args.values.get('name') ?? '', args.values.get('policy'), args.lists.get('key'));
      const h = args.values.get('hmac');
      if (h !== undefined) hmac = parseHmac(h);
    } catch (err) {
      throw new CliError(`${(err as Error).message}; usage: ${USAGE}`);
    }
    const transport = await openCliTransport(ctx.global.transport, ctx.global);
    try {
      const results = await new BitcoinAppClient(transport).signPsbt(psbt, policy, hmac);
      const signed = base64.encode(applySignPsbtResults(psbt, results).toPSBT(0));
      const json = results.map(signPsbtYieldJson);
      if (ctx.global.json) ctx.stdout(JSON.stringify({ psbt: signed, results: json }));
      else {
        for (const r of json) ctx.stdout(Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' '));
        ctx.stdout(signed);
      }
    } finally {
      await transport.close();
    }
  },
};
