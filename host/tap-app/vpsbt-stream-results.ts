// What SIGN_VPSBT v2 answers, checked by the host before any of it is used (docs/tap-app-protocol.md
// §5.5.7, §7 rule "the host trusts nothing a device returns"): exactly one result per input the
// stream named as signed by this device, of the kind its mode and key call for; each signature
// verified (BIP-340) against the input's script key over the virtual-transaction sighash computed
// here, each partial signature with BIP-327 PartialSigVerify, each FROST signature share with RFC
// 9591 verify_signature_share. They come back as the SIGN_VPSBT yields the rest of the host code
// writes into the vPSBT (vpsbt-signatures.ts), and FROST shares for the orchestrator (host/frost).

import { Session, keyAggExport, keyAggregate, nonceAggregate } from '@scure/btc-signer/musig2.js';
import { equal, toHex } from '../../apdu/bytes.ts';
import type { SignVpsbtYield } from './vpsbt-signatures.ts';
import { decodeKeyPackage, decodeNonceCommitments } from '../../apdu/tap-app/frost-data.ts';
import {
  StreamMode,
  isFrostSigner,
  streamedSigners,
  type StreamFrostSigner,
  type StreamModeValue,
  type StreamResult,
  type StreamSigner,
  type VpsbtStream,
} from '../../apdu/tap-app/vpsbt-stream.ts';
import { signatureShareVerifies } from '../../bitcoin/frost/key-package.ts';
import { taggedHash, verifySchnorr } from '../../assets/crypto.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { HostError } from '../errors.ts';
import { InputKey } from '../../assets/vpsbt/fields.ts';
import { vpsbtInputSighash } from './vpsbt-signatures.ts';

/** Round 1 is due when an input lists MuSig2 participants, carries this device's derivation, and no pubnonce yet. */
export function needsMusigRound1(p: VPacket, fingerprint: Uint8Array): boolean {
  return p.inputs.some(
    (vin) =>
      vin.other.some((f) => f.key[0] === InputKey.musig2ParticipantPubkeys) &&
      vin.trBip32Derivation.some((d) => equal(d.fingerprint, fingerprint)) &&
      !vin.other.some((f) => f.key[0] === InputKey.musig2PubNonce),
  );
}

interface MusigView {
  own: number;
  participantPubkey: Uint8Array;
  aggregatePubkey: Uint8Array;
  tweak: Uint8Array;
}

/** The device's place among the signer's participants (by its derivation at the signer's key index) and the tweaked aggregate. */
function musigView(p: VPacket, s: StreamSigner, fingerprint: Uint8Array): MusigView {
  const what = `SIGN_VPSBT inputs[${s.input}]`;
  const vin = p.inputs[s.input]!;
  const d = vin.trBip32Derivation.find((x) => equal(x.fingerprint, fingerprint) && x.path[x.path.length - 1] === s.keyIndex);
  const own = d ? s.participants.findIndex((k) => equal(k.subarray(1), d.xOnlyPubKey)) : -1;
  if (own < 0) throw new HostError('E_DEVICE_RESPONSE', `${what}: the device's participant key is not in the list`);
  const plain = keyAggregate(s.participants).aggPublicKey.toBytes(true);
  const tweak = taggedHash('TapTweak', plain.subarray(1), s.tweak);
  const tweaked = keyAggregate(s.participants, [tweak], [true]);
  if (!equal(keyAggExport(tweaked), vin.asset!.scriptKey.subarray(1))) throw new HostError('E_DEVICE_RESPONSE', `${what}: the tweaked aggregate is not the input's script key`);
  return { own, participantPubkey: s.participants[own]!, aggregatePubkey: tweaked.aggPublicKey.toBytes(true), tweak };
}

/** A FROST signature share of input `input`, verified against the session the stream named. */
export interface FrostShareResult {
  input: number;
  signatureShare: Uint8Array;
}

export interface CheckedResults {
  yields: SignVpsbtYield[];
  frostShares: FrostShareResult[];
}

