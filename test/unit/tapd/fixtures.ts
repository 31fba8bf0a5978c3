// Test material for the tapd flows: the docs fixtures, emulated devices, and a builder of group
// virtual PSBTs shaped as tapd's PendingAssetGroup.PSBT builds them (tapgarden/planter.go): the
// virtual tx from assets/vtx, WITNESS_UTXO = the group key output, TAP_INTERNAL_KEY, TAP_MERKLE_ROOT,
// BIP-32 and taproot BIP-32 derivations, and for external keys the account xpub and the Pedersen
// xpub (fingerprint 7a9a55e7, the account path) as PSBT_GLOBAL_XPUB entries.

import { readFileSync } from 'node:fs';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { sha256 } from '@noble/hashes/sha2.js';
import { Transaction } from '@scure/btc-signer';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { concat, fromHex, toHex, u32be, u32le, u64le, utf8 } from '../../../apdu/bytes.ts';
import { parseOutPoint } from '../../../assets/asset/outpoint.ts';
import { HARDENED, parsePath } from '../../../apdu/path.ts';
import { parseRawPsbt, serializeRawPsbt } from '../../../bitcoin/psbtv2.ts';
import { PSBT_GLOBAL, PSBT_IN } from '../../../bitcoin/psbt-fields.ts';
import { ZERO_PREV_ID } from '../../../assets/asset/prev-id.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import type { Asset } from '../../../assets/asset/leaf.ts';
import { tapBranchHash, tapLeafHash, taprootTweak, parsePoint } from '../../../assets/crypto.ts';
import { groupPubKeyV0, nonSpendableLeafScript, NonSpendLeafVersion, TAPROOT_NUMS_KEY } from '../../../assets/group/group-key.ts';
import { genesisPrevOut, virtualTx } from '../../../assets/vtx/virtual-tx.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { EmulatedDevice, deviceOptions } from '../../../emulator/index.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import { TapAppClient } from '../../../host/tap-app/client.ts';
import { PEDERSEN_XPUB_FINGERPRINT, type GroupVirtualPsbt } from '../../../host/tapd/group-psbt.ts';

export const docs = JSON.parse(readFileSync(new URL('../../vectors/tapd-docs/external-group-key.json', import.meta.url), 'utf8'));
export const ledgerDoc = JSON.parse(readFileSync(new URL('../../vectors/tapd-docs/external-group-key-ledger.json', import.meta.url), 'utf8'));

export const TAPD_MNEMONIC: string = docs.mnemonic;

export function device(app: 'bitcoin' | 'bitcoin-test' | 'tap', opts: { seed?: string; autoApprove?: boolean } = {}) {
  const dev = new EmulatedDevice(deviceOptions({ seed: opts.seed ?? TAPD_MNEMONIC, autoApprove: opts.autoApprove ?? true, app }));
  const transport = new LoopbackTransport(dev);
  return { dev, bitcoin: new BitcoinAppClient(transport), tap: new TapAppClient(transport) };
}

export function master(mnemonic = TAPD_MNEMONIC): HDKey {
  return HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic));
}

/** A genesis asset as tapd's group_key_request.new_asset (no group key yet). */
export function genesisAsset(tag: string, amount: bigint, scriptKeySeed: number): Asset {
  const sk = secp256k1.getPublicKey(sha256(utf8.encode(`script key ${scriptKeySeed}`)), true);
  return {
    version: 0,
    genesis: { firstPrevOut: { txid: sha256(utf8.encode(`genesis point ${tag}`)), index: 1 }, tag, metaHash: new Uint8Array(32), outputIndex: 0, type: 0 },
    amount,
    lockTime: 0n,
    relativeLockTime: 0n,
    prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }],
    scriptVersion: 0,
    scriptKey: sk,
    unknownOddTypes: [],
  };
}

