// MuSig2 orchestration over devices and software keys, and the spending side of the multisig shapes.

export * from './signer.ts';
export * from './session.ts';
export * from './software-signer.ts';
export * from './tap-app-signer.ts';
export * from './bitcoin-app-signer.ts';
export * from './shape-spend.ts';
export * from './tap-vpsbt-signer.ts';
