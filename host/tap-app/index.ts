// The Taproot Assets app client.

export * from './client.ts';
export * from './errors.ts';
