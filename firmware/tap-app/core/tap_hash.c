#include "tap_hash.h"

#include <string.h>

void tap_sha256(uint8_t out[32], const uint8_t *data, size_t len) {
    tap_sha256_ctx ctx;
    tap_sha256_init(&ctx);
    tap_sha256_update(&ctx, data, len);
    tap_sha256_final(&ctx, out);
}

void tap_tagged_init(tap_sha256_ctx *ctx, const char *tag) {
    uint8_t t[32];
    tap_sha256(t, (const uint8_t *)tag, strlen(tag));
    tap_sha256_init(ctx);
    tap_sha256_update(ctx, t, 32);
    tap_sha256_update(ctx, t, 32);
}

void tap_tagged_hash(uint8_t out[32], const char *tag, const uint8_t *msg, size_t len) {
    tap_sha256_ctx ctx;
    tap_tagged_init(&ctx, tag);
    tap_sha256_update(&ctx, msg, len);
    tap_sha256_final(&ctx, out);
}

bool tap_equal(const uint8_t *a, const uint8_t *b, size_t n) {
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++) d |= (uint8_t)(a[i] ^ b[i]);
    return d == 0;
}

size_t tap_bigsize_len(uint64_t v) {
    return v < 0xfd ? 1 : v <= 0xffff ? 3 : v <= 0xffffffffu ? 5 : 9;
}

size_t tap_bigsize_put(uint8_t out[9], uint64_t v) {
    size_t n = tap_bigsize_len(v);
    if (n == 1) {
        out[0] = (uint8_t)v;
        return 1;
    }
    out[0] = n == 3 ? 0xfd : n == 5 ? 0xfe : 0xff;
    for (size_t i = n - 1; i >= 1; i--, v >>= 8) out[i] = (uint8_t)v;
    return n;
}

bool tap_bigsize_read(const uint8_t *d, size_t len, size_t *off, uint64_t *v) {
    if (*off >= len) return false;
    uint8_t first = d[(*off)++];
    if (first < 0xfd) {
        *v = first;
        return true;
    }
    size_t width = first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
    if (len - *off < width) return false;
    uint64_t x = 0;
    for (size_t i = 0; i < width; i++) x = (x << 8) | d[(*off)++];
    uint64_t min = width == 2 ? 0xfd : width == 4 ? 0x10000 : 0x100000000ull;
    if (x < min) return false;
    *v = x;
    return true;
}
