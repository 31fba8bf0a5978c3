// Verification of an asset state transition (vm/vm.go Engine.Execute) as far as a signer needs
// it: genesis rules, split commitments (vm validateSplit), amounts, prev-ID/script-key matching
// and every prev witness against its script key (or the group key for a grouped genesis).
// Not covered: lock-time finality against the chain (needs a block height and median time).

import { concat, equal, u32be } from '../../apdu/bytes.ts';
import { AssetVerifyError } from '../errors.ts';
import { sha256 } from '../crypto.ts';
import { assetId } from '../asset/genesis.ts';
import { assetLeafValue, type Asset } from '../asset/leaf.ts';
import { NUMS_KEY } from '../asset/burn.ts';
import { isZeroPrevId, prevIdHash } from '../asset/prev-id.ts';
import { decompressProof } from '../mssmt/proof.ts';
import { verifyInclusion } from '../mssmt/proof.ts';
import { genesisPrevOut, inputPrevOut, isGroupGenesis, virtualTx, virtualTxSighash, type InputAsset } from './virtual-tx.ts';
import { verifyTaprootWitness } from './tapscript.ts';

export interface SplitAsset {
  asset: Asset;
  /** Anchor output index of the split (part of its split locator). */
  outputIndex: number;
}

const fail = (field: string, msg: string): never => {
  throw new AssetVerifyError(field, msg);
};

/** SplitLocator.Hash: SHA256(u32be(output index) || asset ID || xonly(script key)). */
export function splitLocatorKey(outputIndex: number, id: Uint8Array, scriptKey: Uint8Array): Uint8Array {
  return sha256(concat(u32be(outputIndex), id, scriptKey.subarray(1)));
}

function hasGenesisWitness(a: Asset): boolean {
  const w = a.prevWitnesses[0];
  return a.prevWitnesses.length === 1 && !!w?.prevId && isZeroPrevId(w.prevId) && w.txWitness.length === 0 && !w.splitCommitment;
}

const isUnspendable = (a: Asset): boolean => a.amount === 0n && equal(a.scriptKey, NUMS_KEY);

function checkSplit(root: Asset, split: SplitAsset, inputs: readonly InputAsset[], i: number): void {
  const f = `splits[${i}]`;
  const s = split.asset;
  if (s.genesis.type !== root.genesis.type) fail(`${f}.type`, 'invalid split asset type');
  if (!root.splitCommitmentRoot) fail('asset.splitCommitmentRoot', 'no split commitment root');
  const sw = s.prevWitnesses[0];
  if (s.prevWitnesses.length !== 1 || !sw?.splitCommitment || sw.txWitness.length > 0)
    fail(`${f}.prevWitnesses`, 'invalid split commitment witness');
  const rootPrev = root.prevWitnesses[0]?.prevId ?? fail('asset.prevWitnesses[0].prevId', 'missing asset input(s)');
  const prev = inputs.find((x) => equal(prevIdHash(x.prevId), prevIdHash(rootPrev)))?.asset ?? fail('asset.prevWitnesses[0].prevId', 'missing asset input(s)');
  matchesAssetParams(s, prev, rootPrev, `${f}`);
  if (root.amount === 0n && !isUnspendable(root)) fail('asset.amount', 'invalid zero-value root asset');
  if (s.amount === 0n && !isUnspendable(s)) fail(`${f}.amount`, 'invalid zero-value root asset');
  const noWitness: Asset = {
    ...s,
    lockTime: root.lockTime,
    relativeLockTime: root.relativeLockTime,
    prevWitnesses: s.prevWitnesses.map((w, k) => (k === 0 ? { prevId: w.prevId!, txWitness: w.txWitness, unknownOddTypes: w.unknownOddTypes } : w)),
  };
  const key = splitLocatorKey(split.outputIndex, assetId(s.genesis), s.scriptKey);
  if (!verifyInclusion(key, assetLeafValue(noWitness), s.amount, decompressProof(sw!.splitCommitment!.proof), root.splitCommitmentRoot!))
    fail(`${f}.prevWitnesses[0].splitCommitment.proof`, 'invalid split commitment proof');
}

