// Persistent MuSig2 sessions (src/musig/musig_sessions.c): 8 slots of `id[32] || rand_root[32]`
// in the app's NVRAM. Round 1 stores the session only when SIGN_PSBT succeeds; round 2 removes it
// before producing any partial signature, so a secret nonce can never be used twice.

import { sha256 } from '@noble/hashes/sha2.js';
import { concat, equal, u32be } from '../../../apdu/bytes.ts';

export const MAX_MUSIG_SESSIONS = 8;
const slotKey = (i: number): string => `bitcoin.musig.session.${i}`;

export interface MusigSession {
  id: Uint8Array;
  randRoot: Uint8Array;
}

type Nvram = Map<string, Uint8Array>;

function slot(nvram: Nvram, i: number): MusigSession | undefined {
  const raw = nvram.get(slotKey(i));
  if (!raw || raw.every((b) => b === 0)) return undefined;
  return { id: raw.slice(0, 32), randRoot: raw.slice(32, 64) };
}

/** musigsession_pop: finds the session, wipes its slot, returns it. */
export function popSession(nvram: Nvram, id: Uint8Array): MusigSession | undefined {
  for (let i = 0; i < MAX_MUSIG_SESSIONS; i++) {
    const s = slot(nvram, i);
    if (s && equal(s.id, id)) {
      nvram.set(slotKey(i), new Uint8Array(64));
      return s;
    }
  }
  return undefined;
}

/** musigsession_store: replaces a session with the same id, else the first free slot, else slot 0. */
export function storeSession(nvram: Nvram, session: MusigSession): void {
  popSession(nvram, session.id);
  let i = 0;
  while (i < MAX_MUSIG_SESSIONS && slot(nvram, i)) i++;
  if (i >= MAX_MUSIG_SESSIONS) i = 0;
  nvram.set(slotKey(i), concat(session.id, session.randRoot));
}

/** compute_rand_i_j: per-input, per-key-expression nonce randomness. */
export function randIJ(session: MusigSession, input: number, keyExpr: number): Uint8Array {
  return sha256(concat(session.randRoot, u32be(input), u32be(keyExpr)));
}

/** The in-RAM state of one SIGN_PSBT command (musig_signing_state_t). */
export class MusigSigningState {
  round1?: MusigSession;
  round2?: MusigSession;

  /** musigsession_round1_initialize: drops a stored session with this id, draws rand_root once. */
  round1Init(nvram: Nvram, id: Uint8Array, random: (n: number) => Uint8Array): MusigSession {
    popSession(nvram, id);
    if (!this.round1 || !equal(this.round1.id, id)) this.round1 = { id, randRoot: random(32) };
    return this.round1;
  }

  /** musigsession_round2_initialize: takes the stored session out of NVRAM. */
  round2Init(nvram: Nvram, id: Uint8Array): MusigSession | undefined {
    if (!this.round2 || !equal(this.round2.id, id)) {
      const s = popSession(nvram, id);
      if (!s) return undefined;
      this.round2 = s;
    }
    return this.round2;
  }

  /** musigsession_commit: persist the round-1 session, if any. */
  commit(nvram: Nvram): void {
    if (this.round1) storeSession(nvram, this.round1);
  }
}