/** RFC 9591 verify_signature_share of the device's share, over the sighash computed here. */
function checkedFrostShare(p: VPacket, s: StreamFrostSigner, r: StreamResult, what: string): FrostShareResult {
  if (r.kind !== 'frostSignatureShare') throw new HostError('E_DEVICE_RESPONSE', `${what}: expected a frostSignatureShare, got a ${r.kind}`);
  const keyPackage = decodeKeyPackage(s.frost.keyPackage);
  const commitments = decodeNonceCommitments(s.frost.commitments, keyPackage.threshold, keyPackage.verifyingShares.length);
  const tweak = s.tweak.length === 0 ? ({ kind: 'bip86' } as const) : ({ kind: 'merkleRoot', root: s.tweak } as const);
  if (!signatureShareVerifies(keyPackage, tweak, commitments, vpsbtInputSighash(p, s.input), s.frost.wrappedShare[0]!, r.signatureShare))
    throw new HostError('E_DEVICE_RESPONSE', `${what}: the FROST signature share of participant ${s.frost.wrappedShare[0]} does not verify (RFC 9591 verify_signature_share) over the virtual-transaction sighash`);
  return { input: s.input, signatureShare: r.signatureShare };
}

/** Checks `results` against the stream that asked for them: SIGN_VPSBT yields, and FROST shares apart. */
export function checkedResults(p: VPacket, stream: VpsbtStream, mode: StreamModeValue, results: readonly StreamResult[], fingerprint: Uint8Array): CheckedResults {
  const signers = streamedSigners(stream);
  if (results.length !== signers.length)
    throw new HostError('E_DEVICE_RESPONSE', `SIGN_VPSBT: expected ${signers.length} results (one per input the device signs), got ${results.length}`);
  const out: CheckedResults = { yields: [], frostShares: [] };
  signers.forEach((s, k) => {
    const r = results[k]!;
    const what = `SIGN_VPSBT result for input ${s.input}`;
    if (r.input !== s.input) throw new HostError('E_DEVICE_RESPONSE', `${what}: expected input ${s.input}, got ${r.input}`);
    if (isFrostSigner(s)) out.frostShares.push(checkedFrostShare(p, s, r, what));
    else out.yields.push(checkedResult(p, s, mode, r, what, fingerprint));
  });
  return out;
}

function checkedResult(p: VPacket, s: StreamSigner, mode: StreamModeValue, r: StreamResult, what: string, fingerprint: Uint8Array): SignVpsbtYield {
  const musig = s.participants.length > 0;
  const expected = mode === StreamMode.musigRound1 ? 'pubnonce' : musig ? 'partialSignature' : 'signature';
  if (r.kind !== expected) throw new HostError('E_DEVICE_RESPONSE', `${what}: expected a ${expected}, got a ${r.kind}`);
  const sighash = vpsbtInputSighash(p, s.input);
  if (r.kind === 'signature') {
    const scriptKey = p.inputs[s.input]!.asset!.scriptKey.subarray(1);
    const sighashByte = r.signature.length === 65 ? r.signature[64] : 0;
    if (sighashByte !== s.sighashType) throw new HostError('E_DEVICE_RESPONSE', `${what}: expected sighash type ${s.sighashType}, got ${sighashByte}`);
    if (!verifySchnorr(r.signature.subarray(0, 64), sighash, scriptKey))
      throw new HostError('E_DEVICE_RESPONSE', `${what}: the signature does not verify against script key ${toHex(scriptKey)} over the virtual-transaction sighash`);
    return { type: 'partialSignature', inputIndex: s.input, pubkey: scriptKey, signature: r.signature };
  }
  const m = musigView(p, s, fingerprint);
  if (r.kind === 'pubnonce') return { type: 'musigPubNonce', inputIndex: s.input, pubnonce: r.pubnonce, participantPubkey: m.participantPubkey, aggregatePubkey: m.aggregatePubkey };
  const psig = (r as Extract<StreamResult, { kind: 'partialSignature' }>).partialSignature;
  let ok: boolean;
  try {
    ok = new Session(nonceAggregate(s.pubnonces), s.participants, sighash, [m.tweak], [true]).partialSigVerify(psig, s.pubnonces, m.own);
  } catch {
    ok = false;
  }
  if (!ok) throw new HostError('E_DEVICE_RESPONSE', `${what}: the partial signature does not verify (BIP-327 PartialSigVerify)`);
  return { type: 'musigPartialSignature', inputIndex: s.input, partialSignature: psig, participantPubkey: m.participantPubkey, aggregatePubkey: m.aggregatePubkey };
}
