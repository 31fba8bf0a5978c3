/* Point and scalar helpers the core builds on the platform's operations (platform.h): encodings,
 * parity, negation, and the constants of secp256k1. */
#ifndef TAP_CURVE_H
#define TAP_CURVE_H

#include "platform.h"

extern const uint8_t TAP_CURVE_ORDER[32];
extern const uint8_t TAP_SCALAR_ONE[32];

static inline bool tap_point_is_infinity(const tap_point *p) {
    return p->v[0] == 0;
}
static inline bool tap_point_has_even_y(const tap_point *p) {
    return (p->v[64] & 1u) == 0;
}
static inline const uint8_t *tap_point_x(const tap_point *p) {
    return p->v + 1;
}
/* 33-byte compressed encoding of a finite point. */
void tap_point_compress(uint8_t out[33], const tap_point *p);
/* -P (infinity stays infinity). */
void tap_point_negate(tap_point *out, const tap_point *p);
/* BIP-340 lift_x: the point with x coordinate x and even y. */
bool tap_point_lift_x(tap_point *out, const uint8_t x[32]);
bool tap_point_equal(const tap_point *a, const tap_point *b);

/* 0 <= a < n */
bool tap_scalar_below_order(const uint8_t a[32]);
bool tap_scalar_is_zero(const uint8_t a[32]);
/* n - a for 0 < a < n; 0 for a = 0. */
void tap_scalar_negate(uint8_t out[32], const uint8_t a[32]);

#endif
