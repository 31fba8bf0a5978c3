// PSBT version 0 <-> version 2 (BIP-370) at the level of raw key-value maps, and the merkleization
// of a PSBTv2 that the Ledger Bitcoin app's SIGN_PSBT commits to (docs/bitcoin-app-protocol.md §4, doc/merkle.md).
//
// Working on raw maps keeps every field the caller put in the PSBT byte for byte, unknown and
// proprietary ones included: the device receives exactly those key and value bytes. The conversion
// adds and removes the same fields as the Ledger Python client (bitcoin_client/ledger_bitcoin/psbt.py
// convert_to_v2: tx version, fallback locktime (always), input and output counts, PSBT version 2;
// per input previous txid, output index and sequence (always); per output amount and script).
// The unsigned transaction is read and written with @scure/btc-signer's RawTx.

import { RawTx } from '@scure/btc-signer';
import { ByteReader, compareBytes, concat, encodeVarint, toHex, u32le, u64le } from '../apdu/bytes.ts';
import { MerkleTree, MerkleizedMap } from '../apdu/merkle.ts';
import { BitcoinError } from './errors.ts';
import { PSBT_GLOBAL, PSBT_IN, PSBT_OUT } from './psbt-fields.ts';

/** One PSBT map entry: `key` is keytype || keydata (no length prefix), `value` the raw value bytes. */
export type PsbtEntry = readonly [key: Uint8Array, value: Uint8Array];

export interface RawPsbt {
  global: PsbtEntry[];
  inputs: PsbtEntry[][];
  outputs: PsbtEntry[][];
}

export const PSBT_MAGIC = Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff);

const LOCKTIME_THRESHOLD = 500_000_000;

function readMap(r: ByteReader, what: string): PsbtEntry[] {
  const entries: PsbtEntry[] = [];
  const seen = new Set<string>();
  for (;;) {
    const keyLength = r.varintNumber(`${what}.keyLength`, r.remaining);
    if (keyLength === 0) return entries;
    const key = r.bytesN(keyLength, `${what}.key`).slice();
    const value = r.bytesN(r.varintNumber(`${what}.valueLength`, r.remaining), `${what}.value`).slice();
    const hex = toHex(key);
    if (seen.has(hex)) throw new BitcoinError('E_PSBT', `${what}: duplicate key ${hex}`);
    seen.add(hex);
    entries.push([key, value]);
  }
}

function writeMap(entries: readonly PsbtEntry[]): Uint8Array {
  return concat(...entries.flatMap(([k, v]) => [encodeVarint(k.length), k, encodeVarint(v.length), v]), Uint8Array.of(0));
}

/** The value of the key `keytype` (no keydata) in `map`, if present. */
export function getField(map: readonly PsbtEntry[], keytype: number): Uint8Array | undefined {
  return map.find(([k]) => k.length === 1 && k[0] === keytype)?.[1];
}

function without(map: readonly PsbtEntry[], keytypes: readonly number[]): PsbtEntry[] {
  return map.filter(([k]) => !(k.length === 1 && keytypes.includes(k[0]!)));
}

function sortEntries(map: PsbtEntry[]): PsbtEntry[] {
  return map.sort((a, b) => compareBytes(a[0], b[0]));
}

function u32Field(map: readonly PsbtEntry[], keytype: number, what: string): number | undefined {
  const v = getField(map, keytype);
  if (v === undefined) return undefined;
  if (v.length !== 4) throw new BitcoinError('E_PSBT', `${what}: expected 4 bytes, got ${v.length}`);
  return new ByteReader(v).u32le();
}

function countField(map: readonly PsbtEntry[], keytype: number, what: string): number {
  const v = getField(map, keytype);
  if (v === undefined) throw new BitcoinError('E_PSBT', `PSBTv2: missing ${what}`);
  const r = new ByteReader(v, what);
  const n = r.varintNumber('count', 0xffff);
  r.end();
  return n;
}

