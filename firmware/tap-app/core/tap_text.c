#include "tap_text.h"

#include <string.h>

/* v / 10, returning v % 10, by 16-bit long division: a Cortex-M has 32-bit division only, and the
 * core links nothing from the C library's runtime (test/firmware/native-core.test.ts). */
static uint32_t div10(uint64_t *v) {
    uint64_t q = 0;
    uint32_t rem = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = (rem << 16) | (uint32_t)((*v >> shift) & 0xffff);
        q |= (uint64_t)(cur / 10) << shift;
        rem = cur % 10;
    }
    *v = q;
    return rem;
}

size_t tap_decimal(char out[21], uint64_t v) {
    char digits[20];
    size_t n = 0, o = 0;
    do digits[n++] = (char)('0' + div10(&v));
    while (v);
    while (n) out[o++] = digits[--n];
    out[o] = 0;
    return o;
}

void tap_units(char out[TAP_UNITS_MAX], uint64_t v) {
    char digits[21];
    size_t n = tap_decimal(digits, v), o = 0;
    for (size_t i = 0; i < n; i++) {
        out[o++] = digits[i];
        if (i + 1 < n && (n - i - 1) % 3 == 0) out[o++] = ',';
    }
    memcpy(out + o, " units", 7);
}

void tap_escape(char *out, const uint8_t *s, size_t len) {
    static const char HEX[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = s[i];
        if (b == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
        } else if (b >= 0x20 && b <= 0x7e) {
            out[o++] = (char)b;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = HEX[b >> 4];
            out[o++] = HEX[b & 15];
        }
    }
    out[o] = 0;
}
