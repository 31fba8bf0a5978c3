// MUSIG_ROUND1 (E7 20) and MUSIG_ROUND2 (E7 21), §5.4: BIP-327 with the secret nonce held by the
// device in a RAM slot named by a random 32-byte handle. The key-aggregation context travels as a
// commitment (`varint len || sha256`) and is fetched by GET_PREIMAGE (keyagg.ts).
//   round 1: keyagg_commitment || has_msg:u8 || [msg[32]]  -> handle[32] || pubnonce[66] || aggregate_xonly[32]
//   round 2: handle[32] || aggnonce[66] || msg[32] || keyagg_commitment  -> psig[32]

import { ByteReader, concat } from '../bytes.ts';
import { encodeKeyAggCommitment, readKeyAggCommitment, type KeyAggCommitment } from './keyagg.ts';
import { CLA_TAP, TAP_INS, field, readFlag, type CommandSpec } from './spec.ts';

export const HANDLE_LENGTH = 32;
export const PUBNONCE_LENGTH = 66;
export const MESSAGE_LENGTH = 32;
export const PARTIAL_SIGNATURE_LENGTH = 32;

export interface MusigRound1Request {
  keyAgg: KeyAggCommitment;
  /** When given, round 2 must sign exactly this message (BIP-327 NonceGen also mixes it in). */
  message?: Uint8Array;
}

export interface MusigRound1Response {
  handle: Uint8Array;
  pubnonce: Uint8Array;
  /** x-only key of the aggregate after the tweaks: what the final signature verifies against. */
  aggregateXOnly: Uint8Array;
}

export interface MusigRound2Request {
  handle: Uint8Array;
  aggnonce: Uint8Array;
  message: Uint8Array;
  keyAgg: KeyAggCommitment;
}

export const musigRound1: CommandSpec<MusigRound1Request, MusigRound1Response> = {
  name: 'MUSIG_ROUND1',
  cla: CLA_TAP,
  ins: TAP_INS.MUSIG_ROUND1,
  encodeRequest: (req) =>
    concat(
      encodeKeyAggCommitment(req.keyAgg, 'MUSIG_ROUND1.keyAgg'),
      req.message === undefined ? Uint8Array.of(0) : concat(Uint8Array.of(1), field(req.message, MESSAGE_LENGTH, 'MUSIG_ROUND1.message')),
    ),
  decodeRequest(data) {
    const r = new ByteReader(data, 'MUSIG_ROUND1');
    const keyAgg = readKeyAggCommitment(r);
    const hasMessage = readFlag(r, 'has_msg');
    const message = hasMessage ? r.bytesN(MESSAGE_LENGTH, 'msg').slice() : undefined;
    r.end();
    return message === undefined ? { keyAgg } : { keyAgg, message };
  },
  encodeResponse: (res) =>
    concat(
      field(res.handle, HANDLE_LENGTH, 'MUSIG_ROUND1.handle'),
      field(res.pubnonce, PUBNONCE_LENGTH, 'MUSIG_ROUND1.pubnonce'),
      field(res.aggregateXOnly, 32, 'MUSIG_ROUND1.aggregateXOnly'),
    ),
  decodeResponse(data) {
    const r = new ByteReader(data, 'MUSIG_ROUND1 response');
    const handle = r.bytesN(HANDLE_LENGTH, 'handle').slice();
    const pubnonce = r.bytesN(PUBNONCE_LENGTH, 'pubnonce').slice();
    const aggregateXOnly = r.bytesN(32, 'aggregateXOnly').slice();
    r.end();
    return { handle, pubnonce, aggregateXOnly };
  },
};

export const musigRound2: CommandSpec<MusigRound2Request, Uint8Array> = {
  name: 'MUSIG_ROUND2',
  cla: CLA_TAP,
  ins: TAP_INS.MUSIG_ROUND2,
  encodeRequest: (req) =>
    concat(
      field(req.handle, HANDLE_LENGTH, 'MUSIG_ROUND2.handle'),
      field(req.aggnonce, PUBNONCE_LENGTH, 'MUSIG_ROUND2.aggnonce'),
      field(req.message, MESSAGE_LENGTH, 'MUSIG_ROUND2.message'),
      encodeKeyAggCommitment(req.keyAgg, 'MUSIG_ROUND2.keyAgg'),
    ),
  decodeRequest(data) {
    const r = new ByteReader(data, 'MUSIG_ROUND2');
    const handle = r.bytesN(HANDLE_LENGTH, 'handle').slice();
    const aggnonce = r.bytesN(PUBNONCE_LENGTH, 'aggnonce').slice();
    const message = r.bytesN(MESSAGE_LENGTH, 'msg').slice();
    const keyAgg = readKeyAggCommitment(r);
    r.end();
    return { handle, aggnonce, message, keyAgg };
  },
  encodeResponse: (psig) => field(psig, PARTIAL_SIGNATURE_LENGTH, 'MUSIG_ROUND2.psig'),
  decodeResponse(data) {
    const r = new ByteReader(data, 'MUSIG_ROUND2 response');
    const psig = r.bytesN(PARTIAL_SIGNATURE_LENGTH, 'psig').slice();
    r.end();
    return psig;
  },
};
