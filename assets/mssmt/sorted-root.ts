// The root of an MS-SMT built from its leaves in tree order, in bounded memory: how SIGN_VPSBT v2
// rebuilds the split commitment root from the outputs as they stream (/work design §3.6, to move
// into docs/tap-app-protocol.md). Tree order is the in-order walk of the 256-level tree: `a` before
// `b` when, at the first depth where their key bits differ, `a` has 0 (keyBit: LSB first in each
// byte, mssmt bitIndex) — not byte-wise order.
//
// State: the last key, the subtree of the leaves since the last divergence (`current`, at some
// depth) and a stack of completed left subtrees, one per depth on the current path where the path
// went right. A new key that diverges from the last at depth d closes everything below d + 1 into
// one left subtree, pushed at depth d + 1. With tapd's random locators the stack stays near
// log2(leaves) / 2; a host must grind nested key prefixes to deepen it, so a device caps it.

import { sha256 } from '../crypto.ts';
import { AssetVerifyError } from '../errors.ts';
import { EMPTY_TREE, MSSMT_DEPTH, checkedAdd, keyBit, type MssmtNode } from './node.ts';

/** -1, 0 or 1 as `a` comes before, equals or comes after `b` in tree order. */
export function compareTreeOrder(a: Uint8Array, b: Uint8Array): number {
  const d = divergenceDepth(a, b);
  if (d < 0) return 0;
  return keyBit(a, d) === 0 ? -1 : 1;
}

/** The first depth at which the keys' bits differ, -1 for equal keys. */
export function divergenceDepth(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== 32 || b.length !== 32) throw new RangeError(`mssmt key: expected 32 bytes, got ${a.length} and ${b.length}`);
  for (let i = 0; i < 32; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + (31 - Math.clz32(x & -x));
  }
  return -1;
}

interface Pending {
  depth: number;
  node: MssmtNode;
}

export class SortedMssmtRoot {
  private readonly stack: Pending[] = [];
  private current: Pending | undefined;
  private lastKey: Uint8Array | undefined;
  private peak = 0;
  private finished = false;
  /** `left.hash || right.hash || u64be(sum)`, reused: a fold hashes up to 256 levels per leaf. */
  private readonly block = new Uint8Array(72);
  private readonly view = new DataView(this.block.buffer);

  /**
   * `maxPending`: the most left subtrees held at once (a device's fixed array). `hashBlock`: SHA-256
   * of the 72-byte branch block; a caller with a faster SHA-256 than the portable one (the emulator:
   * Node's, about 3× faster on these blocks) passes it, the bytes hashed are the same.
   */
  constructor(
    private readonly maxPending = MSSMT_DEPTH,
    private readonly hashBlock: (block: Uint8Array) => Uint8Array = sha256,
  ) {}

  /** The most pending subtrees held at once so far. */
  get peakPending(): number {
    return this.peak;
  }

  /** Adds the leaf node at `key`, which must come strictly after the previous key in tree order. */
  add(key: Uint8Array, leaf: MssmtNode, what = 'leaf'): void {
    if (this.finished) throw new Error('SortedMssmtRoot.add: the root was already taken');
    if (this.lastKey && this.current) {
      const d = divergenceDepth(this.lastKey, key);
      if (d < 0 || keyBit(key, d) === 0)
        throw new AssetVerifyError(what, d < 0 ? 'repeats the previous key' : 'comes before the previous key in tree order');
      this.lift(d + 1);
      if (this.stack.length === this.maxPending)
        throw new AssetVerifyError(what, `expected at most ${this.maxPending} pending subtrees, got more`, 'E_MSSMT_STACK_LIMIT');
      this.stack.push(this.current);
      this.peak = Math.max(this.peak, this.stack.length);
    }
    this.current = { depth: MSSMT_DEPTH, node: leaf };
    this.lastKey = Uint8Array.from(key);
  }

  /** The root over every leaf added (the empty tree's root when none was); no leaf may follow. */
  root(): MssmtNode {
    this.finished = true;
    if (!this.current) return EMPTY_TREE[0]!;
    this.lift(0);
    return this.current.node;
  }

  /** Raises `current` to `depth`, merging the stacked left siblings it meets, empty ones elsewhere. */
  private lift(depth: number): void {
    const key = this.lastKey!;
    let { depth: level, node } = this.current!;
    while (level > depth) {
      const top = this.stack[this.stack.length - 1];
      if (top && top.depth === level) {
        const sum = checkedAdd(top.node.sum, node.sum, 'mssmt branch');
        node = { hash: this.hash(top.node.hash, node.hash, sum), sum };
        this.stack.pop();
        level--;
        continue;
      }
      // A run of empty siblings up to the next stacked one (or `depth`): the sum carries up unchanged.
      const stop = Math.max(depth, top ? top.depth : 0);
      let hash = node.hash;
      this.view.setBigUint64(64, node.sum, false);
      for (; level > stop; level--) {
        const empty = EMPTY_TREE[level]!.hash;
        const left = keyBit(key, level - 1) === 0;
        this.block.set(left ? hash : empty, 0);
        this.block.set(left ? empty : hash, 32);
        hash = this.hashBlock(this.block);
      }
      node = { hash, sum: node.sum };
    }
    this.current = { depth, node };
  }

  /** branchNode of node.ts over the reused block (the same bytes hashed). */
  private hash(left: Uint8Array, right: Uint8Array, sum: bigint): Uint8Array {
    this.block.set(left, 0);
    this.block.set(right, 32);
    this.view.setBigUint64(64, sum, false);
    return this.hashBlock(this.block);
  }
}
