// SIGN_VPSBT v2 (design §9): the stream of the suite's transfers at 2, 100, 1,000 and 10,000
// outputs, counted — B (field bytes read once), floor = ceil(B/250), exchanges = APDUs of the
// stream plus result reads — and the ratio exchanges/floor ≤ 1.25. Counting, not timing.

import { describe, expect, it } from 'vitest';
import { MAX_APDU_DATA } from '../../../apdu/apdu.ts';
import { streamExchanges, type StreamResult } from '../../../apdu/tap-app/vpsbt-stream.ts';
import { decodeVpsbtStream } from '../../../apdu/tap-app/vpsbt-stream-reader.ts';
import { encodeVpsbtStreamFor } from '../../../host/tap-app/vpsbt-stream.ts';
import { FINGERPRINT, transferPacket } from '../tap-app/vpsbt-fixture.ts';
import { rebuildSplitRoot } from './device-model.ts';
import { streamedTransfer } from './transfers.ts';

/** The signatures the device answers for these transfers: one per input, SIGHASH_DEFAULT. */
const signatures = (n: number): StreamResult[] => Array.from({ length: n }, (_, input) => ({ kind: 'signature', input, signature: new Uint8Array(64) }));

function count(outputs: number) {
  const packet = streamedTransfer(outputs - 1);
  const enc = encodeVpsbtStreamFor(packet, { fingerprint: FINGERPRINT });
  const B = enc.fieldBytes;
  const floor = Math.ceil(B / 250);
  const exchanges = streamExchanges(enc.bytes.length, signatures(enc.stream.signers.length));
  return { packet, enc, B, floor, exchanges, ratio: exchanges / floor };
}

describe('SIGN_VPSBT v2 stream of a transfer', () => {
  it('is the same from the sorted-pass fixture as from the proof-carrying one (21 outputs)', () => {
    const slow = encodeVpsbtStreamFor(transferPacket({ recipients: 20 }), { fingerprint: FINGERPRINT });
    const fast = encodeVpsbtStreamFor(streamedTransfer(20), { fingerprint: FINGERPRINT });
    expect(fast.bytes).toEqual(slow.bytes);
    expect(fast.outputOrder).toEqual(slow.outputOrder);
  });

  it('decodes to what was encoded, every leaf canonical, and the outputs rebuild the signed split root', () => {
    for (const outputs of [2, 100]) {
      const { packet, enc } = count(outputs);
      expect(decodeVpsbtStream(enc.bytes)).toEqual(enc.stream);
      expect(enc.stream.root.form).toBe('canonical');
      expect(enc.stream.outputs.every((o) => o.leaf.form === 'canonical')).toBe(true);
      expect(enc.stream.signers.map((s) => [s.input, s.keyIndex])).toEqual([[0, 0], [1, 1]]);
      // The root output comes back to the device: its change index is streamed, no one else's.
      expect(enc.stream.outputs.filter((o) => o.changeKeyIndex !== undefined).map((o) => [o.type, o.changeKeyIndex])).toEqual([[1, 100]]);
      const rebuilt = rebuildSplitRoot(enc.stream);
      expect(rebuilt.root).toEqual(packet.outputs[0]!.asset!.splitCommitmentRoot);
      expect(rebuilt.total).toBe(1_000_000n);
      expect(rebuilt.peakPending).toBeLessThanOrEqual(32);
    }
  });

  // The 10,000-output row (tens of seconds to build its fixture) is `npm run bench`'s (scripts/bench.ts).
  it('costs at most 1.25 × the floor at 2, 100 and 1,000 outputs', { timeout: 120_000 }, () => {
    const rows = [2, 100, 1000].map((outputs) => {
      const c = count(outputs);
      // Every APDU but the last carries a full 255 bytes.
      expect(c.enc.commands.slice(0, -1).every((a) => a.data.length === MAX_APDU_DATA)).toBe(true);
      expect(c.enc.commands.map((a) => a.p1)).toEqual([0, ...Array<number>(c.enc.commands.length - 1).fill(1)]);
      return { outputs, bytesRead: c.B, streamBytes: c.enc.bytes.length, floorExchanges: c.floor, exchanges: c.exchanges, ratio: Number(c.ratio.toFixed(3)) };
    });
    expect(rows).toEqual(EXPECTED);
    for (const r of rows) expect(r.exchanges / r.floorExchanges).toBeLessThanOrEqual(1.25);
  });
});

// v1 took 110,202 exchanges for the 1,000-output transfer (bench of docs/tap-app-protocol.md §5.5).
const EXPECTED = [
  { outputs: 2, bytesRead: 715, streamBytes: 740, floorExchanges: 3, exchanges: 3, ratio: 1 },
  { outputs: 100, bytesRead: 5321, streamBytes: 5640, floorExchanges: 22, exchanges: 23, ratio: 1.045 },
  { outputs: 1000, bytesRead: 47621, streamBytes: 50640, floorExchanges: 191, exchanges: 199, ratio: 1.042 },
];
