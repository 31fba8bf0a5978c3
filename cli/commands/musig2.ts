// `taproot-hw musig2 nonce | sign | session`: BIP-327 MuSig2 with the Taproot Assets app.
//   nonce:   MUSIG_ROUND1 on the device; prints the handle, the pubnonce and the tweaked aggregate.
//   sign:    MUSIG_ROUND2 with a handle from `nonce`; prints the partial signature. The device keeps
//            nonces in RAM only: with --transport emulator each command starts a fresh device, so
//            use `session` there (or a real device / a long-running `taproot-hw emulator`).
//   session: runs a whole session with the orchestrator over --signer device:PATH (the device behind
//            --transport) and software:SECRET_HEX signers; checks every partial signature, prints
//            the BIP-340 signature and the key it verifies against.
// Participants are KeySorted (BIP-327) unless --no-sort; --tweak HEX is a plain tweak, HEX:xonly an
// x-only one, applied in order. Round 2 signs a host-supplied message: the device calls that blind
// signing and refuses it unless its blind-signing setting is on.

import { toHex, fromHex } from '../../apdu/bytes.ts';
import { sortKeys } from '@scure/btc-signer/musig2.js';
import { TapAppClient } from '../../host/tap-app/client.ts';
import { SoftwareSigner, TapAppMusigSigner, runMusigSession, type MusigSigner } from '../../host/musig2/index.ts';
import { noPositionals, parseArgs, pathArgument, type ParsedArgs } from '../args.ts';
import { CliError, printFields, type Command, type CommandContext } from '../command.ts';
import { withCliTransport } from '../transport.ts';

const USAGE = [
  'musig2 nonce --key PUBKEY... --path PATH [--tweak HEX[:xonly]...] [--msg HEX32] [--no-sort]',
  'musig2 sign --handle HEX32 --aggnonce HEX66 --msg HEX32 --key PUBKEY... --path PATH [--tweak HEX[:xonly]...] [--no-sort]',
  'musig2 session --signer device:PATH|software:SECRET_HEX... --msg HEX32 [--tweak HEX[:xonly]...] [--no-sort]',
].join('\n       ');

function hexArg(value: string | undefined, name: string, length?: number): Uint8Array {
  if (value === undefined) throw new CliError(`--${name} is required; usage: ${USAGE}`);
  let b: Uint8Array;
  try {
    b = fromHex(value);
  } catch {
    throw new CliError(`--${name}: expected hex, got "${value}"`);
  }
  if (length !== undefined && b.length !== length) throw new CliError(`--${name}: expected ${length} bytes, got ${b.length}`);
  return b;
}

function tweaks(args: ParsedArgs): { tweaks: Uint8Array[]; isXonly: boolean[] } {
  const list = (args.lists.get('tweak') ?? []).map((t) => {
    const [hex, mode] = t.split(':');
    if (mode !== undefined && mode !== 'xonly') throw new CliError(`--tweak: expected HEX or HEX:xonly, got "${t}"`);
    return { tweak: hexArg(hex, 'tweak', 32), xOnly: mode === 'xonly' };
  });
  return { tweaks: list.map((t) => t.tweak), isXonly: list.map((t) => t.xOnly) };
}

function participants(args: ParsedArgs, keys: Uint8Array[]): Uint8Array[] {
  for (const k of keys) if (k.length !== 33) throw new CliError(`--key: expected 33-byte compressed keys, got ${k.length} bytes`);
  return args.flags.has('no-sort') ? keys : sortKeys(keys);
}

function path(args: ParsedArgs): number[] {
  return pathArgument(args.values.get('path') ?? '', 'path');
}

function withTapClient<T>(ctx: CommandContext, run: (client: TapAppClient) => Promise<T>): Promise<T> {
  return withCliTransport(ctx, (transport) => run(new TapAppClient(transport)), 'tap');
}

const SPEC = { key: 'list', path: 'value', tweak: 'list', msg: 'value', handle: 'value', aggnonce: 'value', signer: 'list', 'no-sort': 'flag' } as const;

export const musig2: Command = {
  name: 'musig2',
  usage: USAGE,
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    const args = parseArgs(rest, SPEC, USAGE);
    noPositionals(args, USAGE);
    const t = tweaks(args);
    switch (sub) {
      case 'nonce': {
        const ctxAgg = { participants: participants(args, (args.lists.get('key') ?? []).map((k) => hexArg(k, 'key'))), tweaks: t.tweaks.map((tweak, i) => ({ tweak, xOnly: t.isXonly[i]! })), ownPath: path(args) };
        const msg = args.values.has('msg') ? hexArg(args.values.get('msg'), 'msg', 32) : undefined;
        const r = await withTapClient(ctx, (c) => c.musigRound1(ctxAgg, msg ? { message: msg } : {}));
        return printFields(ctx, { handle: toHex(r.handle), pubnonce: toHex(r.pubnonce), aggregate: toHex(r.aggregateXOnly) });
      }
      case 'sign': {
        const ctxAgg = { participants: participants(args, (args.lists.get('key') ?? []).map((k) => hexArg(k, 'key'))), tweaks: t.tweaks.map((tweak, i) => ({ tweak, xOnly: t.isXonly[i]! })), ownPath: path(args) };
        const psig = await withTapClient(ctx, (c) =>
          c.musigRound2(hexArg(args.values.get('handle'), 'handle', 32), hexArg(args.values.get('aggnonce'), 'aggnonce', 66), hexArg(args.values.get('msg'), 'msg', 32), ctxAgg),
        );
        return printFields(ctx, { partialSignature: toHex(psig) });
      }
      case 'session': {
        const message = hexArg(args.values.get('msg'), 'msg', 32);
        const specs = args.lists.get('signer') ?? [];
        if (specs.length < 2) throw new CliError(`--signer: expected at least two signers; usage: ${USAGE}`);
        return withTapClient(ctx, async (client) => {
          const signers: MusigSigner[] = [];
          for (const [i, s] of specs.entries()) {
            const [kind, value] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
            if (kind === 'device') signers.push(await TapAppMusigSigner.open(client, value, { name: `signer ${i} (device ${value})` }));
            else if (kind === 'software') signers.push(new SoftwareSigner(hexArg(value, 'signer software', 32), `signer ${i} (software)`));
            else throw new CliError(`--signer: expected device:PATH or software:SECRET_HEX, got "${s}"`);
          }
          const keys = participants(args, signers.map((s) => s.publicKey));
          const r = await runMusigSession({ participants: keys, ...t }, message, signers);
          printFields(ctx, { signature: toHex(r.signature), aggregate: toHex(r.session.aggregateXOnly), participants: keys.map(toHex).join(',') });
        });
      }
      default:
        throw new CliError(`expected nonce, sign or session, got ${sub === undefined ? 'nothing' : `"${sub}"`}; usage: ${USAGE}`);
    }
  },
};
