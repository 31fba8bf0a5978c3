// The device's own parse of a BIP-388 descriptor template (wallet.c parse_descriptor_template).
// The tree shape matters beyond validity: the order in which the app walks key expressions decides
// the order in which it asks the host for keys, and that order is visible on the wire.
//
// Supported: sh, wsh, pkh, wpkh, tr (with trees), multi, sortedmulti, multi_a, sortedmulti_a,
// musig() inside tr, and the miniscript fragments and wrappers of the app's whitelists. Not
// reproduced: the miniscript type system and its sanity checks (is_miniscript_sane); a template that
// is well formed but not sane miniscript is accepted here where the real app refuses it.

export type KeyExpr =
  | { kind: 'key'; key: number; numFirst: number; numSecond: number; index: number }
  | { kind: 'musig'; keys: number[]; numFirst: number; numSecond: number; index: number };

export type HashKind = 'sha256' | 'hash256' | 'ripemd160' | 'hash160';
export type Wrapper = 'a' | 's' | 'c' | 't' | 'd' | 'v' | 'j' | 'n' | 'l' | 'u';
export type TwoChild = 'and_v' | 'and_b' | 'and_n' | 'or_b' | 'or_c' | 'or_d' | 'or_i';
export type MultiKind = 'multi' | 'sortedmulti' | 'multi_a' | 'sortedmulti_a';

export type PolicyNode =
  | { type: 'pkh' | 'wpkh' | 'pk' | 'pk_k' | 'pk_h'; key: KeyExpr }
  | { type: 'sh' | 'wsh'; inner: PolicyNode }
  | { type: 'tr'; key: KeyExpr; tree?: TapTree }
  | { type: MultiKind; k: number; keys: KeyExpr[] }
  | { type: 'older' | 'after'; n: number }
  | { type: HashKind; hash: Uint8Array }
  | { type: '0' | '1' }
  | { type: 'wrap'; wrapper: Wrapper; inner: PolicyNode }
  | { type: TwoChild; children: [PolicyNode, PolicyNode] }
  | { type: 'andor'; children: [PolicyNode, PolicyNode, PolicyNode] }
  | { type: 'thresh'; k: number; children: PolicyNode[] };

export type TapTree = { leaf: PolicyNode } | { left: TapTree; right: TapTree };

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const MAX_PUBKEYS_PER_MUSIG = 5;
const MAX_PUBKEYS_PER_MULTISIG = 16;
const MAX_TAPTREE_DEPTH = 9;
const MAX_SCRIPT_DEPTH = 10;
const WRAPPERS = new Set('asctdvjnlu');
const HASH_LEN: Record<HashKind, number> = { sha256: 32, hash256: 32, ripemd160: 20, hash160: 20 };

type Context = 'top' | 'sh' | 'wsh' | 'sh-wsh' | 'tap';

class Parser {
  private pos = 0;
  private keyCount = 0;
  constructor(
    private readonly s: string,
    private readonly version: number,
  ) {}

