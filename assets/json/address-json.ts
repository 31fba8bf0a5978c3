// tapd's JSON test-vector shape of an address (address/mock.go TestAddress) <-> our TapAddress;
// the checks follow TestAddress.ToAddress so each vector error case fails with its field named.

import { toHex } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import type { TapAddress } from '../address/address.ts';
import { chainParamsForHrp } from '../address/params.ts';
import { decodeTapscriptPreimage, encodeTapscriptPreimage } from '../tapscript-preimage.ts';
import { typeMapFromJson } from './asset-json.ts';
import { hex, obj, str, u64, u8, type Json, type JsonObject } from './fields.ts';
import { base64 } from '@scure/base';

export function addressFromJson(v: Json, what = 'address'): { hrp: string; address: TapAddress } {
  const j = obj(v, what);
  const hrp = str(j.chain_params_hrp, `${what}.chain_params_hrp`);
  if (hrp === '') throw new CodecError(`${what}.chain_params_hrp: missing chain params HRP`);
  try {
    chainParamsForHrp(hrp);
  } catch {
    throw new CodecError(`${what}.chain_params_hrp: invalid chain params HRP ${JSON.stringify(hrp)}`);
  }
  const idHex = str(j.asset_id, `${what}.asset_id`);
  const groupHex = str(j.group_key, `${what}.group_key`);
  if (idHex === '' && groupHex === '') throw new CodecError(`${what}.asset_id: missing asset ID or group key`);
  const key = (name: string, label: string): Uint8Array => {
    const s = str(j[name], `${what}.${name}`);
    if (s === '') throw new CodecError(`${what}.${name}: missing ${label}`);
    const b = hex(s, `${what}.${name}`);
    if (b.length !== 33) throw new CodecError(`${what}.${name}: invalid ${label} length, expected 33 bytes, got ${b.length}`);
    return b;
  };
  const scriptKey = key('script_key', 'script key');
  const internalKey = key('internal_key', 'internal key');
  const a: TapAddress = {
    version: u8(j.version, `${what}.version`),
    assetVersion: u8(j.asset_version, `${what}.asset_version`),
    assetId: idHex === '' ? new Uint8Array(32) : hex(idHex, `${what}.asset_id`, 32),
    scriptKey,
    internalKey,
    amount: u64(j.amount, `${what}.amount`),
    proofCourierAddr: str(j.proof_courier_addr, `${what}.proof_courier_addr`),
    unknownOddTypes: typeMapFromJson(j.unknown_odd_types, `${what}.unknown_odd_types`),
  };
  if (groupHex !== '') a.groupKey = key('group_key', 'group key');
  const sibling = str(j.tapscript_sibling, `${what}.tapscript_sibling`);
  if (sibling !== '') a.tapscriptSibling = decodeTapscriptPreimage(hex(sibling, `${what}.tapscript_sibling`), `${what}.tapscript_sibling`);
  return { hrp, address: a };
}

export function addressToJson(hrp: string, a: TapAddress): JsonObject {
  return {
    version: a.version,
    chain_params_hrp: hrp,
    asset_version: a.assetVersion,
    asset_id: a.assetId.some((b) => b !== 0) ? toHex(a.assetId) : '',
    group_key: a.groupKey ? toHex(a.groupKey) : '',
    script_key: toHex(a.scriptKey),
    internal_key: toHex(a.internalKey),
    tapscript_sibling: a.tapscriptSibling ? toHex(encodeTapscriptPreimage(a.tapscriptSibling)) : '',
    amount: a.amount.toString(),
    proof_courier_addr: a.proofCourierAddr,
    unknown_odd_types: a.unknownOddTypes.length ? Object.fromEntries(a.unknownOddTypes.map((r) => [r.type.toString(), base64.encode(r.value)])) : null,
  };
}
