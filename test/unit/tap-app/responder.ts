// A minimal host for the client commands of §2, for driving the emulated app with raw APDUs in
// tests (the host engineer's TapAppClient replaces it). It answers GET_PREIMAGE from known
// preimages, Merkle requests from known trees, and collects YIELDs. `tamper` lets a test change
// what it answers from a given moment on (a lying host).

import { sha256 } from '@noble/hashes/sha2.js';
import { decodeResponse, encodeCommand, type CommandApdu } from '../../../apdu/apdu.ts';
import { concat, encodeVarint, toHex } from '../../../apdu/bytes.ts';
import {
  SW_INTERRUPTED_EXECUTION,
  continueCommand,
  decodeClientCommandRequest,
  encodeClientCommandResponse,
} from '../../../apdu/interrupt.ts';
import { MerkleTree, MerkleizedMap } from '../../../apdu/merkle.ts';

export interface Exchanger {
  exchange(apdu: Uint8Array): Promise<Uint8Array>;
}

export class Responder {
  readonly preimages = new Map<string, Uint8Array>();
  readonly trees = new Map<string, MerkleTree>();
  /** Trees answered in place of the honest ones once `lying` is set (root hex -> forged tree). */
  readonly lies = new Map<string, MerkleTree>();
  lying = false;
  yields: Uint8Array[] = [];
  requests = 0;
  private more: Uint8Array[] = [];
  private moreSize = 1;

  addPreimage(data: Uint8Array): Uint8Array {
    const h = sha256(data);
    this.preimages.set(toHex(h), data);
    return h;
  }

  /** A tree whose element preimages (0x00 || element) are answerable too. */
  addTree(elements: readonly Uint8Array[]): MerkleTree {
    const tree = MerkleTree.fromElements(elements);
    this.trees.set(toHex(tree.root), tree);
    for (const e of elements) this.addPreimage(concat(Uint8Array.of(0), e));
    return tree;
  }

  addMap(map: MerkleizedMap): Uint8Array {
    this.addTree(map.keys);
    this.addTree(map.values);
    return map.commitment();
  }

  private tree(root: Uint8Array): MerkleTree | undefined {
    return (this.lying ? this.lies.get(toHex(root)) : undefined) ?? this.trees.get(toHex(root));
  }

  answer(request: Uint8Array): Uint8Array {
    this.requests++;
    const req = decodeClientCommandRequest(request);
    switch (req.command) {
      case 'YIELD':
        this.yields.push(req.data);
        return encodeClientCommandResponse({ command: 'YIELD' });
      case 'GET_PREIMAGE': {
        const data = this.preimages.get(toHex(req.hash));
        if (!data) throw new Error(`responder: unknown preimage ${toHex(req.hash)}`);
        const first = Math.min(data.length, 255 - encodeVarint(data.length).length - 1);
        this.more = Array.from(data.subarray(first), (b) => Uint8Array.of(b));
        this.moreSize = 1;
        return encodeClientCommandResponse({ command: 'GET_PREIMAGE', length: data.length, data: data.subarray(0, first) });
      }
      case 'GET_MERKLE_LEAF_PROOF': {
        const tree = this.tree(req.root);
        if (!tree) throw new Error(`responder: unknown tree ${toHex(req.root)}`);
        const proof = tree.proof(req.index);
        this.more = proof.slice(6);
        this.moreSize = 32;
        return encodeClientCommandResponse({
          command: 'GET_MERKLE_LEAF_PROOF',
          leafHash: tree.leaves[req.index]!,
          proofLength: proof.length,
          hashes: proof.slice(0, 6),
        });
      }
      case 'GET_MERKLE_LEAF_INDEX': {
        const tree = this.tree(req.root);
        const index = tree ? tree.indexOf(req.leafHash) : -1;
        return encodeClientCommandResponse({ command: 'GET_MERKLE_LEAF_INDEX', found: index >= 0, index: Math.max(index, 0) });
      }
      case 'GET_MORE_ELEMENTS': {
        const per = this.moreSize === 1 ? 253 : 7;
        const elements = this.more.slice(0, per);
        this.more = this.more.slice(per);
        return encodeClientCommandResponse({ command: 'GET_MORE_ELEMENTS', elementSize: this.moreSize, elements });
      }
    }
  }

  /** Sends a command and serves its client commands; returns the final data and status word. */
  async run(device: Exchanger, cmd: CommandApdu): Promise<{ data: Uint8Array; statusWord: number }> {
    let res = decodeResponse(await device.exchange(encodeCommand(cmd)));
    while (res.statusWord === SW_INTERRUPTED_EXECUTION)
      res = decodeResponse(await device.exchange(encodeCommand(continueCommand(this.answer(res.data)))));
    return { data: res.data.slice(), statusWord: res.statusWord };
  }
}
