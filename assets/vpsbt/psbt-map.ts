// BIP-174 framing of a PSBTv0: magic, the global map, one map per input and per output, each map a
// list of `CompactSize keylen || key || CompactSize vallen || value` ended by a 0x00 byte.
//
// tapd's vPSBTs put arbitrary-length data into standard fields (PSBT_IN_TAP_MERKLE_ROOT carries the
// script-key tweak, not a 32-byte root), which @scure/btc-signer's typed PSBT coder rejects, so the
// maps are framed here and only the unsigned transaction goes through btc-signer's RawTx.

import { RawTx } from '@scure/btc-signer';
import { ByteReader, compareBytes, concat, encodeVarint, toHex } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { CUSTOM_KEY_TYPES, GlobalKey } from './fields.ts';

export const PSBT_MAGIC = Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff);

export interface PsbtField {
  /** Full key: key type byte followed by key data. */
  key: Uint8Array;
  value: Uint8Array;
}

export type RawUnsignedTx = ReturnType<typeof RawTx.decode>;

export interface RawPsbt {
  unsignedTx: RawUnsignedTx;
  /** Global fields other than the unsigned tx (key 0x00). */
  global: PsbtField[];
  inputs: PsbtField[][];
  outputs: PsbtField[][];
}

function readMap(r: ByteReader, what: string): PsbtField[] {
  const fields: PsbtField[] = [];
  for (;;) {
    const keyLen = r.varintNumber(`${what} key length`, r.remaining);
    if (keyLen === 0) return fields;
    const key = r.bytesN(keyLen, `${what} key`);
    const valueLen = r.varintNumber(`${what} value length`, r.remaining);
    const value = r.bytesN(valueLen, `${what}[${toHex(key.subarray(0, 1))}] value`);
    checkOrder(fields, key, what);
    fields.push({ key, value });
  }
}

/**
 * btcd writes each map in ascending key-type order, sorting standard derivations by key; tapd's
 * custom fields (0x70 and up) follow in the order of its lists. Accepting only that order makes
 * the encoding a function of the content and rules out duplicate keys.
 */
function checkOrder(fields: PsbtField[], key: Uint8Array, what: string): void {
  const prev = fields[fields.length - 1];
  if (!prev) return;
  const pt = prev.key[0]!;
  const t = key[0]!;
  if (pt > t) throw new CodecError(`${what}: expected ascending key types, got 0x${t.toString(16)} after 0x${pt.toString(16)}`);
  if (pt < t) return;
  if (fields.some((f) => compareBytes(f.key, key) === 0)) throw new CodecError(`${what}: expected unique keys, got duplicate ${toHex(key)}`);
  if (t < CUSTOM_KEY_TYPES && compareBytes(prev.key, key) > 0)
    throw new CodecError(`${what}: expected standard keys of type 0x${t.toString(16)} in ascending order, got ${toHex(key)} after ${toHex(prev.key)}`);
}

export function decodeRawPsbt(bytes: Uint8Array, what = 'psbt'): RawPsbt {
  const r = new ByteReader(bytes, what);
  const magic = r.bytesN(5, 'magic');
  if (compareBytes(magic, PSBT_MAGIC) !== 0) throw new CodecError(`${what}.magic: expected 70736274ff, got ${toHex(magic)}`);
  const global = readMap(r, `${what}.global`);
  const txField = global[0];
  if (!txField || txField.key.length !== 1 || txField.key[0] !== GlobalKey.unsignedTx)
    throw new CodecError(`${what}.global.unsignedTx: expected PSBT_GLOBAL_UNSIGNED_TX (0x00), got none`);
  let unsignedTx: RawUnsignedTx;
  try {
    unsignedTx = RawTx.decode(txField.value);
  } catch (e) {
    throw new CodecError(`${what}.global.unsignedTx: expected a serialized transaction, got ${(e as Error).message}`);
  }
  if (unsignedTx.segwitFlag) throw new CodecError(`${what}.global.unsignedTx: expected the non-witness serialization`);
  const inputs = unsignedTx.inputs.map((_, i) => readMap(r, `${what}.inputs[${i}]`));
  const outputs = unsignedTx.outputs.map((_, i) => readMap(r, `${what}.outputs[${i}]`));
  r.end();
  return { unsignedTx, global: global.slice(1), inputs, outputs };
}

function encodeMap(fields: readonly PsbtField[]): Uint8Array {
  // Stable: fields of one type keep the order they are listed in.
  const sorted = [...fields].sort((a, b) => a.key[0]! - b.key[0]!);
  return concat(...sorted.flatMap((f) => [encodeVarint(f.key.length), f.key, encodeVarint(f.value.length), f.value]), Uint8Array.of(0));
}

export function encodeRawPsbt(p: RawPsbt): Uint8Array {
  const tx = RawTx.encode(p.unsignedTx);
  return concat(
    PSBT_MAGIC,
    encodeMap([{ key: Uint8Array.of(GlobalKey.unsignedTx), value: tx }, ...p.global]),
    ...p.inputs.map(encodeMap),
    ...p.outputs.map(encodeMap),
  );
}
