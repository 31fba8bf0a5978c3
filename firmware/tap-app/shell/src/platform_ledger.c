/* platform.h on a Ledger device: the SDK's cx_ functions for hashing, curve and scalar arithmetic,
 * BIP-340 signing and randomness, os_derive_bip32 for keys, NVRAM for the persistent slots. */
#include <string.h>

#include "os.h"
#include "cx.h"
#include "platform.h"

static const uint8_t PRIME[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f};
/* Names of constants never start with N: the SDK's linker script sends sections .rodata.N* to NVRAM.
 * (p + 1) / 4: p = 3 mod 4, so a square root of a is a^((p+1)/4). */
static const uint8_t SQRT_EXP[32] = {0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbf, 0xff, 0xff, 0x0c};
static const uint8_t ORDER[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                              0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t GENERATOR[65] = {0x04, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07,
                              0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98,
                              0x48, 0x3a, 0xda, 0x77, 0x26, 0xa3, 0xc4, 0x65, 0x5d, 0xa4, 0xfb, 0xfc, 0x0e, 0x11, 0x08, 0xa8,
                              0xfd, 0x17, 0xb4, 0x48, 0xa6, 0x85, 0x54, 0x19, 0x9c, 0x47, 0xd0, 0x8f, 0xfb, 0x10, 0xd4, 0xb8};

void tap_sha256_init(tap_sha256_ctx *ctx) {
    cx_sha256_init_no_throw(ctx);
}

void tap_sha256_update(tap_sha256_ctx *ctx, const uint8_t *data, size_t len) {
    if (cx_hash_no_throw(&ctx->header, 0, data, len, NULL, 0) != CX_OK) os_sched_exit(-1);
}

void tap_sha256_final(tap_sha256_ctx *ctx, uint8_t out[32]) {
    if (cx_hash_no_throw(&ctx->header, CX_LAST, NULL, 0, out, 32) != CX_OK) os_sched_exit(-1);
}

void tap_ripemd160(uint8_t out[20], const uint8_t *data, size_t len) {
    if (cx_ripemd160_hash(data, len, out) != CX_OK) os_sched_exit(-1);
}

void tap_hmac_sha512(uint8_t out[64], const uint8_t *key, size_t key_len, const uint8_t *data, size_t len) {
    if (cx_hmac_sha512(key, key_len, data, len, out, 64) != 64) os_sched_exit(-1);
}

bool tap_master_key_identifier(uint8_t out[20]) {
    return os_perso_get_master_key_identifier(out, 20) == CX_OK;
}

static bool below(const uint8_t a[32], const uint8_t m[32]) {
    int diff = 0;
    return cx_math_cmp_no_throw(a, m, 32, &diff) == CX_OK && diff < 0;
}

static bool is_zero(const uint8_t *a, size_t n) {
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++) d |= a[i];
    return d == 0;
}

/* The SDK has no point decompression: y = (x^3 + 7)^((p+1)/4), checked by squaring. */
bool tap_point_from_compressed(tap_point *out, const uint8_t in[33]) {
    uint8_t x3[32], y[32], y2[32];
    static const uint8_t SEVEN[32] = {[31] = 7};
    if ((in[0] != 0x02 && in[0] != 0x03) || !below(in + 1, PRIME)) return false;
    if (cx_math_multm_no_throw(x3, in + 1, in + 1, PRIME, 32) != CX_OK || cx_math_multm_no_throw(x3, x3, in + 1, PRIME, 32) != CX_OK ||
        cx_math_addm_no_throw(x3, x3, SEVEN, PRIME, 32) != CX_OK || cx_math_powm_no_throw(y, x3, SQRT_EXP, 32, PRIME, 32) != CX_OK ||
        cx_math_multm_no_throw(y2, y, y, PRIME, 32) != CX_OK || memcmp(y2, x3, 32) != 0)
        return false;
    if ((y[31] & 1) != (in[0] & 1) && cx_math_sub_no_throw(y, PRIME, y, 32) != CX_OK) return false;
    out->v[0] = 0x04;
    memcpy(out->v + 1, in + 1, 32);
    memcpy(out->v + 33, y, 32);
    return true;
}