/** tapd's NumsXPub: a depth-3 xpub whose key is `point` and chain code its x coordinate. */
export function numsXpub(point: Uint8Array): HDKey {
  return new HDKey({ publicKey: point, chainCode: point.subarray(1), depth: 3, index: 0, parentFingerprint: 0 });
}

/** The Pedersen commitment assetID·G + NUMS with the NUMS point assets/ uses. */
export function pedersenCommitment(id: Uint8Array): Uint8Array {
  const m = BigInt(`0x${toHex(id)}`) % secp256k1.Point.Fn.ORDER;
  return secp256k1.Point.BASE.multiply(m).add(secp256k1.Point.fromBytes(TAPROOT_NUMS_KEY)).toBytes(true);
}

function xpubBytes(hd: HDKey, testnet: boolean): Uint8Array {
  return concat(
    u32be(testnet ? 0x043587cf : 0x0488b21e),
    Uint8Array.of(hd.depth),
    u32be(hd.parentFingerprint),
    u32be(hd.index),
    hd.chainCode!,
    hd.publicKey!,
  );
}

export interface GeneratedGroup {
  psbt: Uint8Array;
  /** The asset with its group key set (what the witness goes into). */
  asset: Asset;
  /** tapd's new_asset: the asset without group key. */
  newAsset: Asset;
  groupKey: Uint8Array;
  tapscriptRoot: Uint8Array | undefined;
  anchorAssetId: Uint8Array;
}

export interface GenerateOptions {
  mnemonic?: string;
  path?: string;
  version: 0 | 1;
  /** V1: a custom tapscript subtree root. */
  customRoot?: Uint8Array;
  /** Re-issuance: the group anchor's asset ID (default: the minted asset's own). */
  anchorAssetId?: Uint8Array;
  /** V0: the tapscript root tapd adds to the V0 key. */
  v0Root?: Uint8Array;
  /** Leave out the PSBT_GLOBAL_XPUB entries (older tapd, or lnd-held keys). */
  noXpubs?: boolean;
  tag?: string;
  amount?: bigint;
}

