// A device running the Taproot Assets app as a MuSig2 participant through SIGN_VPSBT
// (docs/tap-app-protocol.md §5.5), as the Bitcoin app signer does through SIGN_PSBT: round 1 sends
// the vPSBT without pubnonces and the device yields its pubnonce (keeping its session in NVRAM);
// round 2 sends it with every participant's pubnonce and the device, after the person's review,
// yields its partial signature over the virtual-transaction sighash it computed itself. No blind
// signing: the host never names the message. signVpsbtMusigInput runs a whole spend of one input.

import { taprootTweak } from '../../bitcoin/taptree.ts';
import { equal } from '../../apdu/bytes.ts';
import type { SignVpsbtYield } from '../tap-app/vpsbt-signatures.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import type { TapAppClient } from '../tap-app/client.ts';
import { InputKey } from '../../assets/vpsbt/fields.ts';
import { applyVpsbtSignatures, vpsbtInputSighash, withMusigPubNonces } from '../tap-app/vpsbt-signatures.ts';
import { runMusigSession, type MusigResult } from './session.ts';
import type { MusigSession, MusigSessionKey, MusigSigner, SignerRound1 } from './signer.ts';
import { HostError } from '../errors.ts';
import { musigYield } from './device-yield.ts';

/**
 * The key context of input `inputIndex`'s MuSig2 script key: the participants of its BIP-373 0x1a
 * field, tweaked as tapd tweaks a script key (BIP-341 taptweak over PSBT_IN_TAP_MERKLE_ROOT, or BIP-86).
 */
export function vpsbtMusigKey(packet: VPacket, inputIndex: number): MusigSessionKey {
  const vin = packet.inputs[inputIndex];
  if (!vin) throw new HostError('E_MUSIG_SESSION', `vpsbt: input ${inputIndex} does not exist, the packet has ${packet.inputs.length}`);
  const fields = vin.other.filter((f) => f.key[0] === InputKey.musig2ParticipantPubkeys && f.key.length === 34);
  if (fields.length !== 1)
    throw new HostError('E_MUSIG_SESSION', `vpsbt.inputs[${inputIndex}]: expected one BIP-373 participant list (0x1a), got ${fields.length}`);
  const { key, value } = fields[0]!;
  if (value.length % 33 !== 0 || value.length === 0)
    throw new HostError('E_MUSIG_SESSION', `vpsbt.inputs[${inputIndex}]: expected compressed participant keys, got ${value.length} bytes`);
  const participants = Array.from({ length: value.length / 33 }, (_, k) => value.slice(33 * k, 33 * k + 33));
  return { participants, tweaks: [taprootTweak(key.subarray(2), vin.trMerkleRoot)], isXonly: [true] };
}

export class TapAppVpsbtMusigSigner implements MusigSigner {
  constructor(
    readonly client: TapAppClient,
    /** The device's participant key (33 bytes), on a script-key path the input's derivations name. */
    readonly publicKey: Uint8Array,
    readonly input: { packet: VPacket; inputIndex: number },
    readonly name = 'device (Taproot Assets app, SIGN_VPSBT)',
  ) {}

  /** vPSBT yields carry no tapleaf hash: the script key is signed as a key path. */
  private find<T extends 'musigPubNonce' | 'musigPartialSignature'>(yields: SignVpsbtYield[], type: T, session: MusigSession) {
    return musigYield('SIGN_VPSBT', yields, type, { inputIndex: this.input.inputIndex, participant: this.publicKey, aggregate: session.aggregatePubkey, leafHash: undefined });
  }

  async round1(session: MusigSession): Promise<SignerRound1> {
    const { packet, inputIndex } = this.input;
    if (!equal(vpsbtInputSighash(packet, inputIndex), session.message))
      throw new HostError('E_MUSIG_SESSION', `vpsbt.inputs[${inputIndex}]: the session's message is not the input's virtual-transaction sighash, which the device signs`);
    const r1 = this.find(await this.client.signVpsbt(packet), 'musigPubNonce', session);
    return {
      pubnonce: r1.pubnonce,
      round2: async ({ pubnonces }) => {
        const nonces = session.participants.map((participant, i) => ({ participant, pubnonce: pubnonces[i]! }));
        const withNonces = withMusigPubNonces(packet, inputIndex, session.aggregatePubkey, nonces);
        return this.find(await this.client.signVpsbt(withNonces), 'musigPartialSignature', session).partialSignature;
      },
    };
  }
}

/**
 * Spends input `inputIndex` of `packet`, whose script key is a MuSig2 aggregate (its 0x1a field),
 * with `signers` (one per participant, devices and software keys): runs the session over the
 * input's virtual-transaction sighash and returns the packet with the final BIP-340 signature in
 * the signed root's prev witness (checked against the script key by applyVpsbtSignatures).
 */
export async function signVpsbtMusigInput(packet: VPacket, inputIndex: number, signers: readonly MusigSigner[]): Promise<{ packet: VPacket; result: MusigResult }> {
  const result = await runMusigSession(vpsbtMusigKey(packet, inputIndex), vpsbtInputSighash(packet, inputIndex), signers);
  const signed = applyVpsbtSignatures(packet, [{ type: 'partialSignature', inputIndex, pubkey: result.session.aggregateXOnly, signature: result.signature }]);
  return { packet: signed, result };
}
