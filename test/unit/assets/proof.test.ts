import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { decodeProof, encodeProof } from '../../../assets/proof/proof.ts';
import { assetToJson } from '../../../assets/json/asset-json.ts';
import { formatOutPoint } from '../../../assets/asset/outpoint.ts';
import { decodeVPacket } from '../../../assets/vpsbt/codec.ts';
import { base64 } from '@scure/base';
import { vector, vectorText } from './helpers.ts';

const normalise = (j: any): any => JSON.parse(JSON.stringify(j), (_k, v) => (typeof v === 'number' ? String(v) : v));
const cases = [
  ...(vector('proof/testdata/proof_tlv_encoding_generated.json').valid_test_cases as any[]),
  ...(vector('proof/testdata/proof_tlv_encoding_regtest.json').valid_test_cases as any[]),
];

describe('transition proof vectors', () => {
  it('the error-case file is empty upstream', () => {
    expect(vector('proof/testdata/proof_tlv_encoding_error_cases.json').error_test_cases ?? []).toEqual([]);
  });

  it.each(cases.map((t) => [t.comment, t]))('%s: decode -> encode is byte-identical', (_c, t) => {
    const p = decodeProof(fromHex(t.expected));
    expect(toHex(encodeProof(p))).toBe(t.expected);
    expect(formatOutPoint(p.prevOut)).toBe(t.proof.prev_out);
    expect(p.blockHeight).toBe(t.proof.block_height);
    expect(normalise(assetToJson(p.asset))).toEqual(normalise(t.proof.asset));
  });

  it('proofs carried in vPSBTs decode and re-encode', () => {
    const packets = [fromHex(vectorText('tappsbt/testdata/packet.hex')), ...(vector('tappsbt/testdata/psbt_encoding_generated.json').valid_test_cases as any[]).map((t) => base64.decode(t.expected))];
    let n = 0;
    for (const bytes of packets)
      for (const raw of decodeVPacket(bytes).inputs.flatMap((i) => (i.proof ? [i.proof] : []))) {
        expect(toHex(encodeProof(decodeProof(raw)))).toBe(toHex(raw));
        n++;
      }
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it('refuses a wrong magic and a missing asset record, naming them', () => {
    const hex = cases[0].expected as string;
    expect(() => decodeProof(fromHex('54415051' + hex.slice(8)))).toThrow(/proof\.magic: expected "TAPP"/);
    const p = decodeProof(fromHex(hex));
    const noHeader = toHex(encodeProof(p)).replace(/0450[0-9a-f]{160}/, '');
    expect(() => decodeProof(fromHex(noHeader))).toThrow(/proof\.blockHeader: expected record 4, got none/);
  });
});
