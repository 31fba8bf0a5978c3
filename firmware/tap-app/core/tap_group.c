#include "tap_group.h"

#include <string.h>

#include "tap_curve.h"
#include "tap_hash.h"

/* lnd's input.TaprootNUMSKey, the base of tapd's Pedersen commitments. */
static const uint8_t NUMS_KEY[33] = {0x02, 0xdc, 0xa0, 0x94, 0x75, 0x11, 0x09, 0xd0, 0xbd, 0x05, 0x5d, 0x03, 0x56, 0x58, 0x74, 0xe8, 0x27,
                                     0x6d, 0xd5, 0x3e, 0x92, 0x6b, 0x44, 0xe3, 0xbd, 0x1b, 0xb6, 0xbf, 0x4b, 0xc1, 0x30, 0xa2, 0x79};

static void leaf_hash(uint8_t out[32], const uint8_t *script, size_t len) {
    tap_sha256_ctx h;
    uint8_t prefix[2] = {0xc0, (uint8_t)len};
    tap_tagged_init(&h, "TapLeaf");
    tap_sha256_update(&h, prefix, 2);
    tap_sha256_update(&h, script, len);
    tap_sha256_final(&h, out);
}

/* BIP-32 CKDpub, non-hardened index i. */
static bool ckd_pub(tap_point *key, uint8_t cc[32], uint32_t i) {
    uint8_t data[37], mac[64];
    tap_point il;
    tap_point_compress(data, key);
    tap_put_u32be(data + 33, i);
    tap_hmac_sha512(mac, cc, 32, data, sizeof data);
    if (!tap_scalar_below_order(mac) || !tap_point_mul_base(&il, mac) || !tap_point_add(key, &il, key) || tap_point_is_infinity(key))
        return false;
    memcpy(cc, mac + 32, 32);
    return true;
}

bool tap_group_leaf_hash(uint8_t out[32], int version, const uint8_t id[32]) {
    uint8_t script[34];
    if (version == TAP_LEAF_OP_RETURN) {
        script[0] = 0x6a; /* OP_RETURN */
        script[1] = 32;
        memcpy(script + 2, id, 32);
        leaf_hash(out, script, 34);
        return true;
    }
    if (version != TAP_LEAF_PEDERSEN) return false;
    tap_point key, nums, m;
    uint8_t scalar[32], cc[32];
    tap_scalar_reduce(scalar, id);
    if (!tap_point_from_compressed(&nums, NUMS_KEY) || !tap_point_mul_base(&m, scalar) || !tap_point_add(&key, &m, &nums) ||
        tap_point_is_infinity(&key))
        return false;
    memcpy(cc, tap_point_x(&key), 32);
    if (!ckd_pub(&key, cc, 0) || !ckd_pub(&key, cc, 0)) return false;
    script[0] = 0x20;
    memcpy(script + 1, tap_point_x(&key), 32);
    script[33] = 0xac; /* OP_CHECKSIG */
    leaf_hash(out, script, 34);
    return true;
}

bool tap_group_v0_internal(tap_point *out, const tap_point *raw, const uint8_t anchor[32]) {
    uint8_t t[32];
    tap_point tg;
    tap_scalar_reduce(t, anchor);
    return tap_point_mul_base(&tg, t) && tap_point_add(out, raw, &tg) && !tap_point_is_infinity(out);
}

void tap_group_v0_secret(uint8_t out[32], const uint8_t sk[32], const uint8_t anchor[32]) {
    uint8_t t[32];
    tap_scalar_reduce(t, anchor);
    tap_scalar_add(out, sk, t);
}
