// The Ledger Bitcoin app's wire format: one spec per command, the wallet policy header, SIGN_PSBT
// yields and the 2.4.x error codes.

export * from './spec.ts';
export * from '../app-and-version.ts';
export * from './get-master-fingerprint.ts';
export * from './get-extended-pubkey.ts';
export * from './register-wallet.ts';
export * from './get-wallet-address.ts';
export * from './sign-psbt.ts';
export * from './sign-message.ts';
export * from '../yields.ts';
export * from './wallet-header.ts';
export * from './error-codes.ts';
export * from './app.ts';
