// Argument helpers of the CLI commands (cli/commands/*.ts): PSBTs given as base64, hex
// or a file, wallet policies from --policy/--key, and JSON shapes of sign results.

import { existsSync, readFileSync } from 'node:fs';
import { base64 } from '@scure/base';
import { fromHex, toHex } from '../apdu/bytes.ts';
import type { SignPsbtYield } from '../apdu/yields.ts';
import { PSBT_MAGIC, parseRawPsbt } from '../bitcoin/psbtv2.ts';
import { walletPolicy, type WalletPolicy } from '../bitcoin/wallet-policy.ts';
import { BitcoinError } from '../bitcoin/errors.ts';
import type { ParsedArgs } from './args.ts';

const HEX_PSBT = /^70736274ff[0-9a-fA-F]*$/i;

function decodePsbtText(text: string, where: string): Uint8Array {
  const t = text.trim();
  let bytes: Uint8Array;
  if (HEX_PSBT.test(t)) bytes = fromHex(t, where);
  else {
    try {
      bytes = base64.decode(t);
    } catch {
      throw new BitcoinError('E_PSBT', `${where}: expected a PSBT as base64, hex or a file path`);
    }
  }
  parseRawPsbt(bytes);
  return bytes;
}

/** A PSBT argument: base64 text, hex text, or the path of a file holding binary, base64 or hex. */
export function readPsbtArgument(arg: string): Uint8Array {
  if (existsSync(arg)) {
    const data = new Uint8Array(readFileSync(arg));
    if (data.length >= 5 && PSBT_MAGIC.every((b, i) => data[i] === b)) {
      parseRawPsbt(data);
      return data;
    }
    return decodePsbtText(new TextDecoder().decode(data), `PSBT file ${arg}`);
  }
  return decodePsbtText(arg, 'PSBT argument');
}

/** A 32-byte HMAC given as 64 hex digits. */
export function parseHmac(text: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new RangeError(`--hmac: expected 64 hex digits, got "${text}"`);
  return fromHex(text);
}

export function policyFromOptions(name: string, template: string | undefined, keys: readonly string[] | undefined): WalletPolicy {
  if (!template) throw new RangeError('--policy: expected a descriptor template such as "wpkh(@0/**)"');
  if (!keys || keys.length === 0) throw new RangeError('--key: expected at least one key information string "[fpr/path]xpub"');
  return walletPolicy(name, template, keys);
}

/** --name, --policy, --key... and --hmac: the wallet policy, and its registration HMAC (null without --hmac). */
export function policyArgs(args: ParsedArgs): { policy: WalletPolicy; hmac: Uint8Array | null } {
  const policy = policyFromOptions(args.values.get('name') ?? '', args.values.get('policy'), args.lists.get('key'));
  const hmac = args.values.get('hmac');
  return { policy, hmac: hmac === undefined ? null : parseHmac(hmac) };
}

/** A yield as JSON with hex fields (the names of Ledger's Python client, camel-cased). */
export function signPsbtYieldJson(y: SignPsbtYield): Record<string, string | number> {
  const leaf: Record<string, string> = y.tapleafHash ? { tapleafHash: toHex(y.tapleafHash) } : {};
  switch (y.type) {
    case 'partialSignature':
      return { type: y.type, inputIndex: y.inputIndex, pubkey: toHex(y.pubkey), signature: toHex(y.signature), ...leaf };
    case 'musigPubNonce':
      return { type: y.type, inputIndex: y.inputIndex, participantPubkey: toHex(y.participantPubkey), aggregatePubkey: toHex(y.aggregatePubkey), pubnonce: toHex(y.pubnonce), ...leaf };
    case 'musigPartialSignature':
      return {
        type: y.type,
        inputIndex: y.inputIndex,
        participantPubkey: toHex(y.participantPubkey),
        aggregatePubkey: toHex(y.aggregatePubkey),
        partialSignature: toHex(y.partialSignature),
        ...leaf,
      };
  }
}
