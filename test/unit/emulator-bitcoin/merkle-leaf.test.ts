// The Bitcoin app's Merkle leaf checks, as the real app does them: it checks no proof depth
// (get_merkle_leaf_hash.c) and skips a leaf preimage's first byte unread (get_merkle_preimage.c), so
// a host can present an inner node `01 || L || R` as a leaf one level up, whose element is `L || R`.
// Its emulation does the same (the client-command channel, emulator/apps/common/host-channel.ts).

import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../../apdu/bytes.ts';
import { continueCommand, decodeClientCommandRequest, encodeClientCommandResponse } from '../../../apdu/interrupt.ts';
import { MerkleTree, innerHash, leafHash } from '../../../apdu/merkle.ts';
import { HostChannel } from '../../../emulator/apps/common/host-channel.ts';

const elements = [0, 1, 2, 3].map((i) => Uint8Array.of(0xe0 + i, 0x11, 0x22));
const tree = MerkleTree.fromElements(elements);
/** The inner node over leaves 0 and 1, claimed as "leaf 0" with a one-hash proof, and its preimage. */
const inner = innerHash(tree.leaves[0]!, tree.leaves[1]!);
const innerPreimage = concat(Uint8Array.of(0x01), tree.leaves[0]!, tree.leaves[1]!);

/** A host that answers leaf 0 of `tree` with `leaf`, `proof` and `preimage`, served in one piece. */
function lyingHost(leaf: Uint8Array, proof: Uint8Array[], preimage: Uint8Array) {
  return {
    async respond(response: Uint8Array) {
      const req = decodeClientCommandRequest(response.subarray(0, -2));
      const answer =
        req.command === 'GET_MERKLE_LEAF_PROOF'
          ? encodeClientCommandResponse({ command: 'GET_MERKLE_LEAF_PROOF', leafHash: leaf, proofLength: proof.length, hashes: proof })
          : encodeClientCommandResponse({ command: 'GET_PREIMAGE', length: preimage.length, data: preimage });
      return continueCommand(answer);
    },
  };
}

describe('Merkle leaf checks as the real Bitcoin app does them', () => {
  it('an inner node passed off as a leaf, one level up, is accepted', async () => {
    const attack = lyingHost(inner, [innerHash(tree.leaves[2]!, tree.leaves[3]!)], innerPreimage);
    const element = await new HostChannel(attack).getMerkleLeafElement(tree.root, 4, 0, 100);
    expect(toHex(element!)).toBe(toHex(concat(tree.leaves[0]!, tree.leaves[1]!)));
  });

  it("a leaf preimage is read past its first byte whatever it is: an inner node's preimage passes for a one-leaf tree", async () => {
    // A one-leaf tree: its root is its leaf, the proof is empty (depth 0).
    expect(await new HostChannel(lyingHost(inner, [], innerPreimage)).getMerkleLeafElement(inner, 1, 0, 100)).toBeDefined();
  });

  it('an honest leaf, proof and preimage verify', async () => {
    const honest = lyingHost(tree.leaves[0]!, tree.proof(0), concat(Uint8Array.of(0), elements[0]!));
    const element = await new HostChannel(honest).getMerkleLeafElement(tree.root, 4, 0, 100);
    expect(toHex(element!)).toBe(toHex(elements[0]!));
    expect(toHex(leafHash(elements[0]!))).toBe(toHex(tree.leaves[0]!));
  });
});
