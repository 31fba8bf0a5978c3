// The syntax tree of output descriptors (BIP-380..386, 390) and of BIP-388 wallet-policy templates,
// which are descriptors whose keys are placeholders `@i`. One tree serves both, so that expanding a
// template into its descriptor is a print of the same tree with the placeholders replaced.

import type { KeyOrigin } from '../key-info.ts';

export interface ChildIndex {
  readonly index: number;
  readonly hardened: boolean;
}

/** One `/step` after a key: a number, a BIP-389 multipath `<a;b;...>`, or the wildcard `*`. */
export type DerivationStep =
  | ({ readonly kind: 'index' } & ChildIndex)
  | { readonly kind: 'multipath'; readonly alternatives: readonly ChildIndex[] }
  | { readonly kind: 'wildcard'; readonly hardened: boolean };

export interface Derivation {
  readonly steps: readonly DerivationStep[];
  /** Written as BIP-388's `/**`, which means `/<0;1>/*`. */
  readonly shorthand: boolean;
}

export type KeyExpr =
  | { readonly kind: 'placeholder'; readonly index: number; readonly derivation: Derivation }
  | {
      readonly kind: 'literal';
      readonly origin: KeyOrigin | undefined;
      /** The key as written: hex pubkey (33 or 32 bytes), WIF private key, or xpub/tpub. */
      readonly text: string;
      readonly derivation: Derivation;
    }
  | { readonly kind: 'musig'; readonly participants: readonly KeyExpr[]; readonly derivation: Derivation };

export type HashFragmentName = 'sha256' | 'hash256' | 'ripemd160' | 'hash160';
export type BinaryFragmentName = 'and_v' | 'and_b' | 'and_n' | 'or_b' | 'or_c' | 'or_d' | 'or_i';
export type MultiFragmentName = 'multi' | 'sortedmulti' | 'multi_a' | 'sortedmulti_a';
export type KeyFragmentName = 'pk_k' | 'pk_h' | 'pk' | 'pkh';

export type Fragment =
  | { readonly name: '0' | '1' }
  | { readonly name: KeyFragmentName; readonly key: KeyExpr }
  | { readonly name: 'older' | 'after'; readonly value: number }
  | { readonly name: HashFragmentName; readonly hash: Uint8Array }
  | { readonly name: BinaryFragmentName; readonly args: readonly [Miniscript, Miniscript] }
  | { readonly name: 'andor'; readonly args: readonly [Miniscript, Miniscript, Miniscript] }
  | { readonly name: 'thresh'; readonly k: number; readonly args: readonly Miniscript[] }
  | { readonly name: MultiFragmentName; readonly k: number; readonly keys: readonly KeyExpr[] };

/** A miniscript expression (also multi/sortedmulti and top-level pkh/pk, which share its scripts). */
export interface Miniscript {
  readonly kind: 'ms';
  /** Wrapper letters as written before the colon, outermost first (`sln` in `sln:older(1)`). */
  readonly wrappers: string;
  readonly fragment: Fragment;
}

export type TapTree =
  | { readonly kind: 'leaf'; readonly script: Miniscript }
  | { readonly kind: 'branch'; readonly left: TapTree; readonly right: TapTree };

export type Descriptor =
  | { readonly kind: 'sh'; readonly inner: Descriptor }
  | { readonly kind: 'wsh'; readonly inner: Descriptor }
  | { readonly kind: 'wpkh'; readonly key: KeyExpr }
  | { readonly kind: 'tr'; readonly internal: KeyExpr; readonly tree: TapTree | undefined }
  | { readonly kind: 'rawtr'; readonly key: KeyExpr }
  | Miniscript;

/** Where a script sits, which decides the key format and the fragments allowed (BIP-379 contexts). */
export type ScriptContext = 'legacy' | 'p2wsh' | 'tapscript';
