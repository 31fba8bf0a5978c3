// The host side of SIGN_VPSBT v2 (design §3): a VPacket turned into the stream the device reads,
// in the order it needs it — inputs in packet order, the signed root, the inputs this device signs,
// then the outputs sorted by split locator in MS-SMT tree order, so the device rebuilds the split
// commitment root as they arrive. Split leaves and the root go in canonical form when tapd's
// construction reproduces their bytes, explicitly otherwise. The device trusts none of it: every
// value here is checked against what the signature commits to (design §2).

import { equal, toHex, utf8 } from '../../apdu/bytes.ts';
import type { CommandApdu } from '../../apdu/apdu.ts';
import { HARDENED } from '../../apdu/path.ts';
import {
  StreamMode,
  StreamWarning,
  encodeVpsbtStream,
  streamCommands,
  streamFieldBytes,
  type StreamLeaf,
  type StreamModeValue,
  type StreamFrostSigner,
  type StreamOutput,
  type StreamRoot,
  type StreamSigner,
  type VpsbtStream,
} from '../../apdu/tap-app/vpsbt-stream.ts';
import { encodeKeyPackage, encodeNonceCommitments, type FrostKeyPackage, type FrostNonceCommitment } from '../../apdu/tap-app/frost-data.ts';
import { encodeAddressTlv } from '../../assets/address/address.ts';
import { chainParamsForHrp } from '../../assets/address/params.ts';
import { deriveBurnKey } from '../../assets/asset/burn.ts';
import { assetId } from '../../assets/asset/genesis.ts';
import { assetLeafValue, type Asset } from '../../assets/asset/leaf.ts';
import { encodePrevId } from '../../assets/asset/prev-id.ts';
import { AssetVerifyError } from '../../assets/errors.ts';
import { compareTreeOrder } from '../../assets/mssmt/sorted-root.ts';
import { encodeTapscriptPreimage } from '../../assets/tapscript-preimage.ts';
import type { TaprootBip32Derivation } from '../../assets/vpsbt/derivation.ts';
import type { VInput, VOutput, VPacket } from '../../assets/vpsbt/packet.ts';
import { splitLocatorKey } from '../../assets/vtx/verify.ts';
import { stripWitnesses } from '../../assets/vtx/virtual-tx.ts';
import { canonicalRoot, canonicalSplitLeaf, encodesAs, rootStreamBytes, splitLeafAsset } from '../../assets/vtx/split-leaf.ts';
import { InputKey } from '../../assets/vpsbt/fields.ts';
import { signedOutput } from './vpsbt-signatures.ts';

/** tapd's key family of script keys (asset.TaprootAssetsKeyFamily). */
const SCRIPT_KEY_FAMILY = 212;

export interface StreamEncodeOptions {
  /** The device's master fingerprint: derivations carrying it name keys the device holds. */
  fingerprint: Uint8Array;
  /** Sign (default; MuSig2 round 2 included) or MuSig2 round 1. */
  mode?: StreamModeValue;
  /** Inputs this device signs with a FROST share (mode 0; docs/frost.md §2.6). */
  frost?: readonly VpsbtFrostShare[];
}

/** What a FROST signer item carries besides the input's own fields: the device's share and the session. */
export interface VpsbtFrostShare {
  input: number;
  /** The handle FROST_COMMIT answered (its nonce bound to the input's sighash). */
  handle: Uint8Array;
  wrappedShare: Uint8Array;
  keyPackage: FrostKeyPackage;
  /** Every signer's nonce commitment, this device's included. */
  commitments: readonly FrostNonceCommitment[];
}

function frostSigner(p: VPacket, f: VpsbtFrostShare): StreamFrostSigner {
  const vin = p.inputs[f.input];
  if (!vin) throw new RangeError(`frost.input: expected an input below ${p.inputs.length}, got ${f.input}`);
  return {
    input: f.input,
    sighashType: vin.sighashType ?? 0,
    tweak: vin.trMerkleRoot ?? new Uint8Array(),
    frost: { handle: f.handle, wrappedShare: f.wrappedShare, keyPackage: encodeKeyPackage(f.keyPackage), commitments: encodeNonceCommitments(f.commitments) },
  };
}

export interface EncodedVpsbtStream {
  stream: VpsbtStream;
  bytes: Uint8Array;
  /** Packet index of each streamed output, in stream order (the order the review numbers them). */
  outputOrder: number[];
  /** `B` of the exchange-count model. */
  fieldBytes: number;
  commands: CommandApdu[];
}

