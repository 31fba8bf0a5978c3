// `taproot-hw sign-vpsbt FILE [--out FILE]`: the Taproot Assets app reviews the vPSBT and signs the
// inputs whose script keys it holds (SIGN_VPSBT). Each signature is checked against the script key
// over the virtual-transaction sighash, then written where tapd reads it; the signed vPSBT is printed
// in base64 (or written to --out).

import { writeFileSync } from 'node:fs';
import { base64 } from '@scure/base';
import { decodeVPacket, encodeVPacket } from '../../assets/vpsbt/codec.ts';
import { readPsbtArgument, signPsbtYieldJson } from '../psbt-args.ts';
import { TapAppClient } from '../../host/tap-app/client.ts';
import { applyVpsbtSignatures } from '../../host/tap-app/vpsbt-signatures.ts';
import { onePositional, parseArgs, parseWithUsage } from '../args.ts';
import type { Command } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = 'sign-vpsbt FILE [--out FILE]   (FILE: a vPSBT file, or base64 / hex text)';

export const signVpsbtCommand: Command = {
  name: 'sign-vpsbt',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { out: 'value' }, USAGE);
    const file = onePositional(args, 'FILE', USAGE);
    const packet = parseWithUsage(USAGE, () => decodeVPacket(readPsbtArgument(file)));
    const results = await withCliTransport(ctx, (transport) => new TapAppClient(transport).signVpsbt(packet), 'tap');
    const signed = base64.encode(encodeVPacket(applyVpsbtSignatures(packet, results)));
    const out = args.values.get('out');
    if (out !== undefined) writeFileSync(out, base64.decode(signed));
    const json = results.map(signPsbtYieldJson);
    if (ctx.global.json) ctx.stdout(JSON.stringify({ vpsbt: signed, results: json }));
    else {
      for (const r of json) ctx.stdout(Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' '));
      if (out === undefined) ctx.stdout(signed);
    }
  },
};
