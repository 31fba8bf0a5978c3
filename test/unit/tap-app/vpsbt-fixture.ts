// Coherent vPSBTs for the SIGN_VPSBT tests: inputs whose script keys this seed holds (BIP-86
// tweaked keys at m/1017'/1'/212'/0/i), a split root back to the device and recipients bound by
// its split commitment, and the host's side of the stream (§5.5) that pushes them to a device.

import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { p2tr } from '@scure/btc-signer';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, u32be } from '../../../apdu/bytes.ts';
import { HARDENED } from '../../../apdu/path.ts';
import { decodeResponse, encodeCommand, type CommandApdu } from '../../../apdu/apdu.ts';
import { decodeResultBatch, encodeVpsbtStream, resultsCommand, streamCommands, type StreamModeValue, type StreamResult, type VpsbtStream } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { encodeVpsbtStreamFor } from '../../../host/tap-app/vpsbt-stream.ts';
import { assetId, type Genesis } from '../../../assets/asset/genesis.ts';
import { assetLeafValue, type Asset } from '../../../assets/asset/leaf.ts';
import { ZERO_PREV_ID } from '../../../assets/asset/prev-id.ts';
import { deriveBurnKey } from '../../../assets/asset/burn.ts';
import { EMPTY_TREE, MSSMT_DEPTH, branchNode, keyBit, leafNode, type MssmtNode } from '../../../assets/mssmt/node.ts';
import { compressProof, type MssmtProof } from '../../../assets/mssmt/proof.ts';
import { splitLocatorKey } from '../../../assets/vtx/verify.ts';
import { inputPrevOut, virtualTx, virtualTxSighash } from '../../../assets/vtx/virtual-tx.ts';
import type { VInput, VOutput, VPacket } from '../../../assets/vpsbt/packet.ts';
import { SPECULOS_MNEMONIC, screenText, tapDevice } from './device.ts';
import { decodeVPacket, encodeVPacket } from '../../../assets/vpsbt/codec.ts';

const master = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_MNEMONIC));
export const FINGERPRINT = u32be(master.fingerprint);

export function scriptKeyPath(index: number, coin = 1): number[] {
  return [1017 + HARDENED, coin + HARDENED, 212 + HARDENED, 0, index];
}

/** The device's BIP-86 script key at m/1017'/coin'/212'/0/index: internal x-only and tweaked 33-byte key. */
export function deviceScriptKey(index: number, coin = 1) {
  const internal = master.derive(`m/1017'/${coin}'/212'/0/${index}`).publicKey!;
  const tweaked = p2tr(internal.subarray(1)).tweakedPubkey;
  return {
    internal,
    scriptKey: concat(Uint8Array.of(0x02), tweaked),
    derivation: { xOnlyPubKey: internal.subarray(1), leafHashes: [], fingerprint: FINGERPRINT, path: scriptKeyPath(index, coin) },
  };
}

export function foreignKey(i: number): Uint8Array {
  return HDKey.fromMasterSeed(sha256(u32be(i))).publicKey!;
}

export const GENESIS: Genesis = {
  firstPrevOut: { txid: sha256(new TextEncoder().encode('genesis outpoint')), index: 1 },
  tag: 'taproot-hw test coin',
  metaHash: sha256(new TextEncoder().encode('meta')),
  outputIndex: 0,
  type: 0,
};

/** A grouped genesis asset of GENESIS carrying `groupKey` (33 bytes), as tapd's group virtual PSBT does. */
export function genesisAsset(groupKey: Uint8Array): Asset {
  return {
    version: 0,
    genesis: GENESIS,
    amount: 21_000_000n,
    lockTime: 0n,
    relativeLockTime: 0n,
    prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }],
    scriptVersion: 0,
    scriptKey: foreignKey(1),
    groupKey,
    unknownOddTypes: [],
  };
}

function asset(amount: bigint, scriptKey: Uint8Array, extra: Partial<Asset> = {}): Asset {
  return { version: 0, genesis: GENESIS, amount, lockTime: 0n, relativeLockTime: 0n, prevWitnesses: [], scriptVersion: 0, scriptKey, unknownOddTypes: [], ...extra };
}

export interface TransferOptions {
  /** Amounts of the inputs, each held by the device at script key index i. */
  inputs?: bigint[];
  /** Number of recipient outputs besides the split root (each gets 1 unit). */
  recipients?: number;
  courier?: string;
  /** 33-byte script keys for the inputs instead of the device's (then without derivations). */
  inputScriptKeys?: Uint8Array[];
  /** Network HRP (default taprt) and the coin type of the device's input and change keys (default 1). */
  hrp?: string;
  coin?: number;
  /** The coin type of the change key only (default: coin). */
  changeCoin?: number;
  /** The inputs' genesis (default GENESIS) and, when different, the one the root and outputs carry. */
  genesis?: Genesis;
  outputGenesis?: Genesis;
  /** Group keys of the inputs' and of the outputs' assets. */
  inputGroupKey?: Uint8Array;
  outputGroupKey?: Uint8Array;
  /** The root asset's lock times (which every split leaf takes), and the outputs' 0x7c/0x7d (default: the same). */
  lockTime?: bigint;
  relativeLockTime?: bigint;
  vLockTime?: bigint;
  vRelativeLockTime?: bigint;
  /** The input indices in the order of the root's prev witnesses (default: input order). */
  witnessOrder?: number[];
  /** The first recipient is paid to the burn key of the root's first prev witness. */
  burn?: boolean;
  /** 33-byte script keys of the first recipients (default foreignKey(j)). */
  recipientKeys?: Uint8Array[];
}

