// Speculos `--deterministic-rng N` as a whole stream, not only the bytes the app asks for.
//
// Speculos answers every randomness request from one generator: the app's cx_rng / cx_bn_rng
// syscalls and OpenSSL's RAND (Speculos installs a RAND_METHOD whose bytes() is its sys_cx_rng),
// each byte being `rand() & 0xff` after srand(N). OpenSSL, which Speculos uses to emulate the
// secure element's EC coprocessor, consumes that stream too, so the position at which the app's
// own draw lands depends on every curve operation done since power-on. The rules below were read
// from Speculos (src/bolos/cx.c, cx_ecpoint.c, cx_ec.c, os_bip32.c, environment.c) and OpenSSL
// 1.1.1 (the version statically linked into Speculos 0.27.1's launcher), and checked by counting
// the launcher's rand() calls per APDU on every corpus flow (test/vectors/speculos-rng):
//
// - Every secp256k1 scalar multiplication (cx_ecpoint_scalarmul, cx_ecpoint_rnd_scalarmul,
//   cx_ecpoint_rnd_fixed_scalarmul, cx_ecfp_generate_pair, the OS's own derivations) is OpenSSL's
//   EC_POINT_mul, i.e. the Montgomery ladder of ec_mult.c, whose ladder_pre (ecp_smpl.c) blinds
//   two projective coordinates with BN_priv_rand_range(p): two field elements, each 32 bytes,
//   drawn again while >= p or zero. Point additions, decompression and hashing draw nothing.
// - The OS's BIP-32 private derivation (hdw_bip32) computes the parent public key for every
//   unhardened step: one scalar multiplication each. os_perso_get_master_key_identifier computes
//   the master public key: one. SLIP-21 derivation draws nothing.
// - cx_bn_rng(r, n) is BN_rand_range(n) repeated while zero: 32 bytes per try, redrawn while >= n.
// - At power-on the launcher builds its two endorsement certificates: for each, the user key's
//   public key and an ECDSA signature with an RFC 6979 nonce (k·G): four multiplications.
// - What the app asks for decides how many multiplications there are: within one SIGN_PSBT it
//   derives each key expression's /<change> child once (sign_psbt_cache_t, FirstStepCache in
//   apps/bitcoin/policy/script.ts), which taptree policies hit on every leaf, input and change
//   output (measured per answer in test/vectors/speculos-taptree).

import type { CryptoOperation } from './app.ts';
import { GlibcRand } from './rng.ts';

const HARDENED = 0x80000000;
const SECP256K1_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Scalar multiplications the launcher performs before the app runs (environment.c). */
const BOOT_POINT_MULS = 4;

export class SpeculosRandom {
  private readonly rand: GlibcRand;
  private calls = 0;

  constructor(seed: number) {
    this.rand = new GlibcRand(seed);
    for (let k = 0; k < BOOT_POINT_MULS; k++) this.pointMul();
  }

  /** rand() calls so far: the stream position, in bytes. */
  get position(): number {
    return this.calls;
  }

  /** The next `length` bytes, as sys_cx_rng hands them out. */
  bytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`random: expected a length >= 0, got ${length}`);
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) out[k] = this.next();
    return out;
  }

  /** Accounts for what one crypto operation of the emulated secure element draws from the stream. */
  charge(operation: CryptoOperation): void {
    if (operation === 'point-mul' || operation === 'master-key-id') this.pointMul();
    else if (operation === 'scalar-rng') this.below(SECP256K1_N);
    else for (const step of operation.derive) if (step < HARDENED) this.pointMul();
  }

  private next(): number {
    this.calls++;
    return this.rand.next() & 0xff;
  }

  /** The two coordinate blindings of one OpenSSL ladder. */
  private pointMul(): void {
    this.below(SECP256K1_P);
    this.below(SECP256K1_P);
  }

  /** A big-endian 32-byte value in ]0, bound[, redrawn as bnrand_range and the zero checks do. */
  private below(bound: bigint): void {
    for (;;) {
      let v = 0n;
      for (let k = 0; k < 32; k++) v = (v << 8n) | BigInt(this.next());
      if (v !== 0n && v < bound) return;
    }
  }
}
