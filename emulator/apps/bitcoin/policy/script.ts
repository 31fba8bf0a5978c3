// Scripts of a wallet policy at /<change>/<index> (policy.c get_wallet_script and
// get_wallet_internal_script_hash). The bytes come from bitcoin/ (miniscript compiler, taptree,
// descriptor outputs); what is the app's own is when it fetches each key from the host, which is
// visible on the wire: every time a script uses a key, in the order the keys appear in the script;
// sortedmulti selects the smallest remaining key by re-deriving all unused keys on each step; a
// tapleaf is emitted twice (once for its length, once for its hash). So the keys of a script are
// fetched first, in exactly the real app's request sequence, and the script is then compiled.

import { compareBytes } from '../../../../apdu/bytes.ts';
import type { Descriptor, KeyExpr as DescriptorKey, Miniscript, TapTree } from '../../../../bitcoin/descriptor/ast.ts';
import { deriveOutput, taptreeShape } from '../../../../bitcoin/descriptor/scripts.ts';
import { compileMiniscript, scriptKeyOrder } from '../../../../bitcoin/miniscript/compile.ts';
import { aggregateKeys, BIP328_CHAINCODE } from '../../../../bitcoin/musig/aggregate.ts';
import { buildTaptree, tapLeafHash, taprootOutput, type TaprootOutput } from '../../../../bitcoin/taptree.ts';
import type { HostChannel } from '../../common/host-channel.ts';
import { ckdPub, type ExtendedPubkey, type Meter } from '../../common/keys.ts';
import { keyShape, type KeyShape } from './template.ts';
import { fetchKeyInfo, type WalletHeader } from './wallet.ts';

export interface Derivation {
  header: Pick<WalletHeader, 'keysRoot' | 'nKeys' | 'version'>;
  change: boolean;
  addressIndex: number;
  /** Reports the curve operations of the derivation to the device (keys.ts Meter). */
  meter?: Meter;
  /** SIGN_PSBT's cache of /<change> children; absent in every other command. */
  cache?: FirstStepCache;
}

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

/** MAX_POLICY_DEPTH: the stack of nodes (wrappers count) that get_wallet_internal_script_hash walks. */
const MAX_EMIT_DEPTH = 10;

/**
 * The aggregate of a musig() key expression as a BIP-328 synthetic xpub (before derivation).
 * musig_key_agg multiplies every key by its coefficient: one scalar multiplication per key.
 */
export function musigXpub(keys: readonly Uint8Array[], version: number, meter?: Meter): ExtendedPubkey {
  for (let i = 0; i < keys.length; i++) meter?.('point-mul');
  const { aggregate } = aggregateKeys(keys);
  return { version, depth: 0, parentFingerprint: 0, childNumber: 0, chainCode: BIP328_CHAINCODE, pubkey: aggregate };
}

/** sign_psbt_cache.h MAX_CACHED_KEY_EXPRESSIONS: key expressions from this index on are never cached. */
const MAX_CACHED_KEY_EXPRESSIONS = 16;

/**
 * sign_psbt_cache_t (derive_first_step_for_pubkey): during one SIGN_PSBT the app derives the
 * /<change> child of each of the first 16 key expressions once and keeps it, so every later script
 * of that key expression on the same branch costs one CKDpub (the address index) instead of two.
 * The keys are still fetched from the host every time. Seen on Speculos as the random stream: each
 * CKDpub is a scalar multiplication that draws from it (test/vectors/speculos-taptree).
 */
export class FirstStepCache {
  private readonly children = new Map<string, ExtendedPubkey>();

  /** `indexOf`: each key expression of the policy and its keyexpr_index (parsing order). */
  constructor(private readonly indexOf: ReadonlyMap<DescriptorKey, number>) {}

  child(node: DescriptorKey, change: boolean, derive: () => ExtendedPubkey): ExtendedPubkey {
    const index = this.indexOf.get(node);
    if (index === undefined) throw new ScriptError('key expression outside the policy being signed');
    if (index >= MAX_CACHED_KEY_EXPRESSIONS) return derive();
    const slot = `${index}/${change ? 1 : 0}`;
    let child = this.children.get(slot);
    if (!child) this.children.set(slot, (child = derive()));
    return child;
  }
}

/** The root xpub of a key expression, fetching its key(s) from the host (get_derived_pubkey, first half). */
export async function keyExprXpub(host: HostChannel, d: Derivation, expr: KeyShape): Promise<ExtendedPubkey> {
  if (expr.kind === 'key') {
    const got = await fetchKeyInfo(host, d.header, expr.key);
    if (!got) throw new ScriptError(`key information @${expr.key} did not verify`);
    return got.info.xpub;
  }
  const keys: Uint8Array[] = [];
  let version = 0;
  for (const k of expr.keys) {
    const got = await fetchKeyInfo(host, d.header, k);
    if (!got) throw new ScriptError(`key information @${k} did not verify`);
    keys.push(got.info.xpub.pubkey);
    version = got.info.xpub.version;
  }
  // the app builds the synthetic xpub with its own BIP32_PUBKEY_VERSION; only the key and the
  // chain code matter for derivation
  return musigXpub(keys, version, d.meter);
}

/** The compressed key of a key expression at /<change>/<index> (get_derived_pubkey). */
export async function derivedKey(host: HostChannel, d: Derivation, expr: KeyShape): Promise<Uint8Array> {
  const root = await keyExprXpub(host, d, expr);
  const firstStep = () => ckdPub(root, d.change ? expr.numSecond : expr.numFirst, d.meter).child;
  const step = d.cache ? d.cache.child(expr.node, d.change, firstStep) : firstStep();
  return ckdPub(step, d.addressIndex, d.meter).child.pubkey;
}

