// The one exchange loop both clients use (host/exchange.ts), driven by each client against the
// emulator with a transport that tampers with the device's answers: both refuse the fault with
// E_DEVICE_RESPONSE.

import { describe, expect, it } from 'vitest';
import { concat, u16be } from '../../../apdu/bytes.ts';
import { encodeClientCommandRequest, SW_INTERRUPTED_EXECUTION } from '../../../apdu/interrupt.ts';
import type { Transport } from '../../../devices/transport.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import { TapAppClient } from '../../../host/tap-app/client.ts';
import { emulated } from '../host-tap/helpers.ts';

/** The emulator's transport, with every answer passed through `rewrite`. */
function tampered(app: 'tap' | 'bitcoin-test', rewrite: (answer: Uint8Array) => Uint8Array): Transport {
  const { transport } = emulated({ app });
  return new Proxy(transport, {
    get(target, prop, receiver) {
      if (prop === 'exchange') return async (apdu: Uint8Array) => rewrite(await target.exchange(apdu));
      return Reflect.get(target, prop, receiver);
    },
  });
}

const oversized = (answer: Uint8Array): Uint8Array => concat(new Uint8Array(300), answer);
const clientCommand = (): Uint8Array => concat(encodeClientCommandRequest({ command: 'GET_PREIMAGE', hash: new Uint8Array(32) }), u16be(SW_INTERRUPTED_EXECUTION));

async function refused(call: Promise<unknown>, code: string, message: string): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );
  expect(err?.code).toBe(code);
  expect(err?.message).toBe(message);
}

describe('host exchange loop', () => {
  it('refuses an answer longer than any APDU, in either client', async () => {
    await refused(new BitcoinAppClient(tampered('bitcoin-test', oversized)).getMasterFingerprint(), 'E_DEVICE_RESPONSE', 'GET_MASTER_FINGERPRINT: expected a response of at most 258 bytes (an APDU\'s data and status word), got 306');
    await refused(new TapAppClient(tampered('tap', oversized)).getMasterFingerprint(), 'E_DEVICE_RESPONSE', 'GET_MASTER_FINGERPRINT: expected a response of at most 258 bytes (an APDU\'s data and status word), got 306');
  });

  it('refuses a client command to a command that has none, in either client', async () => {
    await refused(new BitcoinAppClient(tampered('bitcoin-test', clientCommand)).getMasterFingerprint(), 'E_DEVICE_RESPONSE', 'GET_MASTER_FINGERPRINT: device sent a client command to a command that has none');
    await refused(new TapAppClient(tampered('tap', clientCommand)).getMasterFingerprint(), 'E_DEVICE_RESPONSE', 'GET_MASTER_FINGERPRINT: device sent a client command to a command that has none');
  });
});
