// Miniscript correctness types (BIP-379 "Correctness properties"): the basic type B, V, K or W and
// the properties z (consumes nothing), o (consumes one element), n (nonzero top), d (dissatisfiable)
// and u (leaves exactly 1 on success). An expression is valid when every fragment's argument
// requirements hold and the whole script has type B. Malleability and timelock-mixing analysis
// (the "sane" checks) are not done here.

import type { Miniscript, ScriptContext } from '../descriptor/ast.ts';
import { DescriptorError } from '../errors.ts';

export type BasicType = 'B' | 'V' | 'K' | 'W';

export interface MsType {
  readonly base: BasicType;
  readonly z: boolean;
  readonly o: boolean;
  readonly n: boolean;
  readonly d: boolean;
  readonly u: boolean;
}

const T = (base: BasicType, props: string): MsType => ({
  base,
  z: props.includes('z'),
  o: props.includes('o'),
  n: props.includes('n'),
  d: props.includes('d'),
  u: props.includes('u'),
});

function fail(what: string, expected: string, got: MsType): never {
  throw new DescriptorError('type', `miniscript ${what}: expected ${expected}, got ${describe(got)}`);
}

function describe(t: MsType): string {
  return t.base + (['z', 'o', 'n', 'd', 'u'] as const).filter((p) => t[p]).join('');
}

/** Types a miniscript expression; throws a DescriptorError('type') naming the first violation. */
export function typeOf(m: Miniscript, ctx: ScriptContext): MsType {
  let t = fragmentType(m, ctx);
  for (const w of [...m.wrappers].reverse()) t = wrap(w, t, ctx);
  return t;
}

/** Checks that a whole script (the inside of wsh(), or a tapleaf) is of type B. */
export function checkTopLevel(m: Miniscript, ctx: ScriptContext): MsType {
  const t = typeOf(m, ctx);
  if (t.base !== 'B') fail('at top level', 'type B', t);
  return t;
}

function wrap(w: string, x: MsType, ctx: ScriptContext): MsType {
  switch (w) {
    case 'a':
      if (x.base !== 'B') fail('a: wrapper', 'a B child', x);
      return { base: 'W', z: false, o: false, n: false, d: x.d, u: x.u };
    case 's':
      if (x.base !== 'B' || !x.o) fail('s: wrapper', 'a Bo child', x);
      return { base: 'W', z: false, o: false, n: false, d: x.d, u: x.u };
    case 'c':
      if (x.base !== 'K') fail('c: wrapper', 'a K child', x);
      return { base: 'B', z: false, o: x.o, n: x.n, d: x.d, u: true };
    case 't':
      return andV(x, T('B', 'zu'));
    case 'd':
      if (x.base !== 'V' || !x.z) fail('d: wrapper', 'a Vz child', x);
      // MINIMALIF makes the IF argument exactly 0 or 1 in tapscript, so d: is unit there (BIP-379).
      return { base: 'B', z: false, o: true, n: true, d: true, u: ctx === 'tapscript' };
    case 'v':
      if (x.base !== 'B') fail('v: wrapper', 'a B child', x);
      return { base: 'V', z: x.z, o: x.o, n: x.n, d: false, u: false };
    case 'j':
      if (x.base !== 'B' || !x.n) fail('j: wrapper', 'a Bn child', x);
      return { base: 'B', z: false, o: x.o, n: true, d: true, u: x.u };
    case 'n':
      if (x.base !== 'B') fail('n: wrapper', 'a B child', x);
      return { base: 'B', z: x.z, o: x.o, n: x.n, d: x.d, u: true };
    case 'l':
      return orI(T('B', 'zud'), x);
    case 'u':
      return orI(x, T('B', 'zud'));
    default:
      throw new DescriptorError('syntax', `miniscript: unknown wrapper "${w}:"`);
  }
}

function andV(x: MsType, y: MsType): MsType {
  if (x.base !== 'V') fail('and_v first argument', 'type V', x);
  if (y.base === 'W') fail('and_v second argument', 'type B, K or V', y);
  return { base: y.base, z: x.z && y.z, o: (x.z && y.o) || (x.o && y.z), n: x.n || (x.z && y.n), d: false, u: y.u };
}

function orI(x: MsType, z: MsType): MsType {
  if (x.base !== z.base || x.base === 'W') fail('or_i arguments', 'both B, both K or both V', x.base === 'W' ? x : z);
  return { base: x.base, z: false, o: x.z && z.z, n: false, d: x.d || z.d, u: x.u && z.u };
}

