// The host side of the client-command interrupt (docs/bitcoin-app-protocol.md §3): answers the device's requests
// from the preimages and Merkle trees the host committed to, and collects YIELDed results. Reply
// sizes follow the Ledger Python client (bitcoin_client/ledger_bitcoin/client_command.py) exactly,
// since the device sees them: a preimage reply carries min(len, 255 - len(varint(len)) - 1) bytes
// and the rest is queued as 1-byte elements; a proof reply carries at most (255 - 34) / 32 = 6
// hashes and queues the rest; GET_MORE_ELEMENTS drains the queue up to 253 bytes of elements.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, encodeVarint, toHex } from '../apdu/bytes.ts';
import { MAX_APDU_DATA } from '../apdu/apdu.ts';
import {
  decodeClientCommandRequest,
  encodeClientCommandResponse,
  type ClientCommandRequest,
} from '../apdu/interrupt.ts';
import { MerkleTree, type MerkleizedMap } from '../apdu/merkle.ts';
import { HostError } from './errors.ts';

const MAX_PROOF_HASHES_PER_REPLY = Math.floor((MAX_APDU_DATA - 32 - 1 - 1) / 32);
const MAX_MORE_ELEMENTS_BYTES = MAX_APDU_DATA - 2;

/**
 * How many times over the device may read everything the host committed to. The app reads some
 * map values more than once (checks, review, signing); in the corpus, conformance and tapd flows a
 * command used at most 1.27 times the exchanges of reading everything once, so this leaves a wide
 * margin. Beyond it the device asks for more than any run of the request needs, and the host stops
 * instead of answering forever (and memory stays bounded: results are capped too).
 */
export const MAX_READS_OF_EVERYTHING = 32;
/** Client commands always allowed on top, for commands that commit to little (a short message). */
const BASE_ROUNDS = 64;

export class ClientCommandInterpreter {
  private readonly preimages = new Map<string, Uint8Array>();
  private readonly trees = new Map<string, MerkleTree>();
  private queue: Uint8Array[] = [];
  /** Exchanges it takes to read every committed preimage and every leaf with its proof once. */
  private units = 0;
  private rounds = 0;
  /** YIELD payloads in the order the device sent them (without the 0x10 code). */
  readonly yielded: Uint8Array[] = [];

  /**
   * `maxYields`: how many results the request can produce (0: the command yields nothing). Without
   * it results are bounded by the client-command bound only.
   */
  constructor(private readonly maxYields?: number) {}

  /** The most client commands this request can need: every commitment read MAX_READS_OF_EVERYTHING times. */
  get maxRounds(): number {
    return BASE_ROUNDS + MAX_READS_OF_EVERYTHING * (this.units + (this.maxYields ?? 0));
  }

  /** The device may ask for `element` by its SHA-256. */
  addKnownPreimage(element: Uint8Array): void {
    this.preimages.set(toHex(sha256(element)), element);
    this.units += 1 + Math.ceil(element.length / MAX_MORE_ELEMENTS_BYTES);
  }

  /** A Merkleized list: its tree, and each leaf preimage `0x00 || element`. */
  addKnownList(elements: readonly Uint8Array[]): MerkleTree {
    for (const e of elements) this.addKnownPreimage(concat(Uint8Array.of(0), e));
    const tree = MerkleTree.fromElements(elements);
    this.trees.set(toHex(tree.root), tree);
    // a proof (and its queued hashes) and an index lookup per leaf
    this.units += tree.size * (2 + Math.ceil(Math.log2(Math.max(tree.size, 2)) / MAX_PROOF_HASHES_PER_REPLY));
    return tree;
  }

  /** A merkleized map: its keys list and its values list (doc/merkle.md). */
  addKnownMapping(map: MerkleizedMap): void {
    this.addKnownList(map.keys);
    this.addKnownList(map.values);
  }

