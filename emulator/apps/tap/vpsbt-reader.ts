// Streaming access to a merkleized vPSBT (§2, §5.5): one map at a time, every value verified
// against the roots of the SIGN_VPSBT request, and each value the device uses folded into the
// running review digest. Values whose size depends on the packet's outputs (an output's asset,
// with its split proof) are never held: they are parsed as they stream in (pull.ts). It also
// measures what the device had to hold at once (VpsbtStats).

import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, concat, encodeVarint, u32be } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import type { HostChannel, MapCommitment } from '../common/host-channel.ts';
import type { VpsbtStats } from './command.ts';
import { incorrectData, unverified } from './errors.ts';
import { PullStream, type Pull, type PullSource } from './pull.ts';

/** Longest single vPSBT value the device accepts (an output asset carries its split proof and root asset). */
export const MAX_VPSBT_VALUE = 32 * 1024;
const MAP_COMMITMENT_BYTES = 9 + 64;
/** The APDU data buffer a streamed piece sits in until the parser has taken it. */
export const STREAM_WINDOW = 255;

type Source = (onLength: (n: number) => void, onData: (piece: Uint8Array) => void) => Promise<number | undefined>;

function codecToIncorrect<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CodecError) throw incorrectData(e.message);
    throw e;
  }
}

export const Scope = { global: 0, input: 1, output: 2 } as const;

export class VpsbtReader {
  private digest = sha256.create();
  private retained = 0;
  /** What the current map holds (its commitment and the keys kept of it), until the next map. */
  private mapHeld = 0;
  readonly stats: VpsbtStats = { peakValueBytes: 0, clientCommands: 0 };

  constructor(private readonly host: HostChannel) {}

  private hold(n: number): void {
    this.stats.peakValueBytes = Math.max(this.stats.peakValueBytes, this.retained + n);
  }

  /** Bytes kept across maps (per-input records, the root asset); counted in every later peak. */
  retain(n: number): void {
    this.retained += n;
    this.hold(0);
  }

  /** Gives back bytes counted by retain(). */
  release(n: number): void {
    this.retained -= n;
  }

  /**
   * Runs `parse` over a value as it streams in: the device holds the APDU buffer, one pull of at
   * most MAX_PULL bytes and the parser's state, never the value. undefined when the host's answer
   * does not verify; a value that does not parse is 6A80.
   */
  private async pull<T>(what: string, source: Source, parse: (s: PullSource) => Pull<T>, tap?: (bytes: Uint8Array) => void): Promise<T | undefined> {
    let stream: PullStream<T> | undefined;
    let len: number | undefined;
    try {
      len = await source(
        (n) => {
          if (n > MAX_VPSBT_VALUE) throw incorrectData(`${what}: expected at most ${MAX_VPSBT_VALUE} bytes, got ${n}`);
          tap?.(encodeVarint(n));
          stream = new PullStream(n, what, parse);
        },
        (piece) => {
          tap?.(piece);
          stream!.push(piece);
        },
      );
    } catch (e) {
      if (e instanceof CodecError) throw incorrectData(e.message);
      throw e;
    }
    this.sync();
    if (len === undefined || stream === undefined) return undefined;
    const out = codecToIncorrect(() => stream!.finish());
    this.hold(STREAM_WINDOW + stream.peak);
    return out;
  }

  /** Like value(), for a value parsed as it streams (an output's asset); folded into the digest. */
  async streamValue<T>(
    map: MapCommitment,
    keys: readonly Uint8Array[],
    scope: number,
    index: number,
    key: Uint8Array,
    what: string,
    parse: (s: PullSource) => Pull<T>,
  ): Promise<T | undefined> {
    if (!this.noteKey(keys, scope, index, key)) return undefined;
    const out = await this.pull(what, (l, d) => this.host.streamMapValue(map, key, l, d), parse, (b) => this.digest.update(b));
    if (out === undefined) throw unverified(what);
    return out;
  }

  /** Like lookup(), for a value parsed as it streams; outside the digest. */
  streamLookup<T>(map: MapCommitment, key: Uint8Array, what: string, parse: (s: PullSource) => Pull<T>): Promise<T | undefined> {
    return this.pull(what, (l, d) => this.host.streamMapValue(map, key, l, d), parse);
  }

  /** The element whose Merkle leaf hash is `hash` (GET_PREIMAGE of `0x00 || element`), parsed as it streams. */
  async streamElement<T>(hash: Uint8Array, what: string, parse: (s: PullSource) => Pull<T>): Promise<T> {
    const out = await this.pull(what, (l, d) => this.host.streamMerklePreimage(hash, l, d), parse);
    if (out === undefined) throw unverified(what);
    return out;
  }

