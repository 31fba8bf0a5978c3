// Miniscript -> Bitcoin Script, following the translation table of BIP-379. Keys are supplied by
// the caller already in the context's format (33-byte in legacy/P2WSH, 32-byte x-only in tapscript).

import { Script, type ScriptType } from '@scure/btc-signer';
import { hash160 } from '@scure/btc-signer/utils.js';
import type { KeyExpr, Miniscript } from '../descriptor/ast.ts';
import { compareBytes } from '../../apdu/bytes.ts';

// opcode names as btc-signer spells them (checked by Script.encode), numbers, or pushes
type Element = string | number | Uint8Array;

/**
 * Returns the key bytes to put in the script for a key expression. It is called once per key, in
 * the order the keys appear in the script (andor(X,Y,Z) emits Z before Y).
 */
export type KeyEncoder = (key: KeyExpr) => Uint8Array;

export function compileMiniscript(m: Miniscript, key: KeyEncoder): Uint8Array {
  return Script.encode(elements(m, key) as ScriptType);
}

/**
 * The key expressions of a script in the order their keys appear in it, one entry per occurrence:
 * the order in which a signer that derives each key as the script needs it (the Ledger app) asks
 * for them. Found by compiling with stand-in keys, so it cannot drift from the compiler.
 */
export function scriptKeyOrder(m: Miniscript): KeyExpr[] {
  const order: KeyExpr[] = [];
  compileMiniscript(m, (k) => {
    order.push(k);
    return STAND_IN_KEY;
  });
  return order;
}

const STAND_IN_KEY = new Uint8Array(33);

const VERIFY_FORMS: Readonly<Record<string, string>> = {
  EQUAL: 'EQUALVERIFY',
  NUMEQUAL: 'NUMEQUALVERIFY',
  CHECKSIG: 'CHECKSIGVERIFY',
  CHECKMULTISIG: 'CHECKMULTISIGVERIFY',
};

function elements(m: Miniscript, key: KeyEncoder): Element[] {
  let out = fragment(m, key);
  for (const w of [...m.wrappers].reverse()) out = wrap(w, out);
  return out;
}

function wrap(w: string, x: Element[]): Element[] {
  switch (w) {
    case 'a':
      return ['TOALTSTACK', ...x, 'FROMALTSTACK'];
    case 's':
      return ['SWAP', ...x];
    case 'c':
      return [...x, 'CHECKSIG'];
    case 't':
      return [...x, 1];
    case 'd':
      return ['DUP', 'IF', ...x, 'ENDIF'];
    case 'v': {
      // BIP-379: v: turns a final EQUAL/CHECKSIG/... into its VERIFY form instead of adding VERIFY
      const last = x[x.length - 1];
      const verify = typeof last === 'string' ? VERIFY_FORMS[last] : undefined;
      return verify ? [...x.slice(0, -1), verify] : [...x, 'VERIFY'];
    }
    case 'j':
      return ['SIZE', '0NOTEQUAL', 'IF', ...x, 'ENDIF'];
    case 'n':
      return [...x, '0NOTEQUAL'];
    case 'l':
      return ['IF', 0, 'ELSE', ...x, 'ENDIF'];
    case 'u':
      return ['IF', ...x, 'ELSE', 0, 'ENDIF'];
    default:
      throw new Error(`unreachable: wrapper ${w}`);
  }
}

function fragment(m: Miniscript, key: KeyEncoder): Element[] {
  const f = m.fragment;
  switch (f.name) {
    case '0':
      return [0];
    case '1':
      return [1];
    case 'pk_k':
      return [key(f.key)];
    case 'pk_h':
      return ['DUP', 'HASH160', hash160(key(f.key)), 'EQUALVERIFY'];
    case 'pk':
      return [key(f.key), 'CHECKSIG'];
    case 'pkh':
      return ['DUP', 'HASH160', hash160(key(f.key)), 'EQUALVERIFY', 'CHECKSIG'];
    case 'older':
      return [f.value, 'CHECKSEQUENCEVERIFY'];
    case 'after':
      return [f.value, 'CHECKLOCKTIMEVERIFY'];
    case 'sha256':
    case 'hash256':
    case 'ripemd160':
    case 'hash160':
      return ['SIZE', 32, 'EQUALVERIFY', f.name.toUpperCase(), f.hash, 'EQUAL'];
    case 'andor':
      return [...elements(f.args[0], key), 'NOTIF', ...elements(f.args[2], key), 'ELSE', ...elements(f.args[1], key), 'ENDIF'];
    case 'and_n':
      return [...elements(f.args[0], key), 'NOTIF', 0, 'ELSE', ...elements(f.args[1], key), 'ENDIF'];
    case 'and_v':
      return [...elements(f.args[0], key), ...elements(f.args[1], key)];
    case 'and_b':
      return [...elements(f.args[0], key), ...elements(f.args[1], key), 'BOOLAND'];
    case 'or_b':
      return [...elements(f.args[0], key), ...elements(f.args[1], key), 'BOOLOR'];
    case 'or_c':
      return [...elements(f.args[0], key), 'NOTIF', ...elements(f.args[1], key), 'ENDIF'];
    case 'or_d':
      return [...elements(f.args[0], key), 'IFDUP', 'NOTIF', ...elements(f.args[1], key), 'ENDIF'];
    case 'or_i':
      return ['IF', ...elements(f.args[0], key), 'ELSE', ...elements(f.args[1], key), 'ENDIF'];
    case 'thresh':
      return [
        ...elements(f.args[0]!, key),
        ...f.args.slice(1).flatMap((a) => [...elements(a, key), 'ADD']),
        f.k,
        'EQUAL',
      ];
    case 'multi':
    case 'sortedmulti': {
      const keys = orderKeys(f.keys.map(key), f.name === 'sortedmulti');
      return [f.k, ...keys, keys.length, 'CHECKMULTISIG'];
    }
    case 'multi_a':
    case 'sortedmulti_a': {
      const keys = orderKeys(f.keys.map(key), f.name === 'sortedmulti_a');
      return [keys[0]!, 'CHECKSIG', ...keys.slice(1).flatMap((k) => [k, 'CHECKSIGADD']), f.k, 'NUMEQUAL'];
    }
  }
}

function orderKeys(keys: Uint8Array[], sorted: boolean): Uint8Array[] {
  return sorted ? [...keys].sort(compareBytes) : keys;
}
