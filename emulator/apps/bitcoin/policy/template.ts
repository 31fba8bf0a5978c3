// The app's reading of a descriptor template (wallet.c parse_descriptor_template): bitcoin/'s
// parser and type checks, then the rules by which the app differs from a generic BIP-388 parser.
// Whether a template parses decides only 6A80 or not; the tree's shape matters beyond that, since
// the order in which the app walks key expressions decides the order in which it asks the host for
// keys, which is visible on the wire.
//
// The top-level miniscript type is not checked here: the app checks it at registration
// (is_miniscript_sane, 6A82 / error code 0001), as register-wallet.ts does. Known differences from
// the app, all on templates no wallet produces: hash images in upper-case hex are accepted (the app
// takes lower case only), `<M;N>` with M or N = 2^31 is refused (the app accepts it), and sh(pk()),
// sh(pkh()) and a bare multi() at top level are refused here, where the app parses them but can
// never produce their script.

import type { Descriptor, KeyExpr as DescriptorKey, Miniscript, TapTree } from '../../../../bitcoin/descriptor/ast.ts';
import { checkLedgerMultisigLimit, LEDGER_LIMITS } from '../../../../bitcoin/descriptor/ledger-limits.ts';
import { parseTemplate as parseDescriptorTemplate } from '../../../../bitcoin/descriptor/parser.ts';
import { keyExpressions as keyVisits, taptreeDepth } from '../../../../bitcoin/descriptor/walk.ts';
import { DescriptorError } from '../../../../bitcoin/errors.ts';

/** policy_node_keyexpr_t: a key expression as the app holds it. */
export type KeyShape = (
  | { readonly kind: 'key'; readonly key: number }
  /** Key indexes in written order. */
  | { readonly kind: 'musig'; readonly keys: readonly number[] }
) & {
  /** M and N of `/<M;N>/*` (`/**`, and every key of a V1 policy, is 0 and 1). */
  readonly numFirst: number;
  readonly numSecond: number;
  /** The key expression in the parsed tree. */
  readonly node: DescriptorKey;
};

/** A key expression with keyexpr_index, its position among all key expressions in the app's walk order. */
export type KeyExpr = KeyShape & { readonly index: number };

/** The largest key index of a placeholder: parse_keyexpr reads it into an int16. */
const MAX_KEY_INDEX = 0x7fff;
/** MAX_PARSE_SCRIPT_RECURSION_DEPTH: parse_script's recursion limit. */
const MAX_PARSE_DEPTH = 16;

/** Parses a template as the app does; a DescriptorError for anything the app refuses to parse. */
export function parseTemplate(template: string, version: number): Descriptor {
  if (version !== 1 && version !== 2) throw new DescriptorError('syntax', `descriptor template: expected version 1 or 2, got ${version}`);
  const ast = parseDescriptorTemplate(template, { topLevelType: false });
  for (const { key } of keyVisits(ast)) keyShape(key, version);
  checkLedgerMultisigLimit(ast);
  // within sh(wsh(...)) the app parses no miniscript: only pk, pkh, multi or sortedmulti, unwrapped,
  // of which only multi and sortedmulti have a script (policy.c fragment_whitelist_sh_wsh)
  if (ast.kind === 'sh' && ast.inner.kind === 'wsh') {
    const inner = ast.inner.inner;
    if (inner.kind !== 'ms' || inner.wrappers || (inner.fragment.name !== 'multi' && inner.fragment.name !== 'sortedmulti'))
      fail('context', 'sh(wsh(...)) holds multi() or sortedmulti()');
  }
  if (ast.kind === 'tr' && ast.tree) {
    // parse_tree counts the taptree's root as depth 1 and stops above MAX_TAPTREE_POLICY_DEPTH
    const depth = taptreeDepth(ast.tree);
    if (depth + 1 > LEDGER_LIMITS.taptreeDepth) fail('limit', `taptree: expected leaves at depth below ${LEDGER_LIMITS.taptreeDepth}, got ${depth}`);
  }
  const depth = parseDepth(ast, 0);
  if (depth > MAX_PARSE_DEPTH) fail('limit', `scripts nested at most ${MAX_PARSE_DEPTH} deep, got ${depth}`);
  return ast;
}

