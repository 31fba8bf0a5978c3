// The key-side context of a MuSig2 signature as the Ledger Bitcoin app builds it (docs/bitcoin-app-protocol.md §6,
// §1.7): KeySort + KeyAgg, then the BIP-32 tweaks of the synthetic xpub (plain), then for a key-path
// spend the BIP-341 taptweak (x-only). The fully tweaked aggregate is the key the app reports in its
// pubnonce / partial-signature yields and that BIP-373 keydata carries.

import { keyAggregate } from '@scure/btc-signer/musig2.js';
import { hash160 } from '@scure/btc-signer/utils.js';
import type { DerivedAggregate } from './aggregate.ts';
import { taprootTweak } from '../taptree.ts';
import type { DerivedOutput } from '../descriptor/scripts.ts';

export interface MusigKeyContext {
  /** Participants in KeySort order (what KeyAgg and Session take). */
  readonly participants: readonly Uint8Array[];
  /** Untweaked aggregate (33 bytes): the BIP-328 synthetic xpub's key. */
  readonly aggregate: Uint8Array;
  /** Tweaks to pass to MuSig2 signing, with their modes: BIP-32 steps plain, the taptweak x-only. */
  readonly tweaks: readonly Uint8Array[];
  readonly isXonly: readonly boolean[];
  /** Fully tweaked aggregate (33 bytes), the BIP-373 keydata aggregate. */
  readonly aggregatePubkey: Uint8Array;
  /** Set for a script-path spend: the tapleaf holding the aggregate. */
  readonly leafHash: Uint8Array | undefined;
}

/** Key-path spend: the aggregate is the internal key; adds the taptweak with the tree's root. */
export function keyPathContext(agg: DerivedAggregate, merkleRoot: Uint8Array | undefined): MusigKeyContext {
  const taptweak = taprootTweak(agg.publicKey.slice(1), merkleRoot);
  return build(agg, [...agg.tweaks, taptweak], [...agg.tweaks.map(() => false), true], undefined);
}

/** Script-path spend of a leaf whose key is the aggregate: no taptweak. */
export function scriptPathContext(agg: DerivedAggregate, leafHash: Uint8Array): MusigKeyContext {
  return build(agg, agg.tweaks, agg.tweaks.map(() => false), leafHash);
}

function build(agg: DerivedAggregate, tweaks: Uint8Array[] | readonly Uint8Array[], isXonly: boolean[], leafHash: Uint8Array | undefined): MusigKeyContext {
  const ctx = keyAggregate(agg.participants as Uint8Array[], tweaks as Uint8Array[], isXonly);
  return {
    participants: agg.participants,
    aggregate: agg.aggregate,
    tweaks: [...tweaks],
    isXonly,
    aggregatePubkey: ctx.aggPublicKey.toBytes(true),
    leafHash,
  };
}

/** Every musig() key a derived taproot output can be spent with: the key path first, then each leaf's. */
export function musigContexts(output: DerivedOutput): MusigKeyContext[] {
  const tr = output.taproot;
  if (!tr) return [];
  const out: MusigKeyContext[] = [];
  if (tr.internal.musig) out.push(keyPathContext(tr.internal.musig, tr.tree?.root));
  tr.leafKeys.forEach((keys, i) => {
    for (const k of keys) if (k.musig) out.push(scriptPathContext(k.musig, tr.tree!.leaves[i]!.leafHash));
  });
  return out;
}

/** BIP-32 fingerprint of the aggregate's synthetic xpub, used in PSBT_IN_TAP_BIP32_DERIVATION. */
export function aggregateFingerprint(aggregate: Uint8Array): Uint8Array {
  return hash160(aggregate).slice(0, 4);
}
