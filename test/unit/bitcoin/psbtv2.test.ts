import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { toHex } from '../../../apdu/bytes.ts';
import { merkleizePsbt, parseRawPsbt, serializeRawPsbt, toPsbtV0, toPsbtV2, type RawPsbt } from '../../../bitcoin/psbtv2.ts';
import { PSBT_GLOBAL } from '../../../bitcoin/psbt-fields.ts';
import { decodeCommand } from '../../../apdu/apdu.ts';
import { signPsbt } from '../../../apdu/bitcoin-app/sign-psbt.ts';
import { loadExchanges, loadFlow } from '../apdu-bitcoin-app/corpus.ts';

const entriesHex = (m: readonly (readonly [Uint8Array, Uint8Array])[]) =>
  m.map(([k, v]) => `${toHex(k)}=${toHex(v)}`).sort();

function sameMaps(a: RawPsbt, b: RawPsbt): void {
  expect(entriesHex(a.global)).toEqual(entriesHex(b.global));
  expect(a.inputs.map(entriesHex)).toEqual(b.inputs.map(entriesHex));
  expect(a.outputs.map(entriesHex)).toEqual(b.outputs.map(entriesHex));
}

describe('PSBT v0 -> v2 as the Ledger client sends it', () => {
  for (const flow of ['sign-psbt-wpkh', 'sign-psbt-taproot-keypath'])
    it(`${flow}: the converted maps equal psbt_v2_base64_sent`, () => {
      const inputs = loadFlow('nanosp', flow).inputs;
      const v2 = toPsbtV2(base64.decode(inputs.psbt_base64));
      sameMaps(v2, parseRawPsbt(base64.decode(inputs.psbt_v2_base64_sent)));
      // btc-signer reads our v2 as the same transaction.
      const a = Transaction.fromPSBT(base64.decode(inputs.psbt_base64));
      const b = Transaction.fromPSBT(serializeRawPsbt(v2));
      expect(b.id).toBe(a.id);
    });

  it('v2 -> v0 gives back the original PSBT maps', () => {
    const inputs = loadFlow('nanosp', 'sign-psbt-wpkh').inputs;
    const v0 = base64.decode(inputs.psbt_base64);
    sameMaps(toPsbtV0(toPsbtV2(v0)), parseRawPsbt(v0));
  });

  it('a transaction version of 2^31 or more (a negative int32 nVersion) converts both ways, same 4 bytes (found by the decoder fuzzer)', () => {
    const inputs = loadFlow('nanosp', 'sign-psbt-wpkh').inputs;
    const v2 = toPsbtV2(base64.decode(inputs.psbt_base64));
    const global = v2.global.map(([k, v]) => (k.length === 1 && k[0] === PSBT_GLOBAL.TX_VERSION ? ([k, Uint8Array.of(0x02, 0x00, 0x00, 0x86)] as const) : ([k, v] as const)));
    const v0 = toPsbtV0({ ...v2, global });
    const tx = v0.global.find(([k]) => k.length === 1 && k[0] === PSBT_GLOBAL.UNSIGNED_TX)![1];
    expect(toHex(tx.subarray(0, 4))).toBe('02000086');
    const back = toPsbtV2(v0).global.find(([k]) => k.length === 1 && k[0] === PSBT_GLOBAL.TX_VERSION)![1];
    expect(toHex(back)).toBe('02000086');
  });

  it('keeps unknown and proprietary fields byte for byte', () => {
    const inputs = loadFlow('nanosp', 'sign-psbt-wpkh').inputs;
    const raw = parseRawPsbt(base64.decode(inputs.psbt_base64));
    raw.global.push([Uint8Array.of(0xfc, 0x03, 0x61, 0x62, 0x63, 0x01), Uint8Array.of(7, 7)]);
    raw.inputs[0]!.push([Uint8Array.of(0x99, 0x01), Uint8Array.of(1)]);
    const v2 = toPsbtV2(serializeRawPsbt(raw));
    expect(entriesHex(v2.global)).toContain('fc0361626301=0707');
    expect(entriesHex(v2.inputs[0]!)).toContain('9901=01');
  });

  for (const flow of ['sign-psbt-wpkh', 'sign-psbt-taproot-keypath', 'sign-psbt-musig2-2of2'])
    it(`${flow}: the merkleized maps give the recorded SIGN_PSBT request`, () => {
      const inputs = loadFlow('nanosp', flow).inputs;
      const psbts = [inputs.psbt_base64 ?? inputs.psbt_round1_base64, inputs.psbt_round2_base64].filter(Boolean);
      const sent = loadExchanges('nanosp', flow)
        .map((e) => decodeCommand(e.command))
        .filter((c) => c.cla === 0xe1 && c.ins === 0x04)
        .map((c) => signPsbt.decodeRequest(c.data));
      expect(sent.length).toBe(psbts.length);
      psbts.forEach((b64: string, i: number) => {
        const m = merkleizePsbt(base64.decode(b64));
        const req = sent[i]!;
        expect(m.global.size).toBe(req.globalMap.size);
        expect(toHex(m.global.keysTree.root)).toBe(toHex(req.globalMap.keysRoot));
        expect(toHex(m.global.valuesTree.root)).toBe(toHex(req.globalMap.valuesRoot));
        expect(m.inputs.length).toBe(req.inputCount);
        expect(toHex(m.inputsTree.root)).toBe(toHex(req.inputsRoot));
        expect(m.outputs.length).toBe(req.outputCount);
        expect(toHex(m.outputsTree.root)).toBe(toHex(req.outputsRoot));
      });
    });

  it('refuses bad magic, trailing bytes and duplicate keys', () => {
    expect(() => parseRawPsbt(Uint8Array.of(1, 2, 3, 4, 5, 0))).toThrow(expect.objectContaining({ code: 'E_PSBT' }));
    const good = base64.decode(loadFlow('nanosp', 'sign-psbt-wpkh').inputs.psbt_base64);
    expect(() => parseRawPsbt(Uint8Array.of(...good, 0))).toThrow(/expected end/);
    const raw = parseRawPsbt(good);
    raw.inputs[0]!.push(raw.inputs[0]![0]!);
    expect(() => parseRawPsbt(serializeRawPsbt(raw))).toThrow(/duplicate key/);
  });
});