/** The PSBT version of a parsed global map (0 when PSBT_GLOBAL_VERSION is absent). */
export function psbtVersion(global: readonly PsbtEntry[]): number {
  return u32Field(global, PSBT_GLOBAL.VERSION, 'PSBT_GLOBAL_VERSION') ?? 0;
}

function unsignedTx(global: readonly PsbtEntry[]) {
  const raw = getField(global, PSBT_GLOBAL.UNSIGNED_TX);
  if (!raw) throw new BitcoinError('E_PSBT', 'PSBTv0: missing the unsigned transaction (PSBT_GLOBAL_UNSIGNED_TX)');
  let tx;
  try {
    tx = RawTx.decode(raw);
  } catch (e) {
    throw new BitcoinError('E_PSBT', `PSBTv0: unsigned transaction does not decode: ${(e as Error).message}`);
  }
  if (tx.segwitFlag || tx.inputs.some((i) => i.finalScriptSig.length > 0))
    throw new BitcoinError('E_PSBT', 'PSBTv0: the unsigned transaction must have empty scriptSigs and no witnesses (BIP-174)');
  return tx;
}

/** Splits a serialized PSBT (v0 or v2) into its raw maps. */
export function parseRawPsbt(bytes: Uint8Array): RawPsbt {
  const r = new ByteReader(bytes, 'psbt');
  const magic = r.bytesN(5, 'magic');
  if (compareBytes(magic, PSBT_MAGIC) !== 0) throw new BitcoinError('E_PSBT', `psbt: expected magic 70736274ff, got ${toHex(magic)}`);
  const global = readMap(r, 'psbt.global');
  const version = psbtVersion(global);
  let nIn: number;
  let nOut: number;
  if (version === 0) {
    const tx = unsignedTx(global);
    nIn = tx.inputs.length;
    nOut = tx.outputs.length;
  } else if (version === 2) {
    if (getField(global, PSBT_GLOBAL.UNSIGNED_TX)) throw new BitcoinError('E_PSBT', 'PSBTv2: must not contain PSBT_GLOBAL_UNSIGNED_TX');
    nIn = countField(global, PSBT_GLOBAL.INPUT_COUNT, 'PSBT_GLOBAL_INPUT_COUNT');
    nOut = countField(global, PSBT_GLOBAL.OUTPUT_COUNT, 'PSBT_GLOBAL_OUTPUT_COUNT');
  } else throw new BitcoinError('E_PSBT', `psbt: expected version 0 or 2, got ${version}`);
  const inputs = Array.from({ length: nIn }, (_, i) => readMap(r, `psbt.inputs[${i}]`));
  const outputs = Array.from({ length: nOut }, (_, i) => readMap(r, `psbt.outputs[${i}]`));
  if (!r.done) throw new BitcoinError('E_PSBT', `psbt: expected end after ${nIn} inputs and ${nOut} outputs, got ${r.remaining} more bytes`);
  return { global, inputs, outputs };
}

export function serializeRawPsbt(psbt: RawPsbt): Uint8Array {
  return concat(PSBT_MAGIC, writeMap(psbt.global), ...psbt.inputs.map(writeMap), ...psbt.outputs.map(writeMap));
}

const k = (keytype: number): Uint8Array => Uint8Array.of(keytype);

