// SIGN_PSBT refusals that happen before any review: the emulated app inside the device, driven by
// the host client, with the recorded taproot key-path PSBT (sign-psbt-taproot-keypath) as the
// honest baseline. Nothing is approved unless the test says so.

import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../apdu/bytes.ts';
import { walletPolicy } from '../../../bitcoin/wallet-policy.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import { loadFlow } from '../apdu-bitcoin-app/corpus.ts';
import { bitcoinDevice } from './harness.ts';

const inputs = loadFlow('nanosp', 'sign-psbt-taproot-keypath').inputs;
const policy = walletPolicy('', inputs.wallet_policy.descriptor_template, inputs.wallet_policy.keys_info);

function setup() {
  const d = bitcoinDevice();
  return { ...d, client: new BitcoinAppClient(new LoopbackTransport(d.device)) };
}

describe('SIGN_PSBT', () => {
  it('signs the recorded PSBT after one approved review', async () => {
    const { client, person } = setup();
    person.answer(true);
    const yields = await client.signPsbt(base64.decode(inputs.psbt_base64), policy, null);
    expect(yields.map((y) => [y.type, y.inputIndex])).toEqual([['partialSignature', 0]]);
    expect(person.prompts.map((p) => [p.kind, p.approved])).toEqual([['review', true]]);
  });

  it('a rejected review ends in 6985 with no signature yielded', async () => {
    const { client, person } = setup();
    person.answer(false);
    await expect(client.signPsbt(base64.decode(inputs.psbt_base64), policy, null)).rejects.toMatchObject({ name: 'UserRefusedError', statusCode: 0x6985 });
    expect(person.prompts.map((p) => [p.kind, p.approved])).toEqual([['review', false]]);
  });

  it('refuses outputs worth more than the inputs (negative fee) with 6A80, before any review', async () => {
    const { client, person } = setup();
    const tx = Transaction.fromPSBT(base64.decode(inputs.psbt_base64));
    const spent = tx.getInput(0).witnessUtxo!.amount;
    tx.updateOutput(0, { amount: spent + 1n });
    await expect(client.signPsbt(tx.toPSBT(), policy, null)).rejects.toMatchObject({ statusCode: 0x6a80 });
    expect(person.prompts).toEqual([]);
  });

  it('refuses a wpkh spend whose outputs exceed its witness UTXO by one satoshi (6A80), before any review', async () => {
    const wpkh = loadFlow('nanosp', 'sign-psbt-wpkh').inputs;
    const wpkhPolicy = walletPolicy('', wpkh.wallet_policy.descriptor_template, wpkh.wallet_policy.keys_info);
    const { client, person } = setup();
    const tx = Transaction.fromPSBT(base64.decode(wpkh.psbt_base64));
    let spent = 0n;
    for (let i = 0; i < tx.inputsLength; i++) spent += tx.getInput(i).witnessUtxo!.amount;
    let paid = 0n;
    for (let i = 0; i < tx.outputsLength; i++) paid += tx.getOutput(i).amount!;
    tx.updateOutput(0, { amount: tx.getOutput(0).amount! + (spent - paid) + 1n });
    await expect(client.signPsbt(tx.toPSBT(), wpkhPolicy, null)).rejects.toMatchObject({ statusCode: 0x6a80 });
    expect(person.prompts).toEqual([]);
  });

  it("refuses a registered policy with a wrong HMAC (B008) before any review; the recorded HMAC gets MuSig2 round 1", async () => {
    const musig = loadFlow('nanosp', 'sign-psbt-musig2-2of2').inputs;
    const registered = walletPolicy(musig.wallet_policy.name, musig.wallet_policy.descriptor_template, musig.wallet_policy.keys_info);
    const psbt = base64.decode(musig.psbt_round1_base64);
    const hmac = fromHex(musig.hmac);
    const { client, person } = setup();
    const forged = hmac.slice();
    forged[0]! ^= 0x80;
    await expect(client.signPsbt(psbt, registered, forged)).rejects.toMatchObject({ name: 'SignatureFailError', statusCode: 0xb008 });
    expect(person.prompts).toEqual([]);
    const round1 = await client.signPsbt(psbt, registered, hmac);
    expect(round1.map((y) => y.type)).toEqual(['musigPubNonce']);
  });
});
