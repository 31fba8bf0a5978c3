// The emulated app is derived from the app's description (apdu/bitcoin-app/app.ts): it serves
// exactly the commands listed there, and decodes every request with the spec the host encodes with.
// For each truncation of a valid request body that the spec's decoder refuses, the device answers
// the status word the decoder names (6A87 for short data, the RequestError's own otherwise).

import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../../apdu/bytes.ts';
import { BITCOIN_APP, commandApdu } from '../../../apdu/bitcoin-app/index.ts';
import { checkTruncations } from '../apdu/truncated-requests.ts';
import { bitcoinDevice } from './harness.ts';

const h32 = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const H = 0x80000000;

/** A valid request of every command the app's description lists, by command name. */
const SAMPLES: Record<string, unknown> = {
  GET_EXTENDED_PUBKEY: { display: false, path: [86 + H, 1 + H, 0 + H] },
  GET_WALLET_ADDRESS: { display: false, walletId: h32(1), hmac: h32(0), change: false, index: 7 },
  REGISTER_WALLET: { policy: concat(Uint8Array.of(2, 1, 0x41, 8), h32(2), Uint8Array.of(1), h32(3)) },
  SIGN_PSBT: { globalMap: { size: 3, keysRoot: h32(4), valuesRoot: h32(5) }, inputCount: 1, inputsRoot: h32(6), outputCount: 1, outputsRoot: h32(7), walletId: h32(8), hmac: h32(0) },
  GET_MASTER_FINGERPRINT: undefined,
  SIGN_MESSAGE: { path: [44 + H, 1 + H, 0 + H], messageLength: 5, messageRoot: h32(9) },
};

describe('Bitcoin app request decoding', () => {
  it('answers every truncated request with the status word its spec decoder names', async () => {
    const d = bitcoinDevice();
    const checked = await checkTruncations(d.device, BITCOIN_APP, SAMPLES, commandApdu);
    expect(checked).toBeGreaterThan(300);
  });

  it('refuses a SIGN_MESSAGE path of 0 or 11 elements as its spec does (6A87), and out-of-range values with 6A80', async () => {
    const d = bitcoinDevice();
    const root = 'ab'.repeat(32);
    expect(await d.exchangeHex(`e110000122` + '00' + '05' + root)).toBe('6a87');
    expect(await d.exchangeHex(`e11000014e` + '0b' + '80000000'.repeat(11) + '05' + root)).toBe('6a87');
    expect(await d.exchangeHex(`e100000102` + '0200')).toBe('6a80');
    expect(await d.exchangeHex(`e103000146` + '00' + '11'.repeat(64) + '02' + '00000000')).toBe('6a80');
  });

  it('answers 6D00 to exactly the INS values its description does not list', async () => {
    const d = bitcoinDevice();
    const listed = new Set(BITCOIN_APP.commands.map((c) => c.ins));
    for (let ins = 0; ins < 256; ins++) {
      const answer = toHex(await d.device.exchange(Uint8Array.of(BITCOIN_APP.cla, ins, 0, BITCOIN_APP.protocolVersion, 0)));
      expect(answer === '6d00', `INS ${ins.toString(16)}: ${answer}`).toBe(!listed.has(ins));
    }
  });
});