  /** Answers one E000 request (its response data); returns the CONTINUE data. */
  execute(request: Uint8Array): Uint8Array {
    if (++this.rounds > this.maxRounds)
      throw new HostError(
        'E_CLIENT_COMMAND',
        `device asked for more than ${this.maxRounds} client commands, more than this request can need (${MAX_READS_OF_EVERYTHING} reads of everything the host committed to): it does not stop, so the host does`,
      );
    let req: ClientCommandRequest;
    try {
      req = decodeClientCommandRequest(request);
    } catch (err) {
      throw new HostError('E_CLIENT_COMMAND', `device sent a malformed client command: ${(err as Error).message}`);
    }
    switch (req.command) {
      case 'YIELD':
        if (this.maxYields !== undefined && this.yielded.length >= this.maxYields)
          throw new HostError('E_CLIENT_COMMAND', `device yielded more than the ${this.maxYields} results this request can produce`);
        this.yielded.push(req.data.slice());
        return encodeClientCommandResponse({ command: 'YIELD' });
      case 'GET_PREIMAGE':
        return this.preimage(req.hash);
      case 'GET_MERKLE_LEAF_PROOF':
        return this.proof(req.root, req.size, req.index);
      case 'GET_MERKLE_LEAF_INDEX':
        return this.leafIndex(req.root, req.leafHash);
      case 'GET_MORE_ELEMENTS':
        return this.moreElements();
    }
  }

  private preimage(hash: Uint8Array): Uint8Array {
    const preimage = this.preimages.get(toHex(hash));
    if (!preimage) throw new HostError('E_CLIENT_COMMAND', `device asked for the preimage of ${toHex(hash)}, which the host never committed to`);
    // Each answer queues its tail; a new request before the queue is read would grow it without end.
    if (this.queue.length !== 0) throw new HostError('E_CLIENT_COMMAND', 'device asked for a preimage while queued elements were still unread');
    const max = MAX_APDU_DATA - encodeVarint(preimage.length).length - 1;
    const n = Math.min(max, preimage.length);
    for (let i = n; i < preimage.length; i++) this.queue.push(preimage.subarray(i, i + 1));
    return encodeClientCommandResponse({ command: 'GET_PREIMAGE', length: preimage.length, data: preimage.subarray(0, n) });
  }

  private tree(root: Uint8Array): MerkleTree {
    const tree = this.trees.get(toHex(root));
    if (!tree) throw new HostError('E_CLIENT_COMMAND', `device asked about Merkle root ${toHex(root)}, which the host never committed to`);
    return tree;
  }

  private proof(root: Uint8Array, size: number, index: number): Uint8Array {
    const tree = this.tree(root);
    if (tree.size !== size)
      throw new HostError('E_CLIENT_COMMAND', `device asked for leaf ${index} of a ${size}-leaf tree, but root ${toHex(root)} has ${tree.size} leaves`);
    if (this.queue.length !== 0) throw new HostError('E_CLIENT_COMMAND', 'device asked for a Merkle proof while queued elements were still unread');
    const proof = tree.proof(index);
    const n = Math.min(MAX_PROOF_HASHES_PER_REPLY, proof.length);
    this.queue.push(...proof.slice(n));
    return encodeClientCommandResponse({
      command: 'GET_MERKLE_LEAF_PROOF',
      leafHash: tree.leaves[index]!,
      proofLength: proof.length,
      hashes: proof.slice(0, n),
    });
  }

  private leafIndex(root: Uint8Array, hash: Uint8Array): Uint8Array {
    const index = this.tree(root).indexOf(hash);
    return encodeClientCommandResponse({ command: 'GET_MERKLE_LEAF_INDEX', found: index >= 0, index: Math.max(index, 0) });
  }

  private moreElements(): Uint8Array {
    const first = this.queue[0];
    if (!first) throw new HostError('E_CLIENT_COMMAND', 'device asked for more elements, but none are queued');
    const size = first.length;
    if (this.queue.some((e) => e.length !== size)) throw new HostError('E_CLIENT_COMMAND', 'queued elements of different sizes');
    const n = Math.min(this.queue.length, Math.floor(MAX_MORE_ELEMENTS_BYTES / size));
    const elements = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    return encodeClientCommandResponse({ command: 'GET_MORE_ELEMENTS', elementSize: size, elements });
  }
}
