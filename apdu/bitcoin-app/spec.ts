// The Ledger Bitcoin app's command set: its CLA, protocol version and INS table; each command's spec
// (apdu/command-spec.ts) is one definition of the request and response bytes for both the host
// client and the emulated app (docs/architecture.md §1, apdu/).
//
// Request decoders read fields in the order the app's handler reads them (src/handler/*.c) and
// stop where the handler stops: the app never checks for trailing bytes, so neither do they. A read
// past the end is a plain CodecError, which the app answers with 6A87 (SW_WRONG_DATA_LENGTH); a
// value the handler refuses is a RequestError carrying the status word the handler sends.

import type { CommandApdu } from '../apdu.ts';
import type { CommandSpec } from '../command-spec.ts';

export * from '../command-spec.ts';

export const CLA_BITCOIN = 0xe1;
/** P2 carries the protocol version; 1 since app 2.1.0, 0 still accepted (docs/bitcoin-app-protocol.md §1). */
export const PROTOCOL_VERSION = 1;

export const INS = {
  GET_EXTENDED_PUBKEY: 0x00,
  REGISTER_WALLET: 0x02,
  GET_WALLET_ADDRESS: 0x03,
  SIGN_PSBT: 0x04,
  GET_MASTER_FINGERPRINT: 0x05,
  SIGN_MESSAGE: 0x10,
} as const;

/** Path depth the app accepts: MAX_BIP388_XPUB_DERIVATION_STEPS (8) + 2 (src/constants.h). */
export const MAX_BIP32_PATH_STEPS = 10;

/** The command APDU for `req` (P1 = 0, P2 = protocol version). */
export function commandApdu<Req>(spec: CommandSpec<Req, unknown>, req: Req, p2 = PROTOCOL_VERSION): CommandApdu {
  return { cla: spec.cla, ins: spec.ins, p1: 0, p2, data: spec.encodeRequest(req) };
}
