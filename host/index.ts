// The package's main entry point (`taproot-hw`): what integrators import.

export * from './bitcoin-app/index.ts';
export type { SignPsbtYield, PartialSignatureYield, MusigPubNonceYield, MusigPartialSignatureYield, AppAndVersion } from '../apdu/bitcoin-app/index.ts';
export { walletPolicy, walletPolicyId, serializeWalletPolicy, type WalletPolicy } from '../bitcoin/wallet-policy.ts';
