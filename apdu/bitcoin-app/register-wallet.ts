// REGISTER_WALLET (E1 02): `varint(len) || serialized wallet policy` -> `wallet_id[32] || hmac[32]`
// (docs/bitcoin-app-protocol.md §1, §5; src/handler/register_wallet.c). A missing length is 6A87; a policy the
// header parser refuses is 6A80. Later refusals carry a 2.4.x error code (error-codes.ts).

import { ByteReader, concat, encodeVarint } from '../bytes.ts';
import { CodecError } from '../errors.ts';
import { SW } from '../status.ts';
import { CLA_BITCOIN, INS, RequestError, bytesField, type CommandSpec } from './spec.ts';
import { readWalletPolicyHeader } from './wallet-header.ts';

export interface RegisterWalletRequest {
  /** The serialized wallet policy (its SHA-256 is the wallet id). */
  policy: Uint8Array;
}

export interface RegisterWalletResponse {
  walletId: Uint8Array;
  hmac: Uint8Array;
}

export const registerWallet: CommandSpec<RegisterWalletRequest, RegisterWalletResponse> = {
  name: 'REGISTER_WALLET',
  cla: CLA_BITCOIN,
  ins: INS.REGISTER_WALLET,
  encodeRequest: (req) => concat(encodeVarint(req.policy.length), req.policy),
  decodeRequest(data) {
    const r = new ByteReader(data, 'REGISTER_WALLET');
    r.varint('policy.length');
    // The app parses the header straight from the APDU buffer and does not compare it with the
    // length it just read; the policy is what the header parser consumed.
    const start = r.offset;
    const header = new ByteReader(data.subarray(start), 'REGISTER_WALLET.policy');
    try {
      readWalletPolicyHeader(header);
    } catch (err) {
      if (err instanceof CodecError) throw new RequestError(err.message, SW.INCORRECT_DATA);
      throw err;
    }
    return { policy: data.slice(start, start + header.offset) };
  },
  encodeResponse: (res) => concat(bytesField(res.walletId, 32, 'wallet id'), bytesField(res.hmac, 32, 'wallet hmac')),
  decodeResponse(data) {
    const r = new ByteReader(data, 'REGISTER_WALLET response');
    const walletId = r.bytesN(32, 'walletId').slice();
    const hmac = r.bytesN(32, 'hmac').slice();
    r.end();
    return { walletId, hmac };
  },
};
