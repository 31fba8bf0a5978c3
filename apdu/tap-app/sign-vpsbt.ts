// SIGN_VPSBT (E7 30, §5.5): the commitments to a merkleized vPSBT, as the Bitcoin app's SIGN_PSBT
// sends a PSBTv2's (without wallet id and HMAC), plus the order in which the device checks that
// no two outputs claim the same leaf of the split commitment:
//   varint global_map_size || global_keys_root[32] || global_values_root[32]
//   || varint n_inputs || inputs_maps_root[32] || varint n_outputs || outputs_maps_root[32]
//   || outputs_order_root[32]
// The response data is empty; signatures and MuSig2 values arrive as YIELDs whose payloads are the
// Bitcoin app's SIGN_PSBT yields (one decoder for both apps), restricted here to what §5.5 allows:
// x-only script keys, no tapleaf hash, 64- or 65-byte signatures.

import { ByteReader, concat, encodeVarint, u32be } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { SW } from '../status.ts';
import { decodeSignPsbtYield, encodeSignPsbtYield, type SignPsbtYield } from '../yields.ts';
import type { CommandApdu } from '../apdu.ts';
import { CLA_TAP, RequestError, TAP_INS, TAP_PROTOCOL_VERSION_1, expectEmpty, field, type CommandSpec } from './spec.ts';

/** The device keeps a 72-byte record per input for the virtual input's MS-SMT (§5.5). */
export const MAX_VPSBT_INPUTS = 64;
export const MAX_VPSBT_OUTPUTS = 0xffff;

export interface VpsbtMapCommitment {
  size: number;
  keysRoot: Uint8Array;
  valuesRoot: Uint8Array;
}

export interface SignVpsbtRequest {
  globalMap: VpsbtMapCommitment;
  inputCount: number;
  inputsRoot: Uint8Array;
  outputCount: number;
  outputsRoot: Uint8Array;
  /**
   * Merkle root over `outputCount` elements `u32be(output index)`: the outputs sorted by their split
   * locator key (§5.5 step 2), so the device proves in one pass, in bounded memory, that they are distinct.
   */
  outputsOrderRoot: Uint8Array;
}

/** An element of the outputs-order tree: the output's index in the vPSBT. */
export const encodeOutputOrderElement = (index: number): Uint8Array => u32be(index);

function count(r: ByteReader, what: string, max: number): number {
  const n = r.varint(what);
  if (n > BigInt(max)) throw new RequestError(`SIGN_VPSBT.${what}: expected at most ${max}, got ${n}`, SW.NOT_SUPPORTED);
  return Number(n);
}

export const signVpsbt: CommandSpec<SignVpsbtRequest, void> = {
  name: 'SIGN_VPSBT',
  cla: CLA_TAP,
  ins: TAP_INS.SIGN_VPSBT,
  encodeRequest(req) {
    if (req.inputCount > MAX_VPSBT_INPUTS) throw new RangeError(`SIGN_VPSBT.inputCount: expected at most ${MAX_VPSBT_INPUTS}, got ${req.inputCount}`);
    if (req.outputCount > MAX_VPSBT_OUTPUTS)
      throw new RangeError(`SIGN_VPSBT.outputCount: expected at most ${MAX_VPSBT_OUTPUTS}, got ${req.outputCount}`);
    return concat(
      encodeVarint(req.globalMap.size),
      field(req.globalMap.keysRoot, 32, 'SIGN_VPSBT.globalMap.keysRoot'),
      field(req.globalMap.valuesRoot, 32, 'SIGN_VPSBT.globalMap.valuesRoot'),
      encodeVarint(req.inputCount),
      field(req.inputsRoot, 32, 'SIGN_VPSBT.inputsRoot'),
      encodeVarint(req.outputCount),
      field(req.outputsRoot, 32, 'SIGN_VPSBT.outputsRoot'),
      field(req.outputsOrderRoot, 32, 'SIGN_VPSBT.outputsOrderRoot'),
    );
  },
  decodeRequest(data) {
    const r = new ByteReader(data, 'SIGN_VPSBT');
    const size = count(r, 'globalMap.size', 0xffff);
    const globalMap = { size, keysRoot: r.bytesN(32, 'globalMap.keysRoot').slice(), valuesRoot: r.bytesN(32, 'globalMap.valuesRoot').slice() };
    const inputCount = count(r, 'inputCount', MAX_VPSBT_INPUTS);
    const inputsRoot = r.bytesN(32, 'inputsRoot').slice();
    const outputCount = count(r, 'outputCount', MAX_VPSBT_OUTPUTS);
    const outputsRoot = r.bytesN(32, 'outputsRoot').slice();
    const outputsOrderRoot = r.bytesN(32, 'outputsOrderRoot').slice();
    r.end();
    if (inputCount === 0) throw new RequestError('SIGN_VPSBT.inputCount: expected at least one input, got 0');
    if (outputCount === 0) throw new RequestError('SIGN_VPSBT.outputCount: expected at least one output, got 0');
    return { globalMap, inputCount, inputsRoot, outputCount, outputsRoot, outputsOrderRoot };
  },
  encodeResponse: () => new Uint8Array(),
  decodeResponse: (data) => expectEmpty(data, 'SIGN_VPSBT response'),
};

export type SignVpsbtYield = SignPsbtYield;

export function encodeSignVpsbtYield(y: SignVpsbtYield): Uint8Array {
  checkVpsbtYield(y, RangeError);
  return encodeSignPsbtYield(y);
}

/** Decodes a YIELD payload of SIGN_VPSBT (the bytes after the 0x10 command code). */
export function decodeSignVpsbtYield(data: Uint8Array): SignVpsbtYield {
  const y = decodeSignPsbtYield(data);
  checkVpsbtYield(y, CodecError);
  return y;
}

function checkVpsbtYield(y: SignVpsbtYield, E: new (m: string) => Error): void {
  if (y.tapleafHash !== undefined) throw new E('SIGN_VPSBT yield: expected no tapleaf hash (script keys are signed by key path)');
  if (y.type === 'partialSignature') {
    if (y.pubkey.length !== 32) throw new E(`SIGN_VPSBT yield.pubkey: expected a 32-byte x-only script key, got ${y.pubkey.length} bytes`);
    if (y.signature.length !== 64 && y.signature.length !== 65)
      throw new E(`SIGN_VPSBT yield.signature: expected 64 or 65 bytes, got ${y.signature.length}`);
  }
}

/** The version 1 SIGN_VPSBT command (P2 = 1); version 2 is vpsbt-stream.ts. */
export function signVpsbtV1Command(req: SignVpsbtRequest): CommandApdu {
  return { cla: CLA_TAP, ins: TAP_INS.SIGN_VPSBT, p1: 0, p2: TAP_PROTOCOL_VERSION_1, data: signVpsbt.encodeRequest(req) };
}
