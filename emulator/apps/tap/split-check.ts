// The split pass of SIGN_VPSBT (docs/tap-app-protocol.md §5.5 step 2): what the review shows must
// be what the signature binds. The inputs sign the root asset, whose split commitment root commits
// to every split output (tapd commitment/split.go). The device walks the outputs once more, in the
// order of the request's outputs-order tree, and checks with constant memory that
//   * each output's split locator key (anchor output index, asset ID, script key; assets/ splitLocatorKey)
//     is strictly greater than the previous one: no two outputs claim the same leaf;
//   * each non-root output's asset is included at its locator under the root's split commitment root
//     (its prev witness' MS-SMT proof, as tapd's vm.validateSplit checks it), and so is the root's own
//     split asset (0x77) with the root's amount and script key;
//   * the shown amounts add up to the split tree's root sum, which must equal the inputs' total.
// Distinct verified leaves whose sums add up to the root sum are all the tree's value: whatever the
// review does not show carries zero units (§5.5 argues why such leaves are harmless).

import { compareBytes, equal } from '../../../apdu/bytes.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { assetLeafValue, decodeAsset, encodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { decompressProof, verifyInclusion } from '../../../assets/mssmt/proof.ts';
import { decodeU64 } from '../../../assets/tlv/values.ts';
import { splitLocatorKey } from '../../../assets/vtx/verify.ts';
import { stripWitnesses } from '../../../assets/vtx/virtual-tx.ts';
import type { SignVpsbtRequest } from '../../../apdu/tap-app/sign-vpsbt.ts';
import { incorrectData } from './errors.ts';
import type { VpsbtReader } from './vpsbt-reader.ts';

/** What the first pass learnt about the signed root. */
export interface SignedRoot {
  asset: Asset;
  /** Its index among the vPSBT's outputs. */
  outputIndex: number;
  /** Sum of the inputs' amounts. */
  totalIn: bigint;
}

const ORDER_ELEMENT_BYTES = 4;
const U32_MAX = 0xffffffffn;

function decode(what: string, bytes: Uint8Array | undefined, f: (b: Uint8Array) => Asset): Asset {
  if (bytes === undefined) throw incorrectData(`${what}: expected the field, got none`);
  try {
    return f(bytes);
  } catch (e) {
    throw incorrectData(`${what}: ${(e as Error).message}`);
  }
}

/** The MS-SMT leaf a split asset occupies: its prev witness without the proof, the root's lock times (vm.validateSplit). */
function splitLeafValue(s: Asset, root: Asset): Uint8Array {
  const w = s.prevWitnesses[0]!;
  return assetLeafValue({
    ...s,
    lockTime: root.lockTime,
    relativeLockTime: root.relativeLockTime,
    prevWitnesses: [{ ...(w.prevId ? { prevId: w.prevId } : {}), txWitness: w.txWitness, unknownOddTypes: w.unknownOddTypes }],
  });
}

function checkIncluded(what: string, s: Asset, key: Uint8Array, root: Asset): void {
  const w = s.prevWitnesses[0];
  if (s.prevWitnesses.length !== 1 || !w?.splitCommitment || w.txWitness.length > 0)
    throw incorrectData(`${what}: expected one prev witness carrying a split commitment proof`);
  if (!equal(encodeAsset(stripWitnesses(w.splitCommitment.rootAsset)), encodeAsset(stripWitnesses(root))))
    throw incorrectData(`${what}: its split commitment names another root asset than the one signed`);
  let included: boolean;
  try {
    included = verifyInclusion(key, splitLeafValue(s, root), s.amount, decompressProof(w.splitCommitment.proof), root.splitCommitmentRoot!);
  } catch (e) {
    throw incorrectData(`${what}: ${(e as Error).message}`);
  }
  if (!included) throw incorrectData(`${what}: not in the signed root's split commitment at its split locator`);
}

export async function checkSplitOutputs(reader: VpsbtReader, req: SignVpsbtRequest, signed: SignedRoot): Promise<void> {
  const root = signed.asset;
  const commitment = root.splitCommitmentRoot;
  if (!commitment && req.outputCount !== 1)
    throw incorrectData(`outputs: the signed root has no split commitment, so ${req.outputCount - 1} other output(s) would not be bound by the signature`);
  const rootId = assetId(root.genesis);
  let previous: Uint8Array | undefined;
  let sum = 0n;
  for (let r = 0; r < req.outputCount; r++) {
    const element = await reader.element(req.outputsOrderRoot, req.outputCount, r, ORDER_ELEMENT_BYTES, `outputs order[${r}]`);
    if (element.length !== ORDER_ELEMENT_BYTES) throw incorrectData(`outputs order[${r}]: expected ${ORDER_ELEMENT_BYTES} bytes, got ${element.length}`);
    const j = new DataView(element.buffer, element.byteOffset, 4).getUint32(0, false);
    if (j >= req.outputCount) throw incorrectData(`outputs order[${r}]: expected an output index below ${req.outputCount}, got ${j}`);
    const what = `outputs[${j}]`;
    const map = await reader.mapCommitment(req.outputsRoot, req.outputCount, j, what);
    const asset = decode(`${what}.asset`, await reader.lookup(map, Uint8Array.of(0x76)), (b) => decodeAsset(b));
    const anchorBytes = await reader.lookup(map, Uint8Array.of(0x72));
    if (anchorBytes === undefined) throw incorrectData(`${what}.anchorOutputIndex: expected the field, got none`);
    let anchor: bigint;
    try {
      anchor = decodeU64(anchorBytes, `${what}.anchorOutputIndex`);
    } catch (e) {
      throw incorrectData((e as Error).message);
    }
    if (anchor > U32_MAX) throw incorrectData(`${what}.anchorOutputIndex: expected a 32-bit split locator index, got ${anchor}`);
    const key = splitLocatorKey(Number(anchor), assetId(asset.genesis), asset.scriptKey);
    if (previous && compareBytes(previous, key) >= 0)
      throw incorrectData(`${what}: its split locator is not above the previous output's: two outputs claim one leaf, or the order is not sorted`);
    previous = key;
    if (!commitment) continue;
    if (!equal(assetId(asset.genesis), rootId)) throw incorrectData(`${what}: expected the signed root's asset ID, got another genesis`);
    sum += asset.amount;
    if (j === signed.outputIndex) {
      const split = decode(`${what}.splitAsset`, await reader.lookup(map, Uint8Array.of(0x77)), (b) => decodeAsset(b));
      if (split.amount !== root.amount || !equal(split.scriptKey, root.scriptKey) || !equal(assetId(split.genesis), rootId))
        throw incorrectData(`${what}.splitAsset: expected the root's amount, script key and asset ID`);
      checkIncluded(`${what}.splitAsset`, split, key, root);
    } else checkIncluded(`${what}.asset`, asset, key, root);
  }
  if (commitment && sum !== commitment.sum)
    throw incorrectData(`outputs: they carry ${sum} units, the signed split commitment ${commitment.sum}: an output is missing, repeated or altered`);
  const out = commitment ? commitment.sum : root.amount;
  if (out !== signed.totalIn) throw incorrectData(`outputs: the signed root moves ${out} units, the inputs hold ${signed.totalIn}`);
}
