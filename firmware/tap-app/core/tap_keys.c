#include "tap_keys.h"

#include <string.h>

#include "tap_curve.h"
#include "tap_hash.h"

#define BIP86 (TAP_HARDENED | 86u)
#define LND_PURPOSE (TAP_HARDENED | 1017u)
#define TAPROOT_ASSETS_FAMILY (TAP_HARDENED | 212u)
#define MAX_ACCOUNT 100u

static bool is_coin(uint32_t n) {
    return n == TAP_HARDENED || n == (TAP_HARDENED | 1u);
}

bool tap_path_is_standard(const uint32_t *path, size_t len) {
    if (len < 3 || !is_coin(path[1])) return false;
    if (path[0] == BIP86) {
        if (path[2] < TAP_HARDENED || path[2] - TAP_HARDENED > MAX_ACCOUNT) return false;
        return len == 3 || (len == 5 && path[3] <= 1 && path[4] < TAP_HARDENED);
    }
    return path[0] == LND_PURPOSE && len == 5 && path[2] == TAPROOT_ASSETS_FAMILY && path[3] == 0 && path[4] < TAP_HARDENED;
}

static void hash160(uint8_t out[20], const uint8_t *data, size_t len) {
    uint8_t h[32];
    tap_sha256(h, data, len);
    tap_ripemd160(out, h, sizeof h);
}

bool tap_public_key(uint8_t out[33], const uint32_t *path, size_t len) {
    uint8_t sk[32];
    tap_point p;
    bool ok = tap_derive_private(sk, NULL, path, len) && tap_point_mul_base(&p, sk);
    memset(sk, 0, sizeof sk);
    if (ok) tap_point_compress(out, &p);
    return ok;
}

bool tap_master_fingerprint(uint8_t out[4]) {
    uint8_t h[20];
    if (!tap_master_key_identifier(h)) return false;
    memcpy(out, h, 4);
    return true;
}

bool tap_xpub(uint8_t out[TAP_XPUB_LEN], const uint32_t *path, size_t len) {
    uint8_t sk[32], parent[33], h[20];
    tap_point p;
    if (len > TAP_PATH_MAX) return false;
    memset(out, 0, TAP_XPUB_LEN);
    tap_put_u32be(out, len >= 2 && path[1] == TAP_HARDENED ? 0x0488B21Eu : 0x043587CFu);
    out[4] = (uint8_t)len;
    if (len > 0) {
        if (len == 1 ? !tap_master_key_identifier(h) : !tap_public_key(parent, path, len - 1)) return false;
        if (len > 1) hash160(h, parent, sizeof parent);
        memcpy(out + 5, h, 4);
        tap_put_u32be(out + 9, path[len - 1]);
    }
    bool ok = tap_derive_private(sk, out + 13, path, len) && tap_point_mul_base(&p, sk);
    memset(sk, 0, sizeof sk);
    if (ok) tap_point_compress(out + 45, &p);
    return ok;
}

static char *put_u32(char *o, uint32_t v) {
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *o++ = digits[--n];
    return o;
}

void tap_path_text(char out[TAP_PATH_TEXT_MAX], const uint32_t *path, size_t len) {
    char *o = out;
    *o++ = 'm';
    for (size_t i = 0; i < len && i < TAP_PATH_MAX; i++) {
        *o++ = '/';
        o = put_u32(o, path[i] & ~TAP_HARDENED);
        if (path[i] & TAP_HARDENED) *o++ = '\'';
    }
    *o = 0;
}

static const char BASE58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

void tap_base58check(char out[TAP_XPUB_TEXT_MAX], const uint8_t *data, size_t len) {
    uint8_t buf[86], h[32], digits[TAP_XPUB_TEXT_MAX];
    if (len > 82) len = 82;
    memcpy(buf, data, len);
    tap_sha256(h, data, len);
    tap_sha256(h, h, sizeof h);
    memcpy(buf + len, h, 4);
    size_t n = len + 4, zeros = 0, count = 0;
    while (zeros < n && buf[zeros] == 0) zeros++;
    /* Long division by 58 of the big-endian number in buf; digits come out least significant first. */
    for (size_t start = zeros; start < n;) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = (rem << 8) | buf[i];
            buf[i] = (uint8_t)(cur / 58);
            rem = cur % 58;
        }
        digits[count++] = (uint8_t)rem;
        while (start < n && buf[start] == 0) start++;
    }
    size_t o = 0;
    for (size_t i = 0; i < zeros; i++) out[o++] = '1';
    while (count) out[o++] = BASE58[digits[--count]];
    out[o] = 0;
}

void tap_hex(char *out, const uint8_t *data, size_t len) {
    static const char HEX[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        *out++ = HEX[data[i] >> 4];
        *out++ = HEX[data[i] & 15];
    }
    *out = 0;
}