/** The key index of `d` when it is this device's script key on the network's coin type: m/1017'/c'/212'/0/i. */
function ownScriptKeyIndex(d: TaprootBip32Derivation, fingerprint: Uint8Array, coinType: number): number | undefined {
  const p = d.path;
  const ok =
    equal(d.fingerprint, fingerprint) &&
    d.leafHashes.length === 0 &&
    p.length === 5 &&
    p[0] === 1017 + HARDENED &&
    p[1] === coinType + HARDENED &&
    p[2] === SCRIPT_KEY_FAMILY + HARDENED &&
    p[3] === 0 &&
    p[4]! < HARDENED;
  return ok ? p[4] : undefined;
}

function ownKeyIndex(ds: readonly TaprootBip32Derivation[], fingerprint: Uint8Array, coinType: number): number | undefined {
  for (const d of ds) {
    const i = ownScriptKeyIndex(d, fingerprint, coinType);
    if (i !== undefined) return i;
  }
  return undefined;
}

function signer(vin: VInput, i: number, fingerprint: Uint8Array, coinType: number, mode: StreamModeValue): StreamSigner | undefined {
  const keyIndex = ownKeyIndex(vin.trBip32Derivation, fingerprint, coinType);
  if (keyIndex === undefined) return undefined;
  const what = `inputs[${i}]`;
  const lists = vin.other.filter((f) => f.key[0] === InputKey.musig2ParticipantPubkeys);
  if (lists.length > 1) throw new AssetVerifyError(`${what}.musig2ParticipantPubkeys`, `expected at most one list, got ${lists.length}`);
  const list = lists[0];
  const participants: Uint8Array[] = [];
  if (list) {
    if (list.value.length % 33 !== 0) throw new AssetVerifyError(`${what}.musig2ParticipantPubkeys`, `expected 33-byte keys, got ${list.value.length} bytes`);
    for (let at = 0; at < list.value.length; at += 33) participants.push(list.value.subarray(at, at + 33));
  }
  const pubnonces =
    mode === StreamMode.sign
      ? participants.map((k) => {
          const f = vin.other.find((x) => x.key[0] === InputKey.musig2PubNonce && x.key.length === 67 && equal(x.key.subarray(1, 34), k));
          if (!f) throw new AssetVerifyError(`${what}.musig2PubNonce`, `expected the pubnonce of participant ${toHex(k)}, got none (run MuSig2 round 1 first)`);
          return f.value;
        })
      : [];
  return { input: i, sighashType: vin.sighashType ?? 0, keyIndex, tweak: vin.trMerkleRoot ?? new Uint8Array(), participants, pubnonces };
}

function rootItem(p: VPacket, root: Asset): StreamRoot {
  const first = p.inputs[0]!.asset!;
  const canonical = canonicalRoot(first.genesis, first.groupKey, p.inputs.map((vin) => vin.prevId), root);
  if (encodesAs(stripWitnesses(root), canonical))
    return {
      form: 'canonical',
      version: root.version,
      amount: root.amount,
      lockTime: root.lockTime,
      relativeLockTime: root.relativeLockTime,
      ...(root.splitCommitmentRoot ? { splitRoot: root.splitCommitmentRoot } : {}),
      scriptKey: root.scriptKey,
    };
  return { form: 'explicit', bytes: rootStreamBytes(root) };
}

function leafItem(split: Asset, root: Asset): StreamLeaf {
  const leaf = splitLeafAsset(split, root);
  if (encodesAs(leaf, canonicalSplitLeaf(root, split.version, split.amount, split.scriptKey)))
    return { form: 'canonical', version: split.version, amount: split.amount, scriptKey: split.scriptKey };
  return { form: 'explicit', bytes: assetLeafValue(leaf) };
}

/**
 * The output's optional fields, as the packet carries them. A zero lock time is left out: the
 * device reads an absent one as 0, which it compares with the root's all the same.
 */
