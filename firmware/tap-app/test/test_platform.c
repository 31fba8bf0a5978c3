/* The native platform (native/platform_native.c) keeps the contracts of platform.h that the core
 * relies on: infinity, range checks, refusals of non-points, fresh randomness, signatures that
 * verify, slots that persist. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "platform_native.h"
#include "tap_curve.h"
#include "tap_hash.h"

static void test_points(void **state) {
    (void)state;
    static const uint8_t zero[32];
    tap_point g, inf, p, q;
    assert_true(tap_point_mul_base(&g, TAP_SCALAR_ONE));
    assert_true(tap_point_mul_base(&inf, zero));
    assert_true(tap_point_is_infinity(&inf));
    assert_true(tap_point_add(&p, &g, &inf) && tap_point_equal(&p, &g));
    tap_point_negate(&q, &g);
    assert_true(tap_point_add(&p, &g, &q) && tap_point_is_infinity(&p));
    /* n is not a scalar; n - 1 gives -G. */
    assert_false(tap_point_mul_base(&p, TAP_CURVE_ORDER));
    uint8_t minus_one[32];
    tap_scalar_negate(minus_one, TAP_SCALAR_ONE);
    assert_true(tap_point_mul(&p, &g, minus_one) && tap_point_equal(&p, &q));
    /* Compressed keys: a bad prefix, x = p and an x with no point are refused. */
    uint8_t c[33];
    tap_point_compress(c, &g);
    assert_true(tap_point_from_compressed(&p, c) && tap_point_equal(&p, &g));
    c[0] = 0x04;
    assert_false(tap_point_from_compressed(&p, c));
    memset(c + 1, 0xff, 32);
    c[0] = 0x02;
    c[29] = 0xfe, c[30] = 0xff, c[31] = 0xfc, c[32] = 0x2f; /* the field prime */
    assert_false(tap_point_from_compressed(&p, c));
    memset(c + 1, 0, 32);
    c[32] = 5; /* x = 5: 5^3 + 7 = 132 is not a square mod p */
    assert_false(tap_point_from_compressed(&p, c));
}

static void test_scalars(void **state) {
    (void)state;
    uint8_t a[32], b[32], r[32];
    tap_scalar_negate(a, TAP_SCALAR_ONE);
    tap_scalar_add(r, a, TAP_SCALAR_ONE);
    assert_true(tap_scalar_is_zero(r));
    tap_scalar_mul(r, a, a);
    assert_memory_equal(r, TAP_SCALAR_ONE, 32);
    memset(b, 0xff, 32);
    tap_scalar_reduce(r, b);
    assert_true(tap_scalar_below_order(r));
    /* 2^256 - 1 mod n = 2^256 - 1 - n. */
    uint8_t want[32];
    memset(want, 0, 32);
    want[15] = 0x01, want[16] = 0x45, want[17] = 0x51, want[18] = 0x23, want[19] = 0x19, want[20] = 0x50, want[21] = 0xb7, want[22] = 0x5f;
    want[23] = 0xc4, want[24] = 0x40, want[25] = 0x2d, want[26] = 0xa1, want[27] = 0x73, want[28] = 0x2f, want[29] = 0xc9, want[30] = 0xbe;
    want[31] = 0xbe;
    assert_memory_equal(r, want, 32);
}

static void test_random_and_signatures(void **state) {
    (void)state;
    uint8_t x[32], y[32], sk[32], msg[32], sig[64];
    tap_random(x, 32);
    tap_random(y, 32);
    assert_memory_not_equal(x, y, 32);
    tap_sha256(sk, (const uint8_t *)"platform test key", 17);
    tap_sha256(msg, (const uint8_t *)"platform test message", 21);
    assert_true(tap_bip340_sign(sig, sk, msg));
    secp256k1_context *secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_keypair kp;
    secp256k1_xonly_pubkey pk;
    assert_true(secp256k1_keypair_create(secp, &kp, sk));
    assert_true(secp256k1_keypair_xonly_pub(secp, &pk, NULL, &kp));
    assert_true(secp256k1_schnorrsig_verify(secp, sig, msg, 32, &pk));
    msg[0] ^= 1;
    assert_false(secp256k1_schnorrsig_verify(secp, sig, msg, 32, &pk));
    secp256k1_context_destroy(secp);
    static const uint8_t zero[32];
    assert_false(tap_bip340_sign(sig, zero, msg));
}

static void test_slots(void **state) {
    (void)state;
    uint8_t in[TAP_SLOT_SIZE], out[TAP_SLOT_SIZE], zero[TAP_SLOT_SIZE] = {0};
    tap_native_clear_slots();
    for (size_t i = 0; i < TAP_SLOT_COUNT; i++) {
        tap_slot_read(i, out);
        assert_memory_equal(out, zero, TAP_SLOT_SIZE);
    }
    memset(in, 0xa5, sizeof in);
    tap_slot_write(3, in);
    tap_slot_read(3, out);
    assert_memory_equal(out, in, TAP_SLOT_SIZE);
    tap_slot_read(4, out);
    assert_memory_equal(out, zero, TAP_SLOT_SIZE);
}

static void test_derivation_needs_seed_and_short_paths(void **state) {
    (void)state;
    uint8_t seed[16] = {1}, sk[32];
    uint32_t path[11] = {0};
    tap_native_set_seed(seed, sizeof seed);
    assert_true(tap_derive_private(sk, NULL, path, 10));
    assert_false(tap_derive_private(sk, NULL, path, 11));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_random_and_signatures),
        cmocka_unit_test(test_slots),
        cmocka_unit_test(test_derivation_needs_seed_and_short_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
