// Descriptor (or wallet policy) -> the output of one address: scriptPubKey, the redeem/witness
// script behind it, the taproot internal key, tree and output key, and the address on a network.

import { Address, OutScript, Script } from '@scure/btc-signer';
import { hash160, sha256 } from '@scure/btc-signer/utils.js';
import type { Descriptor, KeyExpr, Miniscript, ScriptContext, TapTree } from './ast.ts';
import type { ParsedPolicy } from './template.ts';
import type { KeyInfo } from '../key-info.ts';
import { deriveKey, type AddressPoint, type DerivedKey } from './derive-key.ts';
import { compileMiniscript } from '../miniscript/compile.ts';
import { buildTaptree, taprootOutput, type TaprootOutput, type TaptreeInfo, type TapTreeShape } from '../taptree.ts';
import { getNetwork, type Network, type NetworkName } from '../networks.ts';
import { DescriptorError } from '../errors.ts';

export interface TaprootDetails {
  /** x-only internal key. */
  readonly internalKey: Uint8Array;
  /** The derived internal key expression (its `musig` is set for a musig() internal key). */
  readonly internal: DerivedKey;
  readonly tree: TaptreeInfo | undefined;
  /** For each leaf (same order as tree.leaves), the derived keys it uses, in textual order. */
  readonly leafKeys: readonly (readonly DerivedKey[])[];
  readonly output: TaprootOutput;
}

export interface DerivedOutput {
  readonly scriptPubKey: Uint8Array;
  /** Undefined for bare scripts (pk(), multi() at top level), which have no address form. */
  readonly address: string | undefined;
  readonly redeemScript: Uint8Array | undefined;
  readonly witnessScript: Uint8Array | undefined;
  readonly taproot: TaprootDetails | undefined;
}

export interface DeriveOptions {
  readonly network?: NetworkName | Network;
  /** Key information for the placeholders of a template. */
  readonly keyInfos?: readonly KeyInfo[];
  /** Resolves each key expression instead of deriving it from `keyInfos`: for a signer that fetched and derived its keys itself. */
  readonly resolveKey?: (key: KeyExpr) => DerivedKey;
}

export function deriveOutput(desc: Descriptor, at: AddressPoint, opts: DeriveOptions = {}): DerivedOutput {
  const network = getNetwork(opts.network ?? 'mainnet');
  const keyInfos = opts.keyInfos ?? [];
  const key = opts.resolveKey ?? ((k: KeyExpr) => deriveKey(k, at, keyInfos));
  let redeemScript: Uint8Array | undefined;
  let witnessScript: Uint8Array | undefined;
  let taproot: TaprootDetails | undefined;

  const inner = (d: Descriptor, ctx: ScriptContext): Uint8Array => {
    switch (d.kind) {
      case 'wpkh':
        return Script.encode(['OP_0', hash160(compressed(key(d.key).publicKey))]);
      case 'wsh':
        witnessScript = script(d.inner as Miniscript, 'p2wsh');
        return Script.encode(['OP_0', sha256(witnessScript)]);
      case 'sh':
        redeemScript = inner(d.inner, 'legacy');
        return Script.encode(['HASH160', hash160(redeemScript), 'EQUAL']);
      case 'rawtr':
        return Script.encode(['OP_1', xonly(key(d.key).publicKey)]);
      case 'tr': {
        const internal = key(d.internal);
        const internalKey = xonly(internal.publicKey);
        const leafKeys: DerivedKey[][] = [];
        const shape = d.tree ? taptreeShape(d.tree, (m) => {
          const used: DerivedKey[] = [];
          const s = compileMiniscript(m, (k) => {
            const dk = key(k);
            used.push(dk);
            return xonly(dk.publicKey);
          });
          leafKeys.push(used);
          return { script: s };
        }) : undefined;
        const tree = shape ? buildTaptree(shape) : undefined;
        const output = taprootOutput(internalKey, tree?.root);
        taproot = { internalKey, internal, tree, leafKeys, output };
        return Script.encode(['OP_1', output.outputKey]);
      }
      case 'ms':
        return script(d, ctx);
    }
  };
  const script = (m: Miniscript, ctx: ScriptContext): Uint8Array =>
    compileMiniscript(m, (k) => {
      const pub = key(k).publicKey;
      if (ctx === 'p2wsh' && pub.length !== 33) throw new DescriptorError('key', 'segwit scripts take compressed keys only');
      return pub;
    });

  const scriptPubKey = inner(desc, 'legacy');
  return { scriptPubKey, address: addressOf(scriptPubKey, network), redeemScript, witnessScript, taproot };
}

/** The output of a wallet policy at (change, index), as GET_WALLET_ADDRESS computes it. */
export function policyOutput(
  policy: ParsedPolicy,
  change: boolean,
  index: number,
  network: NetworkName | Network = policy.keyInfos[0]?.xpub.family === 'test' ? 'testnet' : 'mainnet',
): DerivedOutput {
  if (!Number.isInteger(index) || index < 0 || index > 0x7fffffff)
    throw new DescriptorError('derivation', `address index: expected 0 <= index < 2^31, got ${index}`);
  return deriveOutput(policy.ast, { branch: change ? 1 : 0, index }, { network, keyInfos: policy.keyInfos });
}

export function addressOf(scriptPubKey: Uint8Array, network: Network): string | undefined {
  const decoded = OutScript.decode(scriptPubKey);
  if (!['pkh', 'sh', 'wpkh', 'wsh', 'tr'].includes(decoded.type)) return undefined;
  return Address(network).encode(decoded);
}

/** The taptree of a tr() descriptor as buildTaptree takes it, compiling each leaf with `leaf`, left to right. */
export function taptreeShape(t: TapTree, leaf: (m: Miniscript) => { script: Uint8Array }): TapTreeShape {
  // left to right, so leafKeys lines up with the tree's leaves
  if (t.kind === 'leaf') return leaf(t.script);
  const l = taptreeShape(t.left, leaf);
  return [l, taptreeShape(t.right, leaf)];
}

function xonly(pub: Uint8Array): Uint8Array {
  if (pub.length === 32) return pub;
  if (pub.length !== 33) throw new DescriptorError('key', 'taproot needs compressed or x-only keys');
  return pub.slice(1);
}

function compressed(pub: Uint8Array): Uint8Array {
  if (pub.length !== 33) throw new DescriptorError('key', 'segwit needs compressed keys (33 bytes)');
  return pub;
}
