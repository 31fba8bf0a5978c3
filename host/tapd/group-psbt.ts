// tapd's group virtual PSBT (`group_virtual_psbt` of `tapcli assets mint fund`, built by
// tapgarden PendingAssetGroup.PSBT; docs/taproot-assets.md §3): a plain PSBTv0 with one input and one
// output whose unsigned transaction is the group virtual transaction of the asset being minted. The
// input spends `OP_1 <x-only tweaked group key>` for the asset amount and carries the raw group key
// (TAP_INTERNAL_KEY and its BIP-32 derivations), the group key's tapscript root (TAP_MERKLE_ROOT)
// and, for an external key, the account xpub and the Pedersen leaf's xpub as global xpubs. The
// latter has tapd's fixed fake fingerprint 0xe7559a7a (asset.PedersenXPubMasterKeyFingerprint,
// serialized 7a9a55e7; older tapd wrote 00000000) and derives the leaf key at 0/0.
//
// parseGroupVirtualPsbt recognises all of that, works out which group key it is (V1 Pedersen, V1
// with a leaf it cannot see, V0 when the anchor asset ID is known) by recomputing the PSBT's own
// output key, and computes the key-path sighash the group witness signs.

import { HDKey } from '@scure/bip32';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { Transaction } from '@scure/btc-signer';
import { concat, equal, toHex } from '../../apdu/bytes.ts';
import { formatPath, HARDENED } from '../../apdu/path.ts';
import { isTaprootHwError } from '../../apdu/errors.ts';
import { parseRawPsbt } from '../../bitcoin/psbtv2.ts';
import { PSBT_GLOBAL } from '../../bitcoin/psbt-fields.ts';
import { decodeExtendedPublicKey, encodeExtendedPublicKey, type KeyFamily } from '../../bitcoin/extended-key.ts';
import { derivePublicPath } from '../../bitcoin/bip32-public.ts';
import { parsePoint, tapBranchHash, tapLeafHash, taprootTweak, verifySchnorr } from '../../assets/crypto.ts';
import { groupKeyTapscriptRoot, groupPubKeyV0, NonSpendLeafVersion, nonSpendableLeafScript } from '../../assets/group/group-key.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import { GlobalKey } from '../../assets/vpsbt/fields.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import { genesisPrevOut, isGroupGenesis, virtualTx, virtualTxSighash } from '../../assets/vtx/virtual-tx.ts';
import { HostError } from '../errors.ts';

/**
 * The fingerprint marking the Pedersen leaf's xpub, read big-endian from its bytes `7a9a55e7` as
 * key origins print it. tapd's constant (asset.PedersenXPubMasterKeyFingerprint) is the uint32
 * 0xe7559a7a, which PSBTs serialize little-endian.
 */
export const PEDERSEN_XPUB_FINGERPRINT = 0x7a9a55e7;

/** tapd's vPSBT marker (global 0x70 IsVirtualTx): an asset transfer packet, not a group virtual PSBT. */

export type BitcoinNetworkFamily = 'mainnet' | 'test';

export interface KeyDerivation {
  /** Master key fingerprint (u32, big-endian reading). */
  fingerprint: number;
  path: number[];
}

/** The Pedersen non-spendable leaf `<xonly(K)> OP_CHECKSIG`, K = child 0/0 of `xpub`. */
export interface PedersenLeaf {
  /** The xpub, re-encoded with the version bytes of the PSBT's network. */
  xpub: string;
  /** Fingerprint the PSBT gives it (PEDERSEN_XPUB_FINGERPRINT, or 0 from older tapd). */
  fingerprint: number;
  /** Origin path the PSBT gives it (tapd copies the account path; the key is not derived from it). */
  originPath: number[];
  leafKey: Uint8Array;
  leafHash: Uint8Array;
}

