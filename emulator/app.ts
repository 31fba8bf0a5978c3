// The contract between the emulated device and the apps it runs. An app sees the device the way
// a Ledger app sees BOLOS: APDUs in and out, a seed it can derive from but never export, a random
// source, persistent storage, and a screen on which it can ask the person to approve something.

import type { HDKey } from '@scure/bip32';
import type { CommandApdu } from '../apdu/apdu.ts';
import type { DeviceModel } from '../devices/models.ts';
import type { ReviewFlow, StreamingReviewStep, WarningPage } from './ui/review.ts';

export interface AppContext {
  readonly model: DeviceModel;
  /** 'nano' for button devices, 'touch' for Stax / Flex / Apex P: apps pick their wording by it. */
  readonly family: 'nano' | 'touch';
  /** BIP-32 master key of the device seed. Apps use it inside the device only. */
  readonly master: HDKey;
  /** The BIP-39 seed bytes (64), for SLIP-21 and similar derivations. */
  readonly seed: Uint8Array;
  /** Device randomness: crypto-secure, or Speculos-compatible deterministic when configured. */
  random(length: number): Uint8Array;
  /**
   * Tells the device about a crypto operation the real secure element performs at this point, so a
   * device emulating Speculos's deterministic randomness can draw what Speculos's emulated crypto
   * draws from the same stream (emulator/speculos-rng.ts). A no-op otherwise. Apps call it where
   * the real app calls the matching syscall, whatever their own implementation computes.
   */
  rngCharge?(operation: CryptoOperation): void;
  /** Per-app storage that survives quitting the app (NVRAM); gone when the emulator restarts unless persisted. */
  readonly nvram: Map<string, Uint8Array>;
  readonly settings: DeviceSettings;
  /** Shows the review and resolves true when approved, false when rejected. */
  review(flow: ReviewFlow): Promise<boolean>;
  /**
   * One step of a streaming review (NBGL ReviewStreamingStart / Continue / Finish): resolves when the
   * person passed its last page (true) or rejected (false); `finish` true is approval. The app
   * reads more data only after a step resolved, as the SDK has no page queue.
   */
  reviewStreaming(step: StreamingReviewStep): Promise<boolean>;
  /** Shows a warning page first; resolves true to continue, false to reject. */
  warn(page: WarningPage): Promise<boolean>;
  /** Shows a short status screen ("Transaction signed") that goes away by itself. */
  status(text: string): void;
  /** Shows a "Processing…" style screen while the app works without user input. */
  busy(text?: string): void;
  /**
   * Told about an internal fault: an exception that is none of the app's status-word errors, which
   * the dispatcher still ends with a status word. A bug, never an answer to bad input: the fuzzers
   * (test/fuzz) count these as crashes.
   */
  fault?(error: unknown): void;
}

/**
 * Secure-element operations that consume device randomness behind the app's back on Speculos:
 * 'point-mul' one secp256k1 scalar multiplication (cx_ecfp_generate_pair, cx_ecfp_scalar_mult,
 * cx_ecpoint_*scalarmul); 'master-key-id' os_perso_get_master_key_identifier; 'scalar-rng' a
 * cx_bn_rng modulo the curve order that the app does not see (ECDSA inversion blinding);
 * `{ derive }` the OS's BIP-32 private derivation along that path (os_derive_bip32*).
 */
export type CryptoOperation = 'point-mul' | 'master-key-id' | 'scalar-rng' | { readonly derive: readonly number[] };

export interface DeviceSettings {
  /** Taproot Assets app: allow MuSig2 signing of messages the device did not derive itself. */
  blindSigning: boolean;
}

/**
 * One command in progress. `respond` sends a response (data || SW) and waits for the host's next
 * APDU without ending the command: the Bitcoin app's client commands (SW E000, then F8 01 CONTINUE)
 * are built on it. It rejects with AppCommandAborted if the device resets or the host disconnects.
 */
export interface CommandIO {
  respond(response: Uint8Array): Promise<CommandApdu>;
}

/** What an app's idle (home) screen shows, as the Ledger SDK's nbgl_useCaseHomeAndSettings draws it. */
export interface AppHome {
  /** e.g. "Bitcoin Testnet" (the real testnet app's home title differs from its name "Bitcoin Test"). */
  title: string;
  /** Touch devices only: the line under the title; `\n` breaks lines as the app's string does. */
  tagline: string;
}

export interface DeviceApp {
  readonly name: string;
  readonly version: string;
  /** Home screen texts; default: the app name and the SDK's default tagline. */
  readonly home?: AppHome;
  /** Flags byte(s) of GET_APP_AND_VERSION. */
  readonly flags: Uint8Array;
  /**
   * Handles one command APDU and returns the final response (data || SW). Must not throw for bad
   * input: every failure is a status word. Data the app returns never contains secrets.
   */
  handle(command: CommandApdu, io: CommandIO, ctx: AppContext): Promise<Uint8Array>;
  /** Called when the app is closed (quit, reset): wipe RAM secrets. */
  close?(): void;
}

export type AppFactory = () => DeviceApp;

export class AppCommandAborted extends Error {
  override readonly name = 'AppCommandAborted';
}