type DerivedKeys = Map<DescriptorKey, Uint8Array>;

const derive = (host: HostChannel, d: Derivation, node: DescriptorKey): Promise<Uint8Array> =>
  derivedKey(host, d, keyShape(node, d.header.version));

/** Fetches and derives the keys of one script in the app's request sequence. */
async function fetchScriptKeys(host: HostChannel, d: Derivation, m: Miniscript, keys: DerivedKeys): Promise<void> {
  if (emitDepth(m) > MAX_EMIT_DEPTH) throw new ScriptError(`script nested deeper than ${MAX_EMIT_DEPTH} nodes`);
  const f = m.fragment;
  if (f.name !== 'sortedmulti' && f.name !== 'sortedmulti_a') {
    for (const node of scriptKeyOrder(m)) keys.set(node, await derive(host, d, node));
    return;
  }
  // selection sort, re-deriving every unused key at each step (process_multi_sortedmulti_node)
  const xonly = f.name === 'sortedmulti_a';
  const used = new Set<number>();
  for (let i = 0; i < f.keys.length; i++) {
    let best: Uint8Array | undefined;
    let bestIndex = -1;
    for (let j = 0; j < f.keys.length; j++) {
      if (used.has(j)) continue;
      const k = await derive(host, d, f.keys[j]!);
      keys.set(f.keys[j]!, k);
      if (best === undefined || (xonly ? compareBytes(k.subarray(1), best.subarray(1)) : compareBytes(k, best)) < 0) {
        best = k;
        bestIndex = j;
      }
    }
    used.add(bestIndex);
  }
}

/** Nodes on the longest path from the script's root, one per wrapper and one per fragment. */
function emitDepth(m: Miniscript): number {
  const f = m.fragment;
  return m.wrappers.length + 1 + ('args' in f ? Math.max(...f.args.map(emitDepth)) : 0);
}

function compile(m: Miniscript, keys: DerivedKeys, taproot: boolean): Uint8Array {
  return compileMiniscript(m, (node) => (taproot ? keys.get(node)!.subarray(1) : keys.get(node)!));
}

/** Fetches a tapleaf's keys as compute_tapleaf_hash does: twice, once for the script's length, once for its hash. */
async function fetchLeafKeys(host: HostChannel, d: Derivation, leaf: Miniscript, keys: DerivedKeys): Promise<void> {
  await fetchScriptKeys(host, d, leaf, keys);
  await fetchScriptKeys(host, d, leaf, keys);
}

/** compute_tapleaf_hash. */
export async function tapleafHash(host: HostChannel, d: Derivation, leaf: Miniscript): Promise<Uint8Array> {
  const keys: DerivedKeys = new Map();
  await fetchLeafKeys(host, d, leaf, keys);
  return tapLeafHash(compile(leaf, keys, true));
}

/** compute_taptree_hash: the leaves left to right. */
export async function taptreeHash(host: HostChannel, d: Derivation, tree: TapTree): Promise<Uint8Array> {
  const keys: DerivedKeys = new Map();
  await fetchTreeKeys(host, d, tree, keys);
  return buildTaptree(taptreeShape(tree, (m) => ({ script: compile(m, keys, true) }))).root;
}

async function fetchTreeKeys(host: HostChannel, d: Derivation, tree: TapTree, keys: DerivedKeys): Promise<void> {
  if (tree.kind === 'leaf') return fetchLeafKeys(host, d, tree.script, keys);
  await fetchTreeKeys(host, d, tree.left, keys);
  await fetchTreeKeys(host, d, tree.right, keys);
}

/** BIP-341 output key. Like crypto_tr_tweak_pubkey it costs one scalar multiplication (t·G). */
export function taprootTweak(internalXonly: Uint8Array, merkleRoot: Uint8Array | undefined, meter?: Meter): TaprootOutput {
  meter?.('point-mul');
  return taprootOutput(internalXonly, merkleRoot);
}

/** get_wallet_script: the scriptPubKey of the policy at /<change>/<index>. */
export async function walletScript(host: HostChannel, d: Derivation, root: Descriptor): Promise<Uint8Array> {
  const keys: DerivedKeys = new Map();
  switch (root.kind) {
    case 'wpkh':
      keys.set(root.key, await derive(host, d, root.key));
      break;
    case 'ms':
      // pkh(), the only bare script the app has (policy.c get_wallet_script)
      if (root.fragment.name !== 'pkh') throw new ScriptError(`${root.fragment.name}() is not a top-level script`);
      keys.set(root.fragment.key, await derive(host, d, root.fragment.key));
      break;
    case 'sh':
    case 'wsh': {
      const inner = root.kind === 'sh' && root.inner.kind === 'wsh' ? root.inner.inner : root.inner;
      if (inner.kind === 'wpkh') keys.set(inner.key, await derive(host, d, inner.key));
      else if (inner.kind === 'ms') await fetchScriptKeys(host, d, inner, keys);
      else throw new ScriptError(`${inner.kind}() is not allowed in ${root.kind}()`);
      break;
    }
    case 'tr':
      keys.set(root.internal, await derive(host, d, root.internal));
      if (root.tree) await fetchTreeKeys(host, d, root.tree, keys);
      // the output key's tweak (deriveOutput computes it below)
      d.meter?.('point-mul');
      break;
    default:
      throw new ScriptError(`${root.kind}() is not a top-level script`);
  }
  const at = { branch: d.change ? 1 : 0, index: d.addressIndex };
  return deriveOutput(root, at, { resolveKey: (k) => ({ publicKey: keys.get(k)!, musig: undefined }) }).scriptPubKey;
}