export interface SplitLeaf {
  key: Uint8Array;
  value: Uint8Array;
  sum: bigint;
}

/**
 * The root and every leaf's inclusion proof of an MS-SMT in one walk (the tree of assets/mssmt
 * recomputes subtrees per proof, too slow for a 1,000-leaf split).
 */
export function splitTree(leaves: readonly SplitLeaf[]): { root: MssmtNode; proofs: MssmtProof[] } {
  const siblings: MssmtNode[][] = leaves.map(() => new Array<MssmtNode>(MSSMT_DEPTH));
  const walk = (ids: number[], depth: number): MssmtNode => {
    if (ids.length === 0) return EMPTY_TREE[depth]!;
    if (depth === MSSMT_DEPTH) return leafNode(leaves[ids[0]!]!.value, leaves[ids[0]!]!.sum);
    const left = ids.filter((i) => keyBit(leaves[i]!.key, depth) === 0);
    const right = ids.filter((i) => keyBit(leaves[i]!.key, depth) === 1);
    const l = walk(left, depth + 1);
    const r = walk(right, depth + 1);
    for (const i of left) siblings[i]![MSSMT_DEPTH - 1 - depth] = r;
    for (const i of right) siblings[i]![MSSMT_DEPTH - 1 - depth] = l;
    return branchNode(l, r);
  };
  const root = walk(leaves.map((_, i) => i), 0);
  return { root, proofs: siblings.map((s) => ({ siblings: s })) };
}

const ZERO_WITNESS = { prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] };

/**
 * A transfer shaped as tapd's tapsend builds it (commitment/split.go): inputs held by the device, a
 * split root back to the device carrying the split commitment root and, as 0x77, its own split
 * asset; recipients whose assets carry an MS-SMT proof at their split locator and the root asset.
 */
export function transferPacket(opts: TransferOptions = {}): VPacket {
  const amounts = opts.inputs ?? [600_000n, 400_000n];
  const recipients = opts.recipients ?? 1;
  const coin = opts.coin ?? 1;
  const genesis = opts.genesis ?? GENESIS;
  const outGenesis = opts.outputGenesis ?? genesis;
  const id = assetId(genesis);
  const outId = assetId(outGenesis);
  const lockTime = opts.lockTime ?? 0n;
  const relativeLockTime = opts.relativeLockTime ?? 0n;
  const inputs: VInput[] = amounts.map((amount, i) => {
    const given = opts.inputScriptKeys?.[i];
    const k = given ? { scriptKey: given, internal: given, derivation: undefined } : deviceScriptKey(i, coin);
    const prevId = { outPoint: { txid: sha256(u32be(1000 + i)), index: i }, assetId: id, scriptKey: k.scriptKey };
    return {
      prevId,
      anchor: { value: 1000n, pkScript: concat(Uint8Array.of(0x51, 0x20), sha256(u32be(i))), sigHashType: 0n, merkleRoot: sha256(u32be(7 + i)), tapscriptSibling: new Uint8Array(), bip32Derivation: [], trBip32Derivation: [] },
      bip32Derivation: [],
      trBip32Derivation: k.derivation ? [k.derivation] : [],
      ...(k.derivation ? { trInternalKey: k.internal.subarray(1) } : {}),
      other: [],
      asset: asset(amount, k.scriptKey, { genesis, ...(opts.inputGroupKey ? { groupKey: opts.inputGroupKey } : {}) }),
    };
  });
  const witnessOrder = opts.witnessOrder ?? inputs.map((_, i) => i);
  const total = amounts.reduce((a, b) => a + b, 0n);
  const change = deviceScriptKey(100, opts.changeCoin ?? coin);
  const rootAmount = total - BigInt(recipients);
  const burnKey = concat(Uint8Array.of(0x02), deriveBurnKey(inputs[witnessOrder[0]!]!.prevId));
  const outExtra: Partial<Asset> = { genesis: outGenesis, lockTime, relativeLockTime, ...(opts.outputGroupKey ? { groupKey: opts.outputGroupKey } : {}) };
  const splits = [
    { key: change.scriptKey, amount: rootAmount, anchor: 0 },
    ...Array.from({ length: recipients }, (_, j) => ({ key: j === 0 && opts.burn ? burnKey : (opts.recipientKeys?.[j] ?? foreignKey(j)), amount: 1n, anchor: 1 + j })),
  ].map((s) => ({ ...s, asset: asset(s.amount, s.key, { ...outExtra, prevWitnesses: [{ ...ZERO_WITNESS }] }) }));
  const tree = splitTree(splits.map((s) => ({ key: splitLocatorKey(s.anchor, outId, s.key), value: assetLeafValue(s.asset), sum: s.amount })));
  const root = asset(rootAmount, change.scriptKey, {
    ...outExtra,
    prevWitnesses: witnessOrder.map((i) => ({ prevId: inputs[i]!.prevId, txWitness: [], unknownOddTypes: [] })),
    splitCommitmentRoot: tree.root,
  });
  const [rootSplit, ...recipientSplits] = splits.map((s, i) => ({
    ...s.asset,
    prevWitnesses: [{ ...ZERO_WITNESS, splitCommitment: { proof: compressProof(tree.proofs[i]!), rootAsset: root } }],
  }));
  const base = {
    anchorOutputBip32Derivation: [],
    anchorOutputTrBip32Derivation: [],
    assetVersion: 0,
    bip32Derivation: [],
    other: [],
    lockTime: opts.vLockTime ?? lockTime,
    relativeLockTime: opts.vRelativeLockTime ?? relativeLockTime,
  };
  const outputs: VOutput[] = [
    { ...base, amount: rootAmount, scriptKey: change.scriptKey.subarray(1), type: 1, interactive: false, anchorOutputIndex: 0, trBip32Derivation: [change.derivation], asset: root, splitAsset: rootSplit! },
    ...recipientSplits.map((a, j) => ({
      ...base,
      amount: a.amount,
      scriptKey: a.scriptKey.subarray(1),
      type: 0,
      interactive: false,
      anchorOutputIndex: 1 + j,
      trBip32Derivation: [],
      asset: a,
      ...(opts.courier ? { proofDeliveryAddress: opts.courier } : {}),
    })),
  ];
  return { version: 1, chainHrp: opts.hrp ?? 'taprt', inputs, outputs, globalOther: [] };
}

