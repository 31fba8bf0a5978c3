// A cursor over the host's client-command replies whose reads return undefined when data runs out,
// like the app's buffer_read_* helpers: the caller treats a short reply as a failed verification.
// Command bodies are decoded by the apdu/bitcoin-app specs instead.

import { ByteReader } from '../../../apdu/bytes.ts';

export class Reply {
  private pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  get offset(): number {
    return this.pos;
  }
  canRead(n: number): boolean {
    return this.bytes.length - this.pos >= n;
  }
  take(n: number): Uint8Array | undefined {
    if (!this.canRead(n)) return undefined;
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(): number | undefined {
    return this.take(1)?.[0];
  }
  u32be(): number | undefined {
    const b = this.take(4);
    return b && new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  }
  varint(): bigint | undefined {
    try {
      const r = new ByteReader(this.bytes.subarray(this.pos));
      const v = r.varint();
      this.pos += r.offset;
      return v;
    } catch {
      return undefined;
    }
  }
}
