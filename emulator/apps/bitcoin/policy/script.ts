// Scripts of a wallet policy at /<change>/<index> (policy.c get_wallet_script and
// get_wallet_internal_script_hash). Every key is fetched from the host when the script needs it,
// in emission order and as often as the C code fetches it: sortedmulti selects the smallest
// remaining key by re-deriving all unused keys on each step, and a tapleaf is emitted twice (once
// for its length, once for its hash). The host sees exactly the real app's request sequence.

import { keyAggregate } from '@scure/btc-signer/musig2.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { compareBytes, concat, encodeVarint, u32le } from '../../../../apdu/bytes.ts';
import type { HostChannel } from '../client.ts';
import { ckdPub, type ExtendedPubkey, hash160, type Meter } from '../keys.ts';
import type { KeyExpr, PolicyNode, TapTree } from './template.ts';
import { fetchKeyInfo, type WalletHeader } from './wallet.ts';

/** BIP-328: chain code of synthetic xpubs for MuSig2 aggregate keys (SHA256("MuSig2MuSig2MuSig2")). */
export const BIP328_CHAINCODE = sha256(new TextEncoder().encode('MuSig2MuSig2MuSig2'));

export interface Derivation {
  header: Pick<WalletHeader, 'keysRoot' | 'nKeys' | 'version'>;
  change: boolean;
  addressIndex: number;
  /** Reports the curve operations of the derivation to the device (keys.ts Meter). */
  meter?: Meter;
}

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

const OP = {
  0: 0x00, 1: 0x51, VERIFY: 0x69, DUP: 0x76, HASH160: 0xa9, EQUAL: 0x87, EQUALVERIFY: 0x88, CHECKSIG: 0xac,
  CHECKMULTISIG: 0xae, CHECKSIGADD: 0xba, NUMEQUAL: 0x9c, CSV: 0xb2, CLTV: 0xb1, SIZE: 0x82, SHA256: 0xa8,
  HASH256: 0xaa, RIPEMD160: 0xa6, NOTIF: 0x64, IF: 0x63, ELSE: 0x67, ENDIF: 0x68, BOOLAND: 0x9a, BOOLOR: 0x9b,
  IFDUP: 0x73, TOALTSTACK: 0x6b, FROMALTSTACK: 0x6c, SWAP: 0x7c, ZERONOTEQUAL: 0x92, ADD: 0x93,
} as const;

/**
 * The aggregate of a musig() key expression as a BIP-328 synthetic xpub (before derivation).
 * musig_key_agg multiplies every key by its coefficient: one scalar multiplication per key.
 */
export function musigXpub(keys: readonly Uint8Array[], version: number, meter?: Meter): ExtendedPubkey {
  const sorted = [...keys].sort(compareBytes);
  for (let i = 0; i < keys.length; i++) meter?.('point-mul');
  const Q = keyAggregate(sorted).aggPublicKey.toBytes(true);
  return { version, depth: 0, parentFingerprint: 0, childNumber: 0, chainCode: BIP328_CHAINCODE, pubkey: Q };
}

/** The root xpub of a key expression, fetching its key(s) from the host (get_derived_pubkey, first half). */
export async function keyExprXpub(host: HostChannel, d: Derivation, expr: KeyExpr): Promise<ExtendedPubkey> {
  if (expr.kind === 'key') {
    const got = await fetchKeyInfo(host, d.header, expr.key);
    if (!got) throw new ScriptError(`key information @${expr.key} did not verify`);
    return got.info.xpub;
  }
  const keys: Uint8Array[] = [];
  let version = 0;
  for (const k of expr.keys) {
    const got = await fetchKeyInfo(host, d.header, k);
    if (!got) throw new ScriptError(`key information @${k} did not verify`);
    keys.push(got.info.xpub.pubkey);
    version = got.info.xpub.version;
  }
  // the app builds the synthetic xpub with its own BIP32_PUBKEY_VERSION; only the key and the
  // chain code matter for derivation
  return musigXpub(keys, version, d.meter);
}

/** The compressed key of a key expression at /<change>/<index> (get_derived_pubkey). */
export async function derivedKey(host: HostChannel, d: Derivation, expr: KeyExpr): Promise<Uint8Array> {
  const root = await keyExprXpub(host, d, expr);
  const step = ckdPub(root, d.change ? expr.numSecond : expr.numFirst, d.meter).child;
  return ckdPub(step, d.addressIndex, d.meter).child.pubkey;
}

