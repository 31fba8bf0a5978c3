// A shape plan as a BIP-388 wallet policy for the Ledger Bitcoin app: template + key information.
// Placeholders are numbered in order of first appearance, as BIP-388 requires, so the key vector
// is the caller's keys permuted accordingly (`keyOrder` says which key each @i is).

import type { TapTreeShape } from '../taptree.ts';
import type { KeyUse, ShapeLeaf, ShapePlan } from './plan.ts';
import { LEDGER_MAX_MUSIG_KEYS } from './plan.ts';
import { BitcoinError } from '../errors.ts';

export interface ShapePolicy {
  readonly template: string;
  readonly keysInfo: readonly string[];
  /** For each placeholder @i: the key number of the plan, or 'nums'. */
  readonly keyOrder: readonly (number | 'nums')[];
}

/**
 * @param keyInfos key-information strings of keys 0..keyCount-1 (signers, then recovery keys)
 * @param numsKeyInfo the unspendable key (see numsXpub), needed when the plan has a NUMS internal key
 */
export function shapeToPolicy(plan: ShapePlan, keyInfos: readonly string[], numsKeyInfo?: string): ShapePolicy {
  if (keyInfos.length !== plan.keyCount)
    throw new BitcoinError('E_SHAPE', `shape policy: expected ${plan.keyCount} key information strings, got ${keyInfos.length}`);
  const order: (number | 'nums')[] = [];
  const at = (id: number | 'nums') => {
    let i = order.indexOf(id);
    if (i < 0) i = order.push(id) - 1;
    return `@${i}`;
  };
  const steps = (use: number) => (use === 0 ? '/**' : `/<${2 * use};${2 * use + 1}>/*`);
  const keyText = (k: KeyUse): string => {
    switch (k.kind) {
      case 'key':
        return at(k.key) + steps(k.use);
      case 'nums':
        return at('nums') + steps(k.use);
      case 'musig':
        if (k.keys.length > LEDGER_MAX_MUSIG_KEYS)
          throw new BitcoinError('E_SHAPE', `shape policy: the Ledger app takes musig() of at most ${LEDGER_MAX_MUSIG_KEYS} keys, got ${k.keys.length}`);
        return `musig(${k.keys.map(at).join(',')})${steps(k.use)}`;
    }
  };
  const leafText = (l: ShapeLeaf): string => {
    switch (l.kind) {
      case 'pk':
        return `pk(${keyText(l.key)})`;
      case 'checksigadd':
        return `multi_a(${l.k},${l.keys.map(keyText).join(',')})`;
      case 'recovery': {
        const lock = 'older' in l.timelock ? `older(${l.timelock.older})` : `after(${l.timelock.after})`;
        const keys =
          l.keys.length === 1 ? `v:pk(${keyText(l.keys[0]!)})` : `v:multi_a(${l.k},${l.keys.map(keyText).join(',')})`;
        return `and_v(${keys},${lock})`;
      }
    }
  };
  const treeText = (t: TapTreeShape<ShapeLeaf>): string =>
    Array.isArray(t) ? `{${treeText(t[0])},${treeText(t[1])}}` : leafText(t as ShapeLeaf);

  const internal = keyText(plan.internal);
  const template = plan.tree ? `tr(${internal},${treeText(plan.tree)})` : `tr(${internal})`;
  if (order.includes('nums') && numsKeyInfo === undefined)
    throw new BitcoinError('E_SHAPE', 'shape policy: the plan has a NUMS internal key, expected its key information (numsXpub)');
  return { template, keysInfo: order.map((id) => (id === 'nums' ? numsKeyInfo! : keyInfos[id]!)), keyOrder: order };
}
