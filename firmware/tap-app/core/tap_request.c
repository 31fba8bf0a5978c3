#include "tap_request.h"

#include "tap_hash.h"

void tap_reader_init(tap_reader *r, const uint8_t *p, size_t len) {
    r->p = p;
    r->len = len;
    r->at = 0;
    r->sw = TAP_SW_OK;
}

bool tap_reader_fail(tap_reader *r, uint16_t sw) {
    if (r->sw == TAP_SW_OK) r->sw = sw;
    return false;
}

const uint8_t *tap_read_bytes(tap_reader *r, size_t n) {
    if (r->sw != TAP_SW_OK || r->len - r->at < n) {
        tap_reader_fail(r, TAP_SW_WRONG_DATA_LENGTH);
        return NULL;
    }
    const uint8_t *out = r->p + r->at;
    r->at += n;
    return out;
}

uint8_t tap_read_u8(tap_reader *r) {
    const uint8_t *b = tap_read_bytes(r, 1);
    return b ? b[0] : 0;
}

uint32_t tap_read_u32be(tap_reader *r) {
    const uint8_t *b = tap_read_bytes(r, 4);
    return b ? tap_get_u32be(b) : 0;
}

uint64_t tap_read_varint(tap_reader *r) {
    uint8_t first = tap_read_u8(r);
    if (first < 0xfd) return first;
    size_t n = first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
    const uint8_t *b = tap_read_bytes(r, n);
    if (!b) return 0;
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | b[i];
    uint64_t min = n == 2 ? 0xfd : n == 4 ? 0x10000 : 0x100000000u;
    if (v < min) {
        tap_reader_fail(r, TAP_SW_WRONG_DATA_LENGTH);
        return 0;
    }
    return v;
}

bool tap_read_flag(tap_reader *r) {
    uint8_t b = tap_read_u8(r);
    if (b > 1) tap_reader_fail(r, TAP_SW_INCORRECT_DATA);
    return b == 1;
}

size_t tap_read_path(tap_reader *r, uint32_t path[10]) {
    uint8_t n = tap_read_u8(r);
    if (n > 10) {
        tap_reader_fail(r, TAP_SW_INCORRECT_DATA);
        return 0;
    }
    for (size_t i = 0; i < n; i++) path[i] = tap_read_u32be(r);
    return r->sw == TAP_SW_OK ? n : 0;
}

const uint8_t *tap_read_key(tap_reader *r) {
    const uint8_t *k = tap_read_bytes(r, 33);
    if (k && k[0] != 0x02 && k[0] != 0x03) {
        tap_reader_fail(r, TAP_SW_INCORRECT_DATA);
        return NULL;
    }
    return k;
}

uint16_t tap_read_end(tap_reader *r) {
    if (r->at != r->len) tap_reader_fail(r, TAP_SW_WRONG_DATA_LENGTH);
    return r->sw;
}
