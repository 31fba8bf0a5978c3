// Prints a descriptor tree back to text. With a key mapper it turns a template into its descriptor:
// BIP-388 "Descriptor derivation" replaces each placeholder by its key information and `/**` by
// `/<0;1>/*`.

import type { Derivation, Descriptor, KeyExpr, Miniscript, TapTree } from './ast.ts';
import { formatKeyOrigin } from '../key-info.ts';
import { toHex } from '../../apdu/bytes.ts';

export interface FormatOptions {
  /** Text of a placeholder's key (for template expansion); default `@i`. */
  readonly placeholder?: (index: number) => string;
  /** Print `/**` as `/<0;1>/*` (always on when `placeholder` is given, as descriptors have no `/**`). */
  readonly expandShorthand?: boolean;
}

export function formatDescriptor(desc: Descriptor, opts: FormatOptions = {}): string {
  const o = { expandShorthand: opts.expandShorthand ?? opts.placeholder !== undefined, placeholder: opts.placeholder };
  return script(desc, o);
}

type Opts = { expandShorthand: boolean; placeholder: ((i: number) => string) | undefined };

function script(d: Descriptor, o: Opts): string {
  switch (d.kind) {
    case 'sh':
    case 'wsh':
      return `${d.kind}(${script(d.inner, o)})`;
    case 'wpkh':
    case 'rawtr':
      return `${d.kind}(${key(d.key, o)})`;
    case 'tr':
      return d.tree ? `tr(${key(d.internal, o)},${tree(d.tree, o)})` : `tr(${key(d.internal, o)})`;
    case 'ms':
      return miniscript(d, o);
  }
}

function tree(t: TapTree, o: Opts): string {
  return t.kind === 'leaf' ? miniscript(t.script, o) : `{${tree(t.left, o)},${tree(t.right, o)}}`;
}

function miniscript(m: Miniscript, o: Opts): string {
  const f = m.fragment;
  let body: string;
  switch (f.name) {
    case '0':
    case '1':
      body = f.name;
      break;
    case 'pk_k':
    case 'pk_h':
    case 'pk':
    case 'pkh':
      body = `${f.name}(${key(f.key, o)})`;
      break;
    case 'older':
    case 'after':
      body = `${f.name}(${f.value})`;
      break;
    case 'sha256':
    case 'hash256':
    case 'ripemd160':
    case 'hash160':
      body = `${f.name}(${toHex(f.hash)})`;
      break;
    case 'thresh':
      body = `thresh(${[String(f.k), ...f.args.map((a) => miniscript(a, o))].join(',')})`;
      break;
    case 'multi':
    case 'sortedmulti':
    case 'multi_a':
    case 'sortedmulti_a':
      body = `${f.name}(${[String(f.k), ...f.keys.map((k) => key(k, o))].join(',')})`;
      break;
    default:
      body = `${f.name}(${f.args.map((a) => miniscript(a, o)).join(',')})`;
  }
  return m.wrappers ? `${m.wrappers}:${body}` : body;
}

function key(k: KeyExpr, o: Opts): string {
  switch (k.kind) {
    case 'placeholder':
      return (o.placeholder ? o.placeholder(k.index) : `@${k.index}`) + derivation(k.derivation, o);
    case 'literal':
      return (k.origin ? `[${formatKeyOrigin(k.origin)}]` : '') + k.text + derivation(k.derivation, o);
    case 'musig':
      return `musig(${k.participants.map((p) => key(p, o)).join(',')})${derivation(k.derivation, o)}`;
  }
}

function derivation(d: Derivation, o: Opts): string {
  if (d.shorthand && !o.expandShorthand) return '/**';
  const mark = (h: boolean) => (h ? "'" : '');
  return d.steps
    .map((s) => {
      if (s.kind === 'index') return `/${s.index}${mark(s.hardened)}`;
      if (s.kind === 'wildcard') return `/*${mark(s.hardened)}`;
      return `/<${s.alternatives.map((a) => `${a.index}${mark(a.hardened)}`).join(';')}>`;
    })
    .join('');
}
