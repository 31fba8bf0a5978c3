// SIGN_VPSBT v2 commands (docs/tap-app-protocol.md §5.5.1): START opens a stream (dropping any
// other), NEXT feeds it, RESULTS reads the result batches left after the answer to the last chunk.

import { SignVpsbtP1 } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { TAP_SW } from '../../../apdu/tap-app/status.ts';
import type { TapHandler } from './command.ts';
import { TapError } from './errors.ts';
import { VpsbtStreamSession } from './sign-vpsbt-stream.ts';

export const signVpsbtStreamHandler: TapHandler = async ({ ctx, state, body, p1 }) => {
  if (p1 === SignVpsbtP1.START) state.stream = new VpsbtStreamSession(ctx, state.slots);
  const stream = state.stream;
  if (p1 !== SignVpsbtP1.START && p1 !== SignVpsbtP1.NEXT && p1 !== SignVpsbtP1.RESULTS) throw new TapError(TAP_SW.WRONG_P1P2, `SIGN_VPSBT: expected P1 00, 01 or 02, got ${p1}`);
  if (!stream) throw new TapError(TAP_SW.BAD_STATE, 'SIGN_VPSBT: no stream in progress');
  if (p1 === SignVpsbtP1.RESULTS) {
    if (body.length !== 0) throw new TapError(TAP_SW.WRONG_DATA_LENGTH, `RESULTS: expected no data, got ${body.length} bytes`);
    if (!stream.finished) throw new TapError(TAP_SW.BAD_STATE, 'RESULTS before the end of the stream');
    const batch = stream.nextBatch();
    if (stream.resultsLeft === 0) state.stream = undefined;
    return batch;
  }
  const answer = await stream.chunk(p1, body);
  if (stream.finished) {
    state.lastStreamPeakBytes = stream.peakDeviceBytes;
    if (stream.resultsLeft === 0) state.stream = undefined;
  }
  return answer;
};
