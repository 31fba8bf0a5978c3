import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import {
  decodeHidFrames,
  encodeHidFrames,
  HID_PACKET_SIZE,
  HidReassembler,
} from '../../../devices/framing/hid.ts';

// Message bytes are 00, 01, 02, ... so every position in a packet can be read off the table.
const seqBytes = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => (from + i) & 0xff);
const hexOf = (bytes: number[]) => toHex(Uint8Array.from(bytes));
const zeros = (n: number) => '00'.repeat(n);
const message = (n: number) => Uint8Array.from(seqBytes(0, n));

// Hand-computed packet tables (docs/bitcoin-app-protocol.md §9): header = channel(2) 05 sequence(2); packet 0 then
// carries the u16 BE message length and the first 57 bytes, later packets 59 bytes each.
const TABLES: { name: string; channel: number; message: Uint8Array; packets: string[] }[] = [
  {
    name: 'empty message: length 0000 and 57 zero bytes of padding',
    channel: 0x0101,
    message: new Uint8Array(),
    packets: ['0101050000' + '0000' + zeros(57)],
  },
  {
    name: 'GET_APP_AND_VERSION b0010000',
    channel: 0xbeef,
    message: fromHex('b0010000'),
    packets: ['beef050000' + '0004' + 'b0010000' + zeros(53)],
  },
  {
    name: '57 bytes fill packet 0 exactly, no padding',
    channel: 0x0101,
    message: message(57),
    packets: ['0101050000' + '0039' + hexOf(seqBytes(0, 57))],
  },
  {
    name: '58 bytes spill one byte into packet 1',
    channel: 0x0101,
    message: message(58),
    packets: ['0101050000' + '003a' + hexOf(seqBytes(0, 57)), '0101050001' + '39' + zeros(58)],
  },
  {
    name: '300 bytes take 6 packets (302 = 5 * 59 + 7)',
    channel: 0x1234,
    message: message(300),
    packets: [
      '1234050000' + '012c' + hexOf(seqBytes(0, 57)),
      '1234050001' + hexOf(seqBytes(57, 116)),
      '1234050002' + hexOf(seqBytes(116, 175)),
      '1234050003' + hexOf(seqBytes(175, 234)),
      '1234050004' + hexOf(seqBytes(234, 293)),
      '1234050005' + hexOf(seqBytes(293, 300)) + zeros(52),
    ],
  },
];

describe('HID framing: byte tables', () => {
  for (const t of TABLES) {
    it(t.name, () => {
      const packets = encodeHidFrames(t.message, t.channel);
      expect(packets.map(toHex)).toEqual(t.packets);
      for (const p of packets) expect(p.length).toBe(HID_PACKET_SIZE);
      expect(toHex(decodeHidFrames(packets, { channel: t.channel }))).toBe(toHex(t.message));
    });
  }
});