function pushNumber(n: number): Uint8Array {
  if (n === 0) return Uint8Array.of(OP[0]);
  if (n <= 16) return Uint8Array.of(0x50 + n);
  const size = n <= 0x7f ? 1 : n <= 0x7fff ? 2 : n <= 0x7fffff ? 3 : n <= 0x7fffffff ? 4 : 5;
  const le = u32le(n);
  return size < 5 ? concat(Uint8Array.of(size), le.subarray(0, size)) : concat(Uint8Array.of(5), le, Uint8Array.of(0));
}

/** update_output_op_v: the VERIFY form of the closing opcode when the node is in a v: context. */
function opV(op: number, verify: boolean): Uint8Array {
  if (!verify) return Uint8Array.of(op);
  if (op === OP.CHECKSIG || op === OP.CHECKMULTISIG || op === OP.NUMEQUAL || op === OP.EQUAL) return Uint8Array.of(op + 1);
  return Uint8Array.of(op, OP.VERIFY);
}

const HASH_OP = { sha256: OP.SHA256, hash256: OP.HASH256, ripemd160: OP.RIPEMD160, hash160: OP.HASH160 } as const;

/** Emits an inner script (wsh / sh / tapscript), fetching keys as it goes. */
export async function innerScript(host: HostChannel, d: Derivation, node: PolicyNode, taproot: boolean): Promise<Uint8Array> {
  const key = async (e: KeyExpr): Promise<Uint8Array> => {
    const pk = await derivedKey(host, d, e);
    return taproot ? pk.subarray(1) : pk;
  };
  const emit = async (n: PolicyNode, verify: boolean): Promise<Uint8Array> => {
    switch (n.type) {
      case '0':
        return opV(OP[0], verify);
      case '1':
        return opV(OP[1], verify);
      case 'pk_k': {
        const k = await key(n.key);
        return concat(Uint8Array.of(k.length), k);
      }
      case 'pk_h': {
        const k = await key(n.key);
        return concat(Uint8Array.of(OP.DUP, OP.HASH160, 20), hash160(k), Uint8Array.of(OP.EQUALVERIFY));
      }
      case 'pk': {
        const k = await key(n.key);
        return concat(Uint8Array.of(k.length), k, opV(OP.CHECKSIG, verify));
      }
      case 'pkh': {
        const k = await key(n.key);
        return concat(Uint8Array.of(OP.DUP, OP.HASH160, 20), hash160(k), Uint8Array.of(OP.EQUALVERIFY), opV(OP.CHECKSIG, verify));
      }
      case 'wpkh': {
        if (taproot) throw new ScriptError('wpkh inside taproot');
        const k = await key(n.key);
        return concat(Uint8Array.of(OP[0], 20), hash160(k));
      }
      case 'older':
        return concat(pushNumber(n.n), opV(OP.CSV, verify));
      case 'after':
        return concat(pushNumber(n.n), opV(OP.CLTV, verify));
      case 'sha256':
      case 'hash256':
      case 'ripemd160':
      case 'hash160':
        return concat(
          Uint8Array.of(OP.SIZE, 1, 32, OP.EQUALVERIFY, HASH_OP[n.type], n.hash.length),
          n.hash,
          opV(OP.EQUAL, verify),
        );
      case 'andor': {
        const [x, y, z] = n.children;
        const a = await emit(x, false);
        const c = await emit(z, false);
        const b = await emit(y, false);
        return concat(a, Uint8Array.of(OP.NOTIF), c, Uint8Array.of(OP.ELSE), b, opV(OP.ENDIF, verify));
      }
      case 'and_v':
        return concat(await emit(n.children[0], false), await emit(n.children[1], verify));
      case 'and_b':
        return concat(await emit(n.children[0], false), await emit(n.children[1], false), opV(OP.BOOLAND, verify));
      case 'and_n':
        return concat(
          await emit(n.children[0], false),
          Uint8Array.of(OP.NOTIF, OP[0], OP.ELSE),
          await emit(n.children[1], false),
          opV(OP.ENDIF, verify),
        );
      case 'or_b':
        return concat(await emit(n.children[0], false), await emit(n.children[1], false), opV(OP.BOOLOR, verify));
      case 'or_c':
        return concat(await emit(n.children[0], false), Uint8Array.of(OP.NOTIF), await emit(n.children[1], false), opV(OP.ENDIF, verify));
      case 'or_d':
        return concat(
          await emit(n.children[0], false),
          Uint8Array.of(OP.IFDUP, OP.NOTIF),
          await emit(n.children[1], false),
          opV(OP.ENDIF, verify),
        );
      case 'or_i':
        return concat(
          Uint8Array.of(OP.IF),
          await emit(n.children[0], false),
          Uint8Array.of(OP.ELSE),
          await emit(n.children[1], false),
          opV(OP.ENDIF, verify),
        );
      case 'thresh': {
        const parts: Uint8Array[] = [];
        for (let i = 0; i < n.children.length; i++) {
          if (i > 1) parts.push(Uint8Array.of(OP.ADD));
          parts.push(await emit(n.children[i]!, false));
        }
        if (n.children.length >= 2) parts.push(Uint8Array.of(OP.ADD));
        return concat(...parts, pushNumber(n.k), opV(OP.EQUAL, verify));
      }
      case 'multi':
      case 'sortedmulti': {
        const keys = await multiKeys(n.keys, n.type === 'sortedmulti', false);
        return concat(
          Uint8Array.of(0x50 + n.k),
          ...keys.map((k) => concat(Uint8Array.of(33), k)),
          Uint8Array.of(0x50 + n.keys.length),
          opV(OP.CHECKMULTISIG, verify),
        );
      }
      case 'multi_a':
      case 'sortedmulti_a': {
        if (n.k > 16) throw new ScriptError('multi_a with k > 16');
        const keys = await multiKeys(n.keys, n.type === 'sortedmulti_a', true);
        return concat(
          ...keys.map((k, i) => concat(Uint8Array.of(32), k.subarray(1), Uint8Array.of(i === 0 ? OP.CHECKSIG : OP.CHECKSIGADD))),
          Uint8Array.of(0x50 + n.k),
          opV(OP.NUMEQUAL, verify),
        );
      }
      case 'wrap':
        return wrap(n.wrapper, n.inner, verify);
      default:
        throw new ScriptError(`fragment ${n.type} not allowed here`);
    }
  };
  const wrap = async (w: string, inner: PolicyNode, verify: boolean): Promise<Uint8Array> => {
    switch (w) {
      case 'a':
        return concat(Uint8Array.of(OP.TOALTSTACK), await emit(inner, false), Uint8Array.of(OP.FROMALTSTACK));
      case 's':
        return concat(Uint8Array.of(OP.SWAP), await emit(inner, false));
      case 'c':
        return concat(await emit(inner, false), opV(OP.CHECKSIG, verify));
      case 't':
        return concat(await emit(inner, false), opV(OP[1], verify));
      case 'd':
        return concat(Uint8Array.of(OP.DUP, OP.IF), await emit(inner, false), opV(OP.ENDIF, verify));
      case 'v':
        return emit(inner, true);
      case 'j':
        return concat(Uint8Array.of(OP.SIZE, OP.ZERONOTEQUAL, OP.IF), await emit(inner, false), opV(OP.ENDIF, verify));
      case 'n':
        return concat(await emit(inner, false), opV(OP.ZERONOTEQUAL, verify));
      case 'l':
        return concat(Uint8Array.of(OP.IF, OP[0], OP.ELSE), await emit(inner, false), opV(OP.ENDIF, verify));
      default:
        return concat(Uint8Array.of(OP.IF), await emit(inner, false), Uint8Array.of(OP.ELSE, OP[0]), opV(OP.ENDIF, verify));
    }
  };
  // sortedmulti: selection sort by re-deriving every unused key at each step (policy.c)
  const multiKeys = async (exprs: KeyExpr[], sorted: boolean, xonly: boolean): Promise<Uint8Array[]> => {
    const out: Uint8Array[] = [];
    if (!sorted) {
      for (const e of exprs) out.push(await derivedKey(host, d, e));
      return out;
    }
    const used = new Set<number>();
    for (let i = 0; i < exprs.length; i++) {
      let best: Uint8Array | undefined;
      let bestIndex = -1;
      for (let j = 0; j < exprs.length; j++) {
        if (used.has(j)) continue;
        const k = await derivedKey(host, d, exprs[j]!);
        const cmp = best === undefined ? -1 : xonly ? compareBytes(k.subarray(1), best.subarray(1)) : compareBytes(k, best);
        if (cmp < 0) {
          best = k;
          bestIndex = j;
        }
      }
      used.add(bestIndex);
      out.push(best!);
    }
    return out;
  };
  return emit(node, false);
}