function andor(x: MsType, y: MsType, z: MsType): MsType {
  if (x.base !== 'B' || !x.d || !x.u) fail('andor first argument', 'type Bdu', x);
  if (y.base !== z.base || y.base === 'W') fail('andor second and third arguments', 'both B, both K or both V', z);
  return {
    base: y.base,
    z: x.z && y.z && z.z,
    o: (x.z && y.o && z.o) || (x.o && y.z && z.z),
    n: false,
    d: x.d && z.d,
    u: y.u && z.u,
  };
}

function fragmentType(m: Miniscript, ctx: ScriptContext): MsType {
  const f = m.fragment;
  switch (f.name) {
    case '0':
      return T('B', 'zud');
    case '1':
      return T('B', 'zu');
    case 'pk_k':
      return T('K', 'ondu');
    case 'pk_h':
      return T('K', 'ndu');
    case 'pk':
      return T('B', 'ondu');
    case 'pkh':
      return T('B', 'ndu');
    case 'older':
    case 'after':
      return T('B', 'z');
    case 'sha256':
    case 'hash256':
    case 'ripemd160':
    case 'hash160':
      return T('B', 'ondu');
    case 'multi':
    case 'sortedmulti':
      return T('B', 'ndu');
    case 'multi_a':
    case 'sortedmulti_a':
      return T('B', 'du');
    case 'andor':
      return andor(typeOf(f.args[0], ctx), typeOf(f.args[1], ctx), typeOf(f.args[2], ctx));
    case 'and_n':
      return andor(typeOf(f.args[0], ctx), typeOf(f.args[1], ctx), T('B', 'zud'));
    case 'and_v':
      return andV(typeOf(f.args[0], ctx), typeOf(f.args[1], ctx));
    case 'and_b': {
      const [x, y] = [typeOf(f.args[0], ctx), typeOf(f.args[1], ctx)];
      if (x.base !== 'B') fail('and_b first argument', 'type B', x);
      if (y.base !== 'W') fail('and_b second argument', 'type W', y);
      return { base: 'B', z: x.z && y.z, o: (x.z && y.o) || (x.o && y.z), n: x.n || (x.z && y.n), d: x.d && y.d, u: true };
    }
    case 'or_b': {
      const [x, z] = [typeOf(f.args[0], ctx), typeOf(f.args[1], ctx)];
      if (x.base !== 'B' || !x.d) fail('or_b first argument', 'type Bd', x);
      if (z.base !== 'W' || !z.d) fail('or_b second argument', 'type Wd', z);
      return { base: 'B', z: x.z && z.z, o: (x.z && z.o) || (x.o && z.z), n: false, d: true, u: true };
    }
    case 'or_c': {
      const [x, z] = [typeOf(f.args[0], ctx), typeOf(f.args[1], ctx)];
      if (x.base !== 'B' || !x.d || !x.u) fail('or_c first argument', 'type Bdu', x);
      if (z.base !== 'V') fail('or_c second argument', 'type V', z);
      return { base: 'V', z: x.z && z.z, o: x.o && z.z, n: false, d: false, u: false };
    }
    case 'or_d': {
      const [x, z] = [typeOf(f.args[0], ctx), typeOf(f.args[1], ctx)];
      if (x.base !== 'B' || !x.d || !x.u) fail('or_d first argument', 'type Bdu', x);
      if (z.base !== 'B') fail('or_d second argument', 'type B', z);
      return { base: 'B', z: x.z && z.z, o: x.o && z.z, n: false, d: z.d, u: z.u };
    }
    case 'or_i':
      return orI(typeOf(f.args[0], ctx), typeOf(f.args[1], ctx));
    case 'thresh': {
      const types = f.args.map((a) => typeOf(a, ctx));
      types.forEach((t, i) => {
        const base = i === 0 ? 'B' : 'W';
        if (t.base !== base || !t.d || !t.u) fail(`thresh argument ${i + 1}`, `type ${base}du`, t);
      });
      const zs = types.filter((t) => t.z).length;
      const os = types.filter((t) => !t.z && t.o).length;
      return { base: 'B', z: zs === types.length, o: zs === types.length - 1 && os === 1, n: false, d: true, u: true };
    }
  }
}
