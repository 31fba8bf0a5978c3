// Shared set-up for the end-to-end tests: emulated devices behind loopback transports, software
// keys, and simple asset transfers whose virtual-transaction sighash comes from assets/.

import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { sha256 } from '@noble/hashes/sha2.js';
import { LoopbackTransport } from '../../devices/loopback.ts';
import { EmulatedDevice, SPECULOS_DEFAULT_MNEMONIC, deviceOptions } from '../../emulator/index.ts';
import { TapAppClient } from '../../host/tap-app/client.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import type { PrevId } from '../../assets/asset/prev-id.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import { inputPrevOut, virtualTx, virtualTxSighash } from '../../assets/vtx/virtual-tx.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';

export const SEEDS = {
  /** The Speculos default seed (fingerprint f5acc2fd). */
  speculos: undefined,
  abandon: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
  legal: 'legal winner thank year wave sausage worth useful legal winner thank yellow',
} as const;

export function tapDevice({ seed, blindSigning = true }: { seed?: string; blindSigning?: boolean } = {}) {
  const device = new EmulatedDevice({
    ...deviceOptions({ app: 'tap', autoApprove: true, ...(seed !== undefined ? { seed } : {}) }),
    settings: { blindSigning },
  });
  const transport = new LoopbackTransport(device);
  return { device, transport, client: new TapAppClient(transport) };
}

export function softwareKey(seed: string | undefined, path: string): HDKey {
  return HDKey.fromMasterSeed(mnemonicToSeedSync(seed ?? SPECULOS_DEFAULT_MNEMONIC)).derive(path);
}

/** A normal asset of `amount` units locked to `scriptKey` (33 bytes), as a previous output. */
export function inputAsset(scriptKey: Uint8Array, amount = 1000n, tag = 'e2e-coin'): { prevId: PrevId; asset: Asset } {
  const asset: Asset = {
    version: 0,
    genesis: { firstPrevOut: { txid: sha256(new TextEncoder().encode(tag)), index: 1 }, tag, metaHash: new Uint8Array(32), outputIndex: 0, type: 0 },
    amount,
    lockTime: 0n,
    relativeLockTime: 0n,
    prevWitnesses: [],
    scriptVersion: 0,
    scriptKey,
    unknownOddTypes: [],
  };
  const prevId: PrevId = { outPoint: { txid: sha256(scriptKey), index: 0 }, assetId: assetId(asset.genesis), scriptKey };
  return { prevId, asset };
}

/** A full-value transfer of `input` to `recipient`: the new asset and its sighash function. */
export function transfer(input: { prevId: PrevId; asset: Asset }, recipient: Uint8Array, opts: { relativeLockTime?: bigint } = {}) {
  const newAsset: Asset = {
    ...input.asset,
    relativeLockTime: opts.relativeLockTime ?? 0n,
    prevWitnesses: [{ prevId: input.prevId, txWitness: [], unknownOddTypes: [] }],
    scriptKey: recipient,
  };
  const vtx = virtualTx(newAsset, [input]);
  const prevOut = inputPrevOut(input.asset);
  return {
    newAsset,
    sighash: (leaf?: { script: Uint8Array; version: number }) => virtualTxSighash(vtx, newAsset, 0, prevOut, leaf ? { leaf } : {}),
    /** Puts the witness in and runs the asset VM port (assets/vtx/verify.ts) over the transfer. */
    verify(witness: Uint8Array[]) {
      newAsset.prevWitnesses[0]!.txWitness = witness;
      verifyStateTransition(newAsset, [], [input]);
    },
  };
}
