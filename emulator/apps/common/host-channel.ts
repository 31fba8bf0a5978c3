// The device side of the client-command protocol (app-bitcoin-new doc/bitcoin.md "Client
// commands", docs/bitcoin-app-protocol.md §3): the app interrupts its own command with SW E000 and a request,
// the host answers with CONTINUE (F8 01), and the app verifies every answer against a hash or a
// Merkle root it already holds. Commit-and-reveal: the host can only lie by omission.
//
// The reply parsing follows src/handler/lib/*.c step by step, because the order and the number of
// requests is observable on the wire (the corpus transcripts pin it). Verification failures return
// `undefined`, as the C helpers return a negative value and let the caller pick the status word; a
// host that answers with anything but CONTINUE ends the command at once with 6A80, as the real
// dispatcher's process_interruption does.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, equal, u16be } from '../../../apdu/bytes.ts';
import { encodeClientCommandRequest, isContinueCommand, type ClientCommandRequest } from '../../../apdu/interrupt.ts';
import { innerHash, leafHash } from '../../../apdu/merkle.ts';
import { SW } from '../../../apdu/status.ts';
import type { CommandIO } from '../../app.ts';
import { AppError } from './app-error.ts';
import { Reply } from './reply.ts';

/** A merkleized map as the device holds it: only its size and two roots (doc/merkle.md). */
export interface MapCommitment {
  size: number;
  keysRoot: Uint8Array;
  valuesRoot: Uint8Array;
}

/** Direction of the i-th step from the root towards leaf `index` (0 = left, 1 = right, -1 = none). */
export function merkleDirection(size: number, index: number, i: number): number {
  if (size <= 1 || index >= size) return -1;
  let steps = 0;
  while (size > 1) {
    let depth = 0;
    while (2 ** depth < size) depth++;
    const mask = 2 ** (depth - 1);
    const right = index >= mask ? 1 : 0;
    if (steps === i) return right;
    steps++;
    if (right) {
      size -= mask;
      index -= mask;
    } else size = mask;
  }
  return -1;
}