export type GroupKeyShape =
  /** V1 (tapd external keys): taptweak(raw, root) with the Pedersen leaf of the anchor asset ID. */
  | { version: 1; leaf: 'pedersen'; pedersen: PedersenLeaf; customSubtreeRoot?: Uint8Array }
  /** V1 with the OP_RETURN leaf (needs the anchor asset ID to be recognised). */
  | { version: 1; leaf: 'op-return'; customSubtreeRoot?: Uint8Array }
  /** taptweak(raw, root) whose leaves the PSBT does not reveal. */
  | { version: 1; leaf: 'unknown' }
  /** taptweak(raw) without a tree (BIP-86 style). */
  | { version: 1; leaf: 'none' }
  /** V0: taptweak(raw + anchorID·G, root). */
  | { version: 0 };

export interface GroupVirtualPsbt {
  /** The PSBT as given. */
  bytes: Uint8Array;
  tx: Transaction;
  prevOut: { amount: bigint; script: Uint8Array };
  /** The tweaked group key (33 bytes, with the parity tapd records); its x-only form is in prevOut. */
  groupKey: Uint8Array;
  /** The raw group key (33 bytes) and where the signer holds it. */
  internalKey: Uint8Array;
  derivation: KeyDerivation;
  /** The account xpub the PSBT carries for the raw key (tapd's --group_key_xpub), if any. */
  accountXpub: { xpub: string; fingerprint: number; path: number[] } | undefined;
  tapscriptRoot: Uint8Array | undefined;
  network: BitcoinNetworkFamily;
  /** Hardened coin type of the derivation (0 mainnet, 1 test networks). */
  coinType: number;
  shape: GroupKeyShape;
  /** BIP-341 key-path sighash (SIGHASH_DEFAULT) of the group virtual transaction. */
  sighash: Uint8Array;
  /** The genesis asset with its group key set, when it was given; the sighash then comes from it. */
  asset: Asset | undefined;
  /** The group anchor's asset ID, when known (given, or the asset's own). */
  anchorAssetId: Uint8Array | undefined;
}

export interface GroupPsbtContext {
  /**
   * The genesis asset being minted (tapd's `group_key_request.new_asset`), with or without its group
   * key. When given, the PSBT's transaction is checked to be this asset's group virtual transaction.
   */
  asset?: Asset;
  /** The group anchor's asset ID (`group_key_request.anchor_genesis.asset_id`); default: the asset's own. */
  anchorAssetId?: Uint8Array;
  /** The custom tapscript subtree root of a V1 group key (`group_tapscript_root` of the mint request). */
  customSubtreeRoot?: Uint8Array;
}

const fail = (msg: string): never => {
  throw new HostError('E_NOT_GROUP_VIRTUAL_PSBT', `not a group virtual PSBT: ${msg}`);
};

const isP2tr = (script: Uint8Array): boolean => script.length === 34 && script[0] === 0x51 && script[1] === 0x20;

const base58xpub = createBase58check(sha256);

/** HDKey reads an xpub only with the version bytes it carries: PSBTs mix xpub and tpub (HWI wrote an xpub with coin type 1'). */
function versionsOf(version: Uint8Array): { public: number; private: number } {
  return { public: new DataView(version.buffer, version.byteOffset, 4).getUint32(0, false), private: 0 };
}

