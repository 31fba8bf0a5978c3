#include "tap_taproot.h"

#include <string.h>

#include "tap_curve.h"
#include "tap_hash.h"

bool tap_taproot_tweak_hash(uint8_t t[32], const uint8_t x[32], const uint8_t *data, size_t len) {
    tap_sha256_ctx h;
    tap_tagged_init(&h, "TapTweak");
    tap_sha256_update(&h, x, 32);
    tap_sha256_update(&h, data, len);
    tap_sha256_final(&h, t);
    return tap_scalar_below_order(t);
}

bool tap_taproot_tweak_pubkey(tap_point *q, const uint8_t internal_x[32], const uint8_t *data, size_t len) {
    tap_point p, tg;
    uint8_t t[32];
    if (!tap_point_lift_x(&p, internal_x) || !tap_taproot_tweak_hash(t, internal_x, data, len)) return false;
    tap_point_mul_base(&tg, t);
    tap_point_add(q, &p, &tg);
    return !tap_point_is_infinity(q);
}

/* (sk or n - sk, whichever gives even y) + t, with t from the x of sk's point or given. */
static bool tweak_seckey(uint8_t out[32], const uint8_t sk[32], const uint8_t *data, size_t len, const uint8_t *given_t) {
    tap_point p;
    uint8_t t[32], d[32];
    if (tap_scalar_is_zero(sk) || !tap_point_mul_base(&p, sk)) return false;
    if (given_t) {
        if (!tap_scalar_below_order(given_t)) return false;
        memcpy(t, given_t, 32);
    } else if (!tap_taproot_tweak_hash(t, tap_point_x(&p), data, len)) {
        return false;
    }
    if (tap_point_has_even_y(&p))
        memcpy(d, sk, 32);
    else
        tap_scalar_negate(d, sk);
    tap_scalar_add(out, d, t);
    memset(d, 0, sizeof d);
    return !tap_scalar_is_zero(out);
}

bool tap_taproot_tweak_seckey(uint8_t out[32], const uint8_t sk[32], const uint8_t *data, size_t len) {
    return tweak_seckey(out, sk, data, len, NULL);
}

bool tap_taproot_sign(uint8_t sig[64], const uint32_t *path, size_t path_len, const uint8_t *data, size_t len, const uint8_t msg[32]) {
    uint8_t sk[32], tweaked[32];
    bool ok = tap_derive_private(sk, NULL, path, path_len) && tap_taproot_tweak_seckey(tweaked, sk, data, len) &&
              tap_bip340_sign(sig, tweaked, msg);
    memset(sk, 0, sizeof sk);
    memset(tweaked, 0, sizeof tweaked);
    return ok;
}

bool tap_taproot_sign_tweak_hash(uint8_t sig[64], const uint32_t *path, size_t path_len, const uint8_t t[32], const uint8_t msg[32]) {
    uint8_t sk[32], tweaked[32];
    bool ok = tap_derive_private(sk, NULL, path, path_len) && tweak_seckey(tweaked, sk, NULL, 0, t) && tap_bip340_sign(sig, tweaked, msg);
    memset(sk, 0, sizeof sk);
    memset(tweaked, 0, sizeof tweaked);
    return ok;
}
