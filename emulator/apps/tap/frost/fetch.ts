// Values a FROST command names by commitment (docs/frost.md §3): fetched with GET_PREIMAGE and
// checked against the commitment's length and hash before anything reads them (§7 rule 4).

import { CodecError } from '../../../../apdu/errors.ts';
import type { PreimageCommitment } from '../../../../apdu/tap-app/frost-data.ts';
import type { HostChannel } from '../../common/host-channel.ts';
import { incorrectData, unverified } from '../errors.ts';

export async function fetchCommitted<T>(host: HostChannel, c: PreimageCommitment, what: string, decode: (bytes: Uint8Array) => T): Promise<{ bytes: Uint8Array; value: T }> {
  const bytes = await host.getPreimage(c.hash, c.length);
  if (bytes === undefined) throw unverified(`${what} preimage`);
  if (bytes.length !== c.length) throw incorrectData(`${what}: expected ${c.length} bytes, got ${bytes.length}`);
  try {
    return { bytes, value: decode(bytes) };
  } catch (e) {
    if (e instanceof CodecError) throw incorrectData(`${what}: ${e.message}`);
    throw e;
  }
}
