// Puts what SIGN_VPSBT yielded into the vPSBT, where tapd reads it (tapsend.SignVirtualTransaction):
// each input's BIP-340 signature becomes the tx witness of the matching prev witness of the asset
// being signed (the split root, or the only output), the split outputs' copies of that root asset
// are refreshed, and the signature is also kept as the input's PSBT_IN_TAP_KEY_SIG. MuSig2
// pubnonces and partial signatures become BIP-373 input fields. Every signature is checked first
// against the input's script key over the virtual-transaction sighash computed here (assets/vtx).

import { keyAggregate } from '@scure/btc-signer/musig2.js';
import { compareBytes, concat, equal, toHex } from '../../apdu/bytes.ts';
import type { SignPsbtYield } from '../../apdu/yields.ts';
import { verifySchnorr } from '../../assets/crypto.ts';
import type { Asset } from '../../assets/asset/leaf.ts';
import { CUSTOM_KEY_TYPES, InputKey } from '../../assets/vpsbt/fields.ts';
import type { PsbtField } from '../../assets/vpsbt/psbt-map.ts';
import { VOutputType, type VInput, type VOutput, type VPacket } from '../../assets/vpsbt/packet.ts';
import { inputPrevOut, virtualTx, virtualTxSighash, type InputAsset } from '../../assets/vtx/virtual-tx.ts';
import type { SplitAsset } from '../../assets/vtx/verify.ts';
import { HostError } from '../errors.ts';

/**
 * What SIGN_VPSBT returns per input the device signed or co-signs, in the shape of the Bitcoin app's
 * SIGN_PSBT yields (one type for both apps' results): x-only script keys, never a tapleaf hash.
 */
export type SignVpsbtYield = SignPsbtYield;

/** The output whose asset the inputs sign (§5.5): the split root, or the only output. */
export function signedOutput(p: VPacket): VOutput {
  const roots = p.outputs.filter((o) => o.type === VOutputType.splitRoot);
  if (roots.length > 1) throw new HostError('E_DEVICE_RESPONSE', `vpsbt: expected at most one split root output, got ${roots.length}`);
  const out = roots[0] ?? (p.outputs.length === 1 ? p.outputs[0] : undefined);
  if (!out) throw new HostError('E_DEVICE_RESPONSE', `vpsbt: ${p.outputs.length} outputs and none is a split root: expected one split root`);
  if (!out.asset) throw new HostError('E_DEVICE_RESPONSE', 'vpsbt: the signed output carries no asset');
  return out;
}

function inputAssets(p: VPacket): InputAsset[] {
  return p.inputs.map((vin, i) => {
    if (!vin.asset) throw new HostError('E_DEVICE_RESPONSE', `vpsbt.inputs[${i}]: expected the input asset, got none`);
    return { prevId: vin.prevId, asset: vin.asset };
  });
}

/** The virtual-transaction sighash of input `index` (key path), as the device must have computed it. */
export function vpsbtInputSighash(p: VPacket, index: number): Uint8Array {
  const newAsset = signedOutput(p).asset!;
  const inputs = inputAssets(p);
  const vin = p.inputs[index];
  if (!vin) throw new RangeError(`vpsbt: input ${index} does not exist, the packet has ${p.inputs.length}`);
  return virtualTxSighash(virtualTx(newAsset, inputs), newAsset, index, inputPrevOut(vin.asset!, `vpsbt.inputs[${index}]`), {
    sighashType: vin.sighashType ?? 0,
  });
}

/** Split outputs of `p` as the asset VM checks them against the root. */
export function vpsbtSplits(p: VPacket): SplitAsset[] {
  return p.outputs
    .filter((o) => o.type !== VOutputType.splitRoot && o.asset?.prevWitnesses[0]?.splitCommitment)
    .map((o) => ({ asset: o.asset!, outputIndex: o.anchorOutputIndex }));
}

/** Sets a field, keeping standard keys of one type in ascending order (BIP-174, as the codec requires). */
function setField(fields: PsbtField[], key: Uint8Array, value: Uint8Array): PsbtField[] {
  return [...fields.filter((f) => !equal(f.key, key)), { key, value }].sort(
    (a, b) => a.key[0]! - b.key[0]! || (a.key[0]! < CUSTOM_KEY_TYPES ? compareBytes(a.key, b.key) : 0),
  );
}

function prevWitnessIndex(root: Asset, vin: VInput, i: number): number {
  const w = root.prevWitnesses.findIndex((pw) => pw.prevId && equal(pw.prevId.scriptKey, vin.prevId.scriptKey) && equal(pw.prevId.assetId, vin.prevId.assetId) && equal(pw.prevId.outPoint.txid, vin.prevId.outPoint.txid) && pw.prevId.outPoint.index === vin.prevId.outPoint.index);
  if (w < 0) throw new HostError('E_DEVICE_RESPONSE', `vpsbt.inputs[${i}]: the signed asset has no prev witness for this input`);
  return w;
}

