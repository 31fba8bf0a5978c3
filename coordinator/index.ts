// The cosigning coordinator (`taproot-hw/coordinator`): the `Coordinator` service, which routes
// end-to-end encrypted messages between the parties of a session, and the `CosignParty` client,
// which drives one party's signer through the key exchange and MuSig2 spends (docs/coordinator.md).

export * from './wire.ts';
export * from './errors.ts';
export { Coordinator, type CoordinatorOptions } from './server.ts';
export { hpkeKeyPair, type HpkeKeyPair } from './envelope.ts';
export { decodeInvite, encodeInvite, type Invite } from './invite.ts';
export { loadOrCreateKey } from './key-file.ts';
export { openStore, type SqlStore } from './store/sql.ts';
export { CoordinatorClient } from './party/client.ts';
export { BitcoinAppCosigner, SoftwareCosigner, TapAppCosigner, type Cosigner, type FrostCosigner, type MusigInput, type Registration } from './party/cosigners.ts';
export { defaultHome, PartyHome, type PartyState } from './party/home.ts';
export { CosignParty, spendOf, type CosignOptions, type PolicyResult, type SessionScheme, type SignResult } from './party/party.ts';
export { frostKeyGen, frostSign, frostSpendOf, type FrostKeySetResult } from './party/frost.ts';