function matchesAssetParams(newAsset: Asset, prev: Asset, prevId: { scriptKey: Uint8Array; assetId: Uint8Array }, f: string): void {
  if (!equal(prevId.scriptKey, prev.scriptKey)) fail(`${f}.prevId.scriptKey`, 'script key mismatch with the input asset');
  const sameId = equal(prevId.assetId, assetId(prev.genesis));
  const sameGroup = !!newAsset.groupKey && !!prev.groupKey && equal(newAsset.groupKey.subarray(1), prev.groupKey.subarray(1));
  if (!sameId && !sameGroup) fail(`${f}.prevId.assetId`, 'asset ID mismatch with the input asset');
  if (newAsset.genesis.type !== prev.genesis.type) fail(`${f}.type`, 'asset type mismatch with the input asset');
}

/**
 * Verifies `newAsset` (a root or full-value transfer, a genesis or a grouped genesis) against
 * its inputs and split outputs; throws AssetVerifyError naming the field on the first failure.
 */
export function verifyStateTransition(newAsset: Asset, splits: readonly SplitAsset[], inputs: readonly InputAsset[]): void {
  if (hasGenesisWitness(newAsset)) {
    if (splits.length > 0 || inputs.length > 0) fail('asset.prevWitnesses', 'invalid genesis state transition: genesis with inputs or splits');
    if (newAsset.groupKey) fail('asset.groupKey', 'invalid genesis state transition: grouped genesis without group witness');
    return;
  }
  const groupGenesis = isGroupGenesis(newAsset);
  if (groupGenesis && (splits.length > 0 || inputs.length > 0)) fail('asset.prevWitnesses', 'invalid genesis state transition: grouped genesis with inputs or splits');
  const prevs: readonly InputAsset[] = groupGenesis ? [{ prevId: newAsset.prevWitnesses[0]!.prevId!, asset: newAsset }] : inputs;
  splits.forEach((s, i) => checkSplit(newAsset, s, prevs, i));
  if (newAsset.prevWitnesses.length === 0) fail('asset.prevWitnesses', 'missing asset input(s): no prev witness');
  if (newAsset.genesis.type === 1 && newAsset.prevWitnesses.length > 1) fail('asset.prevWitnesses', 'collectible has more than one prev input');
  const vtx = virtualTx(newAsset, prevs);
  if (vtx.inputRoot.sum !== vtx.output.amount)
    fail('asset.amount', `amount mismatch: inputs sum to ${vtx.inputRoot.sum}, output carries ${vtx.output.amount}`);
  newAsset.prevWitnesses.forEach((w, i) => {
    const f = `asset.prevWitnesses[${i}]`;
    const prev = groupGenesis ? newAsset : prevs.find((x) => equal(prevIdHash(x.prevId), prevIdHash(w.prevId!)))!.asset;
    if (prev.scriptVersion !== 0) fail(`${f}`, `invalid script version ${prev.scriptVersion}`);
    if (!groupGenesis) matchesAssetParams(newAsset, prev, w.prevId!, f);
    const prevOut = groupGenesis ? genesisPrevOut(newAsset) : inputPrevOut(prev, f);
    verifyTaprootWitness(
      prevOut.script.subarray(2),
      w.txWitness,
      {
        sighash: (type, leaf) => virtualTxSighash(vtx, newAsset, i, prevOut, { sighashType: type, ...(leaf ? { leaf } : {}) }),
        lockTime: Number(BigInt.asUintN(32, newAsset.lockTime)),
        sequence: Number(BigInt.asUintN(32, newAsset.relativeLockTime)),
      },
      `${f}.txWitness`,
    );
  });
}

