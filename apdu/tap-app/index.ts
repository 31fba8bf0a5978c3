// The Taproot Assets app's wire format (docs/tap-app-protocol.md): the app's description, one spec
// per command, the status-word table and the MuSig2 key-aggregation context.

export * from './app.ts';
export * from './spec.ts';
export * from './status.ts';
export * from './get-app-info.ts';
export * from './get-master-fingerprint.ts';
export * from './get-key.ts';
export * from './keyagg.ts';
export * from './musig.ts';
export * from './sign-vpsbt.ts';
export * from './sign-group-genesis.ts';
export * from './frost-data.ts';
export * from './frost.ts';
