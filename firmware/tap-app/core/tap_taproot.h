/* BIP-341 taproot tweaks (docs/tap-app-protocol.md §5.5 step 4): Q = lift_x(P) + t·G with
 * t = TaggedHash("TapTweak", x(P) || data), data empty for BIP-86 or a script root (tapd allows
 * any length), and the matching secret key. */
#ifndef TAP_TAPROOT_H
#define TAP_TAPROOT_H

#include "platform.h"

bool tap_taproot_tweak_pubkey(tap_point *q, const uint8_t internal_x[32], const uint8_t *data, size_t len);
/* The tweaked secret key of sk: (sk or n - sk, whichever gives even y) + t. */
bool tap_taproot_tweak_seckey(uint8_t out[32], const uint8_t sk[32], const uint8_t *data, size_t len);
/* BIP-340 signature of msg by the key at path, tweaked by data (§5.5 step 4, a script key). */
bool tap_taproot_sign(uint8_t sig[64], const uint32_t *path, size_t path_len, const uint8_t *data, size_t len, const uint8_t msg[32]);

/* t = TaggedHash("TapTweak", x || data), false when t >= n; and the signature of msg by the key at
 * path tweaked by such a t (SIGN_VPSBT keeps t instead of the tweak between review and signing). */
bool tap_taproot_tweak_hash(uint8_t t[32], const uint8_t x[32], const uint8_t *data, size_t len);
bool tap_taproot_sign_tweak_hash(uint8_t sig[64], const uint32_t *path, size_t path_len, const uint8_t t[32], const uint8_t msg[32]);

#endif
