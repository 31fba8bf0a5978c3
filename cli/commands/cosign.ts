// `taproot-hw [--transport T] [--app tap] cosign start|join|sign`: one party of a MuSig2 session
// through a coordinator (docs/coordinator.md), with the signer behind --transport (the Ledger
// Bitcoin app, or our Taproot Assets app with --app tap). With `start --scheme frost --threshold T`
// the session makes a FROST t-of-n key set instead (docs/frost.md; Taproot Assets app only): start and
// join then print {"scheme","threshold","parties","groupKey","taprootKey","keySet","address"}, and the
// initiator's sign takes `--signers 0,2` (default: the first T parties); only those parties run sign.
// Each command prints JSON lines:
//   start: {"session","invites"} at once (hand each invite to one other party out of band), then,
//          after the key exchange, {"policy","name","keys","id","hmac","address"}
//   join:  {"session","party"}, then the same policy line
//   sign:  the initiator (with the PSBT, base64 or a file) prints {"psbt","signature","txid"};
//          the others wait for the initiator's PSBT, review it on the device, and print {"signature"}
// Pins, keys and session state live under --state (default $TAPROOT_HW_HOME or ~/.taproot-hw).

import { readFile } from 'node:fs/promises';
import { base64 } from '@scure/base';
import { BitcoinAppCosigner, CosignParty, frostKeyGen, frostSign, TapAppCosigner, type CosignOptions, type Cosigner } from '../../coordinator/index.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { TapAppClient } from '../../host/tap-app/client.ts';
import { intOption, noPositionals, parseArgs, pathArgument, type ParsedArgs } from '../args.ts';
import { CliError, type Command, type CommandContext } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = [
  'cosign start --coordinator URL --parties N --path PATH [--scheme musig2|frost --threshold T] [--state DIR]',
  'cosign join --coordinator URL --invite TOKEN --path PATH [--state DIR]',
  'cosign sign --coordinator URL --session S [PSBT] [--signers P,P,...] [--state DIR]',
].join('\n       ');

const SPEC = {
  coordinator: 'value',
  parties: 'value',
  path: 'value',
  invite: 'value',
  session: 'value',
  state: 'value',
  scheme: 'value',
  threshold: 'value',
  signers: 'value',
} as const;

/** `--signers 0,2`: the parties of a FROST spend. */
function signersOption(args: ParsedArgs): number[] | undefined {
  const raw = args.values.get('signers');
  if (raw === undefined) return undefined;
  if (!/^\d{1,2}(,\d{1,2})*$/.test(raw)) throw new CliError(`--signers: expected party numbers like 0,2, got "${raw}"`);
  return raw.split(',').map(Number);
}

function required(args: ParsedArgs, name: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new CliError(`--${name} is required; usage: ${USAGE}`);
  return v;
}

function withSigner<T>(ctx: CommandContext, run: (signer: Cosigner) => Promise<T>): Promise<T> {
  return withCliTransport(ctx, (transport) =>
    run(ctx.global.app === 'tap' ? new TapAppCosigner(new TapAppClient(transport)) : new BitcoinAppCosigner(new BitcoinAppClient(transport))),
  );
}

/** A PSBT argument: base64 text, or a file holding base64 or binary PSBT bytes. */
async function psbtArgument(text: string): Promise<Uint8Array> {
  if (/^cHNidP8[A-Za-z0-9+/=]*$/.test(text)) return base64.decode(text);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(text));
  } catch {
    throw new CliError(`PSBT: expected base64 (cHNidP8…) or a readable file, got "${text.slice(0, 40)}"`);
  }
  const asText = new TextDecoder().decode(bytes).trim();
  return /^cHNidP8/.test(asText) ? base64.decode(asText) : bytes;
}

export const cosign: Command = {
  name: 'cosign',
  usage: USAGE,
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    const args = parseArgs(rest, SPEC, USAGE);
    const url = required(args, 'coordinator');
    const opts: CosignOptions = { onProgress: (line) => ctx.stderr(`cosign: ${line}`), ...(args.values.has('state') ? { home: args.values.get('state')! } : {}) };
    const print = (value: unknown) => ctx.stdout(JSON.stringify(value));
    if (sub !== 'sign') noPositionals(args, USAGE);
    switch (sub) {
      case 'start': {
        const path = required(args, 'path');
        pathArgument(path, 'path');
        const parties = intOption(args, 'parties', 0, 2, 15);
        if (!args.values.has('parties')) throw new CliError(`--parties is required; usage: ${USAGE}`);
        const scheme = args.values.get('scheme') ?? 'musig2';
        if (scheme !== 'musig2' && scheme !== 'frost') throw new CliError(`--scheme: expected musig2 or frost, got "${scheme}"`);
        if (scheme === 'frost' && !args.values.has('threshold')) throw new CliError(`--scheme frost needs --threshold T; usage: ${USAGE}`);
        if (scheme === 'musig2' && args.values.has('threshold')) throw new CliError('--threshold: a MuSig2 session is n-of-n; use --scheme frost for t-of-n');
        const threshold = intOption(args, 'threshold', 0, 2, parties);
        return withSigner(ctx, async (signer) => {
          const { party, invites } = await CosignParty.start(url, parties, path, opts, scheme === 'frost' ? { scheme, threshold } : { scheme });
          print({ session: party.session, invites });
          print(scheme === 'frost' ? await frostKeyGen(party, signer) : await party.exchangeKeys(signer));
        });
      }
      case 'join': {
        const path = required(args, 'path');
        pathArgument(path, 'path');
        const invite = required(args, 'invite');
        return withSigner(ctx, async (signer) => {
          const party = await CosignParty.join(url, invite, path, opts);
          print({ session: party.session, party: party.party });
          print(party.state.scheme === 'frost' ? await frostKeyGen(party, signer) : await party.exchangeKeys(signer));
        });
      }
      case 'sign': {
        const session = required(args, 'session');
        if (args.positionals.length > 1) throw new CliError(`expected at most one PSBT, got ${args.positionals.length}; usage: ${USAGE}`);
        const signers = signersOption(args);
        const psbt = args.positionals[0] !== undefined ? await psbtArgument(args.positionals[0]) : undefined;
        return withSigner(ctx, async (signer) => {
          const party = await CosignParty.load(url, session, opts);
          if (signers !== undefined && party.state.scheme !== 'frost') throw new CliError('--signers: a MuSig2 spend needs every party');
          const r = party.state.scheme === 'frost' ? await frostSign(party, signer, psbt, signers) : await party.sign(signer, psbt);
          print(r.psbt !== undefined ? { psbt: r.psbt, signature: r.signature, txid: r.txid } : { signature: r.signature });
        });
      }
      default:
        throw new CliError(`expected start, join or sign, got ${sub === undefined ? 'nothing' : `"${sub}"`}; usage: ${USAGE}`);
    }
  },
};