/** Byte-wise compare where a prefix sorts first (check_merkle_tree_sorted.c). */
function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export class HostChannel {
  /** Client commands sent so far in this command, for tests and diagnostics. */
  requests = 0;

  constructor(private readonly io: CommandIO) {}

  /** Sends a client command and returns the host's CONTINUE payload. */
  private async ask(request: ClientCommandRequest): Promise<Reply> {
    this.requests++;
    const next = await this.io.respond(concat(encodeClientCommandRequest(request), u16be(SW.INTERRUPTED_EXECUTION)));
    if (!isContinueCommand(next))
      throw new AppError(SW.INCORRECT_DATA, `expected CONTINUE (F8 01) during a client command, got ${next.cla.toString(16)} ${next.ins.toString(16)}`);
    return new Reply(next.data);
  }

  /** YIELD: hands a result to the host; the host's answer carries nothing. */
  async yieldData(data: Uint8Array): Promise<void> {
    await this.ask({ command: 'YIELD', data });
  }

  /**
   * GET_PREIMAGE for a plain hash (get_preimage.c): returns the whole preimage, or undefined if it
   * is longer than `maxLen`, malformed, or does not hash to `hash`.
   */
  async getPreimage(hash: Uint8Array, maxLen: number): Promise<Uint8Array | undefined> {
    const chunks: Uint8Array[] = [];
    const len = await this.preimageLoop(hash, maxLen, false, (c) => chunks.push(c.slice()));
    return len === undefined ? undefined : concat(...chunks);
  }

  /**
   * GET_PREIMAGE for a Merkle leaf (get_merkle_preimage.c): the preimage is `0x00 || element`;
   * returns the element.
   */
  async getMerklePreimage(hash: Uint8Array, maxLen: number): Promise<Uint8Array | undefined> {
    const chunks: Uint8Array[] = [];
    const len = await this.preimageLoop(hash, maxLen, true, (c) => chunks.push(c.slice()));
    return len === undefined ? undefined : concat(...chunks).subarray(1);
  }

  /**
   * Streams a leaf preimage (stream_preimage.c) without a length limit: `onLength` gets the element
   * length, `onData` each piece of the element (the 0x00 prefix removed). Returns the element length.
   */
  async streamMerklePreimage(
    hash: Uint8Array,
    onLength: (n: number) => void,
    onData: (piece: Uint8Array) => void,
  ): Promise<number | undefined> {
    let first = true;
    const len = await this.preimageLoop(hash, Infinity, true, (c) => {
      if (first) {
        first = false;
        onData(c.subarray(1));
      } else onData(c);
    }, onLength);
    return len === undefined ? undefined : len - 1;
  }

  private async preimageLoop(
    hash: Uint8Array,
    maxLen: number,
    merkleLeaf: boolean,
    onChunk: (c: Uint8Array) => void,
    onLength?: (n: number) => void,
  ): Promise<number | undefined> {
    const r = await this.ask({ command: 'GET_PREIMAGE', hash });
    const total = r.varint();
    const partialLen = r.u8();
    if (total === undefined || partialLen === undefined || !r.canRead(partialLen)) return undefined;
    const len = Number(total & 0xffffffffn);
    if (len < 1) return undefined;
    if (merkleLeaf && partialLen === 0) return undefined;
    if (partialLen > len) return undefined;
    // the leaf form excludes the 0x00 prefix from the limit, the plain form includes everything
    if ((merkleLeaf ? len - 1 : len) > maxLen) return undefined;
    onLength?.(len - 1);
    const h = sha256.create();
    const first = r.take(partialLen)!;
    h.update(first);
    onChunk(first);
    let remaining = len - partialLen;
    while (remaining > 0) {
      const more = await this.ask({ command: 'GET_MORE_ELEMENTS' });
      const n = more.u8();
      const size = more.u8();
      if (n === undefined || size === undefined || !more.canRead(n * size)) return undefined;
      if (size !== 1 || n > remaining) return undefined;
      const piece = more.take(n)!;
      h.update(piece);
      onChunk(piece);
      remaining -= n;
    }
    return equal(h.digest(), hash) ? len : undefined;
  }

  /** GET_MERKLE_LEAF_PROOF (get_merkle_leaf_hash.c): the leaf hash at `index`, proven against `root`. */
  async getMerkleLeafHash(root: Uint8Array, size: number, index: number): Promise<Uint8Array | undefined> {
    const r = await this.ask({ command: 'GET_MERKLE_LEAF_PROOF', root, size, index });
    const leaf = r.take(32);
    const proofSize = r.u8();
    let count = r.u8();
    if (leaf === undefined || proofSize === undefined || count === undefined) return undefined;
    if (count > proofSize || !r.canRead(32 * count)) return undefined;
    let cur: Uint8Array = leaf.slice();
    let step = 0;
    let reply = r;
    for (;;) {
      const end = step + count;
      for (; step < end; step++) {
        const sibling = reply.take(32)!;
        const dir = merkleDirection(size, index, proofSize - step - 1);
        if (dir === 0) cur = innerHash(cur, sibling);
        else if (dir === 1) cur = innerHash(sibling, cur);
        else return undefined;
      }
      if (step === proofSize) break;
      reply = await this.ask({ command: 'GET_MORE_ELEMENTS' });
      const n = reply.u8();
      const elLen = reply.u8();
      if (n === undefined || elLen === undefined || !reply.canRead(n * elLen)) return undefined;
      if (elLen !== 32 || step + n > proofSize) return undefined;
      count = n;
    }
    return equal(cur, root) ? leaf : undefined;
  }

  /**
   * GET_MERKLE_LEAF_INDEX (get_merkle_leaf_index.c): where `leaf` sits in the tree, re-proven with
   * a leaf proof. undefined when the host says it is absent or the answer does not check.
   */
  async getMerkleLeafIndex(size: number, root: Uint8Array, leaf: Uint8Array): Promise<number | undefined> {
    const r = await this.ask({ command: 'GET_MERKLE_LEAF_INDEX', root, leafHash: leaf });
    const found = r.u8();
    const index = r.varint();
    if (found === undefined || index === undefined || index >= BigInt(size)) return undefined;
    if (found !== 1) return undefined;
    const proven = await this.getMerkleLeafHash(root, size, Number(index));
    if (proven === undefined || !equal(proven, leaf)) return undefined;
    return Number(index);
  }

  /** A leaf element: its hash by proof, then its preimage (get_merkle_leaf_element.c). */
  async getMerkleLeafElement(root: Uint8Array, size: number, index: number, maxLen: number): Promise<Uint8Array | undefined> {
    const hash = await this.getMerkleLeafHash(root, size, index);
    if (hash === undefined) return undefined;
    return this.getMerklePreimage(hash, maxLen);
  }

  /** Streams a leaf element (stream_merkle_leaf_element.c). */
  async streamMerkleLeafElement(
    root: Uint8Array,
    size: number,
    index: number,
    onLength: (n: number) => void,
    onData: (piece: Uint8Array) => void,
  ): Promise<number | undefined> {
    const hash = await this.getMerkleLeafHash(root, size, index);
    if (hash === undefined) return undefined;
    return this.streamMerklePreimage(hash, onLength, onData);
  }

  /**
   * Checks that the keys of a tree are strictly sorted, fetching each one in order, and passes each
   * to `onKey` (check_merkle_tree_sorted.c). Returns false if any key fails to verify or is out of order.
   */
  async checkSorted(root: Uint8Array, size: number, onKey?: (key: Uint8Array, index: number) => Promise<void>): Promise<boolean> {
    let prev: Uint8Array | undefined;
    for (let i = 0; i < size; i++) {
      const key = await this.getMerkleLeafElement(root, size, i, MAX_SORTED_KEY_LEN);
      if (key === undefined) return false;
      if (prev !== undefined && compareKeys(prev, key) >= 0) return false;
      prev = key;
      if (onKey) await onKey(key, i);
    }
    return true;
  }

  /** Reads a map commitment stored as leaf `index` of a tree of maps, and checks its key order. */
  async getMerkleizedMap(
    root: Uint8Array,
    size: number,
    index: number,
    onKey?: (key: Uint8Array, index: number, map: MapCommitment) => Promise<void>,
  ): Promise<MapCommitment | undefined> {
    const raw = await this.getMerkleLeafElement(root, size, index, 9 + 64);
    if (raw === undefined) return undefined;
    const r = new Reply(raw);
    const n = r.varint();
    const keysRoot = r.take(32);
    const valuesRoot = r.take(32);
    if (n === undefined || keysRoot === undefined || valuesRoot === undefined) return undefined;
    const map: MapCommitment = { size: Number(n), keysRoot: keysRoot.slice(), valuesRoot: valuesRoot.slice() };
    const sorted = await this.checkSorted(map.keysRoot, map.size, onKey && ((k, i) => onKey(k, i, map)));
    return sorted ? map : undefined;
  }

  /** The index of `key` in a map, or undefined when absent or unproven. */
  mapKeyIndex(map: MapCommitment, key: Uint8Array): Promise<number | undefined> {
    return this.getMerkleLeafIndex(map.size, map.keysRoot, leafHash(key));
  }

  /** The value for `key` (get_merkleized_map_value.c), or undefined when absent or unproven. */
  async getMapValue(map: MapCommitment, key: Uint8Array, maxLen: number): Promise<Uint8Array | undefined> {
    const index = await this.mapKeyIndex(map, key);
    if (index === undefined) return undefined;
    return this.getMerkleLeafElement(map.valuesRoot, map.size, index, maxLen);
  }

  /** The value hash for `key` (get_merkleized_map_value_hash.c). */
  async getMapValueHash(map: MapCommitment, key: Uint8Array): Promise<Uint8Array | undefined> {
    const index = await this.mapKeyIndex(map, key);
    if (index === undefined) return undefined;
    return this.getMerkleLeafHash(map.valuesRoot, map.size, index);
  }

  /** Streams the value for `key` (stream_merkleized_map_value.c). */
  async streamMapValue(
    map: MapCommitment,
    key: Uint8Array,
    onLength: (n: number) => void,
    onData: (piece: Uint8Array) => void,
  ): Promise<number | undefined> {
    const index = await this.mapKeyIndex(map, key);
    if (index === undefined) return undefined;
    return this.streamMerkleLeafElement(map.valuesRoot, map.size, index, onLength, onData);
  }
}

/** MAX_CHECK_MERKLE_TREE_SORTED_PREIMAGE_SIZE = 34 + 32 * (MAX_TAPTREE_POLICY_DEPTH - 1): the longest map key. */
export const MAX_SORTED_KEY_LEN = 34 + 32 * 8;
