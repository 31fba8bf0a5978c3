// The 8-character descriptor checksum of BIP-380 ("Checksum" section): a BCH code over the
// descriptor's characters, grouped as the BIP describes so that case errors are caught.

import { DescriptorError } from '../errors.ts';

const INPUT_CHARSET =
  '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function polymod(symbols: readonly number[]): bigint {
  let chk = 1n;
  for (const value of symbols) {
    const top = chk >> 35n;
    chk = ((chk & 0x7ffffffffn) << 5n) ^ BigInt(value);
    for (let i = 0; i < 5; i++) if ((top >> BigInt(i)) & 1n) chk ^= GENERATOR[i]!;
  }
  return chk;
}

function expand(text: string): number[] {
  const symbols: number[] = [];
  let groups: number[] = [];
  for (const c of text) {
    const v = INPUT_CHARSET.indexOf(c);
    if (v < 0) throw new DescriptorError('syntax', `descriptor: character "${c}" is not allowed in a descriptor`);
    symbols.push(v & 31);
    groups.push(v >> 5);
    if (groups.length === 3) {
      symbols.push(groups[0]! * 9 + groups[1]! * 3 + groups[2]!);
      groups = [];
    }
  }
  if (groups.length === 1) symbols.push(groups[0]!);
  else if (groups.length === 2) symbols.push(groups[0]! * 3 + groups[1]!);
  return symbols;
}

export function descriptorChecksum(text: string): string {
  const c = polymod([...expand(text), 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1n;
  let out = '';
  for (let i = 0; i < 8; i++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - i))) & 31n)];
  return out;
}

/** Splits `desc#checksum`, verifying the checksum when present; returns the descriptor text. */
export function stripChecksum(text: string): string {
  const at = text.indexOf('#');
  if (at < 0) return text;
  const body = text.slice(0, at);
  const given = text.slice(at + 1);
  const expected = descriptorChecksum(body);
  if (given !== expected)
    throw new DescriptorError('syntax', `descriptor checksum: expected #${expected}, got #${given}`);
  return body;
}
