// One SIGN_VPSBT v2 run of the suite's transfer at a given size, measured as `npm run bench` reports
// it (docs/tap-app-protocol.md §5.5.9): bytes the protocol reads (B), the floor ceil(B/250), the
// APDUs exchanged, the time, and the device's peak state. Used by the bench and by the test that
// holds the ratio and the flat peak (which asserts counts, never time).

import type { ModelId } from '../../../devices/models.ts';
import { EmulatedDevice } from '../../../emulator/device.ts';
import { createTapApp, TAP_APP_NAME, type TapApp } from '../../../emulator/apps/tap/app.ts';
import { TapAppClient } from '../../../host/tap-app/client.ts';
import { encodeVpsbtStreamFor } from '../../../host/tap-app/vpsbt-stream.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { applyVpsbtSignatures } from '../../../host/tap-app/vpsbt-signatures.ts';
import { FINGERPRINT } from '../tap-app/vpsbt-fixture.ts';
import { streamedTransfer } from './transfers.ts';

export interface SignVpsbtRow {
  outputs: number;
  bytesRead: number;
  floorExchanges: number;
  exchanges: number;
  ms: number;
  peakDeviceBytes: number;
}

/** Signs the `outputs`-output transfer on an auto-approving emulated device over the in-process transport. */
export async function signVpsbtRow(outputs: number, model: ModelId = 'flex'): Promise<SignVpsbtRow & { signatures: number }> {
  let app: TapApp | undefined;
  const device = new EmulatedDevice({ model, autoApprove: true, apps: { [TAP_APP_NAME]: () => (app = createTapApp()) }, startApp: TAP_APP_NAME });
  let exchanges = 0;
  const counted = { exchange: (apdu: Uint8Array, o?: { signal?: AbortSignal }) => (exchanges++, device.exchange(apdu, o)) };
  const transport = new LoopbackTransport(counted);
  try {
    const packet = streamedTransfer(outputs - 1);
    const bytesRead = encodeVpsbtStreamFor(packet, { fingerprint: FINGERPRINT }).fieldBytes;
    const client = new TapAppClient(transport);
    // The fingerprint is asked once per client, before and apart from the signing exchanges.
    await client.getMasterFingerprint();
    exchanges = 0;
    const start = performance.now();
    const results = await client.signVpsbt(packet);
    const ms = performance.now() - start;
    applyVpsbtSignatures(packet, results);
    return { outputs, bytesRead, floorExchanges: Math.ceil(bytesRead / 250), exchanges, ms, peakDeviceBytes: app!.lastStreamPeakBytes!, signatures: results.length };
  } finally {
    await transport.close();
  }
}
