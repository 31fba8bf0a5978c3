// Recursive-descent parser for output descriptors (BIP-380..386, miniscript BIP-379, musig() BIP-390)
// and BIP-388 wallet-policy templates. It checks what depends only on where a fragment sits:
// which fragments each context admits (as the Ledger app's doc/wallet.md lists them), key formats
// per context, and the musig() derivation rules. Placeholder numbering and miniscript types are
// checked by template.ts and miniscript/type.ts.

import type {
  ChildIndex,
  Derivation,
  DerivationStep,
  Descriptor,
  Fragment,
  KeyExpr,
  Miniscript,
  ScriptContext,
  TapTree,
} from './ast.ts';
import { DescriptorError, type DescriptorRule } from '../errors.ts';
import { parseKeyOrigin, type KeyOrigin } from '../key-info.ts';
import { stripChecksum } from './checksum.ts';
import { fromHex } from '../../apdu/bytes.ts';
import { checkTopLevel, typeOf } from '../miniscript/type.ts';

export type ParseMode = 'template' | 'descriptor';

export interface ParseOptions {
  /**
   * Whether the script inside wsh() and each tapleaf must be of type B (BIP-379); on by default. The
   * arguments of every fragment are type-checked either way. Off for a signer that checks the top
   * level later and refuses it with its own status, as the Ledger app does (is_miniscript_sane).
   */
  readonly topLevelType?: boolean;
}

/** BIP-341: a control block holds at most 128 branch hashes. */
export const MAX_TAPTREE_DEPTH = 128;
const MAX_INDEX = 0x7fffffff;
const WRAPPERS = 'asctdvjnlu';
const HARDENED_MARKS = "'hH";

/** Parses a BIP-388 template such as `tr(musig(@0,@1)/**,pk(@2/**))`. */
export function parseTemplate(text: string, options: ParseOptions = {}): Descriptor {
  return new Parser(text, 'template', options).parse();
}

/** Parses an output descriptor with concrete keys, with or without its `#checksum`. */
export function parseDescriptor(text: string): Descriptor {
  return new Parser(stripChecksum(text), 'descriptor', {}).parse();
}

type KeyContext = 'legacy' | 'segwit' | 'taproot';

class Parser {
  private pos = 0;
  private readonly checkScript: typeof checkTopLevel;

  constructor(
    private readonly text: string,
    private readonly mode: ParseMode,
    options: ParseOptions,
  ) {
    if (typeof text !== 'string') throw new DescriptorError('syntax', `descriptor: expected a string, got ${typeof text}`);
    this.checkScript = options.topLevelType === false ? typeOf : checkTopLevel;
  }

  parse(): Descriptor {
    const out = this.top();
    if (this.pos !== this.text.length) this.fail('syntax', `expected end of ${this.mode}, got "${this.rest()}"`);
    return out;
  }

  private fail(rule: DescriptorRule, message: string): never {
    throw new DescriptorError(rule, `${message} (at position ${this.pos} of ${this.mode} "${this.text}")`);
  }

