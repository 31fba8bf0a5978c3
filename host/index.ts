// The package's main entry point (`taproot-hw`): what integrators use. The two app clients, the
// MuSig2 and tapd flows, wallet policies and multisig shapes, opening a transport, and the typed
// errors to switch on. The transports themselves, HID and Speculos framing, device models and
// transcripts are `taproot-hw/devices`; the wire codecs are `taproot-hw/apdu`.

export * from './bitcoin-app/index.ts';
export type { SignPsbtYield, PartialSignatureYield, MusigPubNonceYield, MusigPartialSignatureYield, AppAndVersion } from '../apdu/bitcoin-app/index.ts';
export { walletPolicy, walletPolicyId, serializeWalletPolicy, type WalletPolicy } from '../bitcoin/wallet-policy.ts';
export * from './tap-app/index.ts';
export * from './musig2/index.ts';
export type { TapAppInfo, KeyAggContext, KeyAggTweak } from '../apdu/tap-app/index.ts';
export * from './tapd/index.ts';
export * from '../bitcoin/shapes/plan.ts';
export * from '../bitcoin/shapes/policy.ts';
export * from '../bitcoin/shapes/output.ts';
export { numsInternalKey, numsXpub, NUMS_H } from '../bitcoin/shapes/nums.ts';
export type { ApduExchanger, ExchangeOptions, Transport } from '../devices/transport.ts';
export { openTransport, TRANSPORT_SPECS, type OpenTransportOptions } from '../devices/open.ts';
export * from '../devices/errors.ts';
export { TaprootHwError, isTaprootHwError, ERROR_CODES, CodecError, type ErrorCode } from '../apdu/errors.ts';
export { DeviceStatusError, STATUS } from '../apdu/status.ts';
export * from './errors.ts';
