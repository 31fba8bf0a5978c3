// The FROST commands of the Taproot Assets app (docs/frost.md §3), RFC 9591 with the DKG of
// @noble/curves' schnorr_FROST. Values larger than an APDU travel as preimage commitments (fetched
// with GET_PREIMAGE) host to device, and as YIELDs of at most FROST_YIELD_CHUNK bytes device to host.
//   E7 50 DKG_ROUND1  t:u8 || n:u8 || index:u8                              -> handle[32]; yields the round-1 package
//   E7 51 DKG_ROUND2  handle[32] || transcript_commitment                   -> (empty); yields the encrypted shares
//   E7 52 DKG_ROUND3  handle[32] || transcript_commitment || shares_commitment
//                                                      -> wrapped_share[49] || key_set_id[32]; yields the key package
//   E7 54 COMMIT      wrapped_share[49] || key_package_commitment || has_msg:u8 || [msg[32]]
//                                                      -> handle[32] || hiding[33] || binding[33]
//   E7 55 SIGN        handle[32] || wrapped_share[49] || key_package_commitment || msg[32] || tweak
//                     || commitments_commitment          -> signature_share[32]
//   E7 56 SIGN_GROUP_GENESIS  handle[32] || wrapped_share[49] || key_package_commitment || commitments_commitment
//                     || asset_commitment || leaf_version:u8 || [anchor_asset_id[32]]   -> signature_share[32]
// tweak: 00 (none: sign for the group key) | 01 (BIP-86: key path, no script tree) | 02 || merkle_root[32]

import { ByteReader, concat } from '../bytes.ts';
import {
  MAX_KEY_PACKAGE_LENGTH,
  MAX_NONCE_COMMITMENTS_LENGTH,
  MAX_SHARES_LENGTH,
  encodePreimageCommitment,
  encodeThreshold,
  maxTranscriptLength,
  readPreimageCommitment,
  readThreshold,
  type PreimageCommitment,
} from './frost-data.ts';
import { MAX_GENESIS_ASSET_LENGTH } from './sign-group-genesis.ts';
import { CLA_TAP, RequestError, TAP_INS, field, readFlag, type CommandSpec } from './spec.ts';

export const FROST_HANDLE_LENGTH = 32;
/** ChaCha20-Poly1305 of `index:u8 || signing_share[32]`. */
export const WRAPPED_SHARE_LENGTH = 49;
export const SIGNATURE_SHARE_LENGTH = 32;
/** Largest YIELD payload of a FROST command: a YIELD's data (`10 || payload`) fits 255 bytes. */
export const FROST_YIELD_CHUNK = 248;

/** Splits a value into the YIELD payloads that carry it to the host, in order. */
export function yieldChunks(value: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < value.length; i += FROST_YIELD_CHUNK) out.push(value.subarray(i, i + FROST_YIELD_CHUNK));
  return out;
}

export type FrostTweak = { kind: 'none' } | { kind: 'bip86' } | { kind: 'merkleRoot'; root: Uint8Array };

export function encodeFrostTweak(t: FrostTweak): Uint8Array {
  if (t.kind === 'none') return Uint8Array.of(0);
  if (t.kind === 'bip86') return Uint8Array.of(1);
  return concat(Uint8Array.of(2), field(t.root, 32, 'tweak.root'));
}

export function readFrostTweak(r: ByteReader): FrostTweak {
  const kind = r.u8('tweak');
  if (kind === 0) return { kind: 'none' };
  if (kind === 1) return { kind: 'bip86' };
  if (kind === 2) return { kind: 'merkleRoot', root: r.bytesN(32, 'merkle_root').slice() };
  throw new RequestError(`${r.what}.tweak: expected 00 (none), 01 (BIP-86) or 02 (merkle root), got ${kind}`);
}

/**
 * The merkle root @noble/curves' Taproot tweak takes: undefined for no tweak, empty for BIP-86
 * (a key-path-only output), else the script tree's root (BIP-341 taproot_tweak_pubkey).
 */
export function tweakMerkleRoot(t: FrostTweak): Uint8Array | undefined {
  return t.kind === 'none' ? undefined : t.kind === 'bip86' ? new Uint8Array(0) : t.root;
}

const handleOf = (r: ByteReader): Uint8Array => r.bytesN(FROST_HANDLE_LENGTH, 'handle').slice();

export interface FrostDkgRound1Request {
  threshold: number;
  participants: number;
  /** This device's participant number (1..n). */
  index: number;
}