  private rest(): string {
    const r = this.text.slice(this.pos);
    return r.length > 24 ? `${r.slice(0, 24)}...` : r;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private eat(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  private expect(s: string, what: string): void {
    if (!this.eat(s)) this.fail('syntax', `expected "${s}" ${what}, got "${this.rest()}"`);
  }

  private word(): string {
    const m = /^[a-z0-9_]*/.exec(this.text.slice(this.pos))!;
    this.pos += m[0].length;
    return m[0];
  }

  private number(what: string, max = MAX_INDEX): number {
    const m = /^[0-9]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('syntax', `expected a decimal number for ${what}, got "${this.rest()}"`);
    const digits = m[0];
    if (digits.length > 1 && digits[0] === '0') this.fail('number', `${what}: expected no leading zeros, got ${digits}`);
    const n = Number(digits);
    if (!Number.isSafeInteger(n) || n > max) this.fail('number', `${what}: expected at most ${max}, got ${digits}`);
    this.pos += digits.length;
    return n;
  }

  private top(): Descriptor {
    const start = this.pos;
    const name = this.word();
    if (this.peek() === ':') this.fail('context', `miniscript must be inside wsh() or tr(), got "${name}:" at top level`);
    switch (name) {
      case 'sh': {
        this.expect('(', 'after sh');
        const inner = this.shInner();
        this.expect(')', 'to close sh(');
        return { kind: 'sh', inner };
      }
      case 'wsh':
        return this.wsh();
      case 'wpkh':
        return { kind: 'wpkh', key: this.keyArg('wpkh', 'segwit') };
      case 'pkh':
        return { kind: 'ms', wrappers: '', fragment: { name: 'pkh', key: this.keyArg('pkh', 'legacy') } };
      case 'tr':
        return this.tr();
      case 'rawtr':
        this.descriptorOnly(name);
        return { kind: 'rawtr', key: this.keyArg('rawtr', 'taproot') };
      case 'pk':
        this.descriptorOnly(name);
        return { kind: 'ms', wrappers: '', fragment: { name: 'pk', key: this.keyArg('pk', 'legacy') } };
      case 'multi':
      case 'sortedmulti':
        this.descriptorOnly(name);
        this.pos = start;
        return this.miniscript('legacy', true);
      case 'combo':
        this.keyArg('combo', 'legacy');
        this.fail('unsupported', 'combo() describes several scripts at once and is not supported');
      default:
        this.pos = start;
        return this.fail(
          KNOWN_FRAGMENTS.has(name) ? 'context' : 'unknown-fragment',
          KNOWN_FRAGMENTS.has(name)
            ? `${name}() is not allowed at top level: expected sh, wsh, pkh, wpkh or tr`
            : `expected a script expression (sh, wsh, pkh, wpkh, tr), got "${this.rest()}"`,
        );
    }
  }

  private descriptorOnly(name: string): void {
    if (this.mode === 'template') this.fail('context', `${name}() at top level is not part of wallet policies (BIP-388)`);
  }

  private shInner(): Descriptor {
    const start = this.pos;
    const name = this.word();
    switch (name) {
      case 'wpkh':
        return { kind: 'wpkh', key: this.keyArg('wpkh', 'segwit') };
      case 'wsh':
        return this.wsh();
      case 'multi':
      case 'sortedmulti':
        this.pos = start;
        return this.miniscript('legacy', true);
      default:
        this.pos = start;
        return this.fail(
          name === 'musig' ? 'musig-context' : 'context',
          name === 'musig'
            ? 'musig() is only allowed inside tr() or rawtr() (BIP-390)'
            : `inside sh() expected wpkh, wsh, multi or sortedmulti, got "${this.rest()}"`,
        );
    }
  }

  private wsh(): Descriptor {
    this.expect('(', 'after wsh');
    const inner = this.miniscript('p2wsh', true);
    this.checkScript(inner, 'p2wsh');
    this.expect(')', 'to close wsh(');
    return { kind: 'wsh', inner };
  }

  private tr(): Descriptor {
    this.expect('(', 'after tr');
    const internal = this.key('taproot');
    let tree: TapTree | undefined;
    if (this.eat(',')) tree = this.tree(0);
    this.expect(')', 'to close tr(');
    return { kind: 'tr', internal, tree };
  }

  private tree(depth: number): TapTree {
    if (this.eat('{')) {
      if (depth + 1 > MAX_TAPTREE_DEPTH)
        this.fail('limit', `taptree: expected depth at most ${MAX_TAPTREE_DEPTH} (BIP-341)`);
      const left = this.tree(depth + 1);
      this.expect(',', 'between the two branches of {..}');
      const right = this.tree(depth + 1);
      this.expect('}', 'to close {');
      return { kind: 'branch', left, right };
    }
    const script = this.miniscript('tapscript', true);
    this.checkScript(script, 'tapscript');
    return { kind: 'leaf', script };
  }

  private keyArg(fn: string, ctx: KeyContext): KeyExpr {
    this.expect('(', `after ${fn}`);
    const key = this.key(ctx);
    this.expect(')', `to close ${fn}(`);
    return key;
  }

  private miniscript(ctx: ScriptContext, root: boolean): Miniscript {
    let name = this.word();
    let wrappers = '';
    if (this.eat(':')) {
      wrappers = name;
      for (const w of wrappers)
        if (!WRAPPERS.includes(w)) this.fail('syntax', `expected wrapper letters from "${WRAPPERS}", got "${wrappers}:"`);
      if (!wrappers) this.fail('syntax', 'expected wrapper letters before ":"');
      name = this.word();
    }
    const fragment = this.fragment(name, ctx, root && !wrappers);
    return { kind: 'ms', wrappers, fragment };
  }

  private fragment(name: string, ctx: ScriptContext, bare: boolean): Fragment {
    const keyCtx: KeyContext = ctx === 'tapscript' ? 'taproot' : ctx === 'p2wsh' ? 'segwit' : 'legacy';
    const where = ctx === 'tapscript' ? 'a tapscript leaf' : ctx === 'p2wsh' ? 'wsh()' : 'sh()';
    switch (name) {
      case '0':
      case '1':
        return { name };
      case 'pk_k':
      case 'pk_h':
      case 'pk':
      case 'pkh':
        return { name, key: this.keyArg(name, keyCtx) };
      case 'older':
      case 'after': {
        this.expect('(', `after ${name}`);
        const value = this.number(`${name}()`);
        if (value < 1) this.fail('number', `${name}(): expected 1 <= n < 2^31, got ${value}`);
        this.expect(')', `to close ${name}(`);
        return { name, value };
      }
      case 'sha256':
      case 'hash256':
      case 'ripemd160':
      case 'hash160': {
        this.expect('(', `after ${name}`);
        const size = name === 'sha256' || name === 'hash256' ? 32 : 20;
        const m = /^[0-9a-fA-F]*/.exec(this.text.slice(this.pos))!;
        if (m[0].length !== size * 2) this.fail('syntax', `${name}(): expected ${size * 2} hex digits, got "${m[0]}"`);
        this.pos += m[0].length;
        this.expect(')', `to close ${name}(`);
        return { name, hash: fromHex(m[0]) };
      }
      case 'and_v':
      case 'and_b':
      case 'and_n':
      case 'or_b':
      case 'or_c':
      case 'or_d':
      case 'or_i': {
        this.expect('(', `after ${name}`);
        const a = this.miniscript(ctx, false);
        this.expect(',', `between the arguments of ${name}`);
        const b = this.miniscript(ctx, false);
        this.expect(')', `to close ${name}(`);
        return { name, args: [a, b] };
      }
      case 'andor': {
        this.expect('(', 'after andor');
        const a = this.miniscript(ctx, false);
        this.expect(',', 'between the arguments of andor');
        const b = this.miniscript(ctx, false);
        this.expect(',', 'between the arguments of andor');
        const c = this.miniscript(ctx, false);
        this.expect(')', 'to close andor(');
        return { name, args: [a, b, c] };
      }
      case 'thresh': {
        this.expect('(', 'after thresh');
        const k = this.number('thresh k');
        const args: Miniscript[] = [];
        while (this.eat(',')) args.push(this.miniscript(ctx, false));
        this.expect(')', 'to close thresh(');
        if (k < 1 || k > args.length) this.fail('number', `thresh: expected 1 <= k <= ${args.length}, got ${k}`);
        return { name, k, args };
      }
      case 'multi':
      case 'sortedmulti':
      case 'multi_a':
      case 'sortedmulti_a': {
        const tapOnly = name.endsWith('_a');
        if (tapOnly !== (ctx === 'tapscript'))
          this.fail('context', `${name}() is not allowed in ${where}: ${tapOnly ? 'only inside tr()' : 'not inside tr()'}`);
        if (name.startsWith('sorted') && !bare)
          this.fail('context', `${name}() must be the whole script, not part of a miniscript expression`);
        this.expect('(', `after ${name}`);
        const k = this.number(`${name} k`);
        const keys: KeyExpr[] = [];
        while (this.eat(',')) keys.push(this.key(keyCtx));
        this.expect(')', `to close ${name}(`);
        const max = tapOnly ? 999 : 20;
        if (keys.length < 1 || keys.length > max)
          this.fail('number', `${name}: expected 1 to ${max} keys, got ${keys.length}`);
        if (k < 1 || k > keys.length) this.fail('number', `${name}: expected 1 <= k <= ${keys.length}, got ${k}`);
        return { name, k, keys };
      }
      case 'musig':
        return ctx === 'tapscript'
          ? this.fail('context', 'musig() is a key expression: use it inside pk(), not as a script')
          : this.fail('musig-context', `musig() is only allowed inside tr() or rawtr(), not in ${where} (BIP-390)`);
      default:
        if (KNOWN_FRAGMENTS.has(name)) this.fail('context', `${name}() is not allowed in ${where}`);
        return this.fail('unknown-fragment', `expected a miniscript fragment in ${where}, got "${name || this.rest()}"`);
    }
  }

  private key(ctx: KeyContext, inMusig = false): KeyExpr {
    if (this.eat('@')) {
      if (this.mode === 'descriptor') this.fail('syntax', 'key placeholders @i only appear in wallet-policy templates');
      const index = this.number('key placeholder index');
      return { kind: 'placeholder', index, derivation: this.derivation() };
    }
    if (this.eat('musig(')) {
      if (ctx !== 'taproot') this.fail('musig-context', 'musig() is only allowed inside tr() or rawtr() (BIP-390)');
      if (inMusig) this.fail('musig-context', 'musig() cannot be nested inside musig()');
      const participants: KeyExpr[] = [this.key(ctx, true)];
      while (this.eat(',')) participants.push(this.key(ctx, true));
      this.expect(')', 'to close musig(');
      const out: KeyExpr = { kind: 'musig', participants, derivation: this.derivation() };
      this.checkMusig(out);
      return out;
    }
    let origin: KeyOrigin | undefined;
    if (this.eat('[')) {
      const end = this.text.indexOf(']', this.pos);
      if (end < 0) this.fail('syntax', 'expected "]" to close the key origin');
      try {
        origin = parseKeyOrigin(this.text.slice(this.pos, end).replace(/[hH]/g, "'"));
      } catch (e) {
        this.fail('key', (e as Error).message);
      }
      this.pos = end + 1;
    }
    const m = /^[0-9A-Za-z]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('syntax', `expected a key, got "${this.rest()}"`);
    if (this.mode === 'template')
      this.fail('key-not-placeholder', `expected a key placeholder @i in a wallet policy, got the key "${m[0]}"`);
    this.pos += m[0].length;
    const text = m[0];
    this.checkLiteralKey(text, ctx);
    return { kind: 'literal', origin, text, derivation: this.derivation() };
  }

  private checkLiteralKey(text: string, ctx: KeyContext): void {
    const isHex = /^[0-9a-fA-F]+$/.test(text);
    if (isHex && text.length === 64 && ctx !== 'taproot')
      this.fail('key', `x-only public keys are only allowed inside tr(), got "${text}"`);
    if (isHex && text.length === 130 && ctx !== 'legacy')
      this.fail('key', `uncompressed public keys are not allowed in segwit or taproot, got "${text.slice(0, 16)}..."`);
    if (isHex && ![64, 66, 130].includes(text.length))
      this.fail('key', `expected a 33-byte, 32-byte or 65-byte hex public key, got ${text.length} hex digits`);
  }

  /** BIP-388 forbids derivation before aggregation; BIP-390 restricts the mix of both. */
  private checkMusig(key: Extract<KeyExpr, { kind: 'musig' }>): void {
    const ranged = key.derivation.steps.length > 0;
    for (const p of key.participants) {
      const pSteps = p.derivation.steps;
      if (this.mode === 'template') {
        if (pSteps.length)
          this.fail('musig-derivation', 'derivation before aggregation (musig(@0/**,...)) is not allowed in wallet policies (BIP-388)');
        continue;
      }
      if (!ranged) continue;
      if (p.kind !== 'literal' || !/^[xt]pub/.test(p.text))
        this.fail('musig-derivation', 'musig() with derivation steps requires all participants to be xpubs (BIP-390)');
      if (pSteps.some((s) => s.kind !== 'index'))
        this.fail('musig-derivation', 'musig() with derivation steps cannot have ranged or multipath participants (BIP-390)');
    }
    for (const s of key.derivation.steps)
      if ((s.kind === 'multipath' && s.alternatives.some((a) => a.hardened)) || (s.kind !== 'multipath' && s.hardened))
        this.fail('musig-derivation', 'musig() cannot be followed by hardened derivation (BIP-390)');
  }

  private derivation(): Derivation {
    const steps: DerivationStep[] = [];
    let shorthand = false;
    while (this.peek() === '/') {
      if (steps.at(-1)?.kind === 'wildcard') this.fail('derivation', 'expected nothing after the wildcard /*');
      if (this.eat('/**')) {
        if (this.mode === 'descriptor') this.fail('derivation', '/** is wallet-policy shorthand, not descriptor syntax');
        if (steps.length) this.fail('placeholder', 'expected /** right after the key placeholder, with no explicit path (BIP-388)');
        steps.push({ kind: 'multipath', alternatives: [u(0), u(1)] }, { kind: 'wildcard', hardened: false });
        shorthand = true;
        continue;
      }
      this.pos++;
      if (this.eat('<')) {
        if (steps.some((s) => s.kind === 'multipath')) this.fail('derivation', 'expected at most one <..;..> per key (BIP-389)');
        const alternatives: ChildIndex[] = [this.childIndex()];
        while (this.eat(';')) alternatives.push(this.childIndex());
        this.expect('>', 'to close <..;..>');
        if (alternatives.length < 2) this.fail('derivation', 'expected at least two alternatives in <..;..> (BIP-389)');
        const seen = new Set(alternatives.map((a) => a.index + (a.hardened ? MAX_INDEX + 1 : 0)));
        if (seen.size !== alternatives.length) this.fail('derivation', 'expected distinct numbers in <..;..> (BIP-389)');
        steps.push({ kind: 'multipath', alternatives });
      } else if (this.eat('*')) {
        steps.push({ kind: 'wildcard', hardened: this.hardenedMark() });
      } else {
        steps.push({ kind: 'index', ...this.childIndex() });
      }
    }
    return { steps, shorthand };
  }

  private childIndex(): ChildIndex {
    const index = this.number('derivation step');
    return { index, hardened: this.hardenedMark() };
  }

  private hardenedMark(): boolean {
    const c = this.peek();
    if (c !== undefined && HARDENED_MARKS.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }
}

function u(index: number): ChildIndex {
  return { index, hardened: false };
}

const KNOWN_FRAGMENTS = new Set([
  'sh', 'wsh', 'pkh', 'wpkh', 'tr', 'rawtr', 'pk', 'combo', 'addr', 'raw', 'musig',
  'multi', 'sortedmulti', 'multi_a', 'sortedmulti_a', 'pk_k', 'pk_h', 'older', 'after',
  'sha256', 'hash256', 'ripemd160', 'hash160', 'andor', 'and_v', 'and_b', 'and_n',
  'or_b', 'or_c', 'or_d', 'or_i', 'thresh', '0', '1',
]);