/** Builds a group virtual PSBT for a new or re-issued asset, as tapd does for an external key. */
export function generateGroupPsbt(o: GenerateOptions): GeneratedGroup {
  const path = parsePath(o.path ?? "m/86'/1'/0'/0/0");
  const testnet = path[1] === HARDENED + 1;
  const root = master(o.mnemonic);
  const newAsset = genesisAsset(o.tag ?? 'generated', o.amount ?? 21_000n, path[4]!);
  const anchorId = o.anchorAssetId ?? assetId(newAsset.genesis);
  const raw = root.derive(`m/${path.map((s) => (s >= HARDENED ? `${s - HARDENED}'` : `${s}`)).join('/')}`).publicKey!;
  const account = root.derive(`m/${path.slice(0, 3).map((s) => `${s - HARDENED}'`).join('/')}`);
  const pedXpub = numsXpub(pedersenCommitment(anchorId));
  const pedKey = pedXpub.deriveChild(0).deriveChild(0).publicKey!;
  let tapscriptRoot: Uint8Array | undefined;
  let groupKey: Uint8Array;
  if (o.version === 1) {
    const leaf = tapLeafHash(concat(Uint8Array.of(0x20), pedKey.subarray(1), Uint8Array.of(0xac)));
    tapscriptRoot = o.customRoot ? tapBranchHash(leaf, tapBranchHash(tapLeafHash(nonSpendableLeafScript(NonSpendLeafVersion.pedersen)), o.customRoot)) : leaf;
    groupKey = taprootTweak(parsePoint(raw, 'raw'), tapscriptRoot).toBytes(true);
  } else {
    tapscriptRoot = o.v0Root;
    groupKey = groupPubKeyV0(raw, anchorId, o.v0Root);
  }
  const asset: Asset = { ...newAsset, groupKey };
  const vtx = virtualTx(asset, []);
  const prevOut = genesisPrevOut(asset);
  const fp = root.fingerprint;
  const tx = new Transaction({ version: 2, lockTime: 0, allowUnknownOutputs: true, disableScriptCheck: true });
  const der = { fingerprint: fp, path };
  const pedDer = { fingerprint: PEDERSEN_XPUB_FINGERPRINT, path };
  tx.addInput({
    txid: vtx.prevOutHash.slice().reverse(),
    index: 0,
    sequence: 0,
    witnessUtxo: { script: prevOut.script, amount: prevOut.amount },
    tapInternalKey: raw.subarray(1),
    ...(tapscriptRoot ? { tapMerkleRoot: tapscriptRoot } : {}),
    bip32Derivation: o.version === 1 && !o.noXpubs ? [[raw, der], [pedKey, pedDer]] : [[raw, der]],
    tapBip32Derivation:
      o.version === 1 && !o.noXpubs
        ? [[raw.subarray(1), { hashes: [], der }], [pedKey.subarray(1), { hashes: [], der: pedDer }]]
        : [[raw.subarray(1), { hashes: [], der }]],
  });
  tx.addOutput({ script: vtx.output.script, amount: vtx.output.amount });
  let psbt = tx.toPSBT(0);
  if (!o.noXpubs) {
    const rawPsbt = parseRawPsbt(psbt);
    const origin = (f: number) => concat(u32be(f), ...path.slice(0, 3).map((s) => u32le(s)));
    rawPsbt.global.push([concat(Uint8Array.of(PSBT_GLOBAL.XPUB), xpubBytes(account, testnet)), origin(fp)]);
    if (o.version === 1) rawPsbt.global.push([concat(Uint8Array.of(PSBT_GLOBAL.XPUB), xpubBytes(pedXpub, testnet)), origin(PEDERSEN_XPUB_FINGERPRINT)]);
    psbt = serializeRawPsbt(rawPsbt);
  }
  return { psbt, asset, newAsset, groupKey, tapscriptRoot, anchorAssetId: anchorId };
}

/**
 * Tranche 1's PSBT with the virtual transaction and prevout of another asset of the same group:
 * what tapd builds for a re-issuance (same raw key, root and xpubs; tapgarden/planter.go).
 */
export function reissuePsbt(g: GroupVirtualPsbt, asset: Asset): Uint8Array {
  const withKey = { ...asset, groupKey: g.groupKey };
  const vtx = virtualTx(withKey, []);
  const unsigned = new Transaction({ version: 2, lockTime: 0, allowUnknownOutputs: true, disableScriptCheck: true });
  unsigned.addInput({ txid: vtx.prevOutHash.slice().reverse(), index: 0, sequence: 0 });
  unsigned.addOutput({ script: vtx.output.script, amount: vtx.output.amount });
  const out = genesisPrevOut(withKey);
  const raw = parseRawPsbt(g.bytes);
  raw.global = raw.global.map(([k, v]) => (k.length === 1 && k[0] === PSBT_GLOBAL.UNSIGNED_TX ? [k, unsigned.unsignedTx] : [k, v]));
  raw.inputs[0] = raw.inputs[0]!.map(([k, v]) => (k.length === 1 && k[0] === PSBT_IN.WITNESS_UTXO ? [k, concat(u64le(out.amount), Uint8Array.of(out.script.length), out.script)] : [k, v]));
  return serializeRawPsbt(raw);
}

/** Tranche 2 of docs/external-group-key.md as tapd's new_asset (from the document's asset listing). */
export function tranche2Asset(): Asset {
  const t2 = genesisAsset('x', 1n, 0);
  t2.genesis = { firstPrevOut: parseOutPoint(docs.tranche2.genesisPoint, 'genesis'), tag: docs.tranche2.name, metaHash: fromHex(docs.tranche2.metaHash), outputIndex: 0, type: 0 };
  t2.amount = BigInt(docs.tranche2.amount);
  t2.scriptKey = fromHex(docs.tranche2.scriptKey);
  return t2;
}
