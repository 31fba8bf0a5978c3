// The SIGN_VPSBT v2 wire (apdu/tap-app/vpsbt-stream.ts): what the device refuses before any
// cryptography, with the status word it answers, and the result batches the host decodes.

import { describe, expect, it } from 'vitest';
import { concat, u16be, u32be } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import {
  StreamMode,
  decodeResultBatch,
  encodeResultBatches,
  encodeVpsbtStream,
  resultsCommand,
  streamCommands,
  type StreamResult,
  type VpsbtStream,
} from '../../../apdu/tap-app/vpsbt-stream.ts';
import { VpsbtStreamReader, decodeVpsbtStream, type StreamEvent } from '../../../apdu/tap-app/vpsbt-stream-reader.ts';
import { refusal, relength } from './stream-refusal.ts';

const key = (b: number) => concat(Uint8Array.of(0x02), new Uint8Array(32).fill(b));

const stream: VpsbtStream = {
  header: { mode: StreamMode.sign, hrp: 'taprt', inputCount: 1, outputCount: 2, warnings: 0 },
  inputs: [{ prevId: new Uint8Array(101).fill(7), leaf: Uint8Array.of(0, 1, 0) }],
  root: { form: 'canonical', version: 0, amount: 10n, lockTime: 0n, relativeLockTime: 0n, splitRoot: { hash: new Uint8Array(32).fill(9), sum: 10n }, scriptKey: key(1) },
  signers: [
    { input: 0, sighashType: 1, keyIndex: 5, tweak: Uint8Array.of(0xaa), participants: [key(2), key(3)], pubnonces: [new Uint8Array(66).fill(4), new Uint8Array(66).fill(5)] },
  ],
  outputs: [
    { type: 1, anchorOutputIndex: 0, leaf: { form: 'canonical', version: 0, amount: 9n, scriptKey: key(1) }, changeKeyIndex: 100 },
    {
      type: 0,
      anchorOutputIndex: 1,
      leaf: { form: 'explicit', bytes: Uint8Array.of(0, 1, 1) },
      lockTime: 5n,
      relativeLockTime: 6n,
      anchorInternalKey: key(6),
      anchorSibling: Uint8Array.of(1, 2),
      proofCourier: new TextEncoder().encode('universerpc://c:1'),
      address: Uint8Array.of(0, 1, 2),
    },
  ],
};


describe('SIGN_VPSBT v2 stream codec', () => {
  it('decodes what it encodes, the declared length first', () => {
    const bytes = encodeVpsbtStream(stream);
    expect(decodeVpsbtStream(bytes)).toEqual(stream);
    expect(bytes.subarray(0, 4)).toEqual(u32be(bytes.length));
    const round1: VpsbtStream = { ...stream, header: { ...stream.header, mode: StreamMode.musigRound1 }, signers: [{ ...stream.signers[0]!, pubnonces: [] }], outputs: [] };
    expect(decodeVpsbtStream(encodeVpsbtStream(round1))).toEqual(round1);
  });

  it('header values out of range: 6A80, more inputs than the device keeps: 6A82', () => {
    const bytes = encodeVpsbtStream(stream);
    const at = (i: number, v: number) => {
      const b = bytes.slice();
      b[i] = v;
      return b;
    };
    expect(refusal(at(4, 2))).toBe(0x6a80); // mode
    expect(refusal(at(6, 0x41))).toBe(0x6a80); // hrp 'A...'
    expect(refusal(at(11, 0))).toBe(0x6a80); // no input
    expect(refusal(at(11, 33))).toBe(0x6a82); // 33 inputs
    expect(refusal(concat(bytes.subarray(0, 12), u16be(0), bytes.subarray(14)))).toBe(0x6a80); // no output
    expect(refusal(at(14, 2))).toBe(0x6a80); // unknown warning bit
  });

  it('grammar: tags in order, signers ascending, nothing after the last output; length mismatches 6A87', () => {
    const bytes = encodeVpsbtStream(stream);
    const inputTag = 15;
    expect(bytes[inputTag]).toBe(0x02);
    const b = bytes.slice();
    b[inputTag] = 0x05;
    expect(refusal(b)).toBe(0x6a80);
    expect(refusal(relength(concat(bytes, Uint8Array.of(0x05))))).toBe(0x6a80);
    expect(refusal(concat(bytes, Uint8Array.of(0)))).toBe(0x6a87);
    expect(refusal(relength(bytes.subarray(0, bytes.length - 1)))).toBe(0x6a87);
    const twice = { ...stream, signers: [stream.signers[0]!, stream.signers[0]!] };
    expect(() => encodeVpsbtStream(twice)).toThrow(RangeError);
    // The input item is 1 + 101 + 1 + 3 bytes, the canonical root with a split root 101.
    const signerAt = inputTag + 106 + 101;
    expect(bytes[signerAt]).toBe(0x04);
    const late = bytes.slice();
    late[signerAt + 1] = 1; // input 1 of a one-input packet
    expect(refusal(late)).toBe(0x6a80);
    const hash = late.slice();
    hash[signerAt + 1] = 0;
    hash[signerAt + 2] = 2; // sighash type 2
    expect(refusal(hash)).toBe(0x6a80);
  });

  it('cuts the stream into full APDUs: START, then NEXT; RESULTS is empty', () => {
    const big = { ...stream, inputs: [{ ...stream.inputs[0]!, leaf: new Uint8Array(426) }] };
    const bytes = encodeVpsbtStream(big);
    expect(bytes.length).toBe(995);
    const cmds = streamCommands(bytes);
    expect(cmds.map((c) => [c.cla, c.ins, c.p1, c.p2, c.data.length])).toEqual([
      [0xe7, 0x30, 0, 2, 255],
      [0xe7, 0x30, 1, 2, 255],
      [0xe7, 0x30, 1, 2, 255],
      [0xe7, 0x30, 1, 2, 230],
    ]);
    expect(concat(...cmds.map((c) => c.data))).toEqual(bytes);
    expect(resultsCommand()).toEqual({ cla: 0xe7, ins: 0x30, p1: 2, p2: 2, data: new Uint8Array() });
  });

  it('result batches: whole entries up to 255 bytes, remaining counts down, the host refuses junk', () => {
    const sig = (input: number, n: 64 | 65): StreamResult => ({ kind: 'signature', input, signature: n === 64 ? new Uint8Array(64).fill(input) : concat(new Uint8Array(64).fill(input), Uint8Array.of(1)) });
    const nonce = (input: number): StreamResult => ({ kind: 'pubnonce', input, pubnonce: new Uint8Array(66).fill(input) });
    const results: StreamResult[] = [sig(0, 64), sig(1, 65), nonce(2), nonce(3), { kind: 'partialSignature', input: 4, partialSignature: new Uint8Array(32).fill(4) }];
    const batches = encodeResultBatches(results);
    expect(batches.map((b) => [b[0], b.length])).toEqual([
      [2, 1 + 66 + 67 + 68],
      [0, 1 + 68 + 34],
    ]);
    expect(batches.flatMap((b) => decodeResultBatch(b).results)).toEqual(results);
    expect(encodeResultBatches([])).toEqual([Uint8Array.of(0)]);
    expect(() => decodeResultBatch(Uint8Array.of(0, 0x05, 0))).toThrow(/expected 00..04/);
    expect(() => decodeResultBatch(concat(Uint8Array.of(0, 0x01, 0), new Uint8Array(65)))).toThrow(/sighash byte 01/);
    expect(() => decodeResultBatch(concat(Uint8Array.of(0, 0x00, 32), new Uint8Array(64)))).toThrow(/below 32/);
    expect(() => decodeResultBatch(concat(Uint8Array.of(0, 0x03, 0), new Uint8Array(31)))).toThrow(CodecError);
  });
});

