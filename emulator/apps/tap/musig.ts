// MUSIG_ROUND1 / MUSIG_ROUND2 (§5.4): BIP-327 from @scure/btc-signer, with the secret nonce kept in a
// RAM slot the host names by a random handle. Round 2 checks the slot, the binding to round 1's
// context and message, and the blind-signing rule, then wipes the slot before it signs.

import { schnorr } from '@noble/curves/secp256k1.js';
import { Session, keyAggExport, keyAggregate, nonceGen } from '@scure/btc-signer/musig2.js';
import { concat, equal, toHex } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { MAX_KEYAGG_LENGTH, decodeKeyAgg, type KeyAggCommitment, type KeyAggContext } from '../../../apdu/tap-app/keyagg.ts';
import { musigRound1, musigRound2 } from '../../../apdu/tap-app/musig.ts';
import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import type { ReviewFlow } from '../../ui/review.ts';
import type { HostChannel } from '../common/host-channel.ts';
import type { TapHandler } from './command.ts';
import { decodeBody } from './decode.ts';
import { TapError, denied, incorrectData, unverified } from './errors.ts';
import { privateKeyAt, publicKeyAt } from './keys.ts';

const BINDING_TAG = 'TAP-MuSig2-binding';

async function fetchKeyAgg(host: HostChannel, c: KeyAggCommitment): Promise<{ bytes: Uint8Array; ctx: KeyAggContext }> {
  const bytes = await host.getPreimage(c.hash, MAX_KEYAGG_LENGTH);
  if (bytes === undefined) throw unverified('keyagg preimage');
  if (bytes.length !== c.length) throw incorrectData(`keyagg: expected ${c.length} bytes, got ${bytes.length}`);
  try {
    return { bytes, ctx: decodeKeyAgg(bytes) };
  } catch (e) {
    if (e instanceof CodecError) throw incorrectData(e.message);
    throw e;
  }
}

interface Aggregate {
  participants: Uint8Array[];
  tweaks: Uint8Array[];
  xOnly: boolean[];
  /** x-only key of the tweaked aggregate. */
  aggregateXOnly: Uint8Array;
}

function aggregate(ctx: KeyAggContext): Aggregate {
  const tweaks = ctx.tweaks.map((t) => t.tweak);
  const xOnly = ctx.tweaks.map((t) => t.xOnly);
  try {
    const agg = keyAggregate(ctx.participants, tweaks, xOnly);
    return { participants: ctx.participants, tweaks, xOnly, aggregateXOnly: keyAggExport(agg) };
  } catch (e) {
    throw incorrectData(`keyagg: ${(e as Error).message}`);
  }
}

function binding(keyAgg: Uint8Array, message: Uint8Array | undefined): Uint8Array {
  return schnorr.utils.taggedHash(BINDING_TAG, keyAgg, message ? concat(Uint8Array.of(1), message) : Uint8Array.of(0));
}

function ownKey(cmd: Parameters<TapHandler>[0], ctx: KeyAggContext): Uint8Array {
  const pk = publicKeyAt(cmd.ctx, ctx.ownPath);
  if (!ctx.participants.some((p) => equal(p, pk)))
    throw new TapError(TAP_SW.KEY_NOT_HELD, "keyagg: the key at own_path is not among the participants");
  return pk;
}

export const musigRound1Handler: TapHandler = async (cmd) => {
  const req = decodeBody(musigRound1, cmd.body);
  const { bytes, ctx } = await fetchKeyAgg(cmd.host, req.keyAgg);
  const agg = aggregate(ctx);
  const pk = ownKey(cmd, ctx);
  if (cmd.state.slots.free === 0) throw new TapError(TAP_SW.NONCE_SLOTS_FULL, 'every nonce slot is in use');
  const handle = cmd.ctx.random(32);
  const rand = cmd.ctx.random(32);
  const sk = privateKeyAt(cmd.ctx, ctx.ownPath);
  const nonces = nonceGen(pk, sk, agg.aggregateXOnly, req.message, handle, rand);
  sk.fill(0);
  rand.fill(0);
  cmd.state.slots.store({ handle, secnonce: nonces.secret, binding: binding(bytes, req.message), messageBound: req.message !== undefined });
  return musigRound1.encodeResponse({ handle, pubnonce: nonces.public, aggregateXOnly: agg.aggregateXOnly });
};

function blindSignReview(message: Uint8Array, aggregateXOnly: Uint8Array): ReviewFlow {
  return {
    intro: 'Blind sign MuSig2',
    pairs: [
      { item: 'Message hash', value: toHex(message) },
      { item: 'Aggregate key', value: toHex(aggregateXOnly) },
    ],
    finish: { text: 'Sign MuSig2 message', action: 'hold' },
    approved: 'Message signed',
    rejected: 'Message rejected',
    reject: 'Reject message',
  };
}

export const musigRound2Handler: TapHandler = async (cmd) => {
  const req = decodeBody(musigRound2, cmd.body);
  const { slots } = cmd.state;
  const slot = slots.find(req.handle);
  if (!slot) throw new TapError(TAP_SW.NONCE_SESSION_UNKNOWN, 'no live MuSig2 session has this handle');
  const { bytes, ctx } = await fetchKeyAgg(cmd.host, req.keyAgg);
  if (!equal(binding(bytes, slot.messageBound ? req.message : undefined), slot.binding)) {
    slots.wipe(req.handle);
    throw new TapError(TAP_SW.NONCE_SESSION_MISMATCH, 'round 2 context or message differs from round 1');
  }
  const agg = aggregate(ctx);
  // §5.4 step 3: the host supplied this message, so signing it is blind signing (§7 rules 1-2).
  if (!cmd.ctx.settings.blindSigning) throw new TapError(TAP_SW.BLIND_SIGNING_DISABLED, 'blind signing is off');
  if (!(await cmd.ctx.review(blindSignReview(req.message, agg.aggregateXOnly)))) {
    slots.wipe(req.handle);
    throw denied();
  }
  // The fetch and the review yielded the device to other APDUs: the slot must still be there.
  const secnonce = slots.take(req.handle);
  if (!secnonce) throw new TapError(TAP_SW.NONCE_SESSION_UNKNOWN, 'the session was used while this command waited');
  const sk = privateKeyAt(cmd.ctx, ctx.ownPath);
  try {
    const session = new Session(req.aggnonce, agg.participants, req.message, agg.tweaks, agg.xOnly);
    return musigRound2.encodeResponse(session.sign(secnonce, sk));
  } catch (e) {
    throw incorrectData(`MuSig2 sign: ${(e as Error).message}`);
  } finally {
    sk.fill(0);
    secnonce.fill(0);
  }
};