export const frostDkgRound1: CommandSpec<FrostDkgRound1Request, Uint8Array> = {
  name: 'FROST_DKG_ROUND1',
  cla: CLA_TAP,
  ins: TAP_INS.FROST_DKG_ROUND1,
  encodeRequest(req) {
    if (!Number.isInteger(req.index) || req.index < 1 || req.index > req.participants)
      throw new RangeError(`FROST_DKG_ROUND1.index: expected 1..${req.participants}, got ${req.index}`);
    return concat(encodeThreshold(req.threshold, req.participants, 'FROST_DKG_ROUND1'), Uint8Array.of(req.index));
  },
  decodeRequest(data) {
    const r = new ByteReader(data, 'FROST_DKG_ROUND1');
    const { threshold, participants } = readThreshold(r);
    const index = r.u8('index');
    if (index < 1 || index > participants) throw new RequestError(`FROST_DKG_ROUND1.index: expected 1..${participants}, got ${index}`);
    r.end();
    return { threshold, participants, index };
  },
  encodeResponse: (handle) => field(handle, FROST_HANDLE_LENGTH, 'FROST_DKG_ROUND1.handle'),
  decodeResponse(data) {
    const r = new ByteReader(data, 'FROST_DKG_ROUND1 response');
    const handle = handleOf(r);
    r.end();
    return handle;
  },
};

export interface FrostDkgRound2Request {
  handle: Uint8Array;
  transcript: PreimageCommitment;
}

const MAX_TRANSCRIPT = maxTranscriptLength();

export const frostDkgRound2: CommandSpec<FrostDkgRound2Request, void> = {
  name: 'FROST_DKG_ROUND2',
  cla: CLA_TAP,
  ins: TAP_INS.FROST_DKG_ROUND2,
  encodeRequest: (req) =>
    concat(field(req.handle, FROST_HANDLE_LENGTH, 'FROST_DKG_ROUND2.handle'), encodePreimageCommitment(req.transcript, MAX_TRANSCRIPT, 'transcript')),
  decodeRequest(data) {
    const r = new ByteReader(data, 'FROST_DKG_ROUND2');
    const handle = handleOf(r);
    const transcript = readPreimageCommitment(r, MAX_TRANSCRIPT, 'transcript');
    r.end();
    return { handle, transcript };
  },
  encodeResponse: () => new Uint8Array(0),
  decodeResponse(data) {
    new ByteReader(data, 'FROST_DKG_ROUND2 response').end();
  },
};

export interface FrostDkgRound3Request {
  handle: Uint8Array;
  transcript: PreimageCommitment;
  /** The encrypted shares addressed to this device, one from every other participant. */
  shares: PreimageCommitment;
}

export interface FrostDkgRound3Response {
  /** The signing share, sealed to this device's seed and the key set (docs/frost.md §2.4). */
  wrappedShare: Uint8Array;
  /** SHA-256 of the key package the device yielded. */
  keySetId: Uint8Array;
}

export const frostDkgRound3: CommandSpec<FrostDkgRound3Request, FrostDkgRound3Response> = {
  name: 'FROST_DKG_ROUND3',
  cla: CLA_TAP,
  ins: TAP_INS.FROST_DKG_ROUND3,
  encodeRequest: (req) =>
    concat(
      field(req.handle, FROST_HANDLE_LENGTH, 'FROST_DKG_ROUND3.handle'),
      encodePreimageCommitment(req.transcript, MAX_TRANSCRIPT, 'transcript'),
      encodePreimageCommitment(req.shares, MAX_SHARES_LENGTH, 'shares'),
    ),
  decodeRequest(data) {
    const r = new ByteReader(data, 'FROST_DKG_ROUND3');
    const handle = handleOf(r);
    const transcript = readPreimageCommitment(r, MAX_TRANSCRIPT, 'transcript');
    const shares = readPreimageCommitment(r, MAX_SHARES_LENGTH, 'shares');
    r.end();
    return { handle, transcript, shares };
  },
  encodeResponse: (res) =>
    concat(field(res.wrappedShare, WRAPPED_SHARE_LENGTH, 'FROST_DKG_ROUND3.wrappedShare'), field(res.keySetId, 32, 'FROST_DKG_ROUND3.keySetId')),
  decodeResponse(data) {
    const r = new ByteReader(data, 'FROST_DKG_ROUND3 response');
    const wrappedShare = r.bytesN(WRAPPED_SHARE_LENGTH, 'wrappedShare').slice();
    const keySetId = r.bytesN(32, 'keySetId').slice();
    r.end();
    return { wrappedShare, keySetId };
  },
};