/** PSBT v0 -> v2 (BIP-370). A v2 PSBT is returned unchanged (parsed). */
export function toPsbtV2(psbt: Uint8Array | RawPsbt): RawPsbt {
  const raw = psbt instanceof Uint8Array ? parseRawPsbt(psbt) : psbt;
  const version = psbtVersion(raw.global);
  if (version === 2) return raw;
  const tx = unsignedTx(raw.global);
  const global = sortEntries([
    ...without(raw.global, [PSBT_GLOBAL.UNSIGNED_TX, PSBT_GLOBAL.VERSION]),
    // nVersion is a signed int32 (RawTx reads it so); PSBTv2 carries the same 4 bytes.
    [k(PSBT_GLOBAL.TX_VERSION), u32le(tx.version >>> 0)],
    [k(PSBT_GLOBAL.FALLBACK_LOCKTIME), u32le(tx.lockTime)],
    [k(PSBT_GLOBAL.INPUT_COUNT), encodeVarint(tx.inputs.length)],
    [k(PSBT_GLOBAL.OUTPUT_COUNT), encodeVarint(tx.outputs.length)],
    [k(PSBT_GLOBAL.VERSION), u32le(2)],
  ]);
  const inputs = raw.inputs.map((map, i) => {
    const txin = tx.inputs[i]!;
    return sortEntries([
      ...without(map, [PSBT_IN.PREVIOUS_TXID, PSBT_IN.OUTPUT_INDEX, PSBT_IN.SEQUENCE]),
      // RawTx shows txids in display order; the PSBT field holds the serialization order.
      [k(PSBT_IN.PREVIOUS_TXID), txin.txid.slice().reverse()],
      [k(PSBT_IN.OUTPUT_INDEX), u32le(txin.index)],
      [k(PSBT_IN.SEQUENCE), u32le(txin.sequence)],
    ]);
  });
  const outputs = raw.outputs.map((map, i) => {
    const txout = tx.outputs[i]!;
    return sortEntries([
      ...without(map, [PSBT_OUT.AMOUNT, PSBT_OUT.SCRIPT]),
      [k(PSBT_OUT.AMOUNT), u64le(txout.amount)],
      [k(PSBT_OUT.SCRIPT), txout.script],
    ]);
  });
  return { global, inputs, outputs };
}

/** BIP-370 locktime: the largest required locktime of one kind, else the fallback, else 0. */
function computeLocktime(raw: RawPsbt): number {
  let time: number | undefined = 0;
  let height: number | undefined = 0;
  for (const [i, map] of raw.inputs.entries()) {
    const t = u32Field(map, PSBT_IN.REQUIRED_TIME_LOCKTIME, `inputs[${i}].PSBT_IN_REQUIRED_TIME_LOCKTIME`);
    const h = u32Field(map, PSBT_IN.REQUIRED_HEIGHT_LOCKTIME, `inputs[${i}].PSBT_IN_REQUIRED_HEIGHT_LOCKTIME`);
    if (t !== undefined && t < LOCKTIME_THRESHOLD) throw new BitcoinError('E_PSBT', `inputs[${i}]: required time locktime below ${LOCKTIME_THRESHOLD}`);
    if (h !== undefined && (h === 0 || h >= LOCKTIME_THRESHOLD))
      throw new BitcoinError('E_PSBT', `inputs[${i}]: required height locktime must be 1..${LOCKTIME_THRESHOLD - 1}`);
    if (t !== undefined && h === undefined) height = undefined;
    if (h !== undefined && t === undefined) time = undefined;
    if (t !== undefined && time !== undefined) time = Math.max(time, t);
    if (h !== undefined && height !== undefined) height = Math.max(height, h);
  }
  if (time === undefined && height === undefined) throw new BitcoinError('E_PSBT', 'PSBTv2: inputs require both a time and a height locktime');
  if (height !== undefined && height > 0) return height;
  if (time !== undefined && time > 0) return time;
  return u32Field(raw.global, PSBT_GLOBAL.FALLBACK_LOCKTIME, 'PSBT_GLOBAL_FALLBACK_LOCKTIME') ?? 0;
}

