// FROST threshold keys and signatures (docs/frost.md): the orchestrator, and participants on a
// device (the Taproot Assets app) or in software.

export * from './errors.ts';
export * from './participant.ts';
export * from './device.ts';
export * from './software.ts';
export * from './session.ts';
export * from './vpsbt.ts';
export * from './group-genesis.ts';
