// MuSig2 script keys inside SIGN_VPSBT (docs/tap-app-protocol.md §5.5), as the Ledger Bitcoin app
// runs MuSig2 inside SIGN_PSBT (docs/bitcoin-app-protocol.md §7): an input whose script key is the BIP-86 / taptweak
// of a MuSig2 aggregate (BIP-373 PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS, 0x1a) and one of whose
// participants is this device's script key (its PSBT_IN_TAP_BIP32_DERIVATION). Round 1 yields the
// device's pubnonce, drawn from a psbt-level session persisted in NVRAM; round 2 pops that session
// before signing, aggregates every participant's pubnonce (0x1b) and yields the partial signature
// over the virtual-transaction sighash the device computed itself.

import { Session, keyAggExport, keyAggregate, nonceAggregate, nonceGen } from '@scure/btc-signer/musig2.js';
import { concat, equal } from '../../../apdu/bytes.ts';
import { taggedHash } from '../../../assets/crypto.ts';
import type { TaprootBip32Derivation } from '../../../assets/vpsbt/derivation.ts';
import type { SignVpsbtRequest } from '../../../apdu/tap-app/sign-vpsbt.ts';
import type { AppContext } from '../../app.ts';
import { randIJ, type MusigSession } from '../common/musig-sessions.ts';
import { TapError, incorrectData } from './errors.ts';
import { isScriptKeyPath, masterFingerprintBytes, privateKeyAt, publicKeyAt } from './keys.ts';
import type { VpsbtReader } from './vpsbt-reader.ts';

export const PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS = 0x1a;
export const PSBT_IN_MUSIG2_PUB_NONCE = 0x1b;
const MAX_PARTICIPANTS = 16;

/** What the first pass learns about an input's MuSig2 fields from its keys alone. */
export interface MusigMarker {
  /** Keydata of the single 0x1a key: the plain (untweaked) aggregate, compressed. */
  aggregate: Uint8Array;
  /** Whether the input carries any 0x1b pubnonce. */
  hasNonces: boolean;
}

/** The device's participant path among `derivations`: this fingerprint, a script-key path, the key matching. */
export function ownParticipantPath(ctx: AppContext, derivations: readonly TaprootBip32Derivation[]): number[] | undefined {
  const fp = masterFingerprintBytes(ctx);
  for (const d of derivations) {
    if (!equal(d.fingerprint, fp) || d.leafHashes.length !== 0 || !isScriptKeyPath(d.path)) continue;
    if (equal(publicKeyAt(ctx, d.path).subarray(1), d.xOnlyPubKey)) return d.path;
  }
  return undefined;
}

export interface MusigInput {
  index: number;
  participants: Uint8Array[];
  ownPath: number[];
  ownKey: Uint8Array;
  /** BIP-341 taptweak of the aggregate (x-only tweak), over the input's 0x18 value or none. */
  tweak: Uint8Array;
  /** Tweaked aggregate, compressed: how BIP-373 names it for a key-path spend. */
  aggregate: Uint8Array;
  aggregateXOnly: Uint8Array;
}

/**
 * Reads the input's participants (0x1a) and checks that they aggregate to its keydata, that the
 * tweaked aggregate is the input's script key, and that the device's key is a participant.
 */
export async function readMusigInput(
  ctx: AppContext,
  reader: VpsbtReader,
  req: SignVpsbtRequest,
  index: number,
  input: { marker: MusigMarker; ownPath: number[]; scriptKeyXOnly: Uint8Array; tweak: Uint8Array | undefined },
): Promise<MusigInput> {
  const what = `inputs[${index}].musig2ParticipantPubkeys`;
  const map = await reader.mapCommitment(req.inputsRoot, req.inputCount, index, `inputs[${index}]`);
  const value = await reader.lookup(map, concat(Uint8Array.of(PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS), input.marker.aggregate));
  if (value === undefined) throw incorrectData(`${what}: expected the field, got none`);
  if (value.length % 33 !== 0 || value.length < 2 * 33 || value.length > MAX_PARTICIPANTS * 33)
    throw incorrectData(`${what}: expected 2..${MAX_PARTICIPANTS} compressed keys, got ${value.length} bytes`);
  const participants = Array.from({ length: value.length / 33 }, (_, k) => value.slice(33 * k, 33 * k + 33));
  const ownKey = publicKeyAt(ctx, input.ownPath);
  if (!participants.some((p) => equal(p, ownKey))) throw incorrectData(`${what}: the device's key at its derivation is not a participant`);
  return musigInput(ctx, what, index, participants, input);
}

/**
 * The MuSig2 input of `participants` (the device's key among them, checked by the caller): they
 * aggregate to `marker.aggregate` when one is given (v1 files the list under it), and their
 * aggregate tweaked by TapTweak(aggregate || tweak) is the input's script key.
 */