describe('SIGN_VPSBT v2 stream reader (the device side)', () => {
  const bytes = encodeVpsbtStream({ ...stream, inputs: [{ ...stream.inputs[0]!, leaf: new Uint8Array(700).fill(3) }] });

  /** Every event of `bytes` pushed in pieces of `size`, data pieces merged per value. */
  function events(size: number): StreamEvent[] {
    const reader = new VpsbtStreamReader();
    const out: StreamEvent[] = [];
    for (let at = 0; at < bytes.length; at += size) out.push(...reader.push(bytes.subarray(at, at + size)));
    reader.finish();
    return out.reduce<StreamEvent[]>((acc, e) => {
      const last = acc[acc.length - 1];
      if (e.type === 'data' && last?.type === 'data') acc[acc.length - 1] = { type: 'data', bytes: concat(last.bytes, e.bytes) };
      else acc.push(e);
      return acc;
    }, []);
  }

  it('gives the same events whatever the piece size, and never holds a long value', () => {
    const whole = events(bytes.length);
    expect(whole.map((e) => e.type)).toEqual(['header', 'inputStart', 'data', 'inputEnd', 'root', 'signerStart', 'pubnonce', 'pubnonce', 'signerEnd', 'outputStart', 'outputEnd', 'outputStart', 'data', 'outputEnd', 'end']);
    for (const size of [1, 7, 255]) expect(events(size)).toEqual(whole);
    // The 700-byte leaf arrives in pieces no larger than the chunk that carried them.
    const reader = new VpsbtStreamReader();
    const pieces = [0, 255, 510, 765].flatMap((at) => reader.push(bytes.subarray(at, at + 255))).filter((e) => e.type === 'data');
    expect(Math.max(...pieces.map((e) => (e.type === 'data' ? e.bytes.length : 0)))).toBeLessThanOrEqual(255);
  });

  it('refuses a byte past the declared length and a finish before it', () => {
    const reader = new VpsbtStreamReader();
    reader.push(bytes);
    expect(() => reader.push(Uint8Array.of(0))).toThrow(CodecError);
    const short = new VpsbtStreamReader();
    short.push(bytes.subarray(0, 300));
    expect(() => short.finish()).toThrow(/truncated after 300 bytes of/);
  });
});

describe('SIGN_VPSBT v2 stream reader, empty values', () => {
  it('steps over empty leaves and an empty explicit root, also at the end of a piece', () => {
    const empty: VpsbtStream = {
      header: { mode: StreamMode.sign, hrp: 'taprt', inputCount: 1, outputCount: 1, warnings: 0 },
      inputs: [{ prevId: new Uint8Array(101), leaf: new Uint8Array() }],
      root: { form: 'explicit', bytes: new Uint8Array() },
      signers: [],
      outputs: [{ type: 0, anchorOutputIndex: 0, leaf: { form: 'explicit', bytes: new Uint8Array() } }],
    };
    const bytes = encodeVpsbtStream(empty);
    expect(decodeVpsbtStream(bytes)).toEqual(empty);
    const reader = new VpsbtStreamReader();
    const types: string[] = [];
    for (const b of bytes) types.push(...reader.push(Uint8Array.of(b)).map((e) => e.type));
    reader.finish();
    expect(types).toEqual(['header', 'inputStart', 'inputEnd', 'rootStart', 'rootEnd', 'outputStart', 'outputEnd', 'end']);
  });
});
