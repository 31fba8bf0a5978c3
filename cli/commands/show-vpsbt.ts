// `taproot-hw show-vpsbt FILE [--own-key XONLY...]`: renders a vPSBT's display model (assets/display)
// in the terminal as the device's review pages show it: the title, warnings, then one item per
// page in the device's order (the same builder makes both). Needs no device. --own-key marks outputs
// to those script keys as change, as the device does for keys it derives. A packet the device would
// refuse is an error naming the field.

import { fromHex } from '../../apdu/bytes.ts';
import { describeVPacket } from '../../assets/display/model.ts';
import { decodeVPacket } from '../../assets/vpsbt/codec.ts';
import { readPsbtArgument } from '../psbt-args.ts';
import { onePositional, parseArgs, parseWithUsage } from '../args.ts';
import { CliError, type Command } from '../command.ts';

const USAGE = 'show-vpsbt FILE [--own-key XONLY_HEX...]   (FILE: a vPSBT file, or base64 / hex text)';

export const showVpsbt: Command = {
  name: 'show-vpsbt',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, { 'own-key': 'list' }, USAGE);
    const file = onePositional(args, 'FILE', USAGE);
    const model = parseWithUsage(USAGE, () => {
      const ownScriptKeys = (args.lists.get('own-key') ?? []).map((k) => {
        const b = fromHex(k);
        if (b.length !== 32 && b.length !== 33) throw new CliError(`--own-key: expected a 32-byte x-only or 33-byte key, got ${b.length} bytes`);
        return b;
      });
      return describeVPacket(decodeVPacket(readPsbtArgument(file)), { ownScriptKeys });
    });
    if (model.refused !== undefined) throw new CliError(`the Taproot Assets app refuses this vPSBT: ${model.refused}`);
    if (ctx.global.json) return ctx.stdout(JSON.stringify(model));
    const pages = model.items.length + 1;
    ctx.stdout(`[1/${pages}] ${model.title}`);
    for (const w of model.warnings) ctx.stdout(`  ! ${w}`);
    model.items.forEach((item, i) => ctx.stdout(`[${i + 2}/${pages}] ${item.label}\n        ${item.value}`));
    ctx.stdout('Sign asset transfer (hold to sign) | Reject');
  },
};
