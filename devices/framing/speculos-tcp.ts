// Speculos APDU TCP port framing (docs/architecture.md §5, speculos/mcu/apdu.py):
//   host -> device: u32 BE len(apdu) || apdu
//   device -> host: u32 BE (len(response) - 2) || response, where response = data || SW; the length
//                   counts the data only, the 2-byte status word always follows.
// TCP delivers a byte stream, so a frame may arrive split over several reads or several frames in one
// read; the readers below buffer across chunks. Pure: no I/O, no node:*.

import { concat, u32be } from '../../apdu/bytes.ts';
import { TaprootHwError } from '../../apdu/errors.ts';

/** Largest frame body accepted by default; bounds the buffer when a peer sends a nonsense length. */
export const SPECULOS_TCP_MAX_FRAME = 0x10000;

export function encodeSpeculosRequest(apdu: Uint8Array): Uint8Array {
  return concat(u32be(apdu.length), apdu);
}

export function encodeSpeculosResponse(response: Uint8Array): Uint8Array {
  if (response.length < 2)
    throw new RangeError(`speculos response: expected data || SW (at least 2 bytes), got ${response.length}`);
  return concat(u32be(response.length - 2), response);
}

/**
 * Length-prefixed stream reader. `extra` is what follows the counted bytes: 0 for requests, 2 (the status
 * word) for responses. `push` returns every frame completed by the chunk, in order.
 */
class LengthPrefixedReader {
  private buffer: Uint8Array = new Uint8Array();

  constructor(
    private readonly extra: number,
    private readonly what: string,
    private readonly maxFrame: number,
  ) {}

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    this.buffer = this.buffer.length === 0 ? chunk.slice() : concat(this.buffer, chunk);
    const frames: Uint8Array[] = [];
    let off = 0;
    while (this.buffer.length - off >= 4) {
      const b = this.buffer;
      const counted = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
      const size = counted + this.extra;
      if (size > this.maxFrame) {
        this.buffer = new Uint8Array();
        throw new TaprootHwError('E_SPECULOS_FRAMING', `${this.what}: expected a frame of at most ${this.maxFrame} bytes, got length ${counted}`);
      }
      if (b.length - off - 4 < size) break;
      frames.push(b.slice(off + 4, off + 4 + size));
      off += 4 + size;
    }
    this.buffer = this.buffer.subarray(off);
    return frames;
  }
}

/** Device side: reassembles command APDUs sent by the host. */
export class SpeculosRequestReader extends LengthPrefixedReader {
  constructor(maxFrame = SPECULOS_TCP_MAX_FRAME) {
    super(0, 'speculos request', maxFrame);
  }
}

/** Host side: reassembles `data || SW` responses sent by the device. */
export class SpeculosResponseReader extends LengthPrefixedReader {
  constructor(maxFrame = SPECULOS_TCP_MAX_FRAME) {
    super(2, 'speculos response', maxFrame);
  }
}