  fail(what: string): never {
    throw new TemplateError(`descriptor template: expected ${what} at offset ${this.pos} of "${this.s}"`);
  }
  peek(): string | undefined {
    return this.s[this.pos];
  }
  eat(text: string): boolean {
    if (this.s.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    return false;
  }
  expect(text: string): void {
    if (!this.eat(text)) this.fail(`"${text}"`);
  }
  done(): boolean {
    return this.pos === this.s.length;
  }

  number(max = 0xffffffff): number {
    const m = /^(0|[1-9]\d*)/.exec(this.s.slice(this.pos));
    if (!m) this.fail('a decimal number');
    const n = Number(m[1]);
    if (n > max) this.fail(`a number at most ${max}`);
    this.pos += m[1]!.length;
    return n;
  }

  keyExpr(taproot: boolean): KeyExpr {
    let expr: { kind: 'key'; key: number } | { kind: 'musig'; keys: number[] };
    if (this.eat('@')) expr = { kind: 'key', key: this.number(0x7fff) };
    else if (this.eat('musig(')) {
      if (!taproot) this.fail('musig() only inside tr()');
      if (this.version !== 2) this.fail('musig() only in version 2 policies');
      const keys: number[] = [];
      for (;;) {
        this.expect('@');
        if (keys.length >= MAX_PUBKEYS_PER_MUSIG) this.fail(`at most ${MAX_PUBKEYS_PER_MUSIG} keys in musig()`);
        keys.push(this.number(0x7fff));
        if (this.eat(')')) break;
        this.expect(',');
      }
      if (keys.length < 2) this.fail('at least 2 keys in musig()');
      expr = { kind: 'musig', keys };
    } else this.fail('a key expression "@i" or "musig(...)"');
    let numFirst = 0;
    let numSecond = 1;
    if (this.version === 2) {
      this.expect('/');
      if (this.eat('**')) {
        /* /** = /<0;1>/* */
      } else if (this.eat('<')) {
        numFirst = this.number(0x80000000);
        this.expect(';');
        numSecond = this.number(0x80000000);
        if (numFirst === numSecond) this.fail('M != N in /<M;N>/*');
        this.expect('>/*');
      } else this.fail('"/**" or "/<M;N>/*"');
    }
    return { ...expr, numFirst, numSecond, index: this.keyCount++ } as KeyExpr;
  }

  script(context: Context, depth: number): PolicyNode {
    if (depth > MAX_SCRIPT_DEPTH) this.fail('a less deeply nested script');
    const miniscript = context === 'wsh' || context === 'tap';
    if (miniscript) {
      const m = /^([a-z]+):/.exec(this.s.slice(this.pos));
      if (m && [...m[1]!].every((c) => WRAPPERS.has(c))) {
        this.pos += m[0].length;
        let node = this.fragment(context, depth);
        for (const w of [...m[1]!].reverse()) node = { type: 'wrap', wrapper: w as Wrapper, inner: node };
        return node;
      }
    }
    return this.fragment(context, depth);
  }

  private fragment(context: Context, depth: number): PolicyNode {
    const m = /^([a-z_0-9]+)/.exec(this.s.slice(this.pos));
    if (!m) this.fail('a script fragment');
    const token = m[1]!;
    this.pos += token.length;
    const taproot = context === 'tap';
    const miniscript = context === 'wsh' || context === 'tap';
    if (token === '0' || token === '1') {
      if (!miniscript) this.fail('0/1 only in miniscript');
      return { type: token };
    }
    this.expect('(');
    let node: PolicyNode;
    switch (token) {
      case 'sh':
        if (context !== 'top') this.fail('sh() only at top level');
        node = { type: 'sh', inner: this.script('sh', depth + 1) };
        if (!['wpkh', 'wsh', 'multi', 'sortedmulti'].includes(node.inner.type)) this.fail('sh(wpkh|wsh|multi|sortedmulti)');
        break;
      case 'wsh':
        if (context !== 'top' && context !== 'sh') this.fail('wsh() at top level or in sh()');
        node = { type: 'wsh', inner: this.script(context === 'sh' ? 'sh-wsh' : 'wsh', depth + 1) };
        if (context === 'sh' && !['multi', 'sortedmulti'].includes(node.inner.type)) this.fail('sh(wsh(multi|sortedmulti))');
        break;
      case 'wpkh':
        if (context !== 'top' && context !== 'sh') this.fail('wpkh() at top level or in sh()');
        node = { type: 'wpkh', key: this.keyExpr(false) };
        break;
      case 'pkh':
        if (context === 'sh' || context === 'sh-wsh') this.fail('no pkh() here');
        node = { type: 'pkh', key: this.keyExpr(taproot) };
        break;
      case 'pk':
      case 'pk_k':
      case 'pk_h':
        if (!miniscript) this.fail(`${token}() only in miniscript`);
        node = { type: token, key: this.keyExpr(taproot) };
        break;
      case 'tr': {
        if (context !== 'top') this.fail('tr() only at top level');
        const key = this.keyExpr(true);
        let tree: TapTree | undefined;
        if (this.eat(',')) tree = this.tree(1);
        node = { type: 'tr', key, ...(tree ? { tree } : {}) };
        break;
      }
      case 'multi':
      case 'sortedmulti':
      case 'multi_a':
      case 'sortedmulti_a': {
        const isA = token.endsWith('_a');
        if (isA !== taproot) this.fail(isA ? `${token}() only in tapscript` : `${token}() not in tapscript`);
        const k = this.number();
        const keys: KeyExpr[] = [];
        while (this.eat(',')) keys.push(this.keyExpr(taproot));
        if (keys.length < 1 || k < 1 || k > keys.length || (!isA && keys.length > MAX_PUBKEYS_PER_MULTISIG))
          this.fail('1 <= k <= n keys');
        node = { type: token, k, keys };
        break;
      }
      case 'older':
      case 'after': {
        if (!miniscript) this.fail(`${token}() only in miniscript`);
        const n = this.number(0x7fffffff);
        if (n < 1) this.fail(`${token}(n) with n >= 1`);
        node = { type: token, n };
        break;
      }
      case 'sha256':
      case 'hash256':
      case 'ripemd160':
      case 'hash160': {
        if (!miniscript) this.fail(`${token}() only in miniscript`);
        const len = HASH_LEN[token];
        const hex = this.s.slice(this.pos, this.pos + 2 * len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== 2 * len) this.fail(`${len} hex bytes`);
        this.pos += 2 * len;
        node = { type: token, hash: Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16))) };
        break;
      }
      case 'and_v':
      case 'and_b':
      case 'and_n':
      case 'or_b':
      case 'or_c':
      case 'or_d':
      case 'or_i': {
        if (!miniscript) this.fail(`${token}() only in miniscript`);
        const x = this.script(context, depth + 1);
        this.expect(',');
        node = { type: token, children: [x, this.script(context, depth + 1)] };
        break;
      }
      case 'andor': {
        if (!miniscript) this.fail('andor() only in miniscript');
        const x = this.script(context, depth + 1);
        this.expect(',');
        const y = this.script(context, depth + 1);
        this.expect(',');
        node = { type: 'andor', children: [x, y, this.script(context, depth + 1)] };
        break;
      }
      case 'thresh': {
        if (!miniscript) this.fail('thresh() only in miniscript');
        const k = this.number();
        const children: PolicyNode[] = [];
        while (this.eat(',')) children.push(this.script(context, depth + 1));
        if (children.length < 1 || k < 1 || k > children.length) this.fail('1 <= k <= n in thresh()');
        node = { type: 'thresh', k, children };
        break;
      }
      default:
        this.fail(`a known fragment, not "${token}"`);
    }
    this.expect(')');
    return node;
  }

  tree(depth: number): TapTree {
    if (depth > MAX_TAPTREE_DEPTH) this.fail(`a taptree at most ${MAX_TAPTREE_DEPTH} deep`);
    if (!this.eat('{')) return { leaf: this.script('tap', depth) };
    const left = this.tree(depth + 1);
    this.expect(',');
    const right = this.tree(depth + 1);
    this.expect('}');
    return { left, right };
  }
}

