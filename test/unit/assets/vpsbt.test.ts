import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { decodeVPacket, encodeVPacket } from '../../../assets/vpsbt/codec.ts';
import { decodeRawPsbt, encodeRawPsbt } from '../../../assets/vpsbt/psbt-map.ts';
import { GlobalKey, InputKey, OutputKey } from '../../../assets/vpsbt/fields.ts';
import { assetToJson } from '../../../assets/json/asset-json.ts';
import { addressToJson } from '../../../assets/json/address-json.ts';
import { formatOutPoint } from '../../../assets/asset/outpoint.ts';
import { encodeTapscriptPreimage } from '../../../assets/tapscript-preimage.ts';
import type { Bip32Derivation, TaprootBip32Derivation } from '../../../assets/vpsbt/derivation.ts';
import { vector, vectorText } from './helpers.ts';

const valid = vector('tappsbt/testdata/psbt_encoding_generated.json').valid_test_cases as any[];
const errors = vector('tappsbt/testdata/psbt_encoding_error_cases.json').error_test_cases as any[];

const fp = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset, 4).getUint32(0, true);
const bip32Json = (ds: Bip32Derivation[]) => (ds.length ? ds.map((d) => ({ pub_key: toHex(d.pubKey), fingerprint: fp(d.fingerprint), bip32_path: d.path })) : null);
const trBip32Json = (ds: TaprootBip32Derivation[]) =>
  ds.length ? ds.map((d) => ({ pub_key: toHex(d.xOnlyPubKey), leaf_hashes: d.leafHashes.map(toHex), fingerprint: fp(d.fingerprint), bip32_path: d.path })) : null;
const normalise = (j: any): any => JSON.parse(JSON.stringify(j, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), (_k, v) => (typeof v === 'number' ? String(v) : v));

describe('vPSBT vectors', () => {
  it.each(valid.map((t) => [t.comment, t]))('%s: decode -> encode is byte-identical and matches the JSON packet', (_c, t) => {
    const bytes = base64.decode(t.expected);
    const p = decodeVPacket(bytes);
    expect(toHex(encodeVPacket(p))).toBe(toHex(bytes));
    const j = t.packet;
    expect(p.chainHrp).toBe(j.chain_params_hrp);
    expect(p.version).toBe(j.version ?? 0);
    expect(p.inputs).toHaveLength(j.inputs.length);
    p.inputs.forEach((vin, i) => {
      const ji = j.inputs[i];
      expect(formatOutPoint(vin.prevId.outPoint)).toBe(ji.prev_id.out_point);
      expect(toHex(vin.prevId.assetId)).toBe(ji.prev_id.asset_id);
      expect(toHex(vin.prevId.scriptKey)).toBe(ji.prev_id.script_key);
      expect(vin.anchor.value.toString()).toBe(String(ji.anchor.value));
      expect(toHex(vin.anchor.pkScript)).toBe(ji.anchor.pk_script);
      expect(vin.anchor.sigHashType.toString()).toBe(String(ji.anchor.sig_hash_type));
      expect(vin.anchor.internalKey ? toHex(vin.anchor.internalKey) : '').toBe(ji.anchor.internal_key);
      expect(toHex(vin.anchor.merkleRoot)).toBe(ji.anchor.merkle_root);
      expect(toHex(vin.anchor.tapscriptSibling)).toBe(ji.anchor.tapscript_sibling);
      expect(bip32Json(vin.anchor.bip32Derivation)).toEqual(ji.anchor.bip32_derivation);
      expect(trBip32Json(vin.anchor.trBip32Derivation)).toEqual(ji.anchor.tr_bip32_derivation);
      expect(bip32Json(vin.bip32Derivation)).toEqual(ji.bip32_derivation);
      expect(trBip32Json(vin.trBip32Derivation)).toEqual(ji.tr_bip32_derivation);
      expect(vin.trInternalKey ? toHex(vin.trInternalKey) : '').toBe(ji.tr_internal_key);
      expect(vin.trMerkleRoot ? toHex(vin.trMerkleRoot) : '').toBe(ji.tr_merkle_root);
      expect(vin.asset ? normalise(assetToJson(vin.asset)) : null).toEqual(ji.asset ? normalise(ji.asset) : null);
      expect(vin.proof !== undefined).toBe(ji.proof !== null);
    });
    p.outputs.forEach((o, i) => {
      const jo = j.outputs[i];
      expect(o.amount.toString()).toBe(String(jo.amount));
      expect('5120' + toHex(o.scriptKey)).toBe(jo.pk_script);
      expect(o.type).toBe(jo.type);
      expect(o.assetVersion).toBe(jo.asset_version);
      expect(o.interactive).toBe(jo.interactive);
      expect(o.anchorOutputIndex).toBe(jo.anchor_output_index);
      expect(o.anchorOutputInternalKey ? toHex(o.anchorOutputInternalKey) : '').toBe(jo.anchor_output_internal_key);
      expect(bip32Json(o.anchorOutputBip32Derivation)).toEqual(jo.anchor_output_bip32_derivation);
      expect(trBip32Json(o.anchorOutputTrBip32Derivation)).toEqual(jo.anchor_output_tr_bip32_derivation);
      expect(o.anchorOutputTapscriptSibling ? toHex(encodeTapscriptPreimage(o.anchorOutputTapscriptSibling)) : '').toBe(jo.anchor_output_tapscript_sibling);
      expect(bip32Json(o.bip32Derivation)).toEqual(jo.bip32_derivation);
      expect(trBip32Json(o.trBip32Derivation)).toEqual(jo.tr_bip32_derivation);
      expect(o.trInternalKey ? toHex(o.trInternalKey) : '').toBe(jo.tr_internal_key);
      expect(o.proofDeliveryAddress ?? '').toBe(jo.proof_delivery_address);
      expect(String(o.lockTime)).toBe(String(jo.lock_time));
      expect(String(o.relativeLockTime)).toBe(String(jo.relative_lock_time));
      expect(o.asset ? normalise(assetToJson(o.asset)) : null).toEqual(jo.asset ? normalise(jo.asset) : null);
      expect(o.splitAsset ? normalise(assetToJson(o.splitAsset)) : null).toEqual(jo.split_asset ? normalise(jo.split_asset) : null);
      expect(o.address ? normalise(addressToJson(p.chainHrp, o.address)) : null).toEqual(jo.address ? normalise(jo.address) : null);
      expect(o.altLeaves?.map((l) => toHex(l.scriptKey)) ?? null).toEqual(jo.alt_leaves?.map((l: any) => l.script_key) ?? null);
      expect(o.proofSuffix !== undefined).toBe(jo.proof_suffix !== null);
    });
  });

  it('packet.hex (written by an older tapd, no output lock times) round-trips byte for byte', () => {
    const bytes = fromHex(vectorText('tappsbt/testdata/packet.hex'));
    const p = decodeVPacket(bytes);
    expect(p.outputs[0]!.lockTime).toBeUndefined();
    expect(p.outputs[0]!.anchorOutputBip32Derivation).toHaveLength(2);
    expect(toHex(encodeVPacket(p))).toBe(toHex(bytes));
  });
});

