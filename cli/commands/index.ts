// Every CLI command, in the order `taproot-hw --help` lists them. A command's module is loaded only
// when it runs (or prints its own --help), so `--help` and each command pay only for what they use.

import type { Command } from '../command.ts';

export interface CommandEntry {
  name: string;
  /** One line for `taproot-hw --help`. */
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'Start the emulator with its web page and run a short session against it over the Speculos TCP port',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    name: 'emulator',
    summary: 'Run the emulated device behind Speculos-compatible servers (REST + web page, APDU, button, automation ports)',
    load: async () => (await import('./emulator.ts')).emulatorCommand,
  },
  {
    name: 'devices',
    summary: 'list the Ledger devices attached over USB: model, path, the app that answers (or locked)',
    load: async () => (await import('./devices.ts')).devicesCommand,
  },
  {
    name: 'fingerprint',
    summary: 'print the master key fingerprint (Bitcoin app)',
    load: async () => (await import('./fingerprint.ts')).fingerprint,
  },
  {
    name: 'xpub',
    summary: 'print the extended public key at a BIP-32 path (Bitcoin app)',
    load: async () => (await import('./xpub.ts')).xpub,
  },
  {
    name: 'register',
    summary: 'register a wallet policy on the device and print its id, HMAC and first address',
    load: async () => (await import('./register.ts')).register,
  },
  {
    name: 'address',
    summary: 'print (and optionally show on the device) an address of a wallet policy',
    load: async () => (await import('./address.ts')).address,
  },
  {
    name: 'sign-psbt',
    summary: 'sign a PSBT with a wallet policy (signatures, or MuSig2 nonces / partial signatures)',
    load: async () => (await import('./sign-psbt.ts')).signPsbt,
  },
  {
    name: 'sign-message',
    summary: 'sign a message with the key at a path (BIP-137, base64)',
    load: async () => (await import('./sign-message.ts')).signMessage,
  },
  {
    name: 'tap-key',
    summary: 'print the public key, xpub and master fingerprint at a path (Taproot Assets app)',
    load: async () => (await import('./tap-key.ts')).tapKey,
  },
  {
    name: 'musig2',
    summary: 'MuSig2 with on-device nonces: nonce, sign, or a whole session over several signers',
    load: async () => (await import('./musig2.ts')).musig2,
  },
  {
    name: 'cosign',
    summary: 'one party of a MuSig2 session through a coordinator: start, join, sign',
    load: async () => (await import('./cosign.ts')).cosign,
  },
  {
    name: 'coordinator',
    summary: 'run the cosigning coordinator: routes end-to-end encrypted messages between parties',
    load: async () => (await import('./coordinator.ts')).coordinatorCommand,
  },
  {
    name: 'show-vpsbt',
    summary: 'show a vPSBT the way the Taproot Assets app reviews it',
    load: async () => (await import('./show-vpsbt.ts')).showVpsbt,
  },
  {
    name: 'sign-vpsbt',
    summary: 'review and sign a Taproot Assets virtual PSBT (Taproot Assets app)',
    load: async () => (await import('./sign-vpsbt.ts')).signVpsbtCommand,
  },
  {
    name: 'tapd',
    summary: 'tapd minting with the group key on the device: group-key (tapcli mint flags), sign-group-psbt (group witness)',
    load: async () => (await import('./tapd.ts')).tapd,
  },
];
