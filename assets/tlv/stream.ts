// TLV streams as lnd's tlv package writes them: `BigSize type || BigSize length || value`, types
// strictly increasing (tlv.ErrStreamNotCanonical otherwise). tapd decodes with TlvStrictDecode
// (asset/records.go): unknown odd types are kept verbatim so re-encoding gives the same bytes,
// unknown even types are refused ("it's okay to be odd").
//
// Stricter than lnd in one respect: each known record's decoder must consume exactly its length,
// so a record can never bleed into the next one.

import { ByteReader, concat } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { encodeBigSize, readBigSize } from './bigsize.ts';

export interface TlvRecord {
  type: bigint;
  value: Uint8Array;
}

/** Splits a stream into records, enforcing strictly increasing types. */
export function decodeTlvStream(bytes: Uint8Array, what: string): TlvRecord[] {
  const r = new ByteReader(bytes, what);
  const out: TlvRecord[] = [];
  let last = -1n;
  while (!r.done) {
    const type = readBigSize(r, 'type');
    if (type <= last)
      throw new CodecError(`${what}: expected TLV types in strictly increasing order, got type ${type} after ${last}`);
    const length = readBigSize(r, `type ${type} length`);
    if (length > BigInt(r.remaining))
      throw new CodecError(`${what}.type ${type}: expected ${length} value bytes, got ${r.remaining}`);
    out.push({ type, value: r.bytesN(Number(length), `type ${type} value`) });
    last = type;
  }
  return out;
}

export function encodeTlvStream(records: readonly TlvRecord[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let last = -1n;
  for (const rec of records) {
    if (rec.type <= last) throw new RangeError(`TLV: records must be strictly increasing, got ${rec.type} after ${last}`);
    last = rec.type;
    parts.push(encodeBigSize(rec.type), encodeBigSize(rec.value.length), rec.value);
  }
  return concat(...parts);
}

/**
 * Decodes `bytes` against a table of known types. Each known record is handed to its decoder;
 * unknown odd records are returned for verbatim re-encoding; unknown even records are refused.
 */
export function decodeKnownStream(
  bytes: Uint8Array,
  what: string,
  known: Record<string, (value: Uint8Array, field: string) => void>,
  names: Record<string, string>,
): TlvRecord[] {
  const unknown: TlvRecord[] = [];
  for (const rec of decodeTlvStream(bytes, what)) {
    const key = rec.type.toString();
    const decode = known[key];
    if (decode) decode(rec.value, `${what}.${names[key] ?? key}`);
    else if (rec.type % 2n === 0n)
      throw new CodecError(`${what}: expected only known even TLV types, got unknown even type ${rec.type}`);
    else unknown.push(rec);
  }
  return unknown;
}

/** Merges known records and preserved unknown ones into one increasing stream. */
export function encodeWithUnknown(known: TlvRecord[], unknown: readonly TlvRecord[] = []): Uint8Array {
  const all = [...known, ...unknown].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return encodeTlvStream(all);
}

export function record(type: number | bigint, value: Uint8Array): TlvRecord {
  return { type: BigInt(type), value };
}
