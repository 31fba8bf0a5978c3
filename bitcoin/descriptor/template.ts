// BIP-388 wallet-policy rules on a parsed template, and expansion of template + key information
// into the descriptor it stands for ("Descriptor derivation" in BIP-388 and doc/wallet.md).

import type { Descriptor, KeyExpr } from './ast.ts';
import { parseTemplate } from './parser.ts';
import { formatDescriptor } from './format.ts';
import { keyExpressions } from './walk.ts';
import { DescriptorError } from '../errors.ts';
import { formatKeyInfo, parseKeyInfo, type KeyInfo } from '../key-info.ts';

/** A key expression of a template in its BIP-388 shape: placeholder(s) and the `<M;N>` pair. */
export interface TemplateKey {
  /** Key indexes: one for `@i/<M;N>/*`, the participants in written order for `musig(...)`. */
  readonly indexes: readonly number[];
  readonly musig: boolean;
  /** M and N of `/<M;N>/*` (`/**` is `<0;1>`): the step used for receive and for change addresses. */
  readonly receive: number;
  readonly change: number;
}

export interface CheckedTemplate {
  readonly ast: Descriptor;
  /** Key expressions in textual order (the Ledger app numbers them the same way). */
  readonly keys: readonly TemplateKey[];
  /** Number of distinct key placeholders, which is the size the key-information vector must have. */
  readonly keyCount: number;
}

/** Parses and checks a template against the BIP-388 placeholder rules. */
export function checkTemplate(template: string): CheckedTemplate {
  const ast = parseTemplate(template);
  const keys = keyExpressions(ast).map((v) => templateKey(v.key));
  const firstSeen: number[] = [];
  for (const k of keys) for (const i of k.indexes) if (!firstSeen.includes(i)) firstSeen.push(i);
  const keyCount = firstSeen.length;
  for (let i = 0; i < keyCount; i++)
    if (!firstSeen.includes(i))
      throw new DescriptorError('placeholder-skipped', `template uses keys up to @${Math.max(...firstSeen)} but never @${i} (BIP-388)`);
  firstSeen.forEach((index, pos) => {
    if (index !== pos)
      throw new DescriptorError(
        'placeholder-order',
        `placeholders must first appear in order @0, @1, ...: expected @${pos}, got @${index} (BIP-388)`,
      );
  });
  checkDisjoint(keys);
  return { ast, keys, keyCount };
}

function templateKey(key: KeyExpr): TemplateKey {
  const indexes =
    key.kind === 'placeholder' ? [key.index] : key.kind === 'musig' ? key.participants.map(placeholderIndex) : [];
  const [multi, wildcard, ...extra] = key.derivation.steps;
  const what = key.kind === 'musig' ? `musig(${indexes.map((i) => `@${i}`).join(',')})` : `@${indexes[0]}`;
  if (
    multi?.kind !== 'multipath' ||
    wildcard?.kind !== 'wildcard' ||
    wildcard.hardened ||
    extra.length > 0 ||
    multi.alternatives.length !== 2 ||
    multi.alternatives.some((a) => a.hardened)
  )
    throw new DescriptorError(
      'placeholder',
      `${what} must be followed by /** or /<M;N>/* with two distinct unhardened M, N (BIP-388)`,
    );
  if (key.kind === 'musig' && new Set(indexes).size !== indexes.length)
    throw new DescriptorError('placeholder-repeated', `${what} repeats a key inside musig() (BIP-388)`);
  return { indexes, musig: key.kind === 'musig', receive: multi.alternatives[0]!.index, change: multi.alternatives[1]!.index };
}

function placeholderIndex(k: KeyExpr): number {
  if (k.kind !== 'placeholder')
    throw new DescriptorError('key-not-placeholder', 'musig() participants must be key placeholders @i in a wallet policy');
  return k.index;
}

/**
 * BIP-388: the same key (a placeholder, or a musig() of the same set of placeholders, which
 * aggregates to the same key after KeySort) must not yield the same derived key twice, so the
 * `<M;N>` sets of its expressions must be pairwise disjoint.
 */
function checkDisjoint(keys: readonly TemplateKey[]): void {
  const used = new Map<string, Set<number>>();
  for (const k of keys) {
    const id = k.musig ? `musig(${[...k.indexes].sort((a, b) => a - b).map((i) => `@${i}`).join(',')})` : `@${k.indexes[0]}`;
    const seen = used.get(id) ?? new Set<number>();
    for (const n of [k.receive, k.change])
      if (seen.has(n))
        throw new DescriptorError(
          'placeholder-repeated',
          `${id} is used twice with derivation step ${n}: the <M;N> sets of a key must be disjoint (BIP-388)`,
        );
    seen.add(k.receive).add(k.change);
    used.set(id, seen);
  }
}

export interface ParsedPolicy extends CheckedTemplate {
  readonly keyInfos: readonly KeyInfo[];
}

/** Checks a template together with its key-information vector. */
export function parsePolicy(template: string, keysInfo: readonly string[]): ParsedPolicy {
  const checked = checkTemplate(template);
  if (keysInfo.length !== checked.keyCount)
    throw new DescriptorError(
      'keys-count',
      `template has ${checked.keyCount} key placeholders but ${keysInfo.length} key information strings were given`,
    );
  const keyInfos = keysInfo.map((k) => parseKeyInfo(k));
  const families = new Set(keyInfos.map((k) => k.xpub.family));
  if (families.size > 1) throw new DescriptorError('key', 'wallet policy mixes mainnet (xpub) and test (tpub) keys');
  return { ...checked, keyInfos };
}

/** The descriptor a wallet policy stands for, with `/<M;N>/*` multipath steps (BIP-388). */
export function expandPolicy(policy: ParsedPolicy): string {
  return formatDescriptor(policy.ast, { placeholder: (i) => formatKeyInfo(policy.keyInfos[i]!) });
}
