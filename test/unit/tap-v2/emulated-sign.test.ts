// SIGN_VPSBT v2 end to end on the emulated device (docs/tap-app-protocol.md §5.5.9): the host
// client streams the suite's transfer, the device reviews and signs it in one pass, and the
// signatures verify (TapAppClient checks each against the sighash it computes itself, and
// applyVpsbtSignatures once more). Counted, not timed: the APDUs exchanged stay within 1.25 × the
// floor, and the device's peak state is the same at 2 and at 1,000 outputs.

import { describe, expect, it } from 'vitest';
import { signVpsbtRow } from './sign-row.ts';

describe('SIGN_VPSBT v2 on the emulated device', () => {
  it('2 and 1,000 outputs: exchanges ≤ 1.25 × floor, equal peak device state, every input signed', { timeout: 120_000 }, async () => {
    const [small, large] = [await signVpsbtRow(2), await signVpsbtRow(1000)];
    for (const r of [small, large]) {
      expect(r.signatures).toBe(2);
      expect(r.exchanges).toBeLessThanOrEqual(1.25 * r.floorExchanges);
    }
    // The model's counts (exchange-count.test.ts): the device answered every chunk, nothing more.
    expect([small.exchanges, large.exchanges]).toEqual([3, 199]);
    expect(large.peakDeviceBytes).toBe(small.peakDeviceBytes);
  });
});