/** Parses and recognises a group virtual PSBT; throws NotGroupVirtualPsbtError naming what is wrong. */
export function parseGroupVirtualPsbt(bytes: Uint8Array, ctx: GroupPsbtContext = {}): GroupVirtualPsbt {
  let raw;
  try {
    raw = parseRawPsbt(bytes);
  } catch (err) {
    if (isTaprootHwError(err, 'E_PSBT') || isTaprootHwError(err, 'E_CODEC')) fail(`expected a PSBT, got bytes that do not parse (${err.message})`);
    throw err;
  }
  if (raw.global.some(([k]) => k.length === 1 && k[0] === GlobalKey.isVirtualTx))
    fail('this is a vPSBT (an asset transfer packet, global 0x70), expected the group_virtual_psbt of `tapcli assets mint fund`');
  let tx: Transaction;
  try {
    tx = Transaction.fromPSBT(bytes, { allowUnknown: true, allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true });
  } catch (err) {
    return fail(`expected a PSBT version 0, got one that does not decode (${(err as Error).message})`);
  }
  if (tx.version !== 2) fail(`expected a version 2 transaction, got version ${tx.version}`);
  if (tx.inputsLength !== 1 || tx.outputsLength !== 1) fail(`expected one input and one output, got ${tx.inputsLength} and ${tx.outputsLength}`);
  const input = tx.getInput(0);
  const output = tx.getOutput(0);
  if (input.index !== 0) fail(`expected the virtual input to spend index 0, got ${input.index}`);
  const utxo = input.witnessUtxo ?? fail('expected the input to carry WITNESS_UTXO (the group key output), got none');
  if (!isP2tr(utxo.script)) fail(`expected the witness UTXO to pay to a taproot key, got script ${toHex(utxo.script)}`);
  if (!output.script || !isP2tr(output.script)) fail('expected the output to be OP_1 <32-byte asset commitment>');
  if (output.amount !== utxo.amount) fail(`expected the output to carry the input's ${utxo.amount} asset units, got ${output.amount}`);
  if (input.sighashType !== undefined && input.sighashType !== 0)
    fail(`expected SIGHASH_DEFAULT, got sighash type ${input.sighashType}`);
  const xonlyInternal = input.tapInternalKey ?? fail('expected TAP_INTERNAL_KEY (the raw group key), got none');

  const own = (input.tapBip32Derivation ?? []).find(([k]) => equal(k, xonlyInternal));
  if (!own) fail(`expected a TAP_BIP32_DERIVATION for the raw group key ${toHex(xonlyInternal)}, got none`);
  const derivation: KeyDerivation = { fingerprint: own![1].der.fingerprint >>> 0, path: [...own![1].der.path] };
  const full = (input.bip32Derivation ?? []).find(([k]) => equal(k.subarray(1), xonlyInternal))?.[0];
  // The BIP-32 derivation keeps the parity tapd's raw key has; the x-only one lifts to even Y.
  const internalKey = full ? Uint8Array.from(full) : concat(Uint8Array.of(0x02), xonlyInternal);
  const coinStep = derivation.path[1];
  if (derivation.path.length < 2 || coinStep === undefined || coinStep < HARDENED)
    fail(`expected the raw group key's path to name a hardened coin type, got ${formatPath(derivation.path)}`);
  const coinType = coinStep! - HARDENED;
  if (coinType !== 0 && coinType !== 1) throw new HostError('E_WRONG_NETWORK', `group key path ${formatPath(derivation.path)}: expected coin type 0' (mainnet) or 1' (testnet, regtest, signet), got ${coinType}'`);
  const network: BitcoinNetworkFamily = coinType === 0 ? 'mainnet' : 'test';
  const family: KeyFamily = network === 'mainnet' ? 'mainnet' : 'test';

  let accountXpub: GroupVirtualPsbt['accountXpub'];
  const others: { xpub: string; fingerprint: number; path: number[]; key: HDKey }[] = [];
  for (const [key, value] of raw.global) {
    if (key[0] !== PSBT_GLOBAL.XPUB) continue;
    if (key.length !== 79 || value.length < 4 || value.length % 4 !== 0) fail(`PSBT_GLOBAL_XPUB: expected a 78-byte xpub and fingerprint || path, got ${key.length - 1} and ${value.length} bytes`);
    const x = HDKey.fromExtendedKey(base58xpub.encode(key.subarray(1)), versionsOf(key.subarray(1, 5)));
    const text = encodeExtendedPublicKey(x, family);
    const origin = new DataView(value.buffer, value.byteOffset, value.length);
    const path: number[] = [];
    for (let i = 4; i < value.length; i += 4) path.push(origin.getUint32(i, true));
    const entry = { xpub: text, fingerprint: origin.getUint32(0, false), path };
    const isAccount =
      entry.fingerprint === derivation.fingerprint && entry.path.length === x.depth && entry.path.every((s, i) => s === derivation.path[i]);
    if (isAccount) accountXpub = entry;
    else others.push({ ...entry, key: decodeExtendedPublicKey(text).hd });
  }
  if (accountXpub) {
    const node = decodeExtendedPublicKey(accountXpub.xpub).hd;
    const derived = derivePublicPath({ publicKey: node.publicKey!, chainCode: node.chainCode! }, derivation.path.slice(accountXpub.path.length)).node.publicKey;
    if (!equal(derived.subarray(1), xonlyInternal))
      fail(`the account xpub ${accountXpub.xpub} does not derive the raw group key at ${formatPath(derivation.path)}`);
  }

  const root = input.tapMerkleRoot && input.tapMerkleRoot.length > 0 ? Uint8Array.from(input.tapMerkleRoot) : undefined;
  const outputKey = utxo.script.subarray(2);
  const { shape, groupKey } = recogniseShape(internalKey, root, outputKey, others, ctx);

  const prevOut = { amount: utxo.amount, script: Uint8Array.from(utxo.script) };
  const asset = ctx.asset ? bindAsset(tx, prevOut, ctx.asset, groupKey) : undefined;
  const sighash = asset
    ? virtualTxSighash(virtualTx(asset, []), asset, 0, genesisPrevOut(asset))
    : tx.preimageWitnessV1(0, [prevOut.script], 0, [prevOut.amount]);
  return {
    bytes,
    tx,
    prevOut,
    groupKey,
    internalKey,
    derivation,
    accountXpub,
    tapscriptRoot: root,
    network,
    coinType,
    shape,
    sighash,
    asset,
    anchorAssetId: ctx.anchorAssetId ?? (ctx.asset ? assetId(ctx.asset.genesis) : undefined),
  };
}