bool tap_point_mul(tap_point *out, const tap_point *p, const uint8_t k[32]) {
    if (!below(k, ORDER)) return false;
    if (is_zero(k, 32) || p->v[0] == 0) {
        memset(out->v, 0, sizeof out->v);
        return true;
    }
    tap_point r = *p;
    if (cx_ecfp_scalar_mult_no_throw(CX_CURVE_SECP256K1, r.v, k, 32) != CX_OK) return false;
    *out = r;
    return true;
}

bool tap_point_mul_base(tap_point *out, const uint8_t k[32]) {
    tap_point g;
    memcpy(g.v, GENERATOR, sizeof GENERATOR);
    return tap_point_mul(out, &g, k);
}

bool tap_point_add(tap_point *out, const tap_point *a, const tap_point *b) {
    if (a->v[0] == 0) {
        *out = *b;
        return true;
    }
    if (b->v[0] == 0) {
        *out = *a;
        return true;
    }
    tap_point r;
    cx_err_t err = cx_ecfp_add_point_no_throw(CX_CURVE_SECP256K1, r.v, a->v, b->v);
    /* MuSig2 nonces may sum to infinity, which the SDK reports as an error. */
    if (err == CX_EC_INFINITE_POINT) {
        memset(out->v, 0, sizeof out->v);
        return true;
    }
    if (err != CX_OK) return false;
    *out = r;
    return true;
}

void tap_scalar_reduce(uint8_t out[32], const uint8_t in[32]) {
    memcpy(out, in, 32);
    if (cx_math_modm_no_throw(out, 32, ORDER, 32) != CX_OK) os_sched_exit(-1);
}

void tap_scalar_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    if (cx_math_addm_no_throw(out, a, b, ORDER, 32) != CX_OK) os_sched_exit(-1);
}

void tap_scalar_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    if (cx_math_multm_no_throw(out, a, b, ORDER, 32) != CX_OK) os_sched_exit(-1);
}

bool tap_bip340_sign(uint8_t sig[64], const uint8_t sk[32], const uint8_t msg[32]) {
    cx_ecfp_private_key_t key;
    uint8_t out[64];
    size_t len = sizeof out;
    bool ok = cx_ecfp_init_private_key_no_throw(CX_CURVE_SECP256K1, sk, 32, &key) == CX_OK &&
              cx_ecschnorr_sign_no_throw(&key, CX_ECSCHNORR_BIP0340 | CX_RND_TRNG, CX_SHA256, msg, 32, out, &len) == CX_OK && len == 64;
    explicit_bzero(&key, sizeof key);
    if (ok) memcpy(sig, out, 64);
    return ok;
}

void tap_random(uint8_t *out, size_t n) {
    cx_rng_no_throw(out, n);
}

bool tap_derive_private(uint8_t sk[32], uint8_t *chain_code, const uint32_t *path, size_t len) {
    uint8_t raw[64];
    if (len > 10) return false;
    bool ok = os_derive_bip32_no_throw(CX_CURVE_SECP256K1, path, len, raw, chain_code) == CX_OK;
    if (ok) memcpy(sk, raw, 32);
    explicit_bzero(raw, sizeof raw);
    return ok;
}

/* NVRAM: the persistent slots and the blind-signing setting (ui.c). */
typedef struct {
    uint8_t slots[TAP_SLOT_COUNT][TAP_SLOT_SIZE];
    uint8_t blind_signing;
} tap_nvram;

const tap_nvram N_tap_real;
#define N_tap (*(volatile tap_nvram *)PIC(&N_tap_real))

void tap_slot_read(size_t index, uint8_t out[TAP_SLOT_SIZE]) {
    if (index >= TAP_SLOT_COUNT) os_sched_exit(-1);
    memcpy(out, (const uint8_t *)N_tap.slots[index], TAP_SLOT_SIZE);
}

void tap_slot_write(size_t index, const uint8_t in[TAP_SLOT_SIZE]) {
    if (index >= TAP_SLOT_COUNT) os_sched_exit(-1);
    nvm_write((void *)N_tap.slots[index], (void *)in, TAP_SLOT_SIZE);
}

bool tap_setting_blind_signing(void) {
    return N_tap.blind_signing == 1;
}

void tap_setting_set_blind_signing(bool on) {
    uint8_t v = on ? 1 : 0;
    nvm_write((void *)&N_tap.blind_signing, &v, 1);
}
