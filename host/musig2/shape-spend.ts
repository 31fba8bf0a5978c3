// The spending side of the multisig shapes (bitcoin/shapes, issue 5) for asset script keys and
// group keys: pick a spending path of a compiled shape, run the signers it needs, and build the
// final BIP-341 witness. N-of-N and MuSig2 leaves go through the MuSig2 orchestrator (key path:
// the aggregate plus the taptweak; leaf: the aggregate untweaked); a single-key leaf, the
// CHECKSIGADD fallback and the recovery leaf take plain BIP-340 signatures over the leaf's
// sighash. Script paths end with the leaf script and its control block.

import { equal, toHex } from '../../apdu/bytes.ts';
import type { MusigKeyContext } from '../../bitcoin/musig/context.ts';
import type { ShapeOutput } from '../../bitcoin/shapes/output.ts';
import type { KeyUse, ShapeLeaf, ShapePlan } from '../../bitcoin/shapes/plan.ts';
import { controlBlock, type TapLeafInfo } from '../../bitcoin/taptree.ts';
import { runMusigSession } from './session.ts';
import type { MusigSigner, SchnorrSigner } from './signer.ts';
import { HostError } from '../errors.ts';

/** A spending path, by the plan's key numbers (signers 0..n-1, then recovery keys). */
export type ShapeSpendPath =
  | { readonly kind: 'key-path' }
  /** The MuSig2 leaf (or single-key leaf) of exactly these keys. */
  | { readonly kind: 'leaf'; readonly keys: readonly number[] }
  /** The CHECKSIGADD fallback, signed by these k signers. */
  | { readonly kind: 'checksigadd'; readonly keys: readonly number[] }
  /** The timelocked recovery leaf, signed by these k recovery keys. */
  | { readonly kind: 'recovery'; readonly keys: readonly number[] };

export interface ShapeSpendArgs {
  plan: ShapePlan;
  /** The plan compiled with keys (bitcoin/shapes shapeOutput, static mode for asset keys). */
  output: ShapeOutput;
  /** Public keys of keys 0..keyCount-1 (33 bytes), as passed to shapeOutput. */
  keys: readonly Uint8Array[];
  path: ShapeSpendPath;
  /** BIP-341 sighash of the spend: key path without `leaf`, script path with it. */
  sighash: (leaf?: { script: Uint8Array; version: number }) => Uint8Array;
  /** Signers to draw from, matched by public key; a SoftwareSigner serves both kinds. */
  signers: readonly (MusigSigner | SchnorrSigner)[];
}

export interface ShapeSpend {
  /** The witness stack: [sig] for the key path, [sigs..., script, control block] for a leaf. */
  witness: Uint8Array[];
  leaf?: TapLeafInfo;
}

const isMusig = (s: MusigSigner | SchnorrSigner): s is MusigSigner => 'round1' in s;
const isSchnorr = (s: MusigSigner | SchnorrSigner): s is SchnorrSigner => 'signSchnorr' in s;
const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

function leafKeys(l: ShapeLeaf): number[] {
  const of = (k: KeyUse): number[] => (k.kind === 'key' ? [k.key] : k.kind === 'musig' ? [...k.keys] : []);
  return l.kind === 'pk' ? of(l.key) : l.keys.flatMap(of);
}

/** Every spending path of a plan, once each: the key path if it is not NUMS, each leaf with a minimal signer set. */
export function shapeSpendPaths(plan: ShapePlan): ShapeSpendPath[] {
  const out: ShapeSpendPath[] = plan.internal.kind === 'nums' ? [] : [{ kind: 'key-path' }];
  for (const l of plan.leaves) {
    const keys = leafKeys(l);
    if (l.kind === 'pk') out.push({ kind: 'leaf', keys });
    else out.push({ kind: l.kind, keys: keys.slice(0, l.k) });
  }
  return out;
}

function findLeaf(plan: ShapePlan, path: Exclude<ShapeSpendPath, { kind: 'key-path' }>): number {
  const i = plan.leaves.findIndex((l) =>
    path.kind === 'leaf' ? l.kind === 'pk' && sameSet(leafKeys(l), path.keys) : l.kind === path.kind,
  );
  if (i < 0) throw new HostError('E_MUSIG_SESSION', `shape spend: the plan has no ${path.kind} leaf${path.kind === 'leaf' ? ` for keys {${path.keys.join(',')}}` : ''}`);
  return i;
}

async function musigSign(ctx: MusigKeyContext, message: Uint8Array, args: ShapeSpendArgs): Promise<Uint8Array> {
  const pool = args.signers.filter(isMusig).filter((s) => ctx.participants.some((p) => equal(p, s.publicKey)));
  return (await runMusigSession(ctx, message, pool)).signature;
}

function schnorrSigner(args: ShapeSpendArgs, key: number): SchnorrSigner {
  const x = args.keys[key]!.subarray(1);
  const s = args.signers.filter(isSchnorr).find((c) => equal(c.xOnlyPublicKey, x));
  if (!s) throw new HostError('E_MUSIG_SESSION', `shape spend: expected a signer for key ${key} (${toHex(x)}), got none`);
  return s;
}

export async function spendShape(args: ShapeSpendArgs): Promise<ShapeSpend> {
  const { plan, output, path } = args;
  if (args.keys.length !== plan.keyCount) throw new HostError('E_MUSIG_SESSION', `shape spend: expected ${plan.keyCount} keys, got ${args.keys.length}`);
  if (path.kind === 'key-path') {
    const ctx = output.musig.find((c) => c.leafHash === undefined);
    if (plan.internal.kind === 'nums') throw new HostError('E_MUSIG_SESSION', 'shape spend: the key path is a NUMS key, provably unspendable: choose a leaf');
    const message = args.sighash();
    if (ctx) return { witness: [await musigSign(ctx, message, args)] };
    // A single signer: the internal key itself, tweaked by the tree (a 1-of-1 "shape").
    throw new HostError('E_MUSIG_SESSION', 'shape spend: a single-key key path is a plain taproot key spend, not a shape; sign it directly');
  }
  const index = findLeaf(plan, path);
  const l = plan.leaves[index]!;
  const leaf = output.tree!.leaves[index]!;
  const message = args.sighash({ script: leaf.script, version: leaf.version });
  const tail = [leaf.script, controlBlock(output.output, leaf)];
  if (l.kind === 'pk') {
    if (l.key.kind === 'musig') {
      const ctx = output.musig.find((c) => c.leafHash !== undefined && equal(c.leafHash, leaf.leafHash));
      if (!ctx) throw new HostError('E_MUSIG_SESSION', `shape spend: no MuSig2 context for leaf ${index}`);
      return { witness: [await musigSign(ctx, message, args), ...tail], leaf };
    }
    return { witness: [await schnorrSigner(args, leafKeys(l)[0]!).signSchnorr(message), ...tail], leaf };
  }
  // CHECKSIGADD: `x0 CHECKSIG x1 CHECKSIGADD ...`; key i's signature (empty if it does not sign)
  // sits at stack depth i, so the witness lists them last key first.
  const keys = leafKeys(l);
  if (path.keys.length !== l.k || !path.keys.every((k) => keys.includes(k)))
    throw new HostError('E_MUSIG_SESSION', `shape spend: the ${l.kind} leaf needs exactly ${l.k} of keys {${keys.join(',')}}, got {${path.keys.join(',')}}`);
  const sigs: Uint8Array[] = [];
  for (const k of keys) sigs.push(path.keys.includes(k) ? await schnorrSigner(args, k).signSchnorr(message) : new Uint8Array());
  return { witness: [...sigs.reverse(), ...tail], leaf };
}
