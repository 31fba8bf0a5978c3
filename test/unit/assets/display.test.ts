import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { base64 } from '@scure/base';
import { fromHex } from '../../../apdu/bytes.ts';
import { decodeVPacket } from '../../../assets/vpsbt/codec.ts';
import { describeVPacket, formatDisplayModel } from '../../../assets/display/model.ts';
import { parsePoint, taprootTweak } from '../../../assets/crypto.ts';
import type { VPacket } from '../../../assets/vpsbt/packet.ts';
import { vector, vectorText } from './helpers.ts';

const snapshot = (name: string) => new URL(`../../snapshots/vpsbt-display/${name}.txt`, import.meta.url);

/** What a signer does for its own outputs: BIP-86-tweak the key its derivation path yields. */
function ownKeys(p: VPacket): Uint8Array[] {
  return p.outputs.flatMap((o) => o.bip32Derivation.map((d) => taprootTweak(parsePoint(d.pubKey, 'key'), new Uint8Array()).toBytes(true).subarray(1)));
}

const packets: [string, Uint8Array][] = [
  ...(vector('tappsbt/testdata/psbt_encoding_generated.json').valid_test_cases as any[]).map(
    (t): [string, Uint8Array] => [t.comment.replace(/[^a-z0-9]+/gi, '-'), base64.decode(t.expected)],
  ),
  ['packet-hex', fromHex(vectorText('tappsbt/testdata/packet.hex'))],
];

describe('vPSBT display model snapshots', () => {
  it.each(packets)('%s', (name, bytes) => {
    const p = decodeVPacket(bytes);
    const text = formatDisplayModel(describeVPacket(p, { ownScriptKeys: ownKeys(p) }));
    // A missing snapshot fails: writing it here would make a deleted snapshot pass. UPDATE_SNAPSHOTS=1
    // writes (or rewrites) them on purpose, for a person to review in the diff.
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(snapshot(name), text);
    expect(existsSync(snapshot(name)), `snapshot ${name}.txt is missing: run with UPDATE_SNAPSHOTS=1 and review it`).toBe(true);
    expect(text).toBe(readFileSync(snapshot(name), 'utf8'));
  });

  it('is plain serialisable data, stable across calls', () => {
    const p = decodeVPacket(packets[3]![1]);
    const a = describeVPacket(p, { ownScriptKeys: ownKeys(p) });
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(describeVPacket(p, { ownScriptKeys: ownKeys(p) })).toEqual(a);
  });

  it('marks change only when the signer says the key is its own', () => {
    const p = decodeVPacket(packets[3]![1]);
    const withOwn = formatDisplayModel(describeVPacket(p, { ownScriptKeys: ownKeys(p) }));
    const without = formatDisplayModel(describeVPacket(p));
    expect(withOwn).toContain('this signer (change)');
    expect(without).not.toContain('this signer (change)');
  });
});
