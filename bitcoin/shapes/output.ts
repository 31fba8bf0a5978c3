// A shape plan computed directly from public keys, without the policy language: leaf scripts
// (written out here from BIP-342 opcodes), the taptree, the output key, and for every MuSig2 leaf
// or key path the aggregate and its signing context. Tests check that it agrees with the wallet
// policy of the same plan.
//
// Two modes: `at` given -> addresses of a wallet (each key use u derives /<2u;2u+1>/index, musig()
// aggregates then derives, the NUMS key derives from its xpub); `at` absent -> static keys, as
// Taproot Assets script and group keys use them (keys as given, NUMS key = `internalKey` option).

import { Script, type ScriptType } from '@scure/btc-signer';
import { derivePublicPath, type PublicNode } from '../bip32-public.ts';
import { deriveAggregate, type DerivedAggregate } from '../musig/aggregate.ts';
import { keyPathContext, scriptPathContext, type MusigKeyContext } from '../musig/context.ts';
import { buildTaptree, taprootOutput, type TaprootOutput, type TaptreeInfo, type TapTreeShape } from '../taptree.ts';
import { concat } from '../../apdu/bytes.ts';
import { NUMS_H } from './nums.ts';
import type { KeyUse, ShapeLeaf, ShapePlan } from './plan.ts';
import { BitcoinError } from '../errors.ts';

export interface ShapeKeys {
  /** Keys 0..keyCount-1: public key and chain code (the chain code only matters when `at` is given). */
  readonly keys: readonly PublicNode[];
  /** Chain code of the NUMS xpub (wallet mode) ... */
  readonly numsChainCode?: Uint8Array;
  /** ... or the x-only internal key to use for NUMS in static mode (default: H itself). */
  readonly numsInternalKey?: Uint8Array;
}

export interface ShapeOutput {
  readonly internalKey: Uint8Array;
  readonly tree: TaptreeInfo | undefined;
  readonly output: TaprootOutput;
  readonly scriptPubKey: Uint8Array;
  /** MuSig2 contexts: the key path first if it is an aggregate, then each MuSig2 leaf in tree order. */
  readonly musig: readonly MusigKeyContext[];
}

export function shapeOutput(plan: ShapePlan, keys: ShapeKeys, at?: { change: boolean; index: number }): ShapeOutput {
  if (keys.keys.length !== plan.keyCount) throw new BitcoinError('E_SHAPE', `shape output: expected ${plan.keyCount} keys, got ${keys.keys.length}`);
  const path = (use: number) => (at ? [2 * use + (at.change ? 1 : 0), at.index] : []);
  const aggregates = new Map<KeyUse, DerivedAggregate>();
  const resolve = (k: KeyUse): Uint8Array => {
    switch (k.kind) {
      case 'key':
        return derivePublicPath(keys.keys[k.key]!, path(k.use)).node.publicKey;
      case 'nums': {
        if (!at) return concat(Uint8Array.of(2), keys.numsInternalKey ?? NUMS_H);
        if (!keys.numsChainCode) throw new BitcoinError('E_SHAPE', 'shape output: expected numsChainCode to derive the NUMS key');
        return derivePublicPath({ publicKey: concat(Uint8Array.of(2), NUMS_H), chainCode: keys.numsChainCode }, path(k.use)).node.publicKey;
      }
      case 'musig': {
        const agg = deriveAggregate(k.keys.map((i) => keys.keys[i]!.publicKey), path(k.use));
        aggregates.set(k, agg);
        return agg.publicKey;
      }
    }
  };
  const x = (k: KeyUse) => resolve(k).slice(1);
  const leafScript = (l: ShapeLeaf): Uint8Array => {
    const checksigadd = (k: number, ks: readonly KeyUse[]): ScriptType => [
      x(ks[0]!), 'CHECKSIG', ...ks.slice(1).flatMap((kk) => [x(kk), 'CHECKSIGADD'] as ScriptType), k,
    ];
    switch (l.kind) {
      case 'pk':
        return Script.encode([x(l.key), 'CHECKSIG']);
      case 'checksigadd':
        return Script.encode([...checksigadd(l.k, l.keys), 'NUMEQUAL']);
      case 'recovery': {
        const lock: ScriptType = 'older' in l.timelock ? [l.timelock.older, 'CHECKSEQUENCEVERIFY'] : [l.timelock.after, 'CHECKLOCKTIMEVERIFY'];
        const head: ScriptType = l.keys.length === 1 ? [x(l.keys[0]!), 'CHECKSIGVERIFY'] : [...checksigadd(l.k, l.keys), 'NUMEQUALVERIFY'];
        return Script.encode([...head, ...lock]);
      }
    }
  };
  const internalKey = x(plan.internal);
  const leafInfo: ShapeLeaf[] = [];
  const toShape = (t: TapTreeShape<ShapeLeaf>): TapTreeShape => {
    if (Array.isArray(t)) return [toShape(t[0]), toShape(t[1])];
    leafInfo.push(t as ShapeLeaf);
    return { script: leafScript(t as ShapeLeaf) };
  };
  const tree = plan.tree ? buildTaptree(toShape(plan.tree)) : undefined;
  const output = taprootOutput(internalKey, tree?.root);
  const musig: MusigKeyContext[] = [];
  const internalAgg = aggregates.get(plan.internal);
  if (internalAgg) musig.push(keyPathContext(internalAgg, tree?.root));
  leafInfo.forEach((l, i) => {
    const agg = l.kind === 'pk' ? aggregates.get(l.key) : undefined;
    if (agg) musig.push(scriptPathContext(agg, tree!.leaves[i]!.leafHash));
  });
  return { internalKey, tree, output, scriptPubKey: Script.encode(['OP_1', output.outputKey]), musig };
}
