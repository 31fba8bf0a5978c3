/* Key derivation (the native platform's BIP-32), taproot tweaks and script-key signatures against
 * test/vectors/firmware/keys.txt (@scure/bip32 and assets/crypto.ts from the Speculos seed). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "platform_native.h"
#include "tap_curve.h"
#include "tap_taproot.h"
#include "vectors.h"

static size_t read_path(vec_file *v, uint32_t path[10]) {
    const char *s = vec_str(v);
    size_t n = 0;
    if (strcmp(s, ".") == 0) return 0;
    for (char *end; *s && n < 10; s = *end ? end + 1 : end) path[n++] = (uint32_t)strtoul(s, &end, 16);
    return n;
}

static void test_keys(void **state) {
    (void)state;
    secp256k1_context *secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    vec_file v;
    vec_open(&v, "keys.txt");
    unsigned derived = 0, tweaked = 0, signed_ = 0;
    while (vec_next(&v)) {
        if (vec_is(&v, "seed")) {
            uint8_t seed[64];
            size_t n = vec_hex(&v, seed, sizeof seed);
            tap_native_set_seed(seed, n);
        } else if (vec_is(&v, "derive")) {
            uint32_t path[10];
            size_t n = read_path(&v, path);
            uint8_t sk[32], pub[33], want[33];
            tap_point p;
            assert_true(tap_derive_private(sk, NULL, path, n));
            assert_true(tap_point_mul_base(&p, sk));
            tap_point_compress(pub, &p);
            vec_hexn(&v, want, 33);
            if (memcmp(pub, want, 33) != 0) fail_msg("%s: derived key differs", vec_where(&v));
            derived++;
        } else if (vec_is(&v, "tweak")) {
            uint8_t x[32], data[64], want[33], got[33];
            vec_hexn(&v, x, 32);
            size_t len = vec_hex(&v, data, sizeof data);
            tap_point q;
            assert_true(tap_taproot_tweak_pubkey(&q, x, data, len));
            tap_point_compress(got, &q);
            vec_hexn(&v, want, 33);
            if (memcmp(got, want, 33) != 0) fail_msg("%s: tweaked key differs", vec_where(&v));
            tweaked++;
        } else {
            assert_true(vec_is(&v, "sign"));
            uint32_t path[10];
            size_t n = read_path(&v, path);
            uint8_t data[64], key[33], msg[32], sig[64];
            size_t len = vec_hex(&v, data, sizeof data);
            vec_hexn(&v, key, 33);
            tap_random(msg, 32);
            assert_true(tap_taproot_sign(sig, path, n, data, len, msg));
            secp256k1_xonly_pubkey pk;
            assert_true(secp256k1_xonly_pubkey_parse(secp, &pk, key + 1));
            if (!secp256k1_schnorrsig_verify(secp, sig, msg, 32, &pk)) fail_msg("%s: signature does not verify", vec_where(&v));
            signed_++;
        }
    }
    vec_close(&v);
    secp256k1_context_destroy(secp);
    assert_true(derived >= 6 && tweaked == 3 && signed_ == 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
