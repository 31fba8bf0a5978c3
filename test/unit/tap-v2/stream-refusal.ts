// What a device answers to a SIGN_VPSBT v2 stream its reader refuses, for the codec tests.

import { concat, u32be } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { RequestError } from '../../../apdu/tap-app/spec.ts';
import { decodeVpsbtStream } from '../../../apdu/tap-app/vpsbt-stream-reader.ts';

/** The status word a device answers for `bytes` (6A87 for a CodecError, as §1 frames it). */
export function refusal(bytes: Uint8Array): number {
  try {
    decodeVpsbtStream(bytes);
  } catch (e) {
    if (e instanceof RequestError) return e.statusWord;
    if (e instanceof CodecError) return 0x6a87;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** `bytes` with its declared length fixed up after an edit. */
export const relength = (b: Uint8Array): Uint8Array => concat(u32be(b.length), b.subarray(4));
