import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { decodeAsset, encodeAsset } from '../../../assets/asset/leaf.ts';
import { assetFromJson, assetToJson, prevIdFromJson } from '../../../assets/json/asset-json.ts';
import { deriveBurnKey } from '../../../assets/asset/burn.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { decodeTlvStream, encodeTlvStream } from '../../../assets/tlv/stream.ts';
import { encodeBigSize, readBigSize } from '../../../assets/tlv/bigsize.ts';
import { ByteReader } from '../../../apdu/bytes.ts';
import { vector, vectorText } from './helpers.ts';

const valid = vector('asset/testdata/asset_tlv_encoding_generated.json').valid_test_cases as any[];
const errors = vector('asset/testdata/asset_tlv_encoding_error_cases.json').error_test_cases as any[];

describe('BigSize (lnd tlv varint)', () => {
  it.each([
    [0n, '00'],
    [0xfcn, 'fc'],
    [0xfdn, 'fd00fd'],
    [0xffffn, 'fdffff'],
    [0x10000n, 'fe00010000'],
    [0xffffffffn, 'feffffffff'],
    [0x100000000n, 'ff0000000100000000'],
    [0xffffffffffffffffn, 'ffffffffffffffffff'],
  ])('%s <-> %s', (n, hex) => {
    expect(toHex(encodeBigSize(n))).toBe(hex);
    expect(readBigSize(new ByteReader(fromHex(hex)), 'v')).toBe(n);
  });
  it.each(['fd00fc', 'fe0000ffff', 'ff00000000ffffffff'])('refuses non-canonical %s', (hex) => {
    expect(() => readBigSize(new ByteReader(fromHex(hex), 'x'), 'v')).toThrow(/non-canonical/);
  });
});

describe('TLV stream', () => {
  it('refuses repeated or decreasing types', () => {
    expect(() => decodeTlvStream(fromHex('0100' + '0100'), 's')).toThrow(/strictly increasing/);
    expect(() => decodeTlvStream(fromHex('0200' + '0100'), 's')).toThrow(/strictly increasing/);
  });
  it('refuses a length beyond the data', () => {
    expect(() => decodeTlvStream(fromHex('010501'), 's')).toThrow(/expected 5 value bytes/);
  });
  it('round-trips large odd types', () => {
    const bytes = encodeTlvStream([{ type: 0xffffffffffffffffn, value: fromHex('aa') }]);
    expect(toHex(bytes)).toBe('ffffffffffffffffff01aa');
    expect(decodeTlvStream(bytes, 's')[0]!.type).toBe(0xffffffffffffffffn);
  });
});

describe('asset leaf TLV vectors', () => {
  it.each(valid.map((t) => [t.comment, t]))('%s: JSON -> bytes -> JSON round-trip', (_c, t) => {
    const a = assetFromJson(t.asset);
    expect(toHex(encodeAsset(a))).toBe(t.expected);
    const back = decodeAsset(fromHex(t.expected));
    expect(toHex(encodeAsset(back))).toBe(t.expected);
    expect(assetToJson(back)).toEqual(assetToJson(a));
  });

  it('asset.hex decodes and re-encodes byte for byte', () => {
    const hex = vectorText('asset/testdata/asset.hex');
    const a = decodeAsset(fromHex(hex));
    expect(toHex(encodeAsset(a))).toBe(hex);
    expect(a.genesis.tag).toBe('itest-asset-cents-tranche-2');
  });

  it.each(errors.map((t) => [t.error, t]))('error case "%s" is refused naming the field', (err, t) => {
    const field = { 'missing genesis fields': 'genesis', 'missing script key': 'script_key', 'invalid script key length': 'script_key', 'missing group key': 'group_key', 'invalid group key length': 'group_key' }[err as string]!;
    let caught: any;
    try {
      assetFromJson(t.asset);
    } catch (e) {
      caught = e;
    }
    expect(caught?.code).toBe('E_CODEC');
    expect(caught.message).toContain(field);
    expect(caught.message).toContain(err);
  });

  it('refuses unknown even types and keeps unknown odd ones', () => {
    const minimal = valid.find((t) => t.comment === 'minimal asset')!.expected as string;
    expect(() => decodeAsset(fromHex(minimal + 'fd7a6800'))).toThrow(/unknown even type 31336/);
    const odd = decodeAsset(fromHex(minimal + 'fd7a690101'));
    expect(odd.unknownOddTypes).toEqual([{ type: 31337n, value: fromHex('01') }]);
  });

  it('refuses non-canonical leaf encodings with the field named', () => {
    const minimal = fromHex(valid.find((t) => t.comment === 'minimal asset')!.expected);
    // type record (4) disagreeing with the genesis type
    const badType = Uint8Array.from(minimal);
    const idx = toHex(minimal).indexOf('040100') / 2;
    badType[idx + 2] = 1;
    expect(() => decodeAsset(badType)).toThrow(/asset\.type: expected the genesis type 0, got 1/);
    // a script key that is not on the curve
    const badKey = Uint8Array.from(minimal);
    badKey[badKey.length - 33] = 0x05;
    expect(() => decodeAsset(badKey)).toThrow(/asset\.scriptKey/);
  });
});

describe('asset ID and burn keys', () => {
  it('genesis ID of asset.hex matches its prev witness asset ID lineage', () => {
    const a = decodeAsset(fromHex(vectorText('asset/testdata/asset.hex')));
    expect(a.prevWitnesses[0]!.prevId!.assetId).toEqual(assetId(a.genesis));
  });
  it.each((vector('asset/testdata/asset_burn_key_generated.json').valid_test_cases as any[]).map((t) => [t.comment, t]))(
    'burn key: %s',
    (_c, t) => {
      expect(toHex(deriveBurnKey(prevIdFromJson(t.prev_id, 'prev_id')!))).toBe(t.expected);
    },
  );
});
