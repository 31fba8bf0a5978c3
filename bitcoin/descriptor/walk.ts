// Visits every key expression of a descriptor in textual order, with the script context it sits in.
// Textual order is also the Ledger app's order (policy.c get_keyexpr_by_index: the tr() key, then the
// taptree left to right), which numbers the key expressions of a policy and orders its key requests.

import type { Descriptor, KeyExpr, Miniscript, ScriptContext, TapTree } from './ast.ts';

export interface KeyVisit {
  readonly key: KeyExpr;
  /** 'tr-internal' for tr()/rawtr() keys, else the context of the script holding it. */
  readonly context: ScriptContext | 'tr-internal' | 'wpkh';
  /** For a key inside a taptree, the script of the leaf holding it. */
  readonly leaf?: Miniscript;
}

export function keyExpressions(desc: Descriptor): KeyVisit[] {
  const out: KeyVisit[] = [];
  visit(desc, 'legacy', out);
  return out;
}

function visit(d: Descriptor, ctx: ScriptContext, out: KeyVisit[]): void {
  switch (d.kind) {
    case 'sh':
      return visit(d.inner, 'legacy', out);
    case 'wsh':
      return visit(d.inner, 'p2wsh', out);
    case 'wpkh':
      out.push({ key: d.key, context: 'wpkh' });
      return;
    case 'rawtr':
      out.push({ key: d.key, context: 'tr-internal' });
      return;
    case 'tr':
      out.push({ key: d.internal, context: 'tr-internal' });
      if (d.tree) visitTree(d.tree, out);
      return;
    case 'ms':
      return visitMs(d, ctx, out);
  }
}

function visitTree(t: TapTree, out: KeyVisit[]): void {
  if (t.kind === 'leaf') return visitMs(t.script, 'tapscript', out, t.script);
  visitTree(t.left, out);
  visitTree(t.right, out);
}

function visitMs(m: Miniscript, ctx: ScriptContext, out: KeyVisit[], leaf?: Miniscript): void {
  const f = m.fragment;
  const keys = 'key' in f ? [f.key] : 'keys' in f ? f.keys : [];
  for (const key of keys) out.push(leaf ? { key, context: ctx, leaf } : { key, context: ctx });
  if ('args' in f) for (const a of f.args) visitMs(a, ctx, out, leaf);
}

/** Every miniscript expression of a descriptor (fragment arguments included), in textual order. */
export function miniscriptNodes(desc: Descriptor): Miniscript[] {
  const out: Miniscript[] = [];
  const ms = (m: Miniscript): void => {
    out.push(m);
    if ('args' in m.fragment) m.fragment.args.forEach(ms);
  };
  const tree = (t: TapTree): void => (t.kind === 'leaf' ? ms(t.script) : (tree(t.left), tree(t.right)));
  const visit = (d: Descriptor): void => {
    if (d.kind === 'ms') ms(d);
    else if (d.kind === 'sh' || d.kind === 'wsh') visit(d.inner);
    else if (d.kind === 'tr' && d.tree) tree(d.tree);
  };
  visit(desc);
  return out;
}

/** The scripts of a taptree's leaves, left to right. */
export function tapleaves(t: TapTree): Miniscript[] {
  return t.kind === 'leaf' ? [t.script] : [...tapleaves(t.left), ...tapleaves(t.right)];
}

/** The depth of the deepest leaf (a lone leaf has depth 0). */
export function taptreeDepth(t: TapTree): number {
  return t.kind === 'leaf' ? 0 : 1 + Math.max(taptreeDepth(t.left), taptreeDepth(t.right));
}
