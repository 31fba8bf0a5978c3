// A malicious device against the SIGN_VPSBT v2 client (docs/tap-app-protocol.md §5.5.7): the real
// emulated device's answers rewritten on the way to the host. TapAppClient must refuse each with a
// typed error and return nothing — a signature that does not verify, a result for another input,
// results that never end.

import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeResponse } from '../../../apdu/apdu.ts';
import { SW } from '../../../apdu/status.ts';
import { TAP_INS } from '../../../apdu/tap-app/index.ts';
import type { Transport } from '../../../devices/transport.ts';
import { TapAppClient } from '../../../host/tap-app/client.ts';
import { tapDevice } from '../../e2e/helpers.ts';
import { transferPacket } from '../tap-app/vpsbt-fixture.ts';

/** Rewrites the data of every SIGN_VPSBT answer that carries a result batch. */
function rewriting(inner: Transport, rewrite: (data: Uint8Array) => Uint8Array): Transport {
  return {
    kind: 'rewriting',
    get busy() {
      return inner.busy;
    },
    async exchange(apdu: Uint8Array) {
      const r = decodeResponse(await inner.exchange(apdu));
      if (apdu[1] !== TAP_INS.SIGN_VPSBT || r.statusWord !== SW.OK || r.data.length === 0) return encodeResponse(r);
      return encodeResponse({ data: rewrite(r.data.slice()), statusWord: r.statusWord });
    },
    close: () => inner.close(),
    onDisconnect: (l) => inner.onDisconnect(l),
  };
}

const packet = transferPacket({ inputs: [600n, 400n], recipients: 1 });

describe('SIGN_VPSBT v2: the client trusts nothing the device returns', () => {
  it('the honest device: two signatures', async () => {
    expect((await tapDevice().client.signVpsbt(packet)).map((y) => y.inputIndex)).toEqual([0, 1]);
  });

  // The first batch: remaining(1) || 00 || input || sig[64] || 00 || input || sig[64].
  it.each([
    ['a flipped bit in a signature', (d: Uint8Array) => ((d[10] = d[10]! ^ 1), d), /does not verify against script key/],
    ['the second result named for input 0', (d: Uint8Array) => ((d[68] = 0), d), /expected input 1, got 0/],
    ['one result left out', (d: Uint8Array) => d.subarray(0, 67), /expected 2 results/],
    ['a SIGHASH_ALL code where DEFAULT was asked', (d: Uint8Array) => Uint8Array.of(0, 1, 0, ...d.subarray(3, 67), 1, ...d.subarray(67)), /expected sighash type 0, got 1/],
    ['results announced forever (an empty batch with remaining 255)', () => Uint8Array.of(255), /announced/],
  ])('%s -> DeviceResponseError', async (_, rewrite, message) => {
    const { transport } = tapDevice();
    await expect(new TapAppClient(rewriting(transport, rewrite)).signVpsbt(packet)).rejects.toMatchObject({ code: 'E_DEVICE_RESPONSE', message: expect.stringMatching(message) });
  });
});

/** Answers the first SIGN_VPSBT chunk with `answer` instead of the device's response. */
function firstChunkAnswered(inner: Transport, answer: Uint8Array): Transport {
  let done = false;
  return {
    kind: 'first-chunk',
    get busy() {
      return inner.busy;
    },
    async exchange(apdu: Uint8Array) {
      const r = await inner.exchange(apdu);
      if (apdu[1] !== TAP_INS.SIGN_VPSBT || done) return r;
      done = true;
      return answer;
    },
    close: () => inner.close(),
    onDisconnect: (l) => inner.onDisconnect(l),
  };
}

describe('SIGN_VPSBT v2: a device that answers outside the protocol', () => {
  it.each([
    // v2 has no client commands (§5.5): a GET_PREIMAGE request (E000) is refused, not served.
    ['a client command', encodeResponse({ data: Uint8Array.of(0x40, 0, ...new Uint8Array(32)), statusWord: 0xe000 }), /client command to a command that has none/],
    ['a response longer than one APDU', encodeResponse({ data: new Uint8Array(300), statusWord: SW.OK }), /at most 258 bytes/],
  ])('%s -> DeviceResponseError', async (_, answer, message) => {
    const { transport } = tapDevice();
    await expect(new TapAppClient(firstChunkAnswered(transport, answer)).signVpsbt(packet)).rejects.toMatchObject({ code: 'E_DEVICE_RESPONSE', message: expect.stringMatching(message) });
  });
});