  /** Gives back what the current map held; the next map() or mapCommitment() does it too. */
  endMap(): void {
    this.release(this.mapHeld);
    this.mapHeld = 0;
  }

  private holdMap(n: number): void {
    this.endMap();
    this.mapHeld = n;
    this.retain(n);
  }

  /** The map at `index` of a tree of maps, with its keys (checked strictly increasing). */
  async map(root: Uint8Array, size: number, index: number, what: string): Promise<{ map: MapCommitment; keys: Uint8Array[]; types: Set<number> }> {
    const keys: Uint8Array[] = [];
    const types = new Set<number>();
    this.holdMap(MAP_COMMITMENT_BYTES);
    const map = await this.host.getMerkleizedMap(root, size, index, async (key) => {
      this.hold(key.length);
      types.add(key[0]!);
      // Only key types the app reads are kept: single bytes, tap BIP-32 derivations, MuSig2 participants.
      if (key.length === 1 || key[0] === 0x16 || key[0] === 0x07 || (key[0] === 0x1a && key.length === 34)) {
        keys.push(key.slice());
        this.retain(key.length);
        this.mapHeld += key.length;
      }
    });
    this.sync();
    if (!map) throw unverified(what);
    return { map, keys, types };
  }

  /**
   * The commitment of the map at `index` without walking its keys: for a map whose keys an earlier
   * `map()` call of this command already checked (§5.5 step 2, the split pass).
   */
  async mapCommitment(root: Uint8Array, size: number, index: number, what: string): Promise<MapCommitment> {
    this.holdMap(MAP_COMMITMENT_BYTES);
    const raw = await this.host.getMerkleLeafElement(root, size, index, MAP_COMMITMENT_BYTES);
    this.sync();
    if (raw === undefined) throw unverified(what);
    const r = new ByteReader(raw, what);
    try {
      const map = { size: r.varintNumber('size', 0xffff), keysRoot: r.bytesN(32, 'keysRoot').slice(), valuesRoot: r.bytesN(32, 'valuesRoot').slice() };
      r.end();
      return map;
    } catch {
      throw unverified(what);
    }
  }

  /** A leaf element of a Merkle tree the request names, proven against its root. */
  async element(root: Uint8Array, size: number, index: number, maxLen: number, what: string): Promise<Uint8Array> {
    const e = await this.host.getMerkleLeafElement(root, size, index, maxLen);
    this.sync();
    if (e === undefined) throw unverified(what);
    this.hold(e.length);
    return e;
  }

  /**
   * The value for `key`, outside the review digest, for fields the review never shows (the split
   * pass, BIP-373 MuSig2 fields); undefined when the host says it is absent or its answer does not verify.
   */
  async lookup(map: MapCommitment, key: Uint8Array): Promise<Uint8Array | undefined> {
    const value = await this.host.getMapValue(map, key, MAX_VPSBT_VALUE);
    this.sync();
    if (value !== undefined) this.hold(value.length);
    return value;
  }

  /** The value for `key`, or undefined when the map has no such key; folded into the digest. */
  async value(map: MapCommitment, keys: readonly Uint8Array[], scope: number, index: number, key: Uint8Array, what: string): Promise<Uint8Array | undefined> {
    if (!this.noteKey(keys, scope, index, key)) return undefined;
    const value = await this.host.getMapValue(map, key, MAX_VPSBT_VALUE);
    this.sync();
    if (value === undefined) throw unverified(what);
    this.hold(value.length);
    this.digest.update(concat(encodeVarint(value.length), value));
    return value;
  }

  /** Folds `scope || index || key || present` into the digest; whether the map has the key. */
  private noteKey(keys: readonly Uint8Array[], scope: number, index: number, key: Uint8Array): boolean {
    const present = keys.some((k) => k.length === key.length && k.every((b, i) => b === key[i]));
    this.digest.update(concat(Uint8Array.of(scope), u32be(index), encodeVarint(key.length), key, Uint8Array.of(present ? 1 : 0)));
    return present;
  }

  /** Folds a value the device computed (e.g. a count) into the digest. */
  note(data: Uint8Array): void {
    this.digest.update(data);
  }

  private sync(): void {
    this.stats.clientCommands = this.host.requests;
  }

  /** The review digest so far (§5.5 step 2); reading goes on with a fresh digest. */
  finish(): Uint8Array {
    const d = this.digest.digest();
    this.digest = sha256.create();
    return d;
  }
}
