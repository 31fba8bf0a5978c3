// Ledger USB HID framing (docs/bitcoin-app-protocol.md §9). A message (a command APDU on the way in, `data || SW`
// on the way out: both directions use the same framing) is prefixed with its u16 BE length and cut into
// packets of `channel:u16 BE || tag 0x05 || sequence:u16 BE || payload`, the last one zero-padded.
// Pure: no I/O, no node:*; the node-hid transport and the emulator both build on it.

import { concat, u16be } from '../../apdu/bytes.ts';
import { TaprootHwError } from '../../apdu/errors.ts';

export const HID_PACKET_SIZE = 64;
/** Tag of APDU packets; other tags (0x01 ping, 0x02 allocate channel) are not used by Ledger apps. */
export const HID_TAG_APDU = 0x05;
const HEADER_SIZE = 5;
const MAX_MESSAGE = 0xffff;

function checkChannel(channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel > 0xffff)
    throw new RangeError(`hid channel: expected 0..65535, got ${channel}`);
  return channel;
}

function checkPacketSize(packetSize: number): number {
  // The first packet must hold the header and the 2-byte length.
  if (!Number.isInteger(packetSize) || packetSize < HEADER_SIZE + 2 || packetSize > 0xffff)
    throw new RangeError(`hid packet size: expected ${HEADER_SIZE + 2}..65535, got ${packetSize}`);
  return packetSize;
}

/** Frames one message into packets of `packetSize` bytes (sequence 0, 1, 2, ...). */
export function encodeHidFrames(message: Uint8Array, channel: number, packetSize = HID_PACKET_SIZE): Uint8Array[] {
  checkChannel(channel);
  checkPacketSize(packetSize);
  if (message.length > MAX_MESSAGE)
    throw new RangeError(`hid message: expected at most ${MAX_MESSAGE} bytes, got ${message.length}`);
  const stream = concat(u16be(message.length), message);
  const room = packetSize - HEADER_SIZE;
  const count = Math.ceil(stream.length / room);
  const packets: Uint8Array[] = [];
  for (let seq = 0; seq < count; seq++) {
    const packet = new Uint8Array(packetSize);
    packet.set(u16be(channel), 0);
    packet[2] = HID_TAG_APDU;
    packet.set(u16be(seq), 3);
    packet.set(stream.subarray(seq * room, (seq + 1) * room), HEADER_SIZE);
    packets.push(packet);
  }
  return packets;
}

export interface HidReassemblerOptions {
  /** Expected channel; when absent the first packet's channel is adopted (the device side, which echoes it). */
  channel?: number;
  packetSize?: number;
}

/**
 * Collects packets of one direction into messages. `push` returns the message when its last packet
 * arrives and `undefined` before; it then expects sequence 0 of the next message. A packet on the wrong
 * channel, with the wrong tag or out of sequence throws and resets, so a stale reply cannot be glued to
 * a new one.
 */
export class HidReassembler {
  readonly packetSize: number;
  private readonly fixedChannel: number | undefined;
  private channel: number | undefined;
  private buffer: Uint8Array | undefined;
  private filled = 0;
  private sequence = 0;

  constructor(options: HidReassemblerOptions = {}) {
    this.packetSize = checkPacketSize(options.packetSize ?? HID_PACKET_SIZE);
    this.fixedChannel = options.channel === undefined ? undefined : checkChannel(options.channel);
    this.channel = this.fixedChannel;
  }

  /** True between the first and the last packet of a message. */
  get pending(): boolean {
    return this.buffer !== undefined;
  }

  reset(): void {
    this.buffer = undefined;
    this.filled = 0;
    this.sequence = 0;
    this.channel = this.fixedChannel;
  }

  push(packet: Uint8Array): Uint8Array | undefined {
    try {
      return this.accept(packet);
    } catch (err) {
      this.reset();
      throw err;
    }
  }

  private accept(packet: Uint8Array): Uint8Array | undefined {
    if (packet.length !== this.packetSize)
      throw new TaprootHwError('E_HID_FRAMING', `hid packet: expected ${this.packetSize} bytes, got ${packet.length}`);
    const channel = (packet[0]! << 8) | packet[1]!;
    const tag = packet[2]!;
    const sequence = (packet[3]! << 8) | packet[4]!;
    if (this.channel !== undefined && channel !== this.channel)
      throw new TaprootHwError(
        'E_HID_FRAMING',
        `hid packet: expected channel 0x${this.channel.toString(16).padStart(4, '0')}, got 0x${channel.toString(16).padStart(4, '0')}`,
      );
    if (tag !== HID_TAG_APDU)
      throw new TaprootHwError('E_HID_FRAMING', `hid packet: expected tag 0x05, got 0x${tag.toString(16).padStart(2, '0')}`);
    if (sequence !== this.sequence)
      throw new TaprootHwError('E_HID_FRAMING', `hid packet: expected sequence ${this.sequence}, got ${sequence}`);
    let payload = packet.subarray(HEADER_SIZE);
    if (this.buffer === undefined) {
      this.channel = channel;
      this.buffer = new Uint8Array((payload[0]! << 8) | payload[1]!);
      payload = payload.subarray(2);
    }
    const take = Math.min(payload.length, this.buffer.length - this.filled);
    this.buffer.set(payload.subarray(0, take), this.filled);
    this.filled += take;
    this.sequence++;
    if (this.filled < this.buffer.length) return undefined;
    const message = this.buffer;
    this.reset();
    return message;
  }
}

/** Reassembles a complete list of packets into one message; throws if they do not make exactly one. */
export function decodeHidFrames(packets: readonly Uint8Array[], options: HidReassemblerOptions = {}): Uint8Array {
  const r = new HidReassembler(options);
  for (let i = 0; i < packets.length; i++) {
    const message = r.push(packets[i]!);
    if (message === undefined) continue;
    if (i !== packets.length - 1)
      throw new TaprootHwError('E_HID_FRAMING', `hid frames: message complete after packet ${i}, got ${packets.length - i - 1} more`);
    return message;
  }
  throw new TaprootHwError('E_HID_FRAMING', `hid frames: expected a complete message, got ${packets.length} packets of an unfinished one`);
}
