import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { applySignPsbtResults } from '../../../host/bitcoin-app/psbt-results.ts';
import type { SignPsbtYield } from '../../../apdu/yields.ts';
import { loadFlow } from '../apdu-bitcoin-app/corpus.ts';

const hexPairs = (list: readonly (readonly [any, Uint8Array])[] | undefined) =>
  (list ?? []).map(([k, v]) => [k instanceof Uint8Array ? toHex(k) : Object.values(k).map((x: any) => (x ? toHex(x) : '')).join('|'), toHex(v)]).sort();

describe('applySignPsbtResults writes the fields the recorded host wrote', () => {
  it('wpkh: PSBT_IN_PARTIAL_SIG equals psbt_after_base64', () => {
    const json = loadFlow('nanosp', 'sign-psbt-wpkh');
    const y = json.results.yields[0];
    const results: SignPsbtYield[] = [{ type: 'partialSignature', inputIndex: 0, pubkey: fromHex(y.pubkey), signature: fromHex(y.signature) }];
    const tx = applySignPsbtResults(json.inputs.psbt_base64, results);
    const after = Transaction.fromPSBT(base64.decode(json.results.psbt_after_base64));
    expect(hexPairs(tx.getInput(0).partialSig)).toEqual(hexPairs(after.getInput(0).partialSig));
  });

  it('taproot key path: PSBT_IN_TAP_KEY_SIG', () => {
    const json = loadFlow('nanosp', 'sign-psbt-taproot-keypath');
    const y = json.results.yields[0];
    const tx = applySignPsbtResults(json.inputs.psbt_base64, [{ type: 'partialSignature', inputIndex: 0, pubkey: fromHex(y.pubkey), signature: fromHex(y.signature) }]);
    expect(toHex(tx.getInput(0).tapKeySig!)).toBe(y.signature);
  });

  it('MuSig2: the device pubnonce and partial signature land as in psbt_after_base64 (BIP-373)', () => {
    const json = loadFlow('nanosp', 'sign-psbt-musig2-2of2');
    const n = json.results.round1_yields[0];
    const round1 = applySignPsbtResults(json.inputs.psbt_round1_base64, [
      { type: 'musigPubNonce', inputIndex: 0, participantPubkey: fromHex(n.participant_pubkey), aggregatePubkey: fromHex(n.aggregate_pubkey), pubnonce: fromHex(n.pubnonce) },
    ]);
    const after = Transaction.fromPSBT(base64.decode(json.results.psbt_after_base64));
    const own = (list: any) => hexPairs(list).filter(([k]) => k!.startsWith(n.participant_pubkey));
    expect(own(round1.getInput(0).musig2PubNonce)).toEqual(own(after.getInput(0).musig2PubNonce));
    const p = json.results.round2_yields[0];
    const round2 = applySignPsbtResults(json.inputs.psbt_round2_base64, [
      { type: 'musigPartialSignature', inputIndex: 0, participantPubkey: fromHex(p.participant_pubkey), aggregatePubkey: fromHex(p.aggregate_pubkey), partialSignature: fromHex(p.partial_signature) },
    ]);
    expect(own(round2.getInput(0).musig2PartialSig)).toEqual(own(after.getInput(0).musig2PartialSig));
    expect(hexPairs(round2.getInput(0).musig2PubNonce)).toEqual(hexPairs(after.getInput(0).musig2PubNonce));
  });

  it('refuses a result for an input that does not exist', () => {
    const json = loadFlow('nanosp', 'sign-psbt-wpkh');
    expect(() =>
      applySignPsbtResults(json.inputs.psbt_base64, [{ type: 'partialSignature', inputIndex: 1, pubkey: new Uint8Array(33), signature: new Uint8Array(71) }]),
    ).toThrow(/input 1 does not exist/);
  });
});
