// Visits every key expression of a descriptor in textual order, with the script context it sits in.

import type { Descriptor, KeyExpr, Miniscript, ScriptContext, TapTree } from './ast.ts';

export interface KeyVisit {
  readonly key: KeyExpr;
  /** 'tr-internal' for tr()/rawtr() keys, else the context of the script holding it. */
  readonly context: ScriptContext | 'tr-internal' | 'wpkh';
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
  if (t.kind === 'leaf') return visitMs(t.script, 'tapscript', out);
  visitTree(t.left, out);
  visitTree(t.right, out);
}

function visitMs(m: Miniscript, ctx: ScriptContext, out: KeyVisit[]): void {
  const f = m.fragment;
  if ('key' in f) out.push({ key: f.key, context: ctx });
  else if ('keys' in f) for (const key of f.keys) out.push({ key, context: ctx });
  else if ('args' in f) for (const a of f.args) visitMs(a, ctx, out);
}

/** The depth of the deepest leaf (a lone leaf has depth 0). */
export function taptreeDepth(t: TapTree): number {
  return t.kind === 'leaf' ? 0 : 1 + Math.max(taptreeDepth(t.left), taptreeDepth(t.right));
}
