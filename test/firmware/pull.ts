// Pull parsing of a value the device receives in pieces (docs/tap-app-protocol.md §5.5, memory):
// the parser is a generator that asks for its next `n` bytes (`n` at most MAX_PULL) and gets exactly
// those; the host's pieces are pushed in as GET_PREIMAGE / GET_MORE_ELEMENTS deliver them. The
// parser never sees more than one request's bytes at a time, so what the device holds is the APDU
// buffer, one scratch of at most MAX_PULL bytes and the parser's own fixed-size state, whatever the
// length of the value. Nested lengths are checked as regions: a record can never bleed into the next.

import { CodecError } from '../../apdu/errors.ts';

/** Largest read a parser makes: a genesis record (36 + 1 + 64 + 32 + 4 + 1 bytes) is the longest item read whole. */
export const MAX_PULL = 138;

/** A parser step: yields how many bytes it needs next, receives them. */
export type Pull<T> = Generator<number, T, Uint8Array>;

/** The parser's side: reads within nested regions, and what it holds. */
export class PullSource {
  /** Absolute offset of the next byte the parser will get. */
  private pos = 0;
  private readonly ends: number[];
  private scratch = 0;
  private kept = 0;
  /** Most bytes the parser held at once: its current scratch plus what it keeps (hold()). */
  peak = 0;

  constructor(
    total: number,
    readonly what: string,
  ) {
    this.ends = [total];
  }

  /** Bytes left in the innermost region. */
  get left(): number {
    return this.ends[this.ends.length - 1]! - this.pos;
  }

  /** Counts `n` bytes the parser keeps across reads (released with release()). */
  hold(n: number): void {
    this.kept += n;
    this.peak = Math.max(this.peak, this.kept + this.scratch);
  }

  release(n: number): void {
    this.kept -= n;
  }

  /** The next `n` bytes (n <= MAX_PULL), inside the current region. */
  *bytes(n: number, field: string): Pull<Uint8Array> {
    if (n > MAX_PULL) throw new RangeError(`${field}: a pull of ${n} bytes exceeds MAX_PULL`);
    if (n > this.left) throw new CodecError(`${field}: expected ${n} bytes, got ${this.left}`);
    this.pos += n;
    this.scratch = n;
    this.hold(0);
    if (n === 0) return new Uint8Array(0);
    return yield n;
  }

  /** `n` bytes handed to `sink` in pieces of at most MAX_PULL, never held together. */
  *pieces(n: number, field: string, sink: (piece: Uint8Array) => void): Pull<void> {
    if (n > this.left) throw new CodecError(`${field}: expected ${n} bytes, got ${this.left}`);
    for (let rest = n; rest > 0; ) {
      const k = Math.min(rest, MAX_PULL);
      sink(yield* this.bytes(k, field));
      rest -= k;
    }
  }

  *u8(field: string): Pull<number> {
    return (yield* this.bytes(1, field))[0]!;
  }

  *u16be(field: string): Pull<number> {
    const b = yield* this.bytes(2, field);
    return (b[0]! << 8) | b[1]!;
  }

  /** A minimally encoded BigSize (lnd tlv.ReadVarInt), as assets/tlv/bigsize.ts reads it. */
  *bigSize(field: string): Pull<bigint> {
    const first = yield* this.u8(field);
    if (first < 0xfd) return BigInt(first);
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    const b = yield* this.bytes(width, field);
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    const min = width === 2 ? 0xfdn : width === 4 ? 0x10000n : 0x100000000n;
    if (v < min) throw new CodecError(`${field}: expected a minimally encoded BigSize, got non-canonical ${v}`);
    return v;
  }

  /** A BigSize length or count no larger than `max`, nor than what is left of the current region. */
  *length(field: string, max: number): Pull<number> {
    const v = yield* this.bigSize(field);
    if (v > BigInt(max)) throw new CodecError(`${field}: expected at most ${max}, got ${v}`);
    if (v > BigInt(this.left)) throw new CodecError(`${field}: expected at most the ${this.left} bytes left, got ${v}`);
    return Number(v);
  }

  /** Starts a region of `n` bytes: reads may not go past it, and leave() requires it consumed. */
  enter(n: number, field: string): void {
    if (n > this.left) throw new CodecError(`${field}: expected at most the ${this.left} bytes left, got ${n}`);
    this.ends.push(this.pos + n);
  }

  leave(field: string): void {
    if (this.left !== 0) throw new CodecError(`${field}: expected its declared length to be consumed, ${this.left} bytes left`);
    this.ends.pop();
  }
}

/** The driver's side: the host's pieces go in, the parser's requests are served exactly. */
export class PullStream<T> extends PullSource {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private need = 0;
  private done = false;
  private result: T | undefined;
  private readonly gen: Pull<T>;

  constructor(total: number, what: string, parse: (s: PullSource) => Pull<T>) {
    super(total, what);
    this.gen = parse(this);
    this.step(undefined);
  }

  private step(input: Uint8Array | undefined): void {
    const r = this.gen.next(input as Uint8Array);
    if (r.done) {
      this.done = true;
      this.result = r.value;
    } else this.need = r.value;
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.queue[0]!;
      const k = Math.min(head.length, n - at);
      out.set(head.subarray(0, k), at);
      at += k;
      if (k === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(k);
    }
    this.queued -= n;
    return out;
  }

  /** A piece of the value, in order, as the host delivered it. */
  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.done) throw new CodecError(`${this.what}: expected the value to end, got ${piece.length} more bytes`);
    this.queue.push(piece);
    this.queued += piece.length;
    while (!this.done && this.queued >= this.need) this.step(this.take(this.need));
  }

  /** The parser's result once the whole value was pushed. */
  finish(): T {
    if (!this.done || this.queued > 0) throw new CodecError(`${this.what}: the value ended before its parser did`);
    return this.result as T;
  }
}

/** Runs a parser over bytes the device already holds (the same code path as a streamed value). */
export function pullWhole<T>(bytes: Uint8Array, what: string, parse: (s: PullSource) => Pull<T>): T {
  const s = new PullStream(bytes.length, what, parse);
  s.push(bytes);
  return s.finish();
}
