#include "tap_address.h"

#include <string.h>

#include "platform.h"
#include "tap_hash.h"
#include "tap_utf8.h"

/* JavaScript's \s, which the courier pattern's \S excludes. */
static bool js_space(uint32_t c) {
    return c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
           c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

static bool alpha(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool tap_courier_url_valid(const uint8_t *u, size_t n) {
    if (!tap_utf8_valid(u, n) || n == 0 || !alpha(u[0])) return false;
    size_t i = 1;
    while (i < n && (alpha(u[i]) || (u[i] >= '0' && u[i] <= '9') || u[i] == '+' || u[i] == '.' || u[i] == '-')) i++;
    if (i == n || u[i] != ':' || i + 1 == n) return false;
    for (i++; i < n;) {
        uint32_t c = u[i];
        size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (k > 1) {
            c &= 0x3fu >> (k - 1);
            for (size_t m = 1; m < k; m++) c = (c << 6) | (u[i + m] & 0x3fu);
        }
        if (js_space(c)) return false;
        i += k;
    }
    return true;
}

/* checkPubKey(allowEmpty): 33 bytes, all zero or a point. */
static bool key_or_empty(uint8_t out[33], const uint8_t *v, uint64_t len) {
    if (len != 33) return false;
    memcpy(out, v, 33);
    uint8_t acc = 0;
    for (size_t i = 0; i < 33; i++) acc |= v[i];
    tap_point p;
    return acc == 0 || tap_point_from_compressed(&p, v);
}

enum { SEEN_VERSION = 1, SEEN_ASSET_VERSION = 2, SEEN_SCRIPT_KEY = 4, SEEN_INTERNAL_KEY = 8, SEEN_COURIER = 16 };

bool tap_address_decode(tap_address *a, const uint8_t *d, size_t len) {
    memset(a, 0, sizeof *a);
    size_t off = 0;
    unsigned seen = 0;
    bool has_last = false, has_id = false;
    uint64_t last = 0;
    while (off < len) {
        uint64_t type, n;
        if (!tap_bigsize_read(d, len, &off, &type) || (has_last && type <= last)) return false;
        if (!tap_bigsize_read(d, len, &off, &n) || n > len - off) return false;
        const uint8_t *v = d + off;
        off += (size_t)n;
        has_last = true;
        last = type;
        switch (type) {
        case 0:
            if (n != 1) return false;
            a->version = v[0], seen |= SEEN_VERSION;
            break;
        case 2:
            if (n != 1) return false;
            a->asset_version = v[0], seen |= SEEN_ASSET_VERSION;
            break;
        case 4: {
            if (n != 32) return false;
            uint8_t acc = 0;
            for (size_t i = 0; i < 32; i++) acc |= v[i];
            if (acc == 0) return false;
            memcpy(a->asset_id, v, 32);
            has_id = true;
            break;
        }
        case 5:
            if (!key_or_empty(a->group_key, v, n)) return false;
            a->has_group_key = true;
            break;
        case 6:
            if (!key_or_empty(a->script_key, v, n)) return false;
            seen |= SEEN_SCRIPT_KEY;
            break;
        case 8:
            if (!key_or_empty(a->internal_key, v, n)) return false;
            seen |= SEEN_INTERNAL_KEY;
            break;
        case 9:
            if (n == 0) return false;
            a->has_sibling = true, a->sibling = v, a->sibling_len = (size_t)n;
            break;
        case 10: {
            size_t at = 0;
            if (!tap_bigsize_read(v, (size_t)n, &at, &a->amount) || at != n) return false;
            break;
        }
        case 12:
            if (!tap_courier_url_valid(v, (size_t)n)) return false;
            seen |= SEEN_COURIER;
            break;
        default:
            if (type % 2 == 0) return false;
        }
    }
    if (seen != (SEEN_VERSION | SEEN_ASSET_VERSION | SEEN_SCRIPT_KEY | SEEN_INTERNAL_KEY | SEEN_COURIER)) return false;
    return a->version <= 2 && (has_id || a->has_group_key);
}

/* BIP-350: the checksum polymod over the HRP's expansion and the data's 5-bit groups. */
static uint32_t polymod_step(uint32_t c, uint8_t v) {
    static const uint32_t GEN[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint8_t top = (uint8_t)(c >> 25);
    c = ((c & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1) c ^= GEN[i];
    return c;
}

void tap_address_text(char out[TAP_ADDRESS_TEXT_MAX], const char *hrp, const uint8_t *tlv, size_t len) {
    static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    size_t h = strlen(hrp), o = 0;
    uint32_t c = 1;
    for (size_t i = 0; i < h; i++) c = polymod_step(c, (uint8_t)((uint8_t)hrp[i] >> 5));
    c = polymod_step(c, 0);
    for (size_t i = 0; i < h; i++) c = polymod_step(c, (uint8_t)(hrp[i] & 31));
    memcpy(out, hrp, h);
    o = h;
    out[o++] = '1';
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len) {
            acc = (acc << 8) | tlv[i];
            bits += 8;
        } else if (bits > 0) {
            acc <<= 5 - bits; /* pad the last group with zeros */
            bits = 5;
        }
        while (bits >= 5) {
            bits -= 5;
            uint8_t v = (uint8_t)((acc >> bits) & 31);
            c = polymod_step(c, v);
            out[o++] = CHARSET[v];
        }
    }
    for (int i = 0; i < 6; i++) c = polymod_step(c, 0);
    c ^= 0x2bc830a3; /* the bech32m constant */
    for (int i = 0; i < 6; i++) out[o++] = CHARSET[(c >> (5 * (5 - i))) & 31];
    out[o] = 0;
}