function recogniseShape(
  internalKey: Uint8Array,
  root: Uint8Array | undefined,
  outputKey: Uint8Array,
  xpubs: readonly { xpub: string; fingerprint: number; path: number[]; key: HDKey }[],
  ctx: GroupPsbtContext,
): { shape: GroupKeyShape; groupKey: Uint8Array } {
  const raw = parsePoint(internalKey, 'TAP_INTERNAL_KEY');
  const v1 = taprootTweak(raw, root ?? new Uint8Array()).toBytes(true);
  const anchorId = ctx.anchorAssetId ?? (ctx.asset ? assetId(ctx.asset.genesis) : undefined);
  if (equal(v1.subarray(1), outputKey)) {
    if (!root) return { shape: { version: 1, leaf: 'none' }, groupKey: v1 };
    const custom = ctx.customSubtreeRoot;
    const withCustom = (leaf: Uint8Array, version: NonSpendLeafVersion) =>
      custom ? tapBranchHash(leaf, tapBranchHash(tapLeafHash(nonSpendableLeafScript(version)), custom)) : leaf;
    for (const x of xpubs) {
      const k = x.key.deriveChild(0).deriveChild(0).publicKey!;
      const leafHash = tapLeafHash(concat(Uint8Array.of(0x20), k.subarray(1), Uint8Array.of(0xac)));
      if (equal(withCustom(leafHash, NonSpendLeafVersion.pedersen), root)) {
        const pedersen: PedersenLeaf = { xpub: x.xpub, fingerprint: x.fingerprint, originPath: x.path, leafKey: k, leafHash };
        return { shape: { version: 1, leaf: 'pedersen', pedersen, ...(custom ? { customSubtreeRoot: custom } : {}) }, groupKey: v1 };
      }
    }
    if (anchorId && equal(groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, anchorId, custom), root))
      return { shape: { version: 1, leaf: 'op-return', ...(custom ? { customSubtreeRoot: custom } : {}) }, groupKey: v1 };
    return { shape: { version: 1, leaf: 'unknown' }, groupKey: v1 };
  }
  if (anchorId) {
    const v0 = groupPubKeyV0(internalKey, anchorId, root);
    if (equal(v0.subarray(1), outputKey)) return { shape: { version: 0 }, groupKey: v0 };
  }
  throw new HostError('E_GROUP_KEY_SHAPE', `the witness UTXO's key ${toHex(outputKey)} is neither the raw group key tweaked by the tapscript root (V1) nor` +
      (anchorId ? ' the V0 group key of the anchor asset ID' : ' checkable as a V0 group key without the anchor asset ID (give the genesis asset or the fund response)'),
  );
}

