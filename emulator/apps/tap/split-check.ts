// The split pass of SIGN_VPSBT (docs/tap-app-protocol.md §5.5 step 2b): what the review shows must
// be what the signature binds. The inputs sign the root asset, whose split commitment root commits
// to every split output (tapd commitment/split.go). The device walks the outputs once more, in the
// order of the request's outputs-order tree, and checks with memory that does not grow with them
//   * each output's split locator key (anchor output index, asset ID, script key; assets/ splitLocatorKey)
//     is strictly greater than the previous one: no two outputs claim the same leaf;
//   * each non-root output's asset is included at its locator under the root's split commitment root
//     (its prev witness' MS-SMT proof, as tapd's vm.validateSplit checks it), and so is the root's own
//     split asset (0x77) with the root's amount and script key;
//   * the shown amounts add up to the split tree's root sum, which must equal the inputs' total.
// Distinct verified leaves whose sums add up to the root sum are all the tree's value: whatever the
// review does not show carries zero units (§5.5 argues why such leaves are harmless).
//
// An output's asset is parsed as it streams (asset-stream.ts): the device keeps its split leaf hash,
// the embedded proof's bit map and a hash of its nodes, never the proof. It then asks the host for
// those nodes again by that hash and folds them into the root one at a time (ProofFold).

import { compareBytes, equal } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { AssetVerifyError } from '../../../assets/errors.ts';
import type { Asset } from '../../../assets/asset/leaf.ts';
import { EMPTY_TREE, MSSMT_DEPTH, branchNode, keyBit, nodeEqual, type MssmtNode } from '../../../assets/mssmt/node.ts';
import { decodeU64 } from '../../../assets/tlv/values.ts';
import { splitLocatorKey } from '../../../assets/vtx/verify.ts';
import type { SignVpsbtRequest } from '../../../apdu/tap-app/sign-vpsbt.ts';
import { ASSET_PARSE_STATE, NODE_BYTES, pullAsset, type StreamedAsset, type StreamedSplitCommitment } from './asset-stream.ts';
import { incorrectData } from './errors.ts';
import { pullWhole, type Pull, type PullSource } from './pull.ts';
import type { VpsbtReader } from './vpsbt-reader.ts';

/** What the first pass learnt about the signed root. */
export interface SignedRoot {
  asset: Asset;
  /** Its TLV bytes, as the root output's 0x76 carries them. */
  bytes: Uint8Array;
  /** Its index among the vPSBT's outputs. */
  outputIndex: number;
  /** Sum of the inputs' amounts. */
  totalIn: bigint;
}

const ORDER_ELEMENT_BYTES = 4;
const U32_MAX = 0xffffffffn;
/** Kept across the pass: the previous locator key, the running sum, the root asset's stripped digest, the output index and its anchor index. */
const PASS_STATE = 32 + 8 + 32 + 4 + 8;
/** Kept while folding: the running node, the key, the node being read (in the pull scratch). */
const FOLD_STATE = NODE_BYTES + 32;

/**
 * An MS-SMT inclusion proof folded leaf to root as its explicit nodes arrive (mssmt proofRoot, one
 * level at a time): empty siblings come from the bit map and the constant empty-subtree hashes.
 */
export class ProofFold {
  private level = 0;
  private current: MssmtNode;

  constructor(
    private readonly key: Uint8Array,
    leaf: MssmtNode,
    private readonly bits: Uint8Array,
  ) {
    this.current = leaf;
    this.skipEmpty();
  }

  private up(sibling: MssmtNode): void {
    const depth = MSSMT_DEPTH - 1 - this.level;
    this.current = keyBit(this.key, depth) === 0 ? branchNode(this.current, sibling) : branchNode(sibling, this.current);
    this.level++;
  }

  private skipEmpty(): void {
    while (this.level < MSSMT_DEPTH && ((this.bits[this.level >> 3]! >> (this.level & 7)) & 1) === 1) this.up(EMPTY_TREE[MSSMT_DEPTH - this.level]!);
  }

  /** The next explicit sibling, bottom-up. */
  node(sibling: MssmtNode): void {
    if (this.level === MSSMT_DEPTH) throw new CodecError('mssmt proof: expected no more nodes, got another');
    this.up(sibling);
    this.skipEmpty();
  }

  root(): MssmtNode {
    if (this.level !== MSSMT_DEPTH) throw new CodecError(`mssmt proof: expected ${MSSMT_DEPTH} levels, got ${this.level}`);
    return this.current;
  }
}

function* pullNodes(s: PullSource, fold: ProofFold): Pull<MssmtNode> {
  s.hold(FOLD_STATE);
  for (let i = 0; s.left > 0; i++) {
    const b = yield* s.bytes(NODE_BYTES, `${s.what}[${i}]`);
    fold.node({ hash: b.subarray(0, 32), sum: new DataView(b.buffer, b.byteOffset + 32, 8).getBigUint64(0, false) });
  }
  return fold.root();
}

/** A split output's asset: one prev witness, no tx witness, a split commitment naming the signed root. */
function splitCommitmentOf(what: string, s: StreamedAsset, rootDigest: Uint8Array): StreamedSplitCommitment {
  const w = s.firstWitness;
  if (s.witnessCount !== 1 || !w?.splitCommitment || w.txWitness)
    throw incorrectData(`${what}: expected one prev witness carrying a split commitment proof`);
  if (!equal(w.splitCommitment.rootAsset, rootDigest))
    throw incorrectData(`${what}: its split commitment names another root asset than the one signed`);
  return w.splitCommitment;
}

