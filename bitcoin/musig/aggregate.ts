// MuSig2 aggregate keys as the Ledger app and BIP-388/390 use them: participants are KeySorted
// (BIP-327) before KeyAgg, the aggregate gets the BIP-328 synthetic xpub, and ranged policies derive
// from it unhardened ("aggregate then derive"), each step's I_L being a plain tweak.

import { HDKey } from '@scure/bip32';
import { keyAggregate, sortKeys } from '@scure/btc-signer/musig2.js';
import { fromHex, toHex } from '../../apdu/bytes.ts';
import { derivePublicPath, type PublicNode } from '../bip32-public.ts';
import { NETWORKS } from '../networks.ts';
import type { KeyFamily } from '../extended-key.ts';
import { BitcoinError } from '../errors.ts';

/** BIP-328: the chain code of an aggregate key's synthetic xpub, SHA256("MuSig2MuSig2MuSig2"). */
export const BIP328_CHAINCODE = fromHex('868087ca02a6f974c4598924c36b57762d32cb45717167e300622c7167e38965');

export interface AggregateKey {
  /** Participant keys in KeySort order, as KeyAgg took them (the order BIP-373 stores them in). */
  readonly participants: readonly Uint8Array[];
  /** The untweaked aggregate, compressed (33 bytes). */
  readonly aggregate: Uint8Array;
}

/**
 * KeyAgg (BIP-327) over compressed participant keys, after KeySort unless `sort` is false.
 * musig() in descriptors and the Ledger app always sort; BIP-328's vectors aggregate in the order given.
 */
export function aggregateKeys(participants: readonly Uint8Array[], { sort = true } = {}): AggregateKey {
  if (participants.length < 1) throw new BitcoinError('E_MUSIG', 'musig: expected at least one participant key');
  participants.forEach((p, i) => {
    if (p.length !== 33) throw new BitcoinError('E_MUSIG', `musig: participant ${i} expected a 33-byte compressed key, got ${p.length} bytes`);
  });
  const sorted = sort ? sortKeys(participants as Uint8Array[]) : [...participants];
  const id = sorted.map(toHex).join('');
  let aggregate = aggregates.get(id);
  if (!aggregate) {
    try {
      aggregate = keyAggregate(sorted).aggPublicKey.toBytes(true);
    } catch (e) {
      throw new BitcoinError('E_MUSIG', `musig: key aggregation failed: ${(e as Error).message}`);
    }
    if (aggregates.size >= MAX_CACHED_AGGREGATES) aggregates.delete(aggregates.keys().next().value!);
    aggregates.set(id, aggregate);
  }
  return { participants: sorted, aggregate: aggregate.slice() };
}

/**
 * KeyAgg of public keys only, so remembering results leaks nothing; it is one constant-time scalar
 * multiplication per participant, and a SIGN_PSBT of a musig() policy aggregates the same keys for
 * every script it derives (a third of the stateful fuzzer's time, measured with --cpu-prof).
 * Bounded: the oldest entry goes first.
 */
const MAX_CACHED_AGGREGATES = 256;
const aggregates = new Map<string, Uint8Array>();

/** The BIP-328 node of an aggregate key: its pubkey with the fixed chain code. */
export function syntheticNode(aggregate: Uint8Array): PublicNode {
  if (aggregate.length !== 33) throw new BitcoinError('E_MUSIG', `musig: expected a 33-byte aggregate key, got ${aggregate.length} bytes`);
  return { publicKey: aggregate, chainCode: BIP328_CHAINCODE };
}

/** BIP-328 synthetic xpub (depth 0, parent fingerprint 0, child number 0) of an aggregate key. */
export function syntheticXpub(aggregate: Uint8Array, family: KeyFamily = 'mainnet'): string {
  const n = syntheticNode(aggregate);
  const versions = family === 'mainnet' ? NETWORKS.mainnet.bip32 : NETWORKS.testnet.bip32;
  return new HDKey({ versions, depth: 0, index: 0, parentFingerprint: 0, chainCode: n.chainCode, publicKey: n.publicKey })
    .publicExtendedKey;
}

export interface DerivedAggregate extends AggregateKey {
  /** The derived aggregate (33 bytes): the key in the script or, before the taptweak, the internal key. */
  readonly publicKey: Uint8Array;
  /** The path from the synthetic xpub, unhardened. */
  readonly path: readonly number[];
  /** One plain tweak per path step (the I_L values), in order. */
  readonly tweaks: readonly Uint8Array[];
}

/** Aggregate then derive (BIP-328/390): musig(participants)/path. */
export function deriveAggregate(participants: readonly Uint8Array[], path: readonly number[]): DerivedAggregate {
  const agg = aggregateKeys(participants);
  const { node, tweaks } = derivePublicPath(syntheticNode(agg.aggregate), path);
  return { ...agg, publicKey: node.publicKey, path: [...path], tweaks };
}