const tagged = (tag: string, ...parts: Uint8Array[]): Uint8Array => {
  const t = sha256(new TextEncoder().encode(tag));
  return sha256(concat(t, t, ...parts));
};

/** compute_tapleaf_hash: the leaf script is produced twice, as the app does (length, then hash). */
export async function tapleafHash(host: HostChannel, d: Derivation, leaf: PolicyNode): Promise<Uint8Array> {
  const first = await innerScript(host, d, leaf, true);
  const script = await innerScript(host, d, leaf, true);
  if (script.length !== first.length) throw new ScriptError('tapscript changed between passes');
  return tagged('TapLeaf', Uint8Array.of(0xc0), encodeVarint(script.length), script);
}

export async function taptreeHash(host: HostChannel, d: Derivation, tree: TapTree): Promise<Uint8Array> {
  if ('leaf' in tree) return tapleafHash(host, d, tree.leaf);
  const l = await taptreeHash(host, d, tree.left);
  const r = await taptreeHash(host, d, tree.right);
  return compareBytes(l, r) <= 0 ? tagged('TapBranch', l, r) : tagged('TapBranch', r, l);
}

/**
 * BIP-341 output key: x-only internal key tweaked with TapTweak(key || merkle root). Like
 * crypto_tr_tweak_pubkey it costs one scalar multiplication (t·G).
 */
