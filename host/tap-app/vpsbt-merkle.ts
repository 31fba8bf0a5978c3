// The commitments SIGN_VPSBT sends (docs/tap-app-protocol.md §5.5): one merkleized map per map of
// the vPSBT (PSBTv0 as tapd writes it, the unsigned transaction left out: the device rebuilds the
// virtual transaction from the assets), Merkle trees over the input and output map commitments, and
// the tree of output indices in split-locator order the device walks to prove the outputs distinct,
// and the split proofs' nodes, which the device asks for again by hash to fold them (step 2b).

import { concat, compareBytes, u64be } from '../../apdu/bytes.ts';
import { MerkleTree, MerkleizedMap } from '../../apdu/merkle.ts';
import { encodeOutputOrderElement, type SignVpsbtRequest } from '../../apdu/tap-app/sign-vpsbt.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import { decodeAsset, type Asset } from '../../assets/asset/leaf.ts';
import { decodeU64 } from '../../assets/tlv/values.ts';
import { decodeRawPsbt, type PsbtField } from '../../assets/vpsbt/psbt-map.ts';
import { splitLocatorKey } from '../../assets/vtx/verify.ts';
import type { ClientCommandInterpreter } from '../client-commands.ts';

export interface MerkleizedVpsbt {
  global: MerkleizedMap;
  inputs: MerkleizedMap[];
  outputs: MerkleizedMap[];
  inputsTree: MerkleTree;
  outputsTree: MerkleTree;
  /** Output indices sorted by split locator key (§5.5 step 2). */
  outputsOrder: number[];
  outputsOrderTree: MerkleTree;
  /**
   * The explicit nodes (`hash[32] || u64be sum`, bottom-up) of every split commitment proof the
   * outputs' assets (0x76) and split assets (0x77) carry: the device asks for each as the preimage
   * of SHA-256(0x00 || nodes), a hash it takes while the asset streams past (§5.5 step 2b).
   */
  splitProofNodes: Uint8Array[];
}

const PSBT_OUT_ANCHOR_OUTPUT_INDEX = 0x72;
const PSBT_OUT_ASSET = 0x76;
const PSBT_OUT_SPLIT_ASSET = 0x77;

/** The nodes of each split commitment proof in an asset value, as they are carried. */
function proofNodes(value: Uint8Array): Uint8Array[] {
  let a: Asset;
  try {
    a = decodeAsset(value);
  } catch {
    return [];
  }
  return a.prevWitnesses.flatMap((w) => (w.splitCommitment ? [concat(...w.splitCommitment.proof.nodes.flatMap((n) => [n.hash, u64be(n.sum)]))] : []));
}

/** Every split proof's nodes among the outputs' assets; the host does not judge them, the device does. */
export function splitProofNodes(outputs: readonly (readonly PsbtField[])[]): Uint8Array[] {
  return outputs.flatMap((fields) =>
    fields.filter((f) => f.key.length === 1 && (f.key[0] === PSBT_OUT_ASSET || f.key[0] === PSBT_OUT_SPLIT_ASSET)).flatMap((f) => proofNodes(f.value)),
  );
}

/** The split locator key of an output (its anchor output index, asset ID and script key), if it has a readable one. */
function locatorKey(fields: readonly PsbtField[]): Uint8Array | undefined {
  const value = (type: number) => fields.find((f) => f.key.length === 1 && f.key[0] === type)?.value;
  const anchor = value(PSBT_OUT_ANCHOR_OUTPUT_INDEX);
  const asset = value(PSBT_OUT_ASSET);
  if (!anchor || !asset) return undefined;
  try {
    const index = decodeU64(anchor, 'anchorOutputIndex');
    if (index > 0xffffffffn) return undefined;
    const a = decodeAsset(asset);
    return splitLocatorKey(Number(index), assetId(a.genesis), a.scriptKey);
  } catch {
    return undefined;
  }
}

/**
 * The output indices in increasing split-locator order. An output without a readable locator is put
 * last: the host does not judge the packet, the device refuses it (6A80) when it reads that output.
 */
export function outputsLocatorOrder(outputs: readonly (readonly PsbtField[])[]): number[] {
  const keyed = outputs.map((fields, index) => ({ index, key: locatorKey(fields) }));
  return keyed
    .sort((a, b) => {
      if (!a.key || !b.key) return a.key ? -1 : b.key ? 1 : a.index - b.index;
      return compareBytes(a.key, b.key) || a.index - b.index;
    })
    .map((k) => k.index);
}

const toMap = (fields: readonly PsbtField[]) => new MerkleizedMap(fields.map((f) => [f.key, f.value] as const));

export function merkleizeVpsbt(bytes: Uint8Array): MerkleizedVpsbt {
  return merkleizeVpsbtMaps(decodeRawPsbt(bytes, 'vpsbt'));
}

/** The commitments of a vPSBT's maps, whatever their shape (the fuzzer serves maps no encoder would write). */
export function merkleizeVpsbtMaps(raw: { global: readonly PsbtField[]; inputs: readonly (readonly PsbtField[])[]; outputs: readonly (readonly PsbtField[])[] }): MerkleizedVpsbt {
  const inputs = raw.inputs.map(toMap);
  const outputs = raw.outputs.map(toMap);
  const outputsOrder = outputsLocatorOrder(raw.outputs);
  return {
    global: toMap(raw.global),
    inputs,
    outputs,
    inputsTree: MerkleTree.fromElements(inputs.map((m) => m.commitment())),
    outputsTree: MerkleTree.fromElements(outputs.map((m) => m.commitment())),
    outputsOrder,
    outputsOrderTree: MerkleTree.fromElements(outputsOrder.map(encodeOutputOrderElement)),
    splitProofNodes: splitProofNodes(raw.outputs),
  };
}

/** The SIGN_VPSBT request for `m`. */
export function signVpsbtRequest(m: MerkleizedVpsbt): SignVpsbtRequest {
  return {
    globalMap: { size: m.global.size, keysRoot: m.global.keysTree.root, valuesRoot: m.global.valuesTree.root },
    inputCount: m.inputs.length,
    inputsRoot: m.inputsTree.root,
    outputCount: m.outputs.length,
    outputsRoot: m.outputsTree.root,
    outputsOrderRoot: m.outputsOrderTree.root,
  };
}

/** Lets the interpreter answer every request about `m`: map keys and values, the trees of the request, the split proofs' nodes. */
export function serveVpsbt(it: ClientCommandInterpreter, m: MerkleizedVpsbt): void {
  it.addKnownMapping(m.global);
  for (const map of [...m.inputs, ...m.outputs]) it.addKnownMapping(map);
  it.addKnownList(m.inputs.map((map) => map.commitment()));
  it.addKnownList(m.outputs.map((map) => map.commitment()));
  it.addKnownList(m.outputsOrder.map(encodeOutputOrderElement));
  for (const nodes of m.splitProofNodes) it.addKnownPreimage(concat(Uint8Array.of(0), nodes));
}
