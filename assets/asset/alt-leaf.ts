// Alt leaves (asset/encoding.go AltLeavesEncoder, Asset.EncodeAltLeaf): assets reduced to prev
// witnesses, script version and script key, stored beside the asset tree in a tap commitment.
// The list is `BigSize count || count × inline var bytes`, at most 65535 bytes in total, and no two
// leaves may share a script key.

import { concat, toHex } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { encodeBigSize, readBigSizeNumber } from '../tlv/bigsize.ts';
import { decodeKnownStream, encodeWithUnknown, record, type TlvRecord } from '../tlv/stream.ts';
import { checkPubKey, decodeU16, encodeInlineBytes, readInlineBytes, readValue } from '../tlv/values.ts';
import { LeafType, decodeWitness, encodeWitness, type Witness } from './leaf.ts';

export interface AltLeaf {
  prevWitnesses: Witness[];
  scriptVersion: number;
  scriptKey: Uint8Array;
  unknownOddTypes: TlvRecord[];
}

const MAX_LIST = 0xffff;
/** The smallest alt leaf: script version and script key records plus a length byte. */
const MIN_ALT_LEAF = 40;

export function encodeAltLeaf(l: AltLeaf): Uint8Array {
  const recs: TlvRecord[] = [];
  if (l.prevWitnesses.length > 0)
    recs.push(record(LeafType.prevWitnesses, concat(encodeBigSize(l.prevWitnesses.length), ...l.prevWitnesses.map((w) => encodeInlineBytes(encodeWitness(w))))));
  recs.push(record(LeafType.scriptVersion, Uint8Array.of(l.scriptVersion >> 8, l.scriptVersion & 0xff)), record(LeafType.scriptKey, l.scriptKey));
  return encodeWithUnknown(recs, l.unknownOddTypes);
}

/** Only the alt-leaf records are accepted: any other known leaf field means it is not an alt leaf. */
export function decodeAltLeaf(bytes: Uint8Array, what: string): AltLeaf {
  let scriptVersion: number | undefined;
  let scriptKey: Uint8Array | undefined;
  let prevWitnesses: Witness[] = [];
  const notAlt = (name: string) => (_v: Uint8Array, f: string) => {
    throw new CodecError(`${f}: expected an alt leaf (no ${name} record), got one`);
  };
  const unknown = decodeKnownStream(
    bytes,
    what,
    {
      [LeafType.version]: notAlt('version'),
      [LeafType.genesis]: notAlt('genesis'),
      [LeafType.type]: notAlt('type'),
      [LeafType.amount]: notAlt('amount'),
      [LeafType.lockTime]: notAlt('lock time'),
      [LeafType.relativeLockTime]: notAlt('relative lock time'),
      [LeafType.splitCommitmentRoot]: notAlt('split commitment root'),
      [LeafType.groupKey]: notAlt('group key'),
      [LeafType.prevWitnesses]: (v, f) =>
        (prevWitnesses = readValue(v, f, (r) => {
          const n = readBigSizeNumber(r, 'count', MAX_LIST);
          if (n === 0) throw new CodecError(`${f}: expected at least one witness (an empty list is omitted), got 0`);
          return Array.from({ length: n }, (_, i) => decodeWitness(readInlineBytes(r, `[${i}]`, MAX_LIST), `${f}[${i}]`));
        })),
      [LeafType.scriptVersion]: (v, f) => (scriptVersion = decodeU16(v, f)),
      [LeafType.scriptKey]: (v, f) => (scriptKey = checkPubKey(v, f, false)),
    },
    { '11': 'prevWitnesses', '14': 'scriptVersion', '16': 'scriptKey' },
  );
  if (scriptVersion === undefined) throw new CodecError(`${what}.scriptVersion: expected record 14, got none`);
  if (scriptKey === undefined) throw new CodecError(`${what}.scriptKey: expected record 16, got none`);
  return { prevWitnesses, scriptVersion, scriptKey, unknownOddTypes: unknown };
}

export function encodeAltLeaves(leaves: AltLeaf[]): Uint8Array {
  assertUniqueKeys(leaves, 'altLeaves');
  return concat(encodeBigSize(leaves.length), ...leaves.map((l) => encodeInlineBytes(encodeAltLeaf(l))));
}

export function decodeAltLeaves(bytes: Uint8Array, what: string): AltLeaf[] {
  if (bytes.length > MAX_LIST) throw new CodecError(`${what}: expected at most ${MAX_LIST} bytes, got ${bytes.length}`);
  const leaves = readValue(bytes, what, (r) => {
    const n = readBigSizeNumber(r, 'count', Math.floor(bytes.length / MIN_ALT_LEAF));
    return Array.from({ length: n }, (_, i) => decodeAltLeaf(readInlineBytes(r, `[${i}]`, MAX_LIST), `${what}[${i}]`));
  });
  assertUniqueKeys(leaves, what);
  return leaves;
}

function assertUniqueKeys(leaves: AltLeaf[], what: string): void {
  const seen = new Set<string>();
  leaves.forEach((l, i) => {
    const k = toHex(l.scriptKey);
    if (seen.has(k)) throw new CodecError(`${what}[${i}].scriptKey: expected unique script keys, got duplicate ${k}`);
    seen.add(k);
  });
}