export function parseTemplate(template: string, version: number): PolicyNode {
  if (version !== 1 && version !== 2) throw new TemplateError(`descriptor template: expected version 1 or 2, got ${version}`);
  const p = new Parser(template, version);
  const node = p.script('top', 0);
  if (!p.done()) p.fail('end of template');
  return node;
}

/** Key expressions in the app's order (get_keyexpr_by_index): tr key first, then the tree left to right. */
export function keyExpressions(node: PolicyNode): { expr: KeyExpr; leaf?: PolicyNode }[] {
  const out: { expr: KeyExpr; leaf?: PolicyNode }[] = [];
  const walk = (n: PolicyNode, leaf: PolicyNode | undefined): void => {
    switch (n.type) {
      case 'pkh':
      case 'wpkh':
      case 'pk':
      case 'pk_k':
      case 'pk_h':
        out.push(leaf ? { expr: n.key, leaf } : { expr: n.key });
        return;
      case 'tr':
        out.push({ expr: n.key });
        if (n.tree) walkTree(n.tree);
        return;
      case 'multi':
      case 'sortedmulti':
      case 'multi_a':
      case 'sortedmulti_a':
        for (const k of n.keys) out.push(leaf ? { expr: k, leaf } : { expr: k });
        return;
      case 'sh':
      case 'wsh':
      case 'wrap':
        walk(n.inner, leaf);
        return;
      case 'and_v':
      case 'and_b':
      case 'and_n':
      case 'or_b':
      case 'or_c':
      case 'or_d':
      case 'or_i':
      case 'andor':
      case 'thresh':
        for (const c of n.children) walk(c, leaf);
        return;
      default:
        return;
    }
  };
  const walkTree = (t: TapTree): void => {
    if ('leaf' in t) walk(t.leaf, t.leaf);
    else {
      walkTree(t.left);
      walkTree(t.right);
    }
  };
  walk(node, undefined);
  return out;
}

/** count_distinct_keys_info: one more than the largest key index used. */
export function keyCount(node: PolicyNode): number {
  let max = -1;
  for (const { expr } of keyExpressions(node))
    for (const k of expr.kind === 'key' ? [expr.key] : expr.keys) max = Math.max(max, k + 1);
  return max;
}

/** get_policy_segwit_version: 1 for tr, 0 for (wrapped) segwit v0, -1 for legacy. */
export function segwitVersion(node: PolicyNode): number {
  if (node.type === 'tr') return 1;
  if (node.type === 'wpkh' || node.type === 'wsh') return 0;
  if (node.type === 'sh') return node.inner.type === 'wpkh' || node.inner.type === 'wsh' ? 0 : -1;
  return -1;
}
