// A tapscript sibling preimage (commitment/taproot.go TapscriptPreimage): one type byte
// (0 leaf, 1 branch) followed by the raw preimage. A leaf preimage is
// `leaf_version || CompactSize(len) || script`; a branch preimage is the two child hashes.

import { ByteReader } from '../apdu/bytes.ts';
import { CodecError } from '../apdu/errors.ts';
import { concat } from '../apdu/bytes.ts';
import { tapBranchHash, tapLeafHash } from './crypto.ts';

export const PreimageType = { leaf: 0, branch: 1 } as const;

export interface TapscriptPreimage {
  type: number;
  preimage: Uint8Array;
}

export function encodeTapscriptPreimage(p: TapscriptPreimage): Uint8Array {
  return concat(Uint8Array.of(p.type), p.preimage);
}

/** tapd refuses an empty record (ErrInvalidTapscriptPreimageLen); the type is checked when hashing. */
export function decodeTapscriptPreimage(bytes: Uint8Array, what: string): TapscriptPreimage {
  if (bytes.length === 0) throw new CodecError(`${what}: expected a type byte and a preimage, got 0 bytes`);
  return { type: bytes[0]!, preimage: bytes.subarray(1) };
}

/** The tap hash the preimage stands for (TapscriptPreimage.TapHash). */
export function tapscriptPreimageHash(p: TapscriptPreimage, what = 'tapscript preimage'): Uint8Array {
  if (p.preimage.length === 0) throw new CodecError(`${what}: expected a non-empty preimage`);
  if (p.type === PreimageType.branch) {
    if (p.preimage.length !== 64) throw new CodecError(`${what}: expected a 64-byte branch preimage, got ${p.preimage.length} bytes`);
    return tapBranchHash(p.preimage.subarray(0, 32), p.preimage.subarray(32));
  }
  if (p.type === PreimageType.leaf) {
    const r = new ByteReader(p.preimage, what);
    const version = r.u8('leafVersion');
    const script = r.bytesN(r.varintNumber('script length'), 'script');
    r.end();
    return tapLeafHash(script, version);
  }
  throw new CodecError(`${what}.type: expected 0 (leaf) or 1 (branch), got ${p.type}`);
}
