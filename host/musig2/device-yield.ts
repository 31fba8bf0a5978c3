// Picks a device's MuSig2 result out of what it yielded: SIGN_PSBT (Bitcoin app) and SIGN_VPSBT
// (Taproot Assets app) both yield BIP-373-shaped results (apdu/yields.ts), and a signer wants the
// one for its input, its participant key, the session's aggregate and leaf. A device that yielded
// none is at fault, and the error names what was expected.

import { equal, toHex } from '../../apdu/bytes.ts';
import type { MusigPartialSignatureYield, MusigPubNonceYield, SignPsbtYield } from '../../apdu/yields.ts';
import { HostError } from '../errors.ts';

type MusigYield = MusigPubNonceYield | MusigPartialSignatureYield;

export interface MusigYieldWanted {
  inputIndex: number;
  /** The signer's participant key (33 bytes). */
  participant: Uint8Array;
  /** The session's fully tweaked aggregate (33 bytes). */
  aggregate: Uint8Array;
  /** The leaf of a script-path spend; undefined for the key path (a yield with a leaf hash then does not match). */
  leafHash: Uint8Array | undefined;
}

const sameLeaf = (a: Uint8Array | undefined, b: Uint8Array | undefined) => (a === undefined ? b === undefined : b !== undefined && equal(a, b));

/** The `type` yield for `wanted` among `yields` (from the command `command`); E_DEVICE_RESPONSE if there is none. */
export function musigYield<T extends MusigYield['type']>(command: string, yields: readonly SignPsbtYield[], type: T, wanted: MusigYieldWanted): Extract<MusigYield, { type: T }> {
  const y = yields.find(
    (r): r is Extract<MusigYield, { type: T }> =>
      r.type === type &&
      r.inputIndex === wanted.inputIndex &&
      equal(r.participantPubkey, wanted.participant) &&
      equal(r.aggregatePubkey, wanted.aggregate) &&
      sameLeaf(r.tapleafHash, wanted.leafHash),
  );
  if (!y)
    throw new HostError(
      'E_DEVICE_RESPONSE',
      `${command}: expected a ${type} for input ${wanted.inputIndex}, participant ${toHex(wanted.participant)}, aggregate ${toHex(wanted.aggregate)}; the device yielded ${yields.length} other results`,
    );
  return y;
}
