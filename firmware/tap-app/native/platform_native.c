/* platform.h on a development machine: OpenSSL for SHA-256, curve points, scalars, HMAC-SHA512
 * and randomness; libsecp256k1 for BIP-340 signing. Allocation and library state live here, never
 * in the core. Aborts on a library failure that has no meaning for the caller (out of memory). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "platform.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_native.h"
#include "tap_hash.h"

static EC_GROUP *group;
static BN_CTX *bn;
static BIGNUM *order;

static void die(const char *what) {
    fprintf(stderr, "native platform: %s failed\n", what);
    abort();
}

static void init(void) {
    if (group) return;
    group = EC_GROUP_new_by_curve_name(NID_secp256k1);
    bn = BN_CTX_new();
    order = BN_new();
    if (!group || !bn || !order || !EC_GROUP_get_order(group, order, bn)) die("OpenSSL secp256k1 set-up");
}

void tap_sha256_init(tap_sha256_ctx *ctx) {
    SHA256_Init(ctx);
}
void tap_sha256_update(tap_sha256_ctx *ctx, const uint8_t *data, size_t len) {
    SHA256_Update(ctx, data, len);
}
void tap_sha256_final(tap_sha256_ctx *ctx, uint8_t out[32]) {
    SHA256_Final(out, ctx);
}

static EC_POINT *to_ec(const tap_point *p) {
    EC_POINT *e = EC_POINT_new(group);
    if (!e) die("EC_POINT_new");
    if (p->v[0] == 0) {
        EC_POINT_set_to_infinity(group, e);
    } else if (!EC_POINT_oct2point(group, e, p->v, 65, bn)) {
        die("EC_POINT_oct2point of a point the core holds");
    }
    return e;
}

static void from_ec(tap_point *out, const EC_POINT *e) {
    memset(out->v, 0, sizeof out->v);
    if (EC_POINT_is_at_infinity(group, e)) return;
    if (EC_POINT_point2oct(group, e, POINT_CONVERSION_UNCOMPRESSED, out->v, 65, bn) != 65) die("EC_POINT_point2oct");
}

static BIGNUM *scalar(const uint8_t k[32]) {
    BIGNUM *b = BN_bin2bn(k, 32, NULL);
    if (!b) die("BN_bin2bn");
    return b;
}

static void put_scalar(uint8_t out[32], const BIGNUM *b) {
    if (BN_bn2binpad(b, out, 32) != 32) die("BN_bn2binpad");
}

bool tap_point_from_compressed(tap_point *out, const uint8_t in[33]) {
    init();
    if (in[0] != 0x02 && in[0] != 0x03) return false;
    EC_POINT *e = EC_POINT_new(group);
    if (!e) die("EC_POINT_new");
    bool ok = EC_POINT_oct2point(group, e, in, 33, bn) == 1;
    if (ok) from_ec(out, e);
    ERR_clear_error();
    EC_POINT_free(e);
    return ok;
}

static bool mul(tap_point *out, const tap_point *p, const uint8_t k[32]) {
    init();
    BIGNUM *b = scalar(k);
    bool ok = BN_cmp(b, order) < 0;
    if (ok) {
        EC_POINT *r = EC_POINT_new(group);
        EC_POINT *e = p ? to_ec(p) : NULL;
        if (!r || !EC_POINT_mul(group, r, p ? NULL : b, e, p ? b : NULL, bn)) die("EC_POINT_mul");
        from_ec(out, r);
        EC_POINT_free(r);
        EC_POINT_free(e);
    }
    BN_free(b);
    return ok;
}

bool tap_point_mul_base(tap_point *out, const uint8_t k[32]) {
    return mul(out, NULL, k);
}

bool tap_point_mul(tap_point *out, const tap_point *p, const uint8_t k[32]) {
    return mul(out, p, k);
}

bool tap_point_add(tap_point *out, const tap_point *a, const tap_point *b) {
    init();
    EC_POINT *ea = to_ec(a), *eb = to_ec(b), *r = EC_POINT_new(group);
    if (!r || !EC_POINT_add(group, r, ea, eb, bn)) die("EC_POINT_add");
    from_ec(out, r);
    EC_POINT_free(ea);
    EC_POINT_free(eb);
    EC_POINT_free(r);
    return true;
}

static void scalar_op(uint8_t out[32], const uint8_t a[32], const uint8_t *b, int op) {
    init();
    BIGNUM *x = scalar(a), *y = b ? scalar(b) : NULL, *r = BN_new();
    if (!r) die("BN_new");
    int ok = op == 0 ? BN_nnmod(r, x, order, bn) : op == 1 ? BN_mod_add(r, x, y, order, bn) : BN_mod_mul(r, x, y, order, bn);
    if (!ok) die("BN modular arithmetic");
    put_scalar(out, r);
    BN_free(x);
    BN_free(y);
    BN_free(r);
}

void tap_scalar_reduce(uint8_t out[32], const uint8_t in[32]) {
    scalar_op(out, in, NULL, 0);
}
void tap_scalar_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    scalar_op(out, a, b, 1);
}
void tap_scalar_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    scalar_op(out, a, b, 2);
}

static uint8_t queued[256];
static size_t queued_len, queued_at;

void tap_native_queue_random(const uint8_t *bytes, size_t n) {
    if (queued_len - queued_at + n > sizeof queued) die("tap_native_queue_random length");
    memmove(queued, queued + queued_at, queued_len - queued_at);
    queued_len -= queued_at;
    queued_at = 0;
    memcpy(queued + queued_len, bytes, n);
    queued_len += n;
}

void tap_random(uint8_t *out, size_t n) {
    if (queued_at < queued_len) {
        if (queued_len - queued_at < n) die("tap_random: fewer queued bytes than asked for");
        memcpy(out, queued + queued_at, n);
        queued_at += n;
        return;
    }
    if (RAND_bytes(out, (int)n) != 1) die("RAND_bytes");
}

bool tap_bip340_sign(uint8_t sig[64], const uint8_t sk[32], const uint8_t msg[32]) {
    static secp256k1_context *ctx;
    if (!ctx) ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_keypair kp;
    if (!secp256k1_keypair_create(ctx, &kp, sk)) return false;
    uint8_t aux[32];
    tap_random(aux, sizeof aux);
    bool ok = secp256k1_schnorrsig_sign32(ctx, sig, msg, &kp, aux) == 1;
    memset(&kp, 0, sizeof kp);
    return ok;
}

static uint8_t seed[64];
static size_t seed_len;

void tap_native_set_seed(const uint8_t *s, size_t len) {
    if (len < 16 || len > sizeof seed) die("tap_native_set_seed length");
    memcpy(seed, s, len);
    seed_len = len;
}

/* 0 < k < n */
static bool valid_secret(const uint8_t k[32]) {
    BIGNUM *m = scalar(k);
    bool ok = !BN_is_zero(m) && BN_cmp(m, order) < 0;
    BN_free(m);
    return ok;
}

