// A FROST key as a Taproot Assets script key (docs/frost.md §2.6, §5): the orchestrator for one
// vPSBT input whose script key is the Taproot tweak of a FROST group key. Devices sign through
// SIGN_VPSBT — each reviews the transfer and derives the sighash itself — software participants
// sign the sighash computed here; every share is verified (naming a faulty participant), the
// aggregate is checked with BIP-340 against the script key, and the witness is written into the
// vPSBT where tapd reads it.

import { equal, toHex } from '../../apdu/bytes.ts';
import type { FrostKeyPackage } from '../../apdu/tap-app/frost-data.ts';
import type { FrostTweak } from '../../apdu/tap-app/frost.ts';
import { signingKeyXOnly } from '../../bitcoin/frost/key-package.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { applyVpsbtSignatures, vpsbtInputSighash } from '../tap-app/vpsbt-signatures.ts';
import { FrostSessionError } from './errors.ts';
import type { FrostSigner } from './participant.ts';
import { runFrostSign, type FrostSignResult } from './session.ts';

/** The tweak of input `input`'s script key: tapd's 0x18 value, BIP-86 when absent (as a device reads the signer item). */
export function vpsbtFrostTweak(packet: VPacket, input: number): FrostTweak {
  const root = packet.inputs[input]?.trMerkleRoot;
  if (root === undefined || root.length === 0) return { kind: 'bip86' };
  if (root.length !== 32) throw new FrostSessionError(`vpsbt.inputs[${input}].trMerkleRoot: expected 0 or 32 bytes for a FROST script key, got ${root.length}`);
  return { kind: 'merkleRoot', root };
}

export interface FrostVpsbtResult extends FrostSignResult {
  /** A copy of the vPSBT with the input's witness written in. */
  packet: VPacket;
}

/**
 * Signs input `input` of `packet` with `signers` (at least t of the key set of `keyPackage`).
 * Refuses, before any signer is asked, an input whose script key is not the key set's key under
 * the input's tweak, or that does not sign with SIGHASH_DEFAULT.
 */
export async function signVpsbtFrostInput(packet: VPacket, input: number, keyPackage: FrostKeyPackage, signers: readonly FrostSigner[]): Promise<FrostVpsbtResult> {
  const vin = packet.inputs[input];
  if (!vin?.asset) throw new FrostSessionError(`vpsbt.inputs[${input}]: expected an input with its asset, the packet has ${packet.inputs.length} inputs`);
  if ((vin.sighashType ?? 0) !== 0) throw new FrostSessionError(`vpsbt.inputs[${input}].sighashType: a FROST script key signs with SIGHASH_DEFAULT only, got ${vin.sighashType}`);
  const tweak = vpsbtFrostTweak(packet, input);
  const scriptKey = vin.asset.scriptKey.subarray(1);
  const signingKey = signingKeyXOnly(keyPackage, tweak);
  if (!equal(signingKey, scriptKey))
    throw new FrostSessionError(`vpsbt.inputs[${input}]: the key set's key under the input's tweak is ${toHex(signingKey)}, the script key is ${toHex(scriptKey)}`);
  const message = vpsbtInputSighash(packet, input);
  const r = await runFrostSign(keyPackage, message, signers, tweak, { vpsbt: { packet, input } });
  const signed = applyVpsbtSignatures(packet, [{ type: 'partialSignature', inputIndex: input, pubkey: r.signingKey, signature: r.signature }]);
  return { ...r, packet: signed };
}
