// Coherent vPSBTs for the SIGN_VPSBT tests: inputs whose script keys this seed holds (BIP-86
// tweaked keys at m/1017'/1'/212'/0/i), a split root back to the device and recipients, merkleized
// as §5.5 says (one merkleized map per PSBT map, the tx left out).

import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { p2tr } from '@scure/btc-signer';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, toHex, u32be } from '../../../apdu/bytes.ts';
import { MerkleizedMap, type MerkleTree } from '../../../apdu/merkle.ts';
import { HARDENED } from '../../../apdu/path.ts';
import { signVpsbt, tapCommand, type SignVpsbtRequest } from '../../../apdu/tap-app/index.ts';
import { assetId, type Genesis } from '../../../assets/asset/genesis.ts';
import { assetLeafValue, type Asset } from '../../../assets/asset/leaf.ts';
import { MssmtTree } from '../../../assets/mssmt/tree.ts';
import { splitLocatorKey } from '../../../assets/vtx/verify.ts';
import { decodeRawPsbt } from '../../../assets/vpsbt/psbt-map.ts';
import type { VInput, VOutput, VPacket } from '../../../assets/vpsbt/packet.ts';
import { Responder } from './responder.ts';
import { SPECULOS_MNEMONIC } from './device.ts';

const master = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_MNEMONIC));
export const FINGERPRINT = u32be(master.fingerprint);

export function scriptKeyPath(index: number): number[] {
  return [1017 + HARDENED, 1 + HARDENED, 212 + HARDENED, 0, index];
}

/** The device's BIP-86 script key at m/1017'/1'/212'/0/index: internal x-only and tweaked 33-byte key. */
export function deviceScriptKey(index: number) {
  const internal = master.derive(`m/1017'/1'/212'/0/${index}`).publicKey!;
  const tweaked = p2tr(internal.subarray(1)).tweakedPubkey;
  return {
    internal,
    scriptKey: concat(Uint8Array.of(0x02), tweaked),
    derivation: { xOnlyPubKey: internal.subarray(1), leafHashes: [], fingerprint: FINGERPRINT, path: scriptKeyPath(index) },
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

function asset(amount: bigint, scriptKey: Uint8Array, extra: Partial<Asset> = {}): Asset {
  return { version: 0, genesis: GENESIS, amount, lockTime: 0n, relativeLockTime: 0n, prevWitnesses: [], scriptVersion: 0, scriptKey, unknownOddTypes: [], ...extra };
}

export interface TransferOptions {
  /** Amounts of the inputs, each held by the device at script key index i. */
  inputs?: bigint[];
  /** Number of recipient outputs besides the split root (each gets 1 unit). */
  recipients?: number;
  courier?: string;
}

/** A transfer: inputs held by the device, a split root (change to the device) and recipients. */
export function transferPacket(opts: TransferOptions = {}): VPacket {
  const amounts = opts.inputs ?? [600_000n, 400_000n];
  const recipients = opts.recipients ?? 1;
  const id = assetId(GENESIS);
  const inputs: VInput[] = amounts.map((amount, i) => {
    const k = deviceScriptKey(i);
    const prevId = { outPoint: { txid: sha256(u32be(1000 + i)), index: i }, assetId: id, scriptKey: k.scriptKey };
    return {
      prevId,
      anchor: { value: 1000n, pkScript: concat(Uint8Array.of(0x51, 0x20), sha256(u32be(i))), sigHashType: 0n, merkleRoot: sha256(u32be(7 + i)), tapscriptSibling: new Uint8Array(), bip32Derivation: [], trBip32Derivation: [] },
      bip32Derivation: [],
      trBip32Derivation: [k.derivation],
      trInternalKey: k.internal.subarray(1),
      other: [],
      asset: asset(amount, k.scriptKey),
    };
  });
  const total = amounts.reduce((a, b) => a + b, 0n);
  const change = deviceScriptKey(100);
  const recipientOutputs = Array.from({ length: recipients }, (_, j) => ({ key: foreignKey(j), amount: 1n, anchor: 1 + j }));
  const split = new MssmtTree();
  const rootAmount = total - BigInt(recipients);
  for (const r of recipientOutputs) split.insert(splitLocatorKey(r.anchor, id, r.key), assetLeafValue(asset(r.amount, r.key)), r.amount);
  split.insert(splitLocatorKey(0, id, change.scriptKey), assetLeafValue(asset(rootAmount, change.scriptKey)), rootAmount);
  const root = asset(rootAmount, change.scriptKey, {
    prevWitnesses: inputs.map((vin) => ({ prevId: vin.prevId, txWitness: [], unknownOddTypes: [] })),
    splitCommitmentRoot: split.root(),
  });
  const base = { anchorOutputBip32Derivation: [], anchorOutputTrBip32Derivation: [], assetVersion: 0, bip32Derivation: [], other: [], lockTime: 0n, relativeLockTime: 0n };
  const outputs: VOutput[] = [
    { ...base, amount: rootAmount, scriptKey: change.scriptKey.subarray(1), type: 1, interactive: false, anchorOutputIndex: 0, trBip32Derivation: [change.derivation], asset: root },
    ...recipientOutputs.map((r) => ({
      ...base,
      amount: r.amount,
      scriptKey: r.key.subarray(1),
      type: 0,
      interactive: false,
      anchorOutputIndex: r.anchor,
      trBip32Derivation: [],
      asset: asset(r.amount, r.key),
      ...(opts.courier ? { proofDeliveryAddress: opts.courier } : {}),
    })),
  ];
  return { version: 1, chainHrp: 'taprt', inputs, outputs, globalOther: [] };
}

export interface Merkleized {
  request: SignVpsbtRequest;
  /** The four trees the request's roots name, for a lying host. */
  tops: MerkleTree[];
  /** Registers every tree with a responder. */
  serve(r: Responder): void;
}

/** Merkleizes a vPSBT as §5.5 says: the raw maps of the PSBTv0 (the unsigned tx left out). */
export function merkleize(bytes: Uint8Array): Merkleized {
  const raw = decodeRawPsbt(bytes);
  const toMap = (fields: { key: Uint8Array; value: Uint8Array }[]) => new MerkleizedMap(fields.map((f) => [f.key, f.value] as const));
  const global = toMap(raw.global);
  const inputs = raw.inputs.map(toMap);
  const outputs = raw.outputs.map(toMap);
  const probe = new Responder();
  const inTree = probe.addTree(inputs.map((m) => m.commitment()));
  const outTree = probe.addTree(outputs.map((m) => m.commitment()));
  return {
    tops: [global.keysTree, global.valuesTree, inTree, outTree],
    request: {
      globalMap: { size: global.size, keysRoot: global.keysTree.root, valuesRoot: global.valuesTree.root },
      inputCount: inputs.length,
      inputsRoot: inTree.root,
      outputCount: outputs.length,
      outputsRoot: outTree.root,
    },
    serve(r) {
      r.addMap(global);
      for (const m of [...inputs, ...outputs]) r.addMap(m);
      r.addTree(inputs.map((m) => m.commitment()));
      r.addTree(outputs.map((m) => m.commitment()));
    },
  };
}

export function signCommand(m: Merkleized) {
  return tapCommand(signVpsbt, m.request);
}

/** From `lie()` on, the responder answers for `honest`'s roots with `forged`'s trees. */
export function forge(r: Responder, honest: Merkleized, forged: Merkleized): void {
  forged.serve(r);
  honest.tops.forEach((t, i) => r.lies.set(toHex(t.root), forged.tops[i]!));
}