export function taprootTweak(
  internalXonly: Uint8Array,
  merkleRoot: Uint8Array | undefined,
  meter?: Meter,
): { tweak: Uint8Array; outputKey: Uint8Array; parity: number } {
  const tweak = tagged('TapTweak', internalXonly, merkleRoot ?? new Uint8Array());
  meter?.('point-mul');
  const P = schnorr.Point.fromBytes(concat(Uint8Array.of(0x02), internalXonly));
  const Q = P.add(schnorr.Point.BASE.multiply(bytesToBig(tweak)));
  const q = Q.toBytes(true);
  return { tweak, outputKey: q.subarray(1), parity: q[0]! & 1 };
}

function bytesToBig(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/** get_wallet_script: the scriptPubKey of the policy at /<change>/<index>. */
export async function walletScript(host: HostChannel, d: Derivation, root: PolicyNode): Promise<Uint8Array> {
  switch (root.type) {
    case 'pkh': {
      const k = await derivedKey(host, d, root.key);
      return concat(Uint8Array.of(OP.DUP, OP.HASH160, 20), hash160(k), Uint8Array.of(OP.EQUALVERIFY, OP.CHECKSIG));
    }
    case 'wpkh': {
      const k = await derivedKey(host, d, root.key);
      return concat(Uint8Array.of(OP[0], 20), hash160(k));
    }
    case 'sh':
    case 'wsh': {
      const nested = root.type === 'sh' && root.inner.type === 'wsh';
      const core = nested ? (root.inner as { inner: PolicyNode }).inner : root.inner;
      const script = await innerScript(host, d, core, false);
      if (root.type === 'wsh') return concat(Uint8Array.of(OP[0], 32), sha256(script));
      const redeem = nested ? concat(Uint8Array.of(OP[0], 32), sha256(script)) : script;
      return concat(Uint8Array.of(OP.HASH160, 20), hash160(redeem), Uint8Array.of(OP.EQUAL));
    }
    case 'tr': {
      const k = await derivedKey(host, d, root.key);
      const h = root.tree ? await taptreeHash(host, d, root.tree) : undefined;
      return concat(Uint8Array.of(OP[1], 32), taprootTweak(k.subarray(1), h, d.meter).outputKey);
    }
    default:
      throw new ScriptError(`${root.type} is not a top-level script`);
  }
}
