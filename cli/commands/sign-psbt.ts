// `taproot-hw sign-psbt PSBT --policy T --key K... [--name N] [--hmac H]`: signs a PSBT (base64, hex
// or a file) with the Bitcoin app and prints the PSBT with the results written in (BIP-174/371/373
// fields; PSBT v0 base64) and the results themselves. A MuSig2 round 1 yields pubnonces, round 2
// partial signatures.

import { base64 } from '@scure/base';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { policyArgs, readPsbtArgument, signPsbtYieldJson } from '../psbt-args.ts';
import { applySignPsbtResults } from '../../host/bitcoin-app/psbt-results.ts';
import { onePositional, parseArgs, parseWithUsage } from '../args.ts';
import type { Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = 'sign-psbt PSBT --policy TEMPLATE --key KEYINFO... [--name NAME] [--hmac HMAC]   (PSBT: base64, hex or a file path)';

export const signPsbt: Command = {
  name: 'sign-psbt',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { name: 'value', policy: 'value', key: 'list', hmac: 'value' }, USAGE);
    const arg = onePositional(args, 'PSBT', USAGE);
    const { psbt, policy, hmac } = parseWithUsage(USAGE, () => ({ psbt: readPsbtArgument(arg), ...policyArgs(args) }));
    const results = await withCliTransport(ctx, (transport) => new BitcoinAppClient(transport).signPsbt(psbt, policy, hmac));
    const signed = base64.encode(applySignPsbtResults(psbt, results).toPSBT(0));
    const json = results.map(signPsbtYieldJson);
    if (ctx.global.json) ctx.stdout(JSON.stringify({ psbt: signed, results: json }));
    else {
      for (const r of json) ctx.stdout(Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' '));
      ctx.stdout(signed);
    }
  },
};
