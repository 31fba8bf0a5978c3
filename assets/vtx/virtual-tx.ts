// The virtual transaction of an asset state transition and its per-input BIP-341 sighash
// (tapscript/tx.go, asset/tx.go; docs/taproot-assets.md §2). One input spends an outpoint whose hash is
// SHA256(root || u64be(sum)) of an MS-SMT of the spent assets keyed by PrevID hash (for a grouped
// genesis: the new asset itself under the zero PrevID); one output commits to the new asset
// (or to its split commitment root). Input i is signed over a copy with the input index set to i,
// nLockTime = lock time and nSequence = relative lock time, spending `OP_1 <script key>` for the
// input's amount.

import { Transaction } from '@scure/btc-signer';
import { concat, toHex, u64be } from '../../apdu/bytes.ts';
import { AssetVerifyError } from '../errors.ts';
import { sha256 } from '../crypto.ts';
import { MssmtTree } from '../mssmt/tree.ts';
import type { MssmtNode } from '../mssmt/node.ts';
import { assetId } from '../asset/genesis.ts';
import { assetLeafValue, type Asset } from '../asset/leaf.ts';
import { ZERO_PREV_ID, isZeroPrevId, prevIdHash, type PrevId } from '../asset/prev-id.ts';

export interface TxOutput {
  amount: bigint;
  script: Uint8Array;
}

export interface VirtualTx {
  /** Root of the input MS-SMT; its sum is the total input amount. */
  inputRoot: MssmtNode;
  /** Hash of the single virtual input's outpoint. */
  prevOutHash: Uint8Array;
  output: TxOutput;
}

export interface InputAsset {
  prevId: PrevId;
  asset: Asset;
}

const p2trScript = (key32: Uint8Array): Uint8Array => concat(Uint8Array.of(0x51, 0x20), key32);
const xonly = (key33: Uint8Array): Uint8Array => key33.subarray(1);

/** True if the asset is a genesis asset of a group (one zero-PrevID witness without split commitment). */
export function isGroupGenesis(a: Asset): boolean {
  const w = a.prevWitnesses[0];
  return a.groupKey !== undefined && a.prevWitnesses.length === 1 && !!w?.prevId && isZeroPrevId(w.prevId) && !w.splitCommitment;
}

/** A copy with every tx witness removed (what the virtual output and genesis input commit to). */
export function stripWitnesses(a: Asset): Asset {
  return { ...a, prevWitnesses: a.prevWitnesses.map((w) => ({ ...w, txWitness: [] })) };
}

function rootOutPointHash(root: MssmtNode): Uint8Array {
  return sha256(concat(root.hash, u64be(root.sum)));
}

/** Builds the virtual transaction for `newAsset` spending `inputs` (one per prev witness). */
export function virtualTx(newAsset: Asset, inputs: readonly InputAsset[]): VirtualTx {
  const tree = new MssmtTree();
  if (isGroupGenesis(newAsset)) {
    tree.insert(prevIdHash(ZERO_PREV_ID), assetLeafValue(stripWitnesses(newAsset)), newAsset.amount);
  } else {
    const byHash = new Map(inputs.map((i) => [toHex(prevIdHash(i.prevId)), i.asset]));
    const used = new Set<string>();
    newAsset.prevWitnesses.forEach((w, i) => {
      if (!w.prevId) throw new AssetVerifyError(`asset.prevWitnesses[${i}].prevId`, 'missing asset input(s): prev ID is absent');
      const key = prevIdHash(w.prevId);
      const prev = byHash.get(toHex(key));
      if (!prev) throw new AssetVerifyError(`asset.prevWitnesses[${i}].prevId`, 'missing asset input(s): no input for this prev ID');
      tree.insert(key, assetLeafValue(prev), prev.amount);
      used.add(toHex(key));
    });
    if (used.size !== byHash.size) throw new AssetVerifyError('inputs', `asset input(s) mismatch: ${byHash.size} inputs, ${used.size} spent`);
  }
  const inputRoot = tree.root();
  return { inputRoot, prevOutHash: rootOutPointHash(inputRoot), output: virtualTxOut(newAsset) };
}

function virtualTxOut(a: Asset): TxOutput {
  if (a.splitCommitmentRoot) return { amount: a.splitCommitmentRoot.sum, script: p2trScript(a.splitCommitmentRoot.hash) };
  const group = a.groupKey ? xonly(a.groupKey) : new Uint8Array(32);
  const key = sha256(concat(group, assetId(a.genesis), xonly(a.scriptKey)));
  const root = new MssmtTree().insert(key, assetLeafValue(stripWitnesses(a)), a.amount).root();
  return { amount: a.amount, script: p2trScript(root.hash) };
}

/** The output an input asset is "spent" from: `OP_1 <x-only script key>` for its amount. */
export function inputPrevOut(prev: Asset, what = 'input'): TxOutput {
  if (prev.scriptVersion !== 0) throw new AssetVerifyError(`${what}.scriptVersion`, `invalid script version: expected 0, got ${prev.scriptVersion}`);
  return { amount: prev.amount, script: p2trScript(xonly(prev.scriptKey)) };
}

/** The prevout of a grouped genesis: `OP_1 <x-only group key>` for the asset amount. */
export function genesisPrevOut(a: Asset): TxOutput {
  if (!a.groupKey) throw new AssetVerifyError('asset.groupKey', 'expected a group key for a grouped genesis');
  return { amount: a.amount, script: p2trScript(xonly(a.groupKey)) };
}

export interface SighashOptions {
  /** BIP-341 hash type; 0 = SIGHASH_DEFAULT. */
  sighashType?: number;
  /** For a script-path spend: the leaf script and its version. */
  leaf?: { script: Uint8Array; version: number };
}

/** The BIP-341 signature hash of input `inputIndex` of the virtual tx, as tapd computes it. */
export function virtualTxSighash(vtx: VirtualTx, newAsset: Asset, inputIndex: number, prevOut: TxOutput, opts: SighashOptions = {}): Uint8Array {
  const tx = new Transaction({
    version: 2,
    // tapd casts the 64-bit lock times to uint32 (asset.VirtualTxWithInput).
    lockTime: Number(BigInt.asUintN(32, newAsset.lockTime)),
    allowUnknownOutputs: true,
    allowUnknownInputs: true,
    disableScriptCheck: true,
  });
  tx.addInput({ txid: vtx.prevOutHash.slice().reverse(), index: inputIndex, sequence: Number(BigInt.asUintN(32, newAsset.relativeLockTime)) });
  tx.addOutput({ script: vtx.output.script, amount: vtx.output.amount });
  const type = opts.sighashType ?? 0;
  return opts.leaf
    ? tx.preimageWitnessV1(0, [prevOut.script], type, [prevOut.amount], -1, opts.leaf.script, opts.leaf.version)
    : tx.preimageWitnessV1(0, [prevOut.script], type, [prevOut.amount]);
}