/** The app's view of one key expression (parse_keyexpr), checked against its rules. */
export function keyShape(node: DescriptorKey, version: number): KeyShape {
  const index = (k: DescriptorKey): number => {
    if (k.kind !== 'placeholder' || k.index > MAX_KEY_INDEX) fail('placeholder', `expected a key placeholder @0..@${MAX_KEY_INDEX}`);
    return k.index;
  };
  let key: { kind: 'key'; key: number } | { kind: 'musig'; keys: number[] };
  if (node.kind === 'musig') {
    if (version !== 2) fail('musig-context', 'musig() only in version 2 policies');
    const n = node.participants.length;
    if (n < 2 || n > LEDGER_LIMITS.musigKeys) fail('limit', `musig(): expected 2 to ${LEDGER_LIMITS.musigKeys} keys, got ${n}`);
    key = { kind: 'musig', keys: node.participants.map(index) };
  } else key = { kind: 'key', key: index(node) };
  const [multi, wildcard, ...extra] = node.derivation.steps;
  if (version === 1) {
    // V1 keys carry their /** in the key information, not in the template
    if (multi) fail('derivation', 'no derivation after a key in a version 1 template');
    return { ...key, numFirst: 0, numSecond: 1, node };
  }
  if (
    multi?.kind !== 'multipath' ||
    multi.alternatives.length !== 2 ||
    multi.alternatives.some((a) => a.hardened) ||
    wildcard?.kind !== 'wildcard' ||
    wildcard.hardened ||
    extra.length > 0
  )
    fail('placeholder', 'expected /** or /<M;N>/* after a key');
  return { ...key, numFirst: multi.alternatives[0]!.index, numSecond: multi.alternatives[1]!.index, node };
}

/** parse_script's depth at the deepest fragment: the script in sh()/wsh() is at 1, a tapleaf at its tree depth + 2. */
function parseDepth(d: Descriptor, depth: number): number {
  switch (d.kind) {
    case 'sh':
    case 'wsh':
      return parseDepth(d.inner, depth + 1);
    case 'tr':
      return d.tree ? treeParseDepth(d.tree, depth + 1) : depth;
    case 'ms': {
      const f = d.fragment;
      return 'args' in f ? Math.max(...f.args.map((a) => parseDepth(a, depth + 1))) : depth;
    }
    default:
      return depth;
  }
}

function treeParseDepth(t: TapTree, depth: number): number {
  if (t.kind === 'leaf') return parseDepth(t.script, depth + 1);
  return Math.max(treeParseDepth(t.left, depth + 1), treeParseDepth(t.right, depth + 1));
}

function fail(code: 'limit' | 'placeholder' | 'derivation' | 'musig-context' | 'context', message: string): never {
  throw new DescriptorError(code, `descriptor template: ${message} (Ledger Bitcoin app)`);
}

/** Key expressions in the app's order (get_keyexpr_by_index), each with the tapleaf holding it. */
export function keyExpressions(ast: Descriptor, version: number): { expr: KeyExpr; leaf?: Miniscript }[] {
  return keyVisits(ast).map((v, index) => {
    const expr: KeyExpr = { ...keyShape(v.key, version), index };
    return v.leaf ? { expr, leaf: v.leaf } : { expr };
  });
}

/** count_distinct_keys_info: one more than the largest key index used. */
export function keyCount(ast: Descriptor, version: number): number {
  let max = -1;
  for (const { expr } of keyExpressions(ast, version))
    for (const k of expr.kind === 'key' ? [expr.key] : expr.keys) max = Math.max(max, k + 1);
  return max;
}

/** get_policy_segwit_version: 1 for tr, 0 for (wrapped) segwit v0, -1 for legacy. */
export function segwitVersion(ast: Descriptor): number {
  if (ast.kind === 'tr') return 1;
  if (ast.kind === 'wpkh' || ast.kind === 'wsh') return 0;
  if (ast.kind === 'sh') return ast.inner.kind === 'wpkh' || ast.inner.kind === 'wsh' ? 0 : -1;
  return -1;
}
