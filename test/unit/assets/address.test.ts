import { describe, expect, it } from 'vitest';
import { decodeAddress, encodeAddress } from '../../../assets/address/address.ts';
import { addressFromJson, addressToJson } from '../../../assets/json/address-json.ts';
import { vector } from './helpers.ts';

const valid = vector('address/testdata/address_tlv_encoding_generated.json').valid_test_cases as any[];
const errors = vector('address/testdata/address_tlv_encoding_error_cases.json').error_test_cases as any[];

describe('Taproot Asset address vectors', () => {
  it('covers v0, v1 and v2 on every network', () => {
    expect(new Set(valid.map((t) => t.address.version))).toEqual(new Set([0, 1, 2]));
    expect(new Set(valid.map((t) => t.address.chain_params_hrp))).toEqual(new Set(['tapbc', 'taptb', 'taprt', 'tapsb']));
  });

  it.each(valid.map((t) => [t.comment, t]))('%s: JSON -> bech32m -> JSON', (_c, t) => {
    const { hrp, address } = addressFromJson(t.address);
    expect(encodeAddress(address, hrp)).toBe(t.expected);
    const back = decodeAddress(t.expected, hrp);
    expect(back.hrp).toBe(hrp);
    expect(encodeAddress(back.address, back.hrp)).toBe(t.expected);
    const json = addressToJson(back.hrp, back.address);
    expect({ ...json, amount: BigInt(json.amount as string) }).toEqual({ ...t.address, amount: BigInt(t.address.amount) });
  });

  it.each(errors.map((t) => [t.error, t]))('error case "%s" is refused naming the field', (err, t) => {
    expect(() => addressFromJson(t.address)).toThrow(expect.objectContaining({ code: 'E_CODEC', message: expect.stringContaining(err) }));
  });

  it('refuses the wrong network, a bad checksum and unknown even types', () => {
    const t = valid.find((x) => x.address.chain_params_hrp === 'tapbc')!;
    expect(() => decodeAddress(t.expected, 'taptb')).toThrow(/address\.hrp: expected taptb, got tapbc/);
    const flipped = t.expected.slice(0, -1) + (t.expected.endsWith('q') ? 'p' : 'q');
    expect(() => decodeAddress(flipped)).toThrow(expect.objectContaining({ code: 'E_CODEC' }));
    const { hrp, address } = addressFromJson(t.address);
    const withEven = { ...address, unknownOddTypes: [{ type: 30n, value: new Uint8Array([1]) }] };
    expect(() => decodeAddress(encodeAddress(withEven, hrp))).toThrow(/unknown even type 30/);
  });
});