describe('HID reassembler', () => {
  const packets = encodeHidFrames(message(130), 0x0101);

  it('returns the message on the last packet only, then accepts the next message', () => {
    const r = new HidReassembler({ channel: 0x0101 });
    expect(r.push(packets[0]!)).toBeUndefined();
    expect(r.pending).toBe(true);
    expect(r.push(packets[1]!)).toBeUndefined();
    expect(toHex(r.push(packets[2]!)!)).toBe(toHex(message(130)));
    expect(r.pending).toBe(false);
    const next = encodeHidFrames(fromHex('9000'), 0x0101);
    expect(toHex(r.push(next[0]!)!)).toBe('9000');
  });

  it('adopts the channel of the first packet when none is given (the device side)', () => {
    const r = new HidReassembler();
    const p = encodeHidFrames(message(100), 0x4242);
    expect(r.push(p[0]!)).toBeUndefined();
    const foreign = encodeHidFrames(message(100), 0x4243)[1]!;
    expect(() => r.push(foreign)).toThrow(expect.objectContaining({ code: 'E_HID_FRAMING' }));
  });

  it('rejects a wrong channel with E_HID_FRAMING naming both channels', () => {
    const r = new HidReassembler({ channel: 0x0102 });
    expect(() => r.push(packets[0]!)).toThrow(
      expect.objectContaining({ code: 'E_HID_FRAMING', message: 'hid packet: expected channel 0x0102, got 0x0101' }),
    );
  });

  it('rejects a wrong tag with E_HID_FRAMING', () => {
    const bad = packets[0]!.slice();
    bad[2] = 0x02;
    expect(() => new HidReassembler({ channel: 0x0101 }).push(bad)).toThrow(
      expect.objectContaining({ code: 'E_HID_FRAMING', message: 'hid packet: expected tag 0x05, got 0x02' }),
    );
  });

  it('rejects a skipped or repeated packet with E_HID_FRAMING and starts over', () => {
    const r = new HidReassembler({ channel: 0x0101 });
    r.push(packets[0]!);
    expect(() => r.push(packets[2]!)).toThrow(
      expect.objectContaining({ code: 'E_HID_FRAMING', message: 'hid packet: expected sequence 1, got 2' }),
    );
    expect(r.pending).toBe(false);
    expect(() => r.push(packets[1]!)).toThrow(expect.objectContaining({ code: 'E_HID_FRAMING' }));
    r.push(packets[0]!);
    r.push(packets[1]!);
    expect(toHex(r.push(packets[2]!)!)).toBe(toHex(message(130)));
  });

  it('rejects packets of the wrong size', () => {
    expect(() => new HidReassembler().push(packets[0]!.subarray(0, 63))).toThrow(
      expect.objectContaining({ code: 'E_HID_FRAMING', message: 'hid packet: expected 64 bytes, got 63' }),
    );
  });

  it('decodeHidFrames refuses packets left over or missing', () => {
    expect(() => decodeHidFrames(packets.slice(0, 2))).toThrow(expect.objectContaining({ code: 'E_HID_FRAMING' }));
    const extra = [...encodeHidFrames(fromHex('9000'), 0x0101), ...encodeHidFrames(fromHex('9000'), 0x0101)];
    expect(() => decodeHidFrames(extra)).toThrow(/message complete after packet 0, got 1 more/);
  });

  it('refuses bad parameters with RangeError', () => {
    expect(() => encodeHidFrames(new Uint8Array(), 0x10000)).toThrow(RangeError);
    expect(() => encodeHidFrames(new Uint8Array(0x10000), 0)).toThrow(/at most 65535 bytes, got 65536/);
    expect(() => new HidReassembler({ packetSize: 6 })).toThrow(RangeError);
  });
});

// Ledger's own framing, from @ledgerhq/devices 8.15.1 (the last release that ships lib/hid-framing.js),
// installed under the alias ledger-devices-hidframing and loaded through CommonJS.
const require = createRequire(import.meta.url);
type LedgerFraming = {
  makeBlocks(apdu: Buffer): Uint8Array[];
  reduceResponse(acc: unknown, chunk: Buffer): unknown;
  getReducedResult(acc: unknown): Buffer | null | undefined;
};
const createHIDframing = (require('ledger-devices-hidframing/lib/hid-framing.js') as {
  default: (channel: number, packetSize: number) => LedgerFraming;
}).default;

describe('HID framing: cross-check against Ledger hid-framing', () => {
  // A fixed pseudo-random walk over sizes and channels, so a failure reproduces.
  let state = 0x2c97;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8;
  const sizes = [0, 1, 4, 5, 56, 57, 58, 59, 115, 116, 117, 255, 260, 300, 1000, 4096];
  for (let i = 0; i < 24; i++) sizes.push(next() % 2000);

  it.each(sizes)('%i bytes: same packets, and each side reassembles the other', (size) => {
    const channel = next() & 0xffff;
    const msg = Uint8Array.from({ length: size }, () => next() & 0xff);
    const ledger = createHIDframing(channel, HID_PACKET_SIZE);
    const ours = encodeHidFrames(msg, channel);
    const theirs = ledger.makeBlocks(Buffer.from(msg));
    expect(ours.map(toHex)).toEqual(theirs.map((b) => toHex(b)));

    let acc: unknown = null;
    for (const p of ours) acc = ledger.reduceResponse(acc, Buffer.from(p));
    expect(toHex(new Uint8Array(ledger.getReducedResult(acc)!))).toBe(toHex(msg));
    expect(toHex(decodeHidFrames(theirs, { channel }))).toBe(toHex(msg));
  });

  it('agrees with Ledger on which packets are refused', () => {
    const ledger = createHIDframing(0x0101, HID_PACKET_SIZE);
    const good = encodeHidFrames(message(80), 0x0101);
    const badTag = good[0]!.slice();
    badTag[2] = 0x01;
    expect(() => ledger.reduceResponse(null, Buffer.from(badTag))).toThrow(expect.objectContaining({ id: 'InvalidTag' }));
    expect(() => new HidReassembler({ channel: 0x0101 }).push(badTag)).toThrow(expect.objectContaining({ code: 'E_HID_FRAMING' }));
    expect(() => ledger.reduceResponse(null, Buffer.from(good[1]!))).toThrow(expect.objectContaining({ id: 'InvalidSequence' }));
    expect(() => new HidReassembler({ channel: 0x0101 }).push(good[1]!)).toThrow(expect.objectContaining({ code: 'E_HID_FRAMING' }));
  });
});
