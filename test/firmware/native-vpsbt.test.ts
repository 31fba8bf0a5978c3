// SIGN_VPSBT v2 on the C core (the `native` backend, harness/native.ts, the person approving every
// step) at the sizes the emulator's test uses (test/unit/tap-v2/emulated-sign.test.ts): 2 and 1,000
// outputs take the exchanges of the protocol's model (docs/tap-app-protocol.md §5.5.9: one APDU per
// 255 stream bytes, one RESULTS per batch after the first), the same counts the emulator takes, and
// every signature verifies with noble against the input's script key over the sighash computed on
// the host. Counted, never timed.

import { schnorr } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamExchanges } from '../../apdu/tap-app/vpsbt-stream.ts';
import type { Transport } from '../../devices/transport.ts';
import { NativeAppBackend, nativeAppUnavailableReason } from '../../harness/native.ts';
import { TapAppClient, vpsbtInputSighash } from '../../host/tap-app/index.ts';
import { encodeVpsbtStreamFor } from '../../host/tap-app/vpsbt-stream.ts';
import { FINGERPRINT } from '../unit/tap-app/vpsbt-fixture.ts';
import { streamedTransfer } from '../unit/tap-v2/transfers.ts';

const reason = nativeAppUnavailableReason();
if (reason) console.log(`firmware SIGN_VPSBT exchange counts skipped: ${reason}`);

describe.skipIf(reason !== undefined)('SIGN_VPSBT v2 on the native C core', () => {
  let backend: NativeAppBackend;
  let exchanges = 0;
  let client: TapAppClient;
  beforeAll(() => {
    backend = NativeAppBackend.start({ approveAll: true });
    const t = backend.transport;
    const counted: Transport = { ...t, kind: t.kind, busy: false, exchange: (apdu, o) => (exchanges++, t.exchange(apdu, o)) };
    client = new TapAppClient(counted);
  });
  afterAll(() => backend?.close());

  it("2 and 1,000 outputs: the model's exchanges (3 and 199, as on the emulator), every input signed", { timeout: 120_000 }, async () => {
    await client.getMasterFingerprint();
    const counts: number[] = [];
    for (const outputs of [2, 1000]) {
      const packet = streamedTransfer(outputs - 1);
      const stream = encodeVpsbtStreamFor(packet, { fingerprint: FINGERPRINT });
      exchanges = 0;
      const results = (await client.signVpsbt(packet)).map((y) => {
        if (y.type !== 'partialSignature') throw new Error(`expected a signature, got ${y.type}`);
        return { kind: 'signature' as const, input: y.inputIndex, signature: y.signature };
      });
      expect(results.map((r) => r.input)).toEqual([0, 1]);
      for (const r of results)
        expect(schnorr.verify(r.signature, vpsbtInputSighash(packet, r.input), packet.inputs[r.input]!.prevId.scriptKey.subarray(1))).toBe(true);
      expect(exchanges).toBe(streamExchanges(stream.bytes.length, results));
      counts.push(exchanges);
    }
    console.log(`firmware: SIGN_VPSBT exchanges at 2 and 1,000 outputs: ${counts.join(', ')}`);
    expect(counts).toEqual([3, 199]);
  });
});