/* BIP-32 CKDpriv from the master key of `seed`. */
bool tap_derive_private(uint8_t sk[32], uint8_t *chain_code, const uint32_t *path, size_t len) {
    init();
    if (seed_len == 0 || len > 10) return false;
    uint8_t i64[64], k[32], cc[32], data[37];
    unsigned int out_len = 0;
    if (!HMAC(EVP_sha512(), "Bitcoin seed", 12, seed, seed_len, i64, &out_len)) die("HMAC");
    memcpy(k, i64, 32);
    memcpy(cc, i64 + 32, 32);
    if (!valid_secret(k)) return false;
    for (size_t d = 0; d < len; d++) {
        if (path[d] & 0x80000000u) {
            data[0] = 0;
            memcpy(data + 1, k, 32);
        } else {
            tap_point pub;
            if (!tap_point_mul_base(&pub, k)) return false;
            data[0] = (pub.v[64] & 1) ? 0x03 : 0x02;
            memcpy(data + 1, pub.v + 1, 32);
        }
        for (int b = 0; b < 4; b++) data[33 + b] = (uint8_t)(path[d] >> (24 - 8 * b));
        if (!HMAC(EVP_sha512(), cc, 32, data, sizeof data, i64, &out_len)) die("HMAC");
        BIGNUM *il = scalar(i64), *kb = scalar(k), *r = BN_new();
        bool ok = r && BN_cmp(il, order) < 0 && BN_mod_add(r, il, kb, order, bn) && !BN_is_zero(r);
        if (ok) put_scalar(k, r);
        BN_free(il);
        BN_free(kb);
        BN_free(r);
        if (!ok) return false; /* BIP-32: such an index is invalid */
        memcpy(cc, i64 + 32, 32);
    }
    memcpy(sk, k, 32);
    if (chain_code) memcpy(chain_code, cc, 32);
    memset(k, 0, sizeof k);
    memset(i64, 0, sizeof i64);
    return true;
}

void tap_ripemd160(uint8_t out[20], const uint8_t *data, size_t len) {
    unsigned int n = 0;
    if (!EVP_Digest(data, len, out, &n, EVP_ripemd160(), NULL) || n != 20) die("RIPEMD-160");
}

void tap_hmac_sha512(uint8_t out[64], const uint8_t *key, size_t key_len, const uint8_t *data, size_t len) {
    unsigned int n = 0;
    if (!HMAC(EVP_sha512(), key, (int)key_len, data, len, out, &n) || n != 64) die("HMAC-SHA512");
}

bool tap_master_key_identifier(uint8_t out[20]) {
    uint8_t sk[32], pub[33], h[32];
    tap_point p;
    bool ok = tap_derive_private(sk, NULL, NULL, 0) && tap_point_mul_base(&p, sk);
    memset(sk, 0, sizeof sk);
    if (!ok) return false;
    pub[0] = (p.v[64] & 1) ? 0x03 : 0x02;
    memcpy(pub + 1, p.v + 1, 32);
    tap_sha256(h, pub, sizeof pub);
    tap_ripemd160(out, h, sizeof h);
    return true;
}

static uint8_t slots[TAP_SLOT_COUNT][TAP_SLOT_SIZE];

void tap_slot_read(size_t index, uint8_t out[TAP_SLOT_SIZE]) {
    if (index >= TAP_SLOT_COUNT) die("tap_slot_read index");
    memcpy(out, slots[index], TAP_SLOT_SIZE);
}

void tap_slot_write(size_t index, const uint8_t in[TAP_SLOT_SIZE]) {
    if (index >= TAP_SLOT_COUNT) die("tap_slot_write index");
    memcpy(slots[index], in, TAP_SLOT_SIZE);
}

void tap_native_clear_slots(void) {
    memset(slots, 0, sizeof slots);
}