export interface FrostCommitRequest {
  wrappedShare: Uint8Array;
  keyPackage: PreimageCommitment;
  /** When given, FROST_SIGN of this nonce can only sign exactly this message. */
  message?: Uint8Array;
}

export interface FrostCommitResponse {
  handle: Uint8Array;
  hiding: Uint8Array;
  binding: Uint8Array;
}

export const frostCommit: CommandSpec<FrostCommitRequest, FrostCommitResponse> = {
  name: 'FROST_COMMIT',
  cla: CLA_TAP,
  ins: TAP_INS.FROST_COMMIT,
  encodeRequest: (req) =>
    concat(
      field(req.wrappedShare, WRAPPED_SHARE_LENGTH, 'FROST_COMMIT.wrappedShare'),
      encodePreimageCommitment(req.keyPackage, MAX_KEY_PACKAGE_LENGTH, 'key_package'),
      req.message === undefined ? Uint8Array.of(0) : concat(Uint8Array.of(1), field(req.message, 32, 'FROST_COMMIT.message')),
    ),
  decodeRequest(data) {
    const r = new ByteReader(data, 'FROST_COMMIT');
    const wrappedShare = r.bytesN(WRAPPED_SHARE_LENGTH, 'wrapped_share').slice();
    const keyPackage = readPreimageCommitment(r, MAX_KEY_PACKAGE_LENGTH, 'key_package');
    const message = readFlag(r, 'has_msg') ? r.bytesN(32, 'msg').slice() : undefined;
    r.end();
    return message === undefined ? { wrappedShare, keyPackage } : { wrappedShare, keyPackage, message };
  },
  encodeResponse: (res) =>
    concat(
      field(res.handle, FROST_HANDLE_LENGTH, 'FROST_COMMIT.handle'),
      field(res.hiding, 33, 'FROST_COMMIT.hiding'),
      field(res.binding, 33, 'FROST_COMMIT.binding'),
    ),
  decodeResponse(data) {
    const r = new ByteReader(data, 'FROST_COMMIT response');
    const handle = handleOf(r);
    const hiding = r.bytesN(33, 'hiding').slice();
    const binding = r.bytesN(33, 'binding').slice();
    r.end();
    return { handle, hiding, binding };
  },
};

/** The answer of both signing commands: one 32-byte signature share. */
function shareResponse(name: string): Pick<CommandSpec<unknown, Uint8Array>, 'encodeResponse' | 'decodeResponse'> {
  return {
    encodeResponse: (share) => field(share, SIGNATURE_SHARE_LENGTH, `${name}.share`),
    decodeResponse(data) {
      const r = new ByteReader(data, `${name} response`);
      const share = r.bytesN(SIGNATURE_SHARE_LENGTH, 'share').slice();
      r.end();
      return share;
    },
  };
}

export interface FrostSignRequest {
  handle: Uint8Array;
  wrappedShare: Uint8Array;
  keyPackage: PreimageCommitment;
  message: Uint8Array;
  tweak: FrostTweak;
  /** Every signer's nonce commitment (FrostNonceCommitment list), this device's included. */
  commitments: PreimageCommitment;
}

export const frostSign: CommandSpec<FrostSignRequest, Uint8Array> = {
  name: 'FROST_SIGN',
  cla: CLA_TAP,
  ins: TAP_INS.FROST_SIGN,
  encodeRequest: (req) =>
    concat(
      field(req.handle, FROST_HANDLE_LENGTH, 'FROST_SIGN.handle'),
      field(req.wrappedShare, WRAPPED_SHARE_LENGTH, 'FROST_SIGN.wrappedShare'),
      encodePreimageCommitment(req.keyPackage, MAX_KEY_PACKAGE_LENGTH, 'key_package'),
      field(req.message, 32, 'FROST_SIGN.message'),
      encodeFrostTweak(req.tweak),
      encodePreimageCommitment(req.commitments, MAX_NONCE_COMMITMENTS_LENGTH, 'commitments'),
    ),
  decodeRequest(data) {
    const r = new ByteReader(data, 'FROST_SIGN');
    const handle = handleOf(r);
    const wrappedShare = r.bytesN(WRAPPED_SHARE_LENGTH, 'wrapped_share').slice();
    const keyPackage = readPreimageCommitment(r, MAX_KEY_PACKAGE_LENGTH, 'key_package');
    const message = r.bytesN(32, 'msg').slice();
    const tweak = readFrostTweak(r);
    const commitments = readPreimageCommitment(r, MAX_NONCE_COMMITMENTS_LENGTH, 'commitments');
    r.end();
    return { handle, wrappedShare, keyPackage, message, tweak, commitments };
  },
  ...shareResponse('FROST_SIGN'),
};