/**
 * Returns a copy of `packet` with the yields written in. Signatures that do not verify against the
 * input's script key throw E_DEVICE_RESPONSE naming the input, and nothing is written.
 */
export function applyVpsbtSignatures(packet: VPacket, yields: readonly SignVpsbtYield[]): VPacket {
  const p: VPacket = structuredClone(packet);
  const out = signedOutput(p);
  const root = out.asset!;
  for (const y of yields) {
    const vin = p.inputs[y.inputIndex];
    if (!vin) throw new HostError('E_DEVICE_RESPONSE', `SIGN_VPSBT result: input ${y.inputIndex} does not exist, the vPSBT has ${p.inputs.length}`);
    const f = `vpsbt.inputs[${y.inputIndex}]`;
    switch (y.type) {
      case 'partialSignature': {
        const scriptKey = vin.asset?.scriptKey.subarray(1);
        if (!scriptKey || !equal(scriptKey, y.pubkey))
          throw new HostError('E_DEVICE_RESPONSE', `${f}: the device signed for ${toHex(y.pubkey)}, the input's script key is ${scriptKey ? toHex(scriptKey) : 'unknown'}`);
        if (!verifySchnorr(y.signature.subarray(0, 64), vpsbtInputSighash(p, y.inputIndex), scriptKey))
          throw new HostError('E_DEVICE_RESPONSE', `${f}: the device's signature does not verify against script key ${toHex(scriptKey)} over the virtual-transaction sighash`);
        root.prevWitnesses[prevWitnessIndex(root, vin, y.inputIndex)]!.txWitness = [y.signature];
        vin.other = setField(vin.other, Uint8Array.of(InputKey.tapKeySig), y.signature);
        break;
      }
      case 'musigPubNonce':
      case 'musigPartialSignature': {
        const type = y.type === 'musigPubNonce' ? InputKey.musig2PubNonce : InputKey.musig2PartialSig;
        const key = concat(Uint8Array.of(type), y.participantPubkey, y.aggregatePubkey, y.tapleafHash ?? new Uint8Array());
        vin.other = setField(vin.other, key, y.type === 'musigPubNonce' ? y.pubnonce : y.partialSignature);
        break;
      }
    }
  }
  // tapd keeps a copy of the signed root inside each split output's split commitment witness
  for (const o of p.outputs) {
    const sc = o !== out ? o.asset?.prevWitnesses[0]?.splitCommitment : undefined;
    if (sc) sc.rootAsset = structuredClone(root);
  }
  return p;
}

/**
 * A copy of `packet` whose input `inputIndex` names its script key as a MuSig2 aggregate (BIP-373
 * PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS: keydata the plain aggregate of `participants` in this order,
 * value the participants) and carries `derivations` (e.g. the device's participant key on its
 * script-key path), as SIGN_VPSBT reads them (docs/tap-app-protocol.md §5.5).
 */
export function withMusigParticipants(packet: VPacket, inputIndex: number, participants: readonly Uint8Array[], derivations: VInput['trBip32Derivation'] = []): VPacket {
  const p: VPacket = structuredClone(packet);
  const vin = p.inputs[inputIndex];
  if (!vin) throw new RangeError(`vpsbt: input ${inputIndex} does not exist, the packet has ${p.inputs.length}`);
  const aggregate = keyAggregate([...participants]).aggPublicKey.toBytes(true);
  vin.other = setField(vin.other, concat(Uint8Array.of(InputKey.musig2ParticipantPubkeys), aggregate), concat(...participants));
  vin.trBip32Derivation = [...vin.trBip32Derivation.filter((d) => !derivations.some((n) => equal(n.xOnlyPubKey, d.xOnlyPubKey))), ...derivations];
  return p;
}

/** A copy of `packet` with every participant's pubnonce (BIP-373 0x1b, keyed by participant and tweaked aggregate) on input `inputIndex`. */
export function withMusigPubNonces(packet: VPacket, inputIndex: number, aggregate: Uint8Array, nonces: readonly { participant: Uint8Array; pubnonce: Uint8Array }[]): VPacket {
  const p: VPacket = structuredClone(packet);
  const vin = p.inputs[inputIndex];
  if (!vin) throw new RangeError(`vpsbt: input ${inputIndex} does not exist, the packet has ${p.inputs.length}`);
  for (const n of nonces) vin.other = setField(vin.other, concat(Uint8Array.of(InputKey.musig2PubNonce), n.participant, aggregate), n.pubnonce);
  return p;
}