/** PSBT v2 -> v0. A v0 PSBT is returned unchanged (parsed). */
export function toPsbtV0(psbt: Uint8Array | RawPsbt): RawPsbt {
  const raw = psbt instanceof Uint8Array ? parseRawPsbt(psbt) : psbt;
  if (psbtVersion(raw.global) === 0) return raw;
  const txVersion = u32Field(raw.global, PSBT_GLOBAL.TX_VERSION, 'PSBT_GLOBAL_TX_VERSION');
  if (txVersion === undefined) throw new BitcoinError('E_PSBT', 'PSBTv2: missing PSBT_GLOBAL_TX_VERSION');
  const inputs = raw.inputs.map((map, i) => {
    const txid = getField(map, PSBT_IN.PREVIOUS_TXID);
    const index = u32Field(map, PSBT_IN.OUTPUT_INDEX, `inputs[${i}].PSBT_IN_OUTPUT_INDEX`);
    if (!txid || txid.length !== 32 || index === undefined)
      throw new BitcoinError('E_PSBT', `PSBTv2 inputs[${i}]: expected a 32-byte previous txid and an output index`);
    const sequence = u32Field(map, PSBT_IN.SEQUENCE, `inputs[${i}].PSBT_IN_SEQUENCE`) ?? 0xffffffff;
    return { txid: txid.slice().reverse(), index, sequence, finalScriptSig: new Uint8Array() };
  });
  const outputs = raw.outputs.map((map, i) => {
    const amount = getField(map, PSBT_OUT.AMOUNT);
    const script = getField(map, PSBT_OUT.SCRIPT);
    if (!amount || amount.length !== 8 || !script) throw new BitcoinError('E_PSBT', `PSBTv2 outputs[${i}]: expected an 8-byte amount and a script`);
    return { amount: new ByteReader(amount).u64le(), script };
  });
  // The same 4 bytes as nVersion, which RawTx writes as a signed int32 (a version >= 2^31 is negative).
  const unsigned = RawTx.encode({ version: txVersion | 0, segwitFlag: false, inputs, outputs, witnesses: [], lockTime: computeLocktime(raw) });
  return {
    global: sortEntries([
      [k(PSBT_GLOBAL.UNSIGNED_TX), unsigned],
      ...without(raw.global, [
        PSBT_GLOBAL.TX_VERSION,
        PSBT_GLOBAL.FALLBACK_LOCKTIME,
        PSBT_GLOBAL.INPUT_COUNT,
        PSBT_GLOBAL.OUTPUT_COUNT,
        PSBT_GLOBAL.TX_MODIFIABLE,
        PSBT_GLOBAL.VERSION,
      ]),
    ]),
    inputs: raw.inputs.map((m) =>
      without(m, [PSBT_IN.PREVIOUS_TXID, PSBT_IN.OUTPUT_INDEX, PSBT_IN.SEQUENCE, PSBT_IN.REQUIRED_TIME_LOCKTIME, PSBT_IN.REQUIRED_HEIGHT_LOCKTIME]),
    ),
    outputs: raw.outputs.map((m) => without(m, [PSBT_OUT.AMOUNT, PSBT_OUT.SCRIPT])),
  };
}

/** A PSBTv2 as SIGN_PSBT commits to it: one merkleized map per map, and trees over the input and output commitments. */
export interface MerkleizedPsbt {
  global: MerkleizedMap;
  inputs: MerkleizedMap[];
  outputs: MerkleizedMap[];
  /** Leaves: each input map's commitment `varint(n) || keys_root || values_root`. */
  inputsTree: MerkleTree;
  outputsTree: MerkleTree;
}

export function merkleizePsbt(psbt: Uint8Array | RawPsbt): MerkleizedPsbt {
  const v2 = toPsbtV2(psbt);
  const global = new MerkleizedMap(v2.global);
  const inputs = v2.inputs.map((m) => new MerkleizedMap(m));
  const outputs = v2.outputs.map((m) => new MerkleizedMap(m));
  return {
    global,
    inputs,
    outputs,
    inputsTree: MerkleTree.fromElements(inputs.map((m) => m.commitment())),
    outputsTree: MerkleTree.fromElements(outputs.map((m) => m.commitment())),
  };
}
