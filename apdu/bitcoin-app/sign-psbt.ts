// SIGN_PSBT (E1 04): the commitments to a merkleized PSBTv2 plus the wallet policy to sign with
// (docs/bitcoin-app-protocol.md §1, §4; src/handler/sign_psbt.c init_global_state):
//   varint(global_map_size) || global_keys_root || global_values_root
//   || varint(n_inputs) || inputs_root || varint(n_outputs) || outputs_root || wallet_id || hmac
// The response data is empty: signatures arrive as YIELD client commands (apdu/yields.ts).
// More than 512 inputs or outputs is 6A82, checked right after each count's root is read.

import { ByteReader, concat, encodeVarint } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { SW } from '../status.ts';
import { CLA_BITCOIN, INS, RequestError, bytesField, type CommandSpec } from './spec.ts';

export const MAX_N_INPUTS_CAN_SIGN = 512;
export const MAX_N_OUTPUTS_CAN_SIGN = 512;

export interface MapCommitment {
  size: number;
  keysRoot: Uint8Array;
  valuesRoot: Uint8Array;
}

export interface SignPsbtRequest {
  globalMap: MapCommitment;
  inputCount: number;
  inputsRoot: Uint8Array;
  outputCount: number;
  outputsRoot: Uint8Array;
  walletId: Uint8Array;
  /** 32 zero bytes for default wallet policies. */
  hmac: Uint8Array;
}

export const signPsbt: CommandSpec<SignPsbtRequest, void> = {
  name: 'SIGN_PSBT',
  cla: CLA_BITCOIN,
  ins: INS.SIGN_PSBT,
  encodeRequest: (req) =>
    concat(
      encodeVarint(req.globalMap.size),
      bytesField(req.globalMap.keysRoot, 32, 'SIGN_PSBT.globalMap.keysRoot'),
      bytesField(req.globalMap.valuesRoot, 32, 'SIGN_PSBT.globalMap.valuesRoot'),
      encodeVarint(req.inputCount),
      bytesField(req.inputsRoot, 32, 'SIGN_PSBT.inputsRoot'),
      encodeVarint(req.outputCount),
      bytesField(req.outputsRoot, 32, 'SIGN_PSBT.outputsRoot'),
      bytesField(req.walletId, 32, 'SIGN_PSBT.walletId'),
      bytesField(req.hmac, 32, 'SIGN_PSBT.hmac'),
    ),
  decodeRequest(data) {
    const r = new ByteReader(data, 'SIGN_PSBT');
    const size = r.varintNumber('globalMap.size');
    const globalMap = { size, keysRoot: r.bytesN(32, 'globalMap.keysRoot').slice(), valuesRoot: r.bytesN(32, 'globalMap.valuesRoot').slice() };
    const inputCount = r.varint('inputCount');
    const inputsRoot = r.bytesN(32, 'inputsRoot').slice();
    if (inputCount > BigInt(MAX_N_INPUTS_CAN_SIGN))
      throw new RequestError(`SIGN_PSBT: expected at most ${MAX_N_INPUTS_CAN_SIGN} inputs, got ${inputCount}`, SW.NOT_SUPPORTED);
    const outputCount = r.varint('outputCount');
    const outputsRoot = r.bytesN(32, 'outputsRoot').slice();
    if (outputCount > BigInt(MAX_N_OUTPUTS_CAN_SIGN))
      throw new RequestError(`SIGN_PSBT: expected at most ${MAX_N_OUTPUTS_CAN_SIGN} outputs, got ${outputCount}`, SW.NOT_SUPPORTED);
    const walletId = r.bytesN(32, 'walletId').slice();
    const hmac = r.bytesN(32, 'hmac').slice();
    return { globalMap, inputCount: Number(inputCount), inputsRoot, outputCount: Number(outputCount), outputsRoot, walletId, hmac };
  },
  encodeResponse: () => new Uint8Array(),
  decodeResponse(data) {
    if (data.length !== 0) throw new CodecError(`SIGN_PSBT response: expected no data, got ${data.length} bytes`);
  },
};
