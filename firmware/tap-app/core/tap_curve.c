#include "tap_curve.h"

#include <string.h>

#include "tap_hash.h"

const uint8_t TAP_CURVE_ORDER[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                     0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
const uint8_t TAP_SCALAR_ONE[32] = {[31] = 1};
/* The field prime p = 2^256 - 2^32 - 977. */
static const uint8_t FIELD_PRIME[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f};

/* out = m - a for a <= m, 32-byte big-endian. */
static void sub_from(uint8_t out[32], const uint8_t m[32], const uint8_t a[32]) {
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = (int)m[i] - (int)a[i] - borrow;
        borrow = d < 0;
        out[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

void tap_point_compress(uint8_t out[33], const tap_point *p) {
    out[0] = tap_point_has_even_y(p) ? 0x02 : 0x03;
    memcpy(out + 1, p->v + 1, 32);
}

void tap_point_negate(tap_point *out, const tap_point *p) {
    *out = *p;
    if (tap_point_is_infinity(p)) return;
    sub_from(out->v + 33, FIELD_PRIME, p->v + 33); /* y is never 0 on secp256k1 */
}

bool tap_point_lift_x(tap_point *out, const uint8_t x[32]) {
    uint8_t c[33];
    c[0] = 0x02;
    memcpy(c + 1, x, 32);
    return tap_point_from_compressed(out, c);
}

bool tap_point_equal(const tap_point *a, const tap_point *b) {
    return memcmp(a->v, b->v, sizeof a->v) == 0;
}

bool tap_scalar_below_order(const uint8_t a[32]) {
    return memcmp(a, TAP_CURVE_ORDER, 32) < 0;
}

bool tap_scalar_is_zero(const uint8_t a[32]) {
    static const uint8_t zero[32];
    return tap_equal(a, zero, 32);
}

void tap_scalar_negate(uint8_t out[32], const uint8_t a[32]) {
    if (tap_scalar_is_zero(a)) {
        memset(out, 0, 32);
        return;
    }
    sub_from(out, TAP_CURVE_ORDER, a);
}
