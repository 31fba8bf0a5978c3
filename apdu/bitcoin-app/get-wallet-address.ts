// GET_WALLET_ADDRESS (E1 03): `display:u8 || wallet_id[32] || hmac[32] || change:u8 || index:u32 BE`
// -> the address as ASCII (docs/bitcoin-app-protocol.md §1, src/handler/get_wallet_address.c). The handler treats
// any non-zero display as true, refuses change ∉ {0,1} and a hardened index with 6A80, and a short
// read with 6A87. An all-zero HMAC means "default wallet".

import { ByteReader, concat, u32be } from '../bytes.ts';
import { CLA_BITCOIN, INS, RequestError, bytesField, decodeAscii, encodeAscii, type CommandSpec } from './spec.ts';

export interface GetWalletAddressRequest {
  display: boolean;
  walletId: Uint8Array;
  /** 32 zero bytes for default (unregistered) wallet policies. */
  hmac: Uint8Array;
  change: boolean;
  index: number;
}

export const getWalletAddress: CommandSpec<GetWalletAddressRequest, string> = {
  name: 'GET_WALLET_ADDRESS',
  cla: CLA_BITCOIN,
  ins: INS.GET_WALLET_ADDRESS,
  encodeRequest(req) {
    if (!Number.isInteger(req.index) || req.index < 0 || req.index >= 0x80000000)
      throw new RangeError(`GET_WALLET_ADDRESS.index: expected an unhardened index 0..2^31-1, got ${req.index}`);
    return concat(
      Uint8Array.of(req.display ? 1 : 0),
      bytesField(req.walletId, 32, 'GET_WALLET_ADDRESS.walletId'),
      bytesField(req.hmac, 32, 'GET_WALLET_ADDRESS.hmac'),
      Uint8Array.of(req.change ? 1 : 0),
      u32be(req.index),
    );
  },
  decodeRequest(data) {
    const r = new ByteReader(data, 'GET_WALLET_ADDRESS');
    const display = r.u8('display');
    const walletId = r.bytesN(32, 'walletId').slice();
    const hmac = r.bytesN(32, 'hmac').slice();
    const change = r.u8('change');
    if (change > 1) throw new RequestError(`GET_WALLET_ADDRESS: expected change 0 or 1, got ${change}`);
    const index = r.u32be('index');
    if (index >= 0x80000000) throw new RequestError(`GET_WALLET_ADDRESS: expected an unhardened index, got ${index}`);
    return { display: display !== 0, walletId, hmac, change: change === 1, index };
  },
  encodeResponse: (address) => encodeAscii(address, 'address'),
  decodeResponse: (data) => decodeAscii(data, 'GET_WALLET_ADDRESS response'),
};