function outputFields(o: VOutput, fingerprint: Uint8Array, coinType: number): Omit<StreamOutput, 'type' | 'anchorOutputIndex' | 'leaf'> {
  const change = ownKeyIndex(o.trBip32Derivation, fingerprint, coinType);
  return {
    ...(o.lockTime ? { lockTime: o.lockTime } : {}),
    ...(o.relativeLockTime ? { relativeLockTime: o.relativeLockTime } : {}),
    ...(o.anchorOutputInternalKey ? { anchorInternalKey: o.anchorOutputInternalKey } : {}),
    ...(o.anchorOutputTapscriptSibling ? { anchorSibling: encodeTapscriptPreimage(o.anchorOutputTapscriptSibling) } : {}),
    ...(o.proofDeliveryAddress !== undefined ? { proofCourier: utf8.encode(o.proofDeliveryAddress) } : {}),
    ...(o.address ? { address: encodeAddressTlv(o.address) } : {}),
    ...(change !== undefined ? { changeKeyIndex: change } : {}),
  };
}

/** Encodes `p` as the SIGN_VPSBT v2 stream for the device whose master fingerprint is `opts.fingerprint`. */
export function encodeVpsbtStreamFor(p: VPacket, opts: StreamEncodeOptions): EncodedVpsbtStream {
  const mode = opts.mode ?? StreamMode.sign;
  const { coinType } = chainParamsForHrp(p.chainHrp, 'vpsbt.chainHrp');
  p.inputs.forEach((vin, i) => {
    if (!vin.asset) throw new AssetVerifyError(`inputs[${i}].asset`, 'expected the input asset (0x79), got none');
  });
  const rootOutput = signedOutput(p);
  const root = rootOutput.asset!;
  const burnKey = deriveBurnKey(p.inputs[0]!.prevId);
  let warnings = 0;
  const burns = (scriptKey: Uint8Array) => {
    if (equal(scriptKey.subarray(1), burnKey)) warnings |= StreamWarning.burn;
  };

  const placed = p.outputs.map((o, j) => {
    const base = { type: o.type, anchorOutputIndex: o.anchorOutputIndex, ...outputFields(o, opts.fingerprint, coinType) };
    if (!root.splitCommitmentRoot) {
      if (p.outputs.length !== 1) throw new AssetVerifyError('outputs', `expected one output for a root without split commitment, got ${p.outputs.length}`);
      burns(root.scriptKey);
      return { j, locator: new Uint8Array(32), item: { ...base, leaf: { form: 'none' } } as StreamOutput };
    }
    const split = o === rootOutput ? o.splitAsset : o.asset;
    if (!split) throw new AssetVerifyError(`outputs[${j}].${o === rootOutput ? 'splitAsset' : 'asset'}`, 'expected the split asset, got none');
    burns(split.scriptKey);
    const locator = splitLocatorKey(o.anchorOutputIndex, assetId(split.genesis), split.scriptKey);
    return { j, locator, item: { ...base, leaf: leafItem(split, root) } as StreamOutput };
  });
  placed.sort((a, b) => compareTreeOrder(a.locator, b.locator));

  const frost = opts.frost ?? [];
  // Round 1 names the MuSig2 signers only (§5.5.7: a nonce signs nothing, every round-1 signer is
  // MuSig2); a single-key input of the same packet is signed in round 2, after the one review.
  const signers = p.inputs
    .map((vin, i) => (frost.some((f) => f.input === i) ? undefined : signer(vin, i, opts.fingerprint, coinType, mode)))
    .filter((s): s is StreamSigner => s !== undefined && (mode === StreamMode.sign || s.participants.length > 0));
  // A round 1 with no signer is refused by the device (6A80); say here which key it lacks.
  if (mode === StreamMode.musigRound1 && signers.length === 0)
    throw new AssetVerifyError('inputs', `expected a MuSig2 input with this device's script key at m/1017'/${coinType}'/212'/0/i among its derivations, got none: round 1 would name no signer`);
  const stream: VpsbtStream = {
    header: { mode, hrp: p.chainHrp, inputCount: p.inputs.length, outputCount: p.outputs.length, warnings },
    inputs: p.inputs.map((vin) => ({ prevId: encodePrevId(vin.prevId), leaf: assetLeafValue(vin.asset!) })),
    root: rootItem(p, root),
    signers,
    ...(frost.length > 0 ? { frostSigners: frost.map((f) => frostSigner(p, f)) } : {}),
    outputs: mode === StreamMode.sign ? placed.map((x) => x.item) : [],
  };
  const bytes = encodeVpsbtStream(stream);
  return { stream, bytes, outputOrder: placed.map((x) => x.j), fieldBytes: streamFieldBytes(stream), commands: streamCommands(bytes) };
}
