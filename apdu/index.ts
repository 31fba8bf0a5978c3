// The `taproot-hw/apdu` entry point: bytes on the wire, no I/O.

export * from './bytes.ts';
export * from './errors.ts';
export * from './apdu.ts';
export * from './status.ts';
export * from './path.ts';
export * from './merkle.ts';
export * from './interrupt.ts';
export * as bitcoinApp from './bitcoin-app/index.ts';
export * as tapApp from './tap-app/index.ts';
