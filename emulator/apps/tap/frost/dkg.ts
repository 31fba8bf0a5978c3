// FROST_DKG_ROUND1/2/3 (docs/frost.md §2, §3): the device's side of the DKG with @noble/curves'
// schnorr_FROST (bitcoin/frost/dkg.ts). Round 1 draws a fresh polynomial from device randomness
// and keeps it in RAM; round 2 runs once per DKG and seals each share to its receiver's encryption
// key; round 3 opens the shares sent to this device, shows the key set, and on approval returns the
// signing share wrapped to the seed and the key set. Any failure aborts the DKG.

import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../../../apdu/bytes.ts';
import {
  decodeDkgTranscript,
  decodeEncryptedShares,
  encodeEncryptedShares,
  encodeKeyPackage,
  encodeRound1Package,
  groupKeyXOnly,
} from '../../../../apdu/tap-app/frost-data.ts';
import { frostDkgRound1, frostDkgRound2, frostDkgRound3, yieldChunks } from '../../../../apdu/tap-app/frost.ts';
import { TAP_SW } from '../../../../apdu/tap-app/status.ts';
import { dkgRound1, dkgRound2, dkgRound3, type DkgState } from '../../../../bitcoin/frost/dkg.ts';
import { FrostDkgError } from '../../../../bitcoin/frost/errors.ts';
import { signingKeyXOnly } from '../../../../bitcoin/frost/key-package.ts';
import type { ReviewFlow } from '../../../ui/review.ts';
import type { HostChannel } from '../../common/host-channel.ts';
import type { TapCommand, TapHandler } from '../command.ts';
import { decodeBody } from '../decode.ts';
import { TapError, denied, incorrectData } from '../errors.ts';
import { fetchCommitted } from './fetch.ts';
import { dkgEncryptionKey, dkgEncryptionSecret, wrapShare } from './secrets.ts';

async function yieldValue(host: HostChannel, value: Uint8Array): Promise<void> {
  for (const chunk of yieldChunks(value)) await host.yieldData(chunk);
}

/**
 * The DKG of `handle` at the step the command needs; anything else is B020. A round replayed or out
 * of order for the DKG in progress also aborts it: a host that tries that is not finishing an honest DKG.
 */
function session(cmd: TapCommand, handle: Uint8Array, step: 1 | 2): DkgState {
  const state = cmd.state.frostDkg.find(handle);
  if (state && state.step !== step) cmd.state.frostDkg.wipe();
  if (!state || state.step !== step) throw new TapError(TAP_SW.DKG_SESSION_UNKNOWN, `no FROST DKG at round ${step + 1} has this handle`);
  return state;
}

function statusOf(e: FrostDkgError): TapError {
  if (e.rule === 'state') return new TapError(TAP_SW.DKG_SESSION_UNKNOWN, e.message);
  if (e.rule === 'share') return new TapError(TAP_SW.DKG_SHARE_INVALID, e.message);
  return incorrectData(e.message);
}

/** Runs one DKG step; whatever fails aborts the DKG (its polynomial is wiped) before the status word. */
async function step<T>(cmd: TapCommand, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    cmd.state.frostDkg.wipe();
    if (e instanceof FrostDkgError) throw statusOf(e);
    throw e;
  }
}

export const frostDkgRound1Handler: TapHandler = async (cmd) => {
  const req = decodeBody(frostDkgRound1, cmd.body);
  const { state, round1 } = dkgRound1(req.index, req.threshold, req.participants, dkgEncryptionKey(cmd.ctx), (n = 32) => cmd.ctx.random(n));
  const handle = cmd.ctx.random(32);
  cmd.state.frostDkg.start(handle, state);
  await step(cmd, () => yieldValue(cmd.host, encodeRound1Package(round1)));
  return frostDkgRound1.encodeResponse(handle);
};

export const frostDkgRound2Handler: TapHandler = async (cmd) => {
  const req = decodeBody(frostDkgRound2, cmd.body);
  const state = session(cmd, req.handle, 1);
  return step(cmd, async () => {
    const { value: transcript } = await fetchCommitted(cmd.host, req.transcript, 'transcript', decodeDkgTranscript);
    // The fetch yielded the device to other APDUs: the DKG must still be this one, at round 2.
    session(cmd, req.handle, 1);
    const secret = dkgEncryptionSecret(cmd.ctx);
    let shares;
    try {
      shares = dkgRound2(state, transcript, secret, (n = 32) => cmd.ctx.random(n));
    } finally {
      secret.fill(0);
    }
    await yieldValue(cmd.host, encodeEncryptedShares(shares));
    return frostDkgRound2.encodeResponse(undefined);
  });
};

function keySetReview(t: number, n: number, index: number, groupKey: Uint8Array, taprootKey: Uint8Array, transcriptHash: Uint8Array): ReviewFlow {
  return {
    intro: 'Create FROST\nkey set',
    pairs: [
      { item: 'FROST key set', value: `${t} of ${n}` },
      { item: 'This device', value: `participant ${index}` },
      { item: 'Group key', value: toHex(groupKey) },
      { item: 'Taproot key', value: toHex(taprootKey) },
      // Every participant's screen shows the same check code unless someone was given other
      // participants' encryption keys (docs/frost.md §2.3): the person compares them.
      { item: 'Check code', value: toHex(transcriptHash.subarray(0, 16)) },
    ],
    finish: { text: 'Approve key set', action: 'approve' },
    approved: 'Key set created',
    rejected: 'Key set rejected',
    reject: 'Reject key set',
  };
}

export const frostDkgRound3Handler: TapHandler = async (cmd) => {
  const req = decodeBody(frostDkgRound3, cmd.body);
  const state = session(cmd, req.handle, 2);
  return step(cmd, async () => {
    const { value: transcript } = await fetchCommitted(cmd.host, req.transcript, 'transcript', decodeDkgTranscript);
    const { value: shares } = await fetchCommitted(cmd.host, req.shares, 'shares', (b) => decodeEncryptedShares(b, state.participants));
    session(cmd, req.handle, 2);
    const secret = dkgEncryptionSecret(cmd.ctx);
    let result;
    try {
      result = dkgRound3(state, transcript, shares, secret);
    } finally {
      secret.fill(0);
      cmd.state.frostDkg.wipe();
    }
    const { keyPackage } = result;
    const packageBytes = encodeKeyPackage(keyPackage);
    const keySetId = sha256(packageBytes);
    const share = result.secret.signingShare as Uint8Array;
    try {
      const flow = keySetReview(keyPackage.threshold, keyPackage.verifyingShares.length, state.index, groupKeyXOnly(keyPackage), signingKeyXOnly(keyPackage, { kind: 'bip86' }), result.transcriptHash);
      if (!(await cmd.ctx.review(flow))) throw denied();
      const wrappedShare = wrapShare(cmd.ctx, keySetId, state.index, share);
      await yieldValue(cmd.host, packageBytes);
      return frostDkgRound3.encodeResponse({ wrappedShare, keySetId });
    } finally {
      share.fill(0);
    }
  });
};
