// The FROST signer item of the SIGN_VPSBT v2 stream (tag 06, docs/tap-app-protocol.md §5.5.3) and
// its result entry (04): the layout byte for byte, the merge with tag-04 signers in input order,
// the device reader's refusals with the status word it answers, and the round trip.

import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { MAX_KEY_PACKAGE_LENGTH } from '../../../apdu/tap-app/frost-data.ts';
import {
  StreamMode,
  decodeResultBatch,
  encodeResultBatches,
  encodeVpsbtStream,
  streamFieldBytes,
  streamedSigners,
  type StreamFrostSigner,
  type VpsbtStream,
} from '../../../apdu/tap-app/vpsbt-stream.ts';
import { decodeVpsbtStream } from '../../../apdu/tap-app/vpsbt-stream-reader.ts';
import { refusal, relength } from '../tap-v2/stream-refusal.ts';

const key = (b: number) => concat(Uint8Array.of(0x02), new Uint8Array(32).fill(b));

const frost: StreamFrostSigner = {
  input: 1,
  sighashType: 0,
  tweak: new Uint8Array(32).fill(0xee),
  frost: { handle: new Uint8Array(32).fill(0xaa), wrappedShare: new Uint8Array(49).fill(0xbb), keyPackage: Uint8Array.of(2, 3, 0xcc), commitments: Uint8Array.of(2, 0xdd, 0xdd) },
};

const stream: VpsbtStream = {
  header: { mode: StreamMode.sign, hrp: 'taprt', inputCount: 2, outputCount: 1, warnings: 0 },
  inputs: [
    { prevId: new Uint8Array(101).fill(7), leaf: Uint8Array.of(0, 1, 0) },
    { prevId: new Uint8Array(101).fill(8), leaf: Uint8Array.of(0, 1, 1) },
  ],
  root: { form: 'canonical', version: 0, amount: 10n, lockTime: 0n, relativeLockTime: 0n, scriptKey: key(1) },
  signers: [{ input: 0, sighashType: 0, keyIndex: 5, tweak: new Uint8Array(), participants: [], pubnonces: [] }],
  frostSigners: [frost],
  outputs: [{ type: 0, anchorOutputIndex: 0, leaf: { form: 'none' } }],
};

/** The bytes of the FROST item, as §5.5.3 lays them out. */
const item = concat(
  Uint8Array.of(0x06, 1, 0),
  Uint8Array.of(32),
  frost.tweak,
  frost.frost.handle,
  frost.frost.wrappedShare,
  Uint8Array.of(3),
  frost.frost.keyPackage,
  Uint8Array.of(3),
  frost.frost.commitments,
);


describe('SIGN_VPSBT v2: the FROST signer item', () => {
  it('streams after the tag-04 signer of a lower input, byte for byte, and decodes to the same stream', () => {
    const bytes = encodeVpsbtStream(stream);
    const at = toHex(bytes).indexOf(toHex(item));
    expect(at).toBeGreaterThan(0);
    // The single-key signer of input 0 comes first, the output right after the FROST item.
    expect(toHex(bytes).slice(at - 2 * 9, at)).toBe('0400000000000500' + '00');
    expect(toHex(bytes).slice(at + 2 * item.length, at + 2 * item.length + 2)).toBe('05');
    expect(decodeVpsbtStream(bytes)).toEqual(stream);
    expect(streamedSigners(stream).map((s) => s.input)).toEqual([0, 1]);
    // B counts the FROST item's values: input, sighash type, tweak, handle, wrapped share, package, list.
    const without = streamFieldBytes({ ...stream, frostSigners: [] });
    expect(streamFieldBytes(stream) - without).toBe(1 + 1 + 32 + 32 + 49 + 3 + 3);
  });

  it('the reader refuses: mode 1 (6A80), another sighash type (6A80), a 5-byte tweak (6A80), an input out of order (6A80), a package over the bound (6A80)', () => {
    const bytes = encodeVpsbtStream(stream);
    const at = bytes.length - 8 - item.length; // the one output item (8 bytes) follows
    expect(toHex(bytes.subarray(at, at + item.length))).toBe(toHex(item));
    const edit = (offset: number, value: number) => {
      const b = bytes.slice();
      b[at + offset] = value;
      return b;
    };
    expect(() => encodeVpsbtStream({ ...stream, header: { ...stream.header, mode: StreamMode.musigRound1 }, outputs: [] })).toThrow(/mode 1/);
    const round1 = encodeVpsbtStream({ ...stream, header: { ...stream.header, mode: StreamMode.musigRound1 }, signers: [{ ...stream.signers[0]!, participants: [key(2), key(3)] }], frostSigners: [], outputs: [] });
    expect(refusal(relength(concat(round1, item)))).toBe(0x6a80);
    expect(refusal(edit(2, 1))).toBe(0x6a80);
    expect(refusal(edit(1, 0))).toBe(0x6a80);
    expect(() => encodeVpsbtStream({ ...stream, frostSigners: [{ ...frost, tweak: new Uint8Array(5) }] })).toThrow(/tweak/);
    const fiveByteTweak = concat(bytes.subarray(0, at + 3), Uint8Array.of(5), new Uint8Array(5), bytes.subarray(at + 3 + 1 + 32));
    expect(refusal(relength(fiveByteTweak))).toBe(0x6a80);
    const pkgLengthAt = at + 3 + 1 + 32 + 32 + 49;
    const oversized = concat(bytes.subarray(0, pkgLengthAt), Uint8Array.of(0xfd, (MAX_KEY_PACKAGE_LENGTH + 1) & 0xff, (MAX_KEY_PACKAGE_LENGTH + 1) >> 8), new Uint8Array(MAX_KEY_PACKAGE_LENGTH + 1), bytes.subarray(pkgLengthAt + 1 + 3));
    expect(refusal(relength(oversized))).toBe(0x6a80);
  });

  it('result entry 04: input and a 32-byte signature share', () => {
    const share = new Uint8Array(32).fill(0x5a);
    const [batch] = encodeResultBatches([{ kind: 'frostSignatureShare', input: 1, signatureShare: share }]);
    expect(toHex(batch!)).toBe('000401' + toHex(share));
    expect(decodeResultBatch(batch!).results).toEqual([{ kind: 'frostSignatureShare', input: 1, signatureShare: share }]);
    expect(() => decodeResultBatch(Uint8Array.of(0, 0x04, 1, 0))).toThrow(CodecError);
  });
});