/** Checks the output's embedded proof puts its split leaf at `key` under the signed split commitment root. */
async function checkIncluded(reader: VpsbtReader, what: string, s: StreamedAsset, sc: StreamedSplitCommitment, key: Uint8Array, commitment: MssmtNode): Promise<void> {
  if (!s.splitLeaf) throw incorrectData(`${what}: ${s.splitLeafProblem}`);
  let root: MssmtNode;
  try {
    const fold = new ProofFold(key, s.splitLeaf, sc.bits);
    // The nodes come back from the host under the hash the device took of them in the asset: the very same bytes.
    root =
      sc.nodeCount === 0
        ? fold.root()
        : await reader.streamElement(sc.nodesHash, `${what}.splitCommitment.proof.nodes`, (p) => {
            if (p.left !== sc.nodeCount * NODE_BYTES) throw new CodecError(`${p.what}: expected ${sc.nodeCount * NODE_BYTES} bytes, got ${p.left}`);
            return pullNodes(p, fold);
          });
  } catch (e) {
    if (e instanceof RangeError || e instanceof CodecError || e instanceof AssetVerifyError) throw incorrectData(`${what}: ${e.message}`);
    throw e;
  }
  if (!nodeEqual(root, commitment)) throw incorrectData(`${what}: not in the signed root's split commitment at its split locator`);
}

export async function checkSplitOutputs(reader: VpsbtReader, req: SignVpsbtRequest, signed: SignedRoot): Promise<void> {
  const root = signed.asset;
  const commitment = root.splitCommitmentRoot;
  if (!commitment && req.outputCount !== 1)
    throw incorrectData(`outputs: the signed root has no split commitment, so ${req.outputCount - 1} other output(s) would not be bound by the signature`);
  const rootId = assetId(root.genesis);
  const leafContext = { splitLeaf: { lockTime: root.lockTime, relativeLockTime: root.relativeLockTime } };
  const rootDigest = commitment && pullWhole(signed.bytes, 'root asset', (s) => pullAsset(s, 'root asset', { stripped: true })).stripped!;
  reader.retain(PASS_STATE);
  let previous: Uint8Array | undefined;
  let sum = 0n;
  for (let r = 0; r < req.outputCount; r++) {
    const element = await reader.element(req.outputsOrderRoot, req.outputCount, r, ORDER_ELEMENT_BYTES, `outputs order[${r}]`);
    if (element.length !== ORDER_ELEMENT_BYTES) throw incorrectData(`outputs order[${r}]: expected ${ORDER_ELEMENT_BYTES} bytes, got ${element.length}`);
    const j = new DataView(element.buffer, element.byteOffset, 4).getUint32(0, false);
    if (j >= req.outputCount) throw incorrectData(`outputs order[${r}]: expected an output index below ${req.outputCount}, got ${j}`);
    const what = `outputs[${j}]`;
    const map = await reader.mapCommitment(req.outputsRoot, req.outputCount, j, what);
    const anchorBytes = await reader.lookup(map, Uint8Array.of(0x72));
    if (anchorBytes === undefined) throw incorrectData(`${what}.anchorOutputIndex: expected the field, got none`);
    let anchor: bigint;
    try {
      anchor = decodeU64(anchorBytes, `${what}.anchorOutputIndex`);
    } catch (e) {
      throw incorrectData((e as Error).message);
    }
    if (anchor > U32_MAX) throw incorrectData(`${what}.anchorOutputIndex: expected a 32-bit split locator index, got ${anchor}`);
    // Without a split commitment the only output is the signed root itself: nothing else to bind.
    if (!commitment) continue;
    const isRoot = j === signed.outputIndex;
    // The root output's leaf is its split asset (0x77); any other output's leaf is its asset (0x76).
    const field = isRoot ? `${what}.splitAsset` : `${what}.asset`;
    const s = await reader.streamLookup(map, Uint8Array.of(isRoot ? 0x77 : 0x76), field, (p) => pullAsset(p, field, leafContext));
    if (s === undefined) throw incorrectData(`${field}: expected the field, got none`);
    if (isRoot && (s.amount !== root.amount || !equal(s.scriptKey, root.scriptKey) || !equal(s.assetId, rootId)))
      throw incorrectData(`${field}: expected the root's amount, script key and asset ID`);
    const key = splitLocatorKey(Number(anchor), s.assetId, s.scriptKey);
    if (previous && compareBytes(previous, key) >= 0)
      throw incorrectData(`${what}: its split locator is not above the previous output's: two outputs claim one leaf, or the order is not sorted`);
    previous = key;
    if (!equal(s.assetId, rootId)) throw incorrectData(`${what}: expected the signed root's asset ID, got another genesis`);
    sum += s.amount;
    // Held while the proof folds: the asset's parsed state (its leaf, the proof's bit map and nodes hash).
    reader.retain(ASSET_PARSE_STATE);
    try {
      await checkIncluded(reader, field, s, splitCommitmentOf(field, s, rootDigest!), key, commitment);
    } finally {
      reader.release(ASSET_PARSE_STATE);
    }
  }
  reader.endMap();
  reader.release(PASS_STATE);
  if (commitment && sum !== commitment.sum)
    throw incorrectData(`outputs: they carry ${sum} units, the signed split commitment ${commitment.sum}: an output is missing, repeated or altered`);
  const out = commitment ? commitment.sum : root.amount;
  if (out !== signed.totalIn) throw incorrectData(`outputs: the signed root moves ${out} units, the inputs hold ${signed.totalIn}`);
}
