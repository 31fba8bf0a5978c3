// Taproot Asset addresses (address/address.go, records.go): a TLV stream, bech32m-encoded under the
// network's HRP without bech32's 90-character limit. Types: 0 version, 2 asset version, 4 asset ID
// (omitted when zero, as V2 group addresses do), 5 group key, 6 script key, 8 internal key,
// 9 tapscript sibling, 10 amount (BigSize), 12 proof courier URL. Records are capped at 65535 bytes
// (TlvStrictDecodeP2P).

import { bech32m } from '@scure/base';
import { utf8 } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { encodeBigSize } from '../tlv/bigsize.ts';
import { decodeKnownStream, encodeWithUnknown, record, type TlvRecord } from '../tlv/stream.ts';
import { checkPubKey, decodeU8, decodeVarIntValue } from '../tlv/values.ts';
import { decodeTapscriptPreimage, encodeTapscriptPreimage, type TapscriptPreimage } from '../tapscript-preimage.ts';
import { chainParamsForHrp } from './params.ts';

export const AddressType = {
  version: 0,
  assetVersion: 2,
  assetId: 4,
  groupKey: 5,
  scriptKey: 6,
  internalKey: 8,
  tapscriptSibling: 9,
  amount: 10,
  proofCourierAddr: 12,
} as const;

/** Highest address version tapd understands (V0, V1, V2). */
export const LATEST_ADDRESS_VERSION = 2;
const MAX_RECORD = 0xffff;

export interface TapAddress {
  version: number;
  assetVersion: number;
  /** 32 bytes; all zero when a V2 address names only a group. */
  assetId: Uint8Array;
  groupKey?: Uint8Array;
  scriptKey: Uint8Array;
  internalKey: Uint8Array;
  tapscriptSibling?: TapscriptPreimage;
  amount: bigint;
  proofCourierAddr: string;
  unknownOddTypes: TlvRecord[];
}

const NAMES: Record<string, string> = Object.fromEntries(Object.entries(AddressType).map(([k, v]) => [String(v), k]));

export function encodeAddressTlv(a: TapAddress): Uint8Array {
  const recs: TlvRecord[] = [record(AddressType.version, Uint8Array.of(a.version)), record(AddressType.assetVersion, Uint8Array.of(a.assetVersion))];
  if (a.assetId.some((b) => b !== 0)) recs.push(record(AddressType.assetId, a.assetId));
  if (a.groupKey) recs.push(record(AddressType.groupKey, a.groupKey));
  recs.push(record(AddressType.scriptKey, a.scriptKey), record(AddressType.internalKey, a.internalKey));
  if (a.tapscriptSibling) recs.push(record(AddressType.tapscriptSibling, encodeTapscriptPreimage(a.tapscriptSibling)));
  recs.push(record(AddressType.amount, encodeBigSize(a.amount)), record(AddressType.proofCourierAddr, utf8.encode(a.proofCourierAddr)));
  return encodeWithUnknown(recs, a.unknownOddTypes);
}

export function decodeAddressTlv(bytes: Uint8Array, what = 'address'): TapAddress {
  const a: Partial<TapAddress> = { assetId: new Uint8Array(32), amount: 0n };
  const unknown = decodeKnownStream(
    bytes,
    what,
    {
      [AddressType.version]: (v, f) => (a.version = decodeU8(v, f)),
      [AddressType.assetVersion]: (v, f) => (a.assetVersion = decodeU8(v, f)),
      [AddressType.assetId]: (v, f) => {
        if (v.length !== 32) throw new CodecError(`${f}: expected 32 bytes, got ${v.length}`);
        if (v.every((b) => b === 0)) throw new CodecError(`${f}: expected a non-zero asset ID (zero is encoded by omission)`);
        a.assetId = v;
      },
      [AddressType.groupKey]: (v, f) => (a.groupKey = checkPubKey(v, f, true)),
      [AddressType.scriptKey]: (v, f) => (a.scriptKey = checkPubKey(v, f, true)),
      [AddressType.internalKey]: (v, f) => (a.internalKey = checkPubKey(v, f, true)),
      [AddressType.tapscriptSibling]: (v, f) => (a.tapscriptSibling = decodeTapscriptPreimage(capped(v, f), f)),
      [AddressType.amount]: (v, f) => (a.amount = decodeVarIntValue(v, f)),
      [AddressType.proofCourierAddr]: (v, f) => (a.proofCourierAddr = parseCourierUrl(capped(v, f), f)),
    },
    NAMES,
  );
  for (const name of ['version', 'assetVersion', 'scriptKey', 'internalKey', 'proofCourierAddr'] as const)
    if (a[name] === undefined) throw new CodecError(`${what}.${name}: expected record ${AddressType[name]}, got none`);
  if (a.version! > LATEST_ADDRESS_VERSION) throw new CodecError(`${what}.version: expected at most ${LATEST_ADDRESS_VERSION}, got ${a.version}`);
  if (!a.groupKey && a.assetId!.every((b) => b === 0)) throw new CodecError(`${what}.assetId: expected an asset ID or a group key, got neither`);
  return { ...(a as TapAddress), unknownOddTypes: unknown };
}

function capped(v: Uint8Array, what: string): Uint8Array {
  if (v.length > MAX_RECORD) throw new CodecError(`${what}: expected at most ${MAX_RECORD} bytes, got ${v.length}`);
  return v;
}

/** tapd parses the courier with url.ParseRequestURI; we require a scheme and valid UTF-8. */
export function parseCourierUrl(v: Uint8Array, what: string): string {
  let s: string;
  try {
    s = utf8.decode(v);
  } catch {
    throw new CodecError(`${what}: expected a UTF-8 URL`);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(s)) throw new CodecError(`${what}: expected an absolute URL, got ${JSON.stringify(s)}`);
  return s;
}

/** Encodes an address as its bech32m string for the given network HRP. */
export function encodeAddress(a: TapAddress, hrp: string): string {
  chainParamsForHrp(hrp, 'address.hrp');
  return bech32m.encode(hrp, bech32m.toWords(encodeAddressTlv(a)), false);
}

/** Decodes a bech32m Taproot Asset address; `expectedHrp` pins the network (address.IsForNet). */
export function decodeAddress(s: string, expectedHrp?: string): { hrp: string; address: TapAddress } {
  let hrp: string;
  let words: number[];
  try {
    ({ prefix: hrp, words } = bech32m.decode(s as `${string}1${string}`, false));
  } catch (e) {
    throw new CodecError(`address: expected a bech32m string, got ${(e as Error).message}`);
  }
  chainParamsForHrp(hrp, 'address.hrp');
  if (expectedHrp !== undefined && hrp !== expectedHrp) throw new CodecError(`address.hrp: expected ${expectedHrp}, got ${hrp}`);
  let bytes: Uint8Array;
  try {
    bytes = bech32m.fromWords(words);
  } catch (e) {
    throw new CodecError(`address: expected 8-bit groups, got ${(e as Error).message}`);
  }
  return { hrp, address: decodeAddressTlv(bytes) };
}
