// tapd interop: group keys held by a hardware signer (docs/taproot-assets.md §3, §5).

export * from './group-key.ts';
export * from './group-psbt.ts';
export * from './policy.ts';
export * from './policy-store.ts';
export * from './sign.ts';
export * from './fund-response.ts';
