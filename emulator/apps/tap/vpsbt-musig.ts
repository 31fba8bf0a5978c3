// MuSig2 script keys inside SIGN_VPSBT (docs/tap-app-protocol.md §5.5.7), as the Ledger Bitcoin app
// runs MuSig2 inside SIGN_PSBT (docs/bitcoin-app-protocol.md §7): an input whose script key is the
// taptweak of a MuSig2 aggregate of the participants its signer item names (tapd's BIP-373 0x1a),
// one of them this device's script key. Round 1 returns the device's pubnonce, drawn from a
// psbt-level session persisted in NVRAM; round 2 pops that session before signing, aggregates every
// participant's pubnonce and returns the partial signature over the virtual-transaction sighash the
// device computed itself.

import { Session, keyAggExport, keyAggregate, nonceAggregate, nonceGen } from '@scure/btc-signer/musig2.js';
import { equal } from '../../../apdu/bytes.ts';
import { taggedHash } from '../../../assets/crypto.ts';
import type { AppContext } from '../../app.ts';
import { randIJ, type MusigSession } from '../common/musig-sessions.ts';
import { TapError, incorrectData } from './errors.ts';
import { privateKeyAt, publicKeyAt } from './keys.ts';

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
 * The MuSig2 input of `participants` (the device's key among them, checked by the caller): their
 * aggregate tweaked by TapTweak(aggregate || tweak) is the input's script key.
 */
export function musigInput(
  ctx: AppContext,
  what: string,
  index: number,
  participants: Uint8Array[],
  input: { ownPath: number[]; scriptKeyXOnly: Uint8Array; tweak: Uint8Array | undefined },
): MusigInput {
  const ownKey = publicKeyAt(ctx, input.ownPath);
  try {
    const plain = keyAggregate(participants).aggPublicKey.toBytes(true);
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
