// The Taproot Assets app's wire format (docs/tap-app-protocol.md): one spec per command, the
// status-word table, the MuSig2 key-aggregation context and the SIGN_VPSBT yields.

export * from './spec.ts';
export * from './status.ts';
export * from './get-app-info.ts';
export * from './get-master-fingerprint.ts';
export * from './get-key.ts';
export * from './keyagg.ts';
export * from './musig.ts';
export * from './sign-group-genesis.ts';
export * from './frost-data.ts';
export * from './frost.ts';