describe('vPSBT errors name the field', () => {
  const minimal = base64.decode(valid[0].expected);
  const mutate = (f: (raw: ReturnType<typeof decodeRawPsbt>) => void): Uint8Array => {
    const raw = decodeRawPsbt(minimal);
    f(raw);
    return encodeRawPsbt(raw);
  };

  it.each(errors.map((t) => [t.error, t]))('vector error case "%s"', (err) => {
    expect(err).toBe('missing chain params HRP');
    const bytes = mutate((r) => (r.global = r.global.filter((g) => g.key[0] !== GlobalKey.chainParamsHrp)));
    expect(() => decodeVPacket(bytes)).toThrow(expect.objectContaining({ code: 'E_CODEC', message: 'vpsbt.global.chainParamsHrp: expected field 0x71, got none' }));
  });

  it.each([
    ['not virtual', (r: any) => (r.global.find((g: any) => g.key[0] === GlobalKey.isVirtualTx).value = Uint8Array.of(0)), /global\.isVirtualTx: expected 01/],
    ['unknown HRP', (r: any) => (r.global.find((g: any) => g.key[0] === GlobalKey.chainParamsHrp).value = Uint8Array.of(0x62, 0x63)), /global\.chainParamsHrp: expected one of tapbc/],
    ['unknown version', (r: any) => (r.global.find((g: any) => g.key[0] === GlobalKey.psbtVersion).value = Uint8Array.of(2)), /global\.psbtVersion: expected 0 or 1, got 2/],
    ['short prev ID', (r: any) => (r.inputs[0].find((g: any) => g.key[0] === InputKey.prevId).value = new Uint8Array(100)), /inputs\[0\]\.prevId: expected 101 bytes, got 100/],
    ['missing anchor value', (r: any) => (r.inputs[0] = r.inputs[0].filter((g: any) => g.key[0] !== InputKey.anchorValue)), /inputs\[0\]\.anchor\.value: expected field 0x71/],
    ['interactive flag 02', (r: any) => (r.outputs[0].find((g: any) => g.key[0] === OutputKey.isInteractive).value = Uint8Array.of(2)), /outputs\[0\]\.interactive: expected 00 or 01/],
    ['empty asset', (r: any) => r.outputs[0].push({ key: Uint8Array.of(OutputKey.asset), value: new Uint8Array() }), /outputs\[0\]\.asset: expected a value/],
    ['non-taproot output', (r: any) => (r.unsignedTx.outputs[0].script = fromHex('0014' + '00'.repeat(20))), /outputs\[0\]\.scriptKey: expected a 34-byte OP_1/],
    ['bad courier URL', (r: any) => (r.outputs[0].find((g: any) => g.key[0] === OutputKey.proofDeliveryAddress).value = Uint8Array.of(0x20)), /outputs\[0\]\.proofDeliveryAddress: expected an absolute URL/],
  ])('%s', (_name, f, re) => {
    expect(() => decodeVPacket(mutate(f as any))).toThrow(re);
  });

  it('refuses keys out of order and duplicates', () => {
    const raw = decodeRawPsbt(minimal);
    const dup = encodeRawPsbt(raw);
    // swap the first two custom output fields in place: 0x71 before 0x70
    const hex = toHex(dup).replace('01700100' + '01710101', '01710101' + '01700100');
    expect(() => decodeVPacket(fromHex(hex))).toThrow(/expected ascending key types, got 0x70 after 0x71/);
    const twice = toHex(dup).replace('01700100' + '01710101', '01700100' + '01700100' + '01710101');
    expect(() => decodeVPacket(fromHex(twice))).toThrow(/expected unique keys, got duplicate 70/);
  });
});
