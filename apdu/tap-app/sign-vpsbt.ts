// SIGN_VPSBT (E7 30, §5.5.1) as a row of the app's description: START (P1 00) and NEXT (01) carry
// one chunk of the stream of vpsbt-stream.ts, RESULTS (02) nothing; the answer is empty while the
// stream goes on, else a result batch (decodeResultBatch). A chunk means nothing alone (the stream
// spans APDUs), so this spec moves bytes; the stream's grammar is vpsbt-stream-reader.ts.

import { MAX_APDU_DATA } from '../apdu.ts';
import { CodecError } from '../errors.ts';
import { CLA_TAP, TAP_INS, type CommandSpec } from './spec.ts';
import { SignVpsbtP1 } from './vpsbt-stream.ts';

/** The P1 values SIGN_VPSBT takes; every other command takes 0 (§1). */
export const SIGN_VPSBT_P1: readonly number[] = Object.values(SignVpsbtP1);

function apduData(data: Uint8Array, what: string, E: new (m: string) => Error): Uint8Array {
  if (data.length > MAX_APDU_DATA) throw new E(`${what}: expected at most ${MAX_APDU_DATA} bytes, got ${data.length}`);
  return data;
}

export const signVpsbt: CommandSpec<Uint8Array, Uint8Array> = {
  name: 'SIGN_VPSBT',
  cla: CLA_TAP,
  ins: TAP_INS.SIGN_VPSBT,
  encodeRequest: (chunk) => apduData(chunk, 'SIGN_VPSBT chunk', RangeError),
  decodeRequest: (data) => data,
  encodeResponse: (batch) => apduData(batch, 'SIGN_VPSBT result batch', RangeError),
  decodeResponse: (data) => apduData(data, 'SIGN_VPSBT response', CodecError),
};
