// The package's main entry point (`taproot-hw`): what integrators import.

export * from './bitcoin-app/index.ts';
export type { SignPsbtYield, PartialSignatureYield, MusigPubNonceYield, MusigPartialSignatureYield, AppAndVersion } from '../apdu/bitcoin-app/index.ts';
export { walletPolicy, walletPolicyId, serializeWalletPolicy, type WalletPolicy } from '../bitcoin/wallet-policy.ts';
export * from './tap-app/index.ts';
export * from './musig2/index.ts';
export type { TapAppInfo, KeyAggContext, KeyAggTweak, SignVpsbtYield } from '../apdu/tap-app/index.ts';
export * from './tapd/index.ts';
// Transports: USB HID (optional dependency), Speculos TCP/HTTP, loopback, transcript replay.
export * from '../devices/index.ts';
