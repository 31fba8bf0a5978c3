// The commitments SIGN_VPSBT sends (docs/tap-app-protocol.md §5.5): one merkleized map per map of
// the vPSBT (PSBTv0 as tapd writes it, the unsigned transaction left out: the device rebuilds the
// virtual transaction from the assets), and Merkle trees over the input and output map commitments.

import { MerkleTree, MerkleizedMap } from '../../apdu/merkle.ts';
import type { SignVpsbtRequest } from '../../apdu/tap-app/sign-vpsbt.ts';
import { decodeRawPsbt, type PsbtField } from '../../assets/vpsbt/psbt-map.ts';
import type { ClientCommandInterpreter } from '../bitcoin-app/client-commands.ts';

export interface MerkleizedVpsbt {
  global: MerkleizedMap;
  inputs: MerkleizedMap[];
  outputs: MerkleizedMap[];
  inputsTree: MerkleTree;
  outputsTree: MerkleTree;
}

const toMap = (fields: readonly PsbtField[]) => new MerkleizedMap(fields.map((f) => [f.key, f.value] as const));

export function merkleizeVpsbt(bytes: Uint8Array): MerkleizedVpsbt {
  const raw = decodeRawPsbt(bytes, 'vpsbt');
  const inputs = raw.inputs.map(toMap);
  const outputs = raw.outputs.map(toMap);
  return {
    global: toMap(raw.global),
    inputs,
    outputs,
    inputsTree: MerkleTree.fromElements(inputs.map((m) => m.commitment())),
    outputsTree: MerkleTree.fromElements(outputs.map((m) => m.commitment())),
  };
}

/** The SIGN_VPSBT request for `m`. */
export function signVpsbtRequest(m: MerkleizedVpsbt): SignVpsbtRequest {
  return {
    globalMap: { size: m.global.size, keysRoot: m.global.keysTree.root, valuesRoot: m.global.valuesTree.root },
    inputCount: m.inputs.length,
    inputsRoot: m.inputsTree.root,
    outputCount: m.outputs.length,
    outputsRoot: m.outputsTree.root,
  };
}

/** Lets the interpreter answer every request about `m`: map keys and values, and both map-commitment trees. */
export function serveVpsbt(it: ClientCommandInterpreter, m: MerkleizedVpsbt): void {
  it.addKnownMapping(m.global);
  for (const map of [...m.inputs, ...m.outputs]) it.addKnownMapping(map);
  it.addKnownList(m.inputs.map((map) => map.commitment()));
  it.addKnownList(m.outputs.map((map) => map.commitment()));
}
