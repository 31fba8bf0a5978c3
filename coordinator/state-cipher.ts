// The coordinator's "encrypted state" (docs/coordinator.md §4): what it keeps about a session is
// sealed with XChaCha20-Poly1305 under a key derived (HKDF-SHA256) from its own secret key, each
// value bound to where it is stored (table, session, row) as associated data, so a value moved to
// another row does not open. A copy of the database without the key file reveals nothing sealed.
// Party credentials are derived the same way, so a join retried after a lost reply gets the same one.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from '../apdu/bytes.ts';

const NONCE = 24;

export class StateCipher {
  readonly #sealKey: Uint8Array;
  readonly #credentialKey: Uint8Array;

  constructor(coordinatorSecret: Uint8Array) {
    this.#sealKey = hkdf(sha256, coordinatorSecret, undefined, utf8.encode('taproot-hw coordinator state v1'), 32);
    this.#credentialKey = hkdf(sha256, coordinatorSecret, undefined, utf8.encode('taproot-hw coordinator credential v1'), 32);
  }

  seal(where: string, plaintext: Uint8Array): Uint8Array {
    const nonce = randomBytes(NONCE);
    return concat(nonce, xchacha20poly1305(this.#sealKey, nonce, utf8.encode(where)).encrypt(plaintext));
  }

  open(where: string, sealed: Uint8Array): Uint8Array {
    return xchacha20poly1305(this.#sealKey, sealed.subarray(0, NONCE), utf8.encode(where)).decrypt(sealed.subarray(NONCE));
  }

  sealJson(where: string, value: unknown): Uint8Array {
    return this.seal(where, utf8.encode(JSON.stringify(value)));
  }

  openJson<T>(where: string, sealed: Uint8Array): T {
    return JSON.parse(utf8.decode(this.open(where, sealed))) as T;
  }

  /** The bearer credential of `party` in `session` holding `partyKey`: reproducible, unguessable. */
  credential(session: string, party: number, partyKey: Uint8Array): Uint8Array {
    return hmac(sha256, this.#credentialKey, concat(utf8.encode(`${session}/${party}/`), partyKey));
  }
}
