#include "tap_utf8.h"

bool tap_utf8_valid(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i++];
        if (c < 0x80) continue;
        size_t more;
        uint8_t lo = 0x80, hi = 0xbf; /* range of the first continuation byte */
        if (c >= 0xc2 && c <= 0xdf) {
            more = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            return false;
        }
        if (len - i < more) return false;
        if (s[i] < lo || s[i] > hi) return false;
        for (size_t k = 1; k < more; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) return false;
        i += more;
    }
    return true;
}
