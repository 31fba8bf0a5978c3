// The Ledger Bitcoin app (app-bitcoin-new 2.4.6, protocol version 1) inside the emulator: the
// dispatcher of src/boilerplate/dispatcher.c, its command table derived from the app's description
// (apdu/bitcoin-app/app.ts). Its rules, in the real app's order: P2 (protocol version) above 1 ->
// 6A86, checked before anything else; a CONTINUE with no command in progress -> B007; unknown CLA
// -> 6E00; unknown INS -> 6D00. P1 is not checked.

import { concat, u16be } from '../../../apdu/bytes.ts';
import { statusOnly } from '../../../apdu/apdu.ts';
import { BITCOIN_APP } from '../../../apdu/bitcoin-app/app.ts';
import { requestErrorStatus } from '../../../apdu/command-spec.ts';
import { CLA_FRAMEWORK, INS_CONTINUE } from '../../../apdu/interrupt.ts';
import { SW } from '../../../apdu/status.ts';
import { AppCommandAborted, type DeviceApp } from '../../app.ts';
import { HostChannel } from '../common/host-channel.ts';
import { handlerTable } from '../common/handler-table.ts';
import type { Command, Handler } from './command.ts';
import { AppError } from './errors.ts';
import { getExtendedPubkey } from './get-extended-pubkey.ts';
import { getMasterFingerprint } from './get-master-fingerprint.ts';
import { getWalletAddress } from './get-wallet-address.ts';
import { bitcoinAppIdentity } from './identity.ts';
import { MAINNET, TESTNET, type BitcoinNetwork } from './network.ts';
import { registerWallet } from './register-wallet.ts';
import { signMessage } from './sign-message.ts';
import { signPsbt } from './sign-psbt.ts';

const HANDLERS = handlerTable<Handler<any, any>>(BITCOIN_APP, [getExtendedPubkey, registerWallet, getWalletAddress, signPsbt, getMasterFingerprint, signMessage]);

/** Decodes the request with the command's spec, runs the handler, encodes its result with the spec. */
async function run<Req, Res>(h: Handler<Req, Res>, cmd: Command, data: Uint8Array): Promise<Uint8Array> {
  let req: Req;
  try {
    req = h.spec.decodeRequest(data);
  } catch (e) {
    throw new AppError(requestErrorStatus(e), (e as Error).message);
  }
  return h.spec.encodeResponse(await h.run(cmd, req));
}

export function createBitcoinApp(net: BitcoinNetwork): DeviceApp {
  return {
    ...bitcoinAppIdentity(net),
    async handle(command, io, ctx) {
      if (command.p2 > BITCOIN_APP.protocolVersion) return statusOnly(SW.WRONG_P1P2);
      if (command.cla === CLA_FRAMEWORK && command.ins === INS_CONTINUE) return statusOnly(SW.BAD_STATE);
      if (command.cla !== BITCOIN_APP.cla) return statusOnly(SW.CLA_NOT_SUPPORTED);
      const handler = HANDLERS.get(command.ins);
      if (!handler) return statusOnly(SW.INS_NOT_SUPPORTED);
      try {
        const data = await run(handler, { ctx, net, host: new HostChannel(io), protocolVersion: command.p2 }, command.data);
        return concat(data, u16be(SW.OK));
      } catch (e) {
        if (e instanceof AppError)
          return concat(e.errorCode === undefined ? new Uint8Array() : u16be(e.errorCode), u16be(e.statusWord));
        if (e instanceof AppCommandAborted) throw e;
        // An internal fault must still end the command with a status word, as the C dispatcher
        // does when a handler returns without answering.
        ctx.fault?.(e);
        return statusOnly(SW.BAD_STATE);
      }
    },
  };
}

export const createBitcoinMainnetApp = (): DeviceApp => createBitcoinApp(MAINNET);
export const createBitcoinTestnetApp = (): DeviceApp => createBitcoinApp(TESTNET);