export interface StreamRun {
  /** The status word of the APDU that ended the call (9000 after the last result batch). */
  statusWord: number;
  /** Every result of every batch, in order. */
  results: StreamResult[];
  /** APDUs exchanged. */
  exchanges: number;
}

type Exchanging = { exchange(apdu: Uint8Array): Promise<Uint8Array> };

/** Pushes SIGN_VPSBT v2 `commands` (START, NEXT…) and reads the result batches, as the host client does, trusting nothing. */
export async function pushStream(device: Exchanging, commands: readonly CommandApdu[]): Promise<StreamRun> {
  let exchanges = 0;
  const send = async (c: CommandApdu) => {
    exchanges++;
    return decodeResponse(await device.exchange(encodeCommand(c)));
  };
  let res: { statusWord: number; data: Uint8Array } = { statusWord: 0x9000, data: new Uint8Array() };
  for (const c of commands) {
    res = await send(c);
    if (res.statusWord !== 0x9000) return { statusWord: res.statusWord, results: [], exchanges };
  }
  const results: StreamResult[] = [];
  for (;;) {
    const batch = decodeResultBatch(res.data);
    results.push(...batch.results);
    if (batch.remaining === 0) return { statusWord: 0x9000, results, exchanges };
    res = await send(resultsCommand());
    if (res.statusWord !== 0x9000) return { statusWord: res.statusWord, results: [], exchanges };
  }
}

/** Runs SIGN_VPSBT v2 over `p` on a fresh device (or `opts.device`'s); records every screen's text. */
export async function runSignVpsbt(p: VPacket, opts: { autoApprove?: boolean; mode?: StreamModeValue; device?: ReturnType<typeof tapDevice> } = {}) {
  const t = opts.device ?? tapDevice({ autoApprove: opts.autoApprove ?? true });
  const packet = decodeVPacket(encodeVPacket(p));
  const encoded = encodeVpsbtStreamFor(packet, { fingerprint: FINGERPRINT, ...(opts.mode !== undefined ? { mode: opts.mode } : {}) });
  const shown: string[] = [];
  t.device.on('screen', () => shown.push(screenText(t.device)));
  const pending = pushStream(t.device, encoded.commands);
  return { t, shown, pending, packet, encoded };
}

/** A lying host: `p`'s honest stream changed by `lie` (after encoding, so the host's own checks are bypassed), pushed to a fresh device. */
export async function runLyingStream(p: VPacket, lie: (s: VpsbtStream) => void, opts: { device?: ReturnType<typeof tapDevice> } = {}): Promise<StreamRun> {
  const t = opts.device ?? tapDevice({ autoApprove: true });
  const stream = structuredClone(encodeVpsbtStreamFor(decodeVPacket(encodeVPacket(p)), { fingerprint: FINGERPRINT }).stream);
  lie(stream);
  return pushStream(t.device, streamCommands(encodeVpsbtStream(stream)));
}

/** Sighash of every input, computed by assets/ from the decoded packet (root = the split root). */
export function sighashes(p: VPacket): Uint8Array[] {
  const root = (p.outputs.find((o) => o.type === 1) ?? p.outputs[0]!).asset!;
  const vtx = virtualTx(root, p.inputs.map((i) => ({ prevId: i.prevId, asset: i.asset! })));
  return p.inputs.map((vin, i) => virtualTxSighash(vtx, root, i, inputPrevOut(vin.asset!), { sighashType: vin.sighashType ?? 0 }));
}