/** Sets the group key on the asset and checks that the PSBT's transaction is its group virtual tx. */
function bindAsset(tx: Transaction, prevOut: { amount: bigint; script: Uint8Array }, given: Asset, groupKey: Uint8Array): Asset {
  const mismatch = (what: string, expected: string, got: string): never => {
    throw new HostError('E_GROUP_ASSET_MISMATCH', `the genesis asset does not match the PSBT: ${what}: the asset gives ${expected}, the PSBT has ${got}`);
  };
  if (given.groupKey && !equal(given.groupKey.subarray(1), groupKey.subarray(1))) mismatch('group key', toHex(given.groupKey), toHex(groupKey));
  const asset: Asset = { ...given, groupKey };
  if (!isGroupGenesis(asset)) throw new HostError('E_GROUP_ASSET_MISMATCH', 'the genesis asset is not a genesis (expected one prev witness with the zero prev ID and no split commitment)');
  const vtx = virtualTx(asset, []);
  const gp = genesisPrevOut(asset);
  if (gp.amount !== prevOut.amount) mismatch('amount', String(gp.amount), String(prevOut.amount));
  if (!equal(gp.script, prevOut.script)) mismatch('group key output', toHex(gp.script), toHex(prevOut.script));
  const input = tx.getInput(0);
  const out = tx.getOutput(0);
  const txid = vtx.prevOutHash.slice().reverse();
  if (!input.txid || !equal(input.txid, txid)) mismatch('virtual input (MS-SMT root outpoint)', toHex(txid), input.txid ? toHex(input.txid) : 'none');
  if (!equal(out.script!, vtx.output.script)) mismatch('virtual output (asset commitment)', toHex(vtx.output.script), toHex(out.script!));
  if (out.amount !== vtx.output.amount) mismatch('output amount', String(vtx.output.amount), String(out.amount));
  if (tx.lockTime !== Number(BigInt.asUintN(32, asset.lockTime))) mismatch('lock time', String(asset.lockTime), String(tx.lockTime));
  if ((input.sequence ?? 0xffffffff) !== Number(BigInt.asUintN(32, asset.relativeLockTime)))
    mismatch('relative lock time', String(asset.relativeLockTime), String(input.sequence));
  return asset;
}

/** True when `signature` is a valid BIP-340 signature of the group virtual tx by the group key. */
export function verifyGroupSignature(g: GroupVirtualPsbt, signature: Uint8Array): boolean {
  return signature.length === 64 && verifySchnorr(signature, g.sighash, g.groupKey.subarray(1));
}

/** The PSBT with the group witness signature as PSBT_IN_TAP_KEY_SIG (what `mint seal` reads), v0 bytes. */
export function withGroupSignature(g: GroupVirtualPsbt, signature: Uint8Array): Uint8Array {
  const tx = Transaction.fromPSBT(g.bytes, { allowUnknown: true, allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true });
  tx.updateInput(0, { tapKeySig: signature }, true);
  return tx.toPSBT(0);
}
