// The Ledger Bitcoin app client.

export * from './client.ts';
export * from './errors.ts';
export * from './psbt-results.ts';
export * from './verify-results.ts';