export interface FrostSignGroupGenesisRequest {
  handle: Uint8Array;
  wrappedShare: Uint8Array;
  keyPackage: PreimageCommitment;
  commitments: PreimageCommitment;
  /** The genesis asset leaf (TLV), fetched by GET_PREIMAGE as SIGN_GROUP_GENESIS fetches it. */
  asset: PreimageCommitment;
  /**
   * The V1 group key's non-spendable leaf: 1 OP_RETURN, 2 Pedersen (tapd NonSpendLeafVersion). The
   * device builds the tapscript root from it and the anchor's asset ID, so the key has no other leaf.
   */
  leafVersion: number;
  /** The group anchor's asset ID when re-issuing into the group; absent: the minted asset's own. */
  anchorAssetId?: Uint8Array;
}

/**
 * A FROST group key's genesis witness (docs/frost.md §2.6): the device derives the V1 group key from
 * the key package and the non-spendable leaf, the sighash from the genesis asset, reviews the asset
 * group as SIGN_GROUP_GENESIS does, and answers its signature share.
 */
export const frostSignGroupGenesis: CommandSpec<FrostSignGroupGenesisRequest, Uint8Array> = {
  name: 'FROST_SIGN_GROUP_GENESIS',
  cla: CLA_TAP,
  ins: TAP_INS.FROST_SIGN_GROUP_GENESIS,
  encodeRequest(req) {
    if (req.leafVersion !== 1 && req.leafVersion !== 2) throw new RangeError(`FROST_SIGN_GROUP_GENESIS.leafVersion: expected 1 (OP_RETURN) or 2 (Pedersen), got ${req.leafVersion}`);
    return concat(
      field(req.handle, FROST_HANDLE_LENGTH, 'FROST_SIGN_GROUP_GENESIS.handle'),
      field(req.wrappedShare, WRAPPED_SHARE_LENGTH, 'FROST_SIGN_GROUP_GENESIS.wrappedShare'),
      encodePreimageCommitment(req.keyPackage, MAX_KEY_PACKAGE_LENGTH, 'key_package'),
      encodePreimageCommitment(req.commitments, MAX_NONCE_COMMITMENTS_LENGTH, 'commitments'),
      encodePreimageCommitment(req.asset, MAX_GENESIS_ASSET_LENGTH, 'asset'),
      Uint8Array.of(req.leafVersion),
      req.anchorAssetId ? field(req.anchorAssetId, 32, 'FROST_SIGN_GROUP_GENESIS.anchorAssetId') : new Uint8Array(),
    );
  },
  decodeRequest(data) {
    const r = new ByteReader(data, 'FROST_SIGN_GROUP_GENESIS');
    const handle = handleOf(r);
    const wrappedShare = r.bytesN(WRAPPED_SHARE_LENGTH, 'wrapped_share').slice();
    const keyPackage = readPreimageCommitment(r, MAX_KEY_PACKAGE_LENGTH, 'key_package');
    const commitments = readPreimageCommitment(r, MAX_NONCE_COMMITMENTS_LENGTH, 'commitments');
    const asset = readPreimageCommitment(r, MAX_GENESIS_ASSET_LENGTH, 'asset');
    const leafVersion = r.u8('leaf_version');
    if (leafVersion !== 1 && leafVersion !== 2) throw new RequestError(`FROST_SIGN_GROUP_GENESIS.leaf_version: expected 1 (OP_RETURN) or 2 (Pedersen), got ${leafVersion}`);
    const anchorAssetId = r.done ? undefined : r.bytesN(32, 'anchor_asset_id').slice();
    r.end();
    const req = { handle, wrappedShare, keyPackage, commitments, asset, leafVersion };
    return anchorAssetId ? { ...req, anchorAssetId } : req;
  },
  ...shareResponse('FROST_SIGN_GROUP_GENESIS'),
};
