// Addresses and output descriptions as the app shows them (script.c get_script_address and
// format_script): base58 for P2PKH / P2SH, bech32 / bech32m for witness programs (including
// future versions), "OP_RETURN 0x..." for data outputs; anything else cannot be shown.

import { sha256 } from '@noble/hashes/sha2.js';
import { bech32, bech32m, createBase58check } from '@scure/base';
import { concat, toHex } from '../../../apdu/bytes.ts';
import type { BitcoinNetwork } from './network.ts';

const b58c = createBase58check(sha256);

export function scriptAddress(script: Uint8Array, net: BitcoinNetwork): string | undefined {
  const n = script.length;
  if (n === 25 && script[0] === 0x76 && script[1] === 0xa9 && script[2] === 0x14 && script[23] === 0x88 && script[24] === 0xac)
    return b58c.encode(concat(Uint8Array.of(net.p2pkhVersion), script.subarray(3, 23)));
  if (n === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87)
    return b58c.encode(concat(Uint8Array.of(net.p2shVersion), script.subarray(2, 22)));
  const v0 = script[0];
  if (n >= 4 && n <= 42 && v0 !== undefined && (v0 === 0 || (v0 >= 0x51 && v0 <= 0x60)) && n === 2 + script[1]!) {
    const version = v0 === 0 ? 0 : v0 - 0x50;
    const program = script.subarray(2);
    const words = [version, ...bech32.toWords(program)];
    return (version === 0 ? bech32 : bech32m).encode(net.bech32Hrp, words, 1023);
  }
  return undefined;
}

/** format_opscript_script: up to 5 minimal pushes of an OP_RETURN output, else undefined. */
function opReturnDescription(script: Uint8Array): string | undefined {
  if (script.length === 0 || script[0] !== 0x6a || script.length > 83) return undefined;
  if (script.length === 1) return 'OP_RETURN';
  const parts: string[] = [];
  let i = 1;
  while (i < script.length && parts.length < 5) {
    const op = script[i++]!;
    let len = 0;
    if (op > 0x60 || op === 0x50 || op === 0x4d || op === 0x4e) return undefined;
    let text = '';
    if (op === 0) text = '0';
    else if (op >= 1 && op <= 75) len = op;
    else if (op === 0x4c) {
      if (i >= script.length) return undefined;
      len = script[i++]!;
      if (len <= 75) return undefined;
    } else if (op === 0x4f) text = '-1';
    else if (op >= 0x51 && op <= 0x60) text = String(op - 0x50);
    else return undefined;
    if (i + len > script.length) return undefined;
    if (len === 1 && (script[i] === 0x81 || (script[i]! >= 1 && script[i]! <= 16))) return undefined;
    if (len > 0) {
      text = `0x${toHex(script.subarray(i, i + len))}`;
      i += len;
    }
    parts.push(text);
  }
  if (i < script.length) return undefined;
  return `OP_RETURN ${parts.join(' ')}`;
}

export function describeOutput(script: Uint8Array, net: BitcoinNetwork): string | undefined {
  return scriptAddress(script, net) ?? opReturnDescription(script);
}