export function musigInput(
  ctx: AppContext,
  what: string,
  index: number,
  participants: Uint8Array[],
  input: { marker?: MusigMarker; ownPath: number[]; scriptKeyXOnly: Uint8Array; tweak: Uint8Array | undefined },
): MusigInput {
  const ownKey = publicKeyAt(ctx, input.ownPath);
  try {
    const plain = keyAggregate(participants).aggPublicKey.toBytes(true);
    if (input.marker && !equal(plain, input.marker.aggregate))
      throw incorrectData(`${what}: the participants do not aggregate to the key they are filed under`);
    const tweak = taggedHash('TapTweak', plain.subarray(1), input.tweak ?? new Uint8Array());
    const tweaked = keyAggregate(participants, [tweak], [true]);
    const aggregateXOnly = keyAggExport(tweaked);
    if (!equal(aggregateXOnly, input.scriptKeyXOnly)) throw incorrectData(`${what}: the tweaked aggregate is not the input's script key`);
    return { index, participants, ownPath: input.ownPath, ownKey, tweak, aggregate: tweaked.aggPublicKey.toBytes(true), aggregateXOnly };
  } catch (e) {
    if (e instanceof TapError) throw e;
    throw incorrectData(`${what}: ${(e as Error).message}`);
  }
}

/** The device's nonces for input `m.index` of `session` (BIP-327 NonceGen, rand from the session). */
function nonces(ctx: AppContext, session: MusigSession, m: MusigInput): { secret: Uint8Array; public: Uint8Array } {
  const sk = privateKeyAt(ctx, m.ownPath);
  const rand = randIJ(session, m.index, 0);
  try {
    return nonceGen(m.ownKey, sk, m.aggregateXOnly, undefined, undefined, rand);
  } finally {
    sk.fill(0);
    rand.fill(0);
  }
}

/** Round 1: the device's pubnonce; the secret half is dropped and recomputed in round 2. */
export function musigPubNonce(ctx: AppContext, session: MusigSession, m: MusigInput): Uint8Array {
  const n = nonces(ctx, session, m);
  n.secret.fill(0);
  return n.public;
}

/**
 * Round 2: every participant's pubnonce from the input (0x1b keyed by participant and tweaked
 * aggregate), the device's own equal to the one the session gives, then the partial signature.
 */
export async function musigPartialSignature(
  ctx: AppContext,
  reader: VpsbtReader,
  req: SignVpsbtRequest,
  session: MusigSession,
  m: MusigInput,
  sighash: Uint8Array,
): Promise<Uint8Array> {
  const what = `inputs[${m.index}].musig2PubNonce`;
  const map = await reader.mapCommitment(req.inputsRoot, req.inputCount, m.index, `inputs[${m.index}]`);
  const pubnonces: Uint8Array[] = [];
  for (const p of m.participants) {
    const nonce = await reader.lookup(map, concat(Uint8Array.of(PSBT_IN_MUSIG2_PUB_NONCE), p, m.aggregate));
    if (nonce === undefined || nonce.length !== 66) throw incorrectData(`${what}: expected a 66-byte pubnonce for every participant`);
    pubnonces.push(nonce);
  }
  return musigSign(ctx, what, session, m, pubnonces, sighash);
}

/** True when the device's pubnonce among `pubnonces` (participant order) is the one `session` gives for `m`. */
export function ownPubNonceMatches(ctx: AppContext, session: MusigSession, m: MusigInput, pubnonces: readonly Uint8Array[]): boolean {
  const own = nonces(ctx, session, m);
  own.secret.fill(0);
  return equal(pubnonces[m.participants.findIndex((p) => equal(p, m.ownKey))]!, own.public);
}

/** The partial signature of `sighash` with `session`'s nonce, every participant's pubnonce given in participant order. */
export function musigSign(ctx: AppContext, what: string, session: MusigSession, m: MusigInput, pubnonces: Uint8Array[], sighash: Uint8Array): Uint8Array {
  const own = nonces(ctx, session, m);
  const sk = privateKeyAt(ctx, m.ownPath);
  try {
    if (!equal(pubnonces[m.participants.findIndex((p) => equal(p, m.ownKey))]!, own.public))
      throw incorrectData(`${what}: the device's pubnonce in the vPSBT is not the one of this session`);
    return new Session(nonceAggregate(pubnonces), m.participants, sighash, [m.tweak], [true]).sign(own.secret, sk);
  } catch (e) {
    if (e instanceof TapError) throw e;
    throw incorrectData(`${what}: ${(e as Error).message}`);
  } finally {
    sk.fill(0);
    own.secret.fill(0);
  }
}
