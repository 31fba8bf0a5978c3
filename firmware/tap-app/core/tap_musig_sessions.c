#include "tap_musig_sessions.h"

#include <string.h>

#include "tap_hash.h"

/* A slot holds id || rand_root; all zero is free. */
static bool slot_used(const uint8_t s[TAP_SLOT_SIZE]) {
    static const uint8_t zero[TAP_SLOT_SIZE];
    return !tap_equal(s, zero, TAP_SLOT_SIZE);
}

bool tap_musig_session_pop(const uint8_t id[32], uint8_t rand_root[32]) {
    uint8_t s[TAP_SLOT_SIZE];
    for (size_t i = 0; i < TAP_SLOT_COUNT; i++) {
        tap_slot_read(i, s);
        if (slot_used(s) && tap_equal(s, id, 32)) {
            static const uint8_t zero[TAP_SLOT_SIZE];
            tap_slot_write(i, zero);
            memcpy(rand_root, s + 32, 32);
            memset(s, 0, sizeof s);
            return true;
        }
    }
    return false;
}

void tap_musig_session_store(const uint8_t id[32], const uint8_t rand_root[32]) {
    uint8_t s[TAP_SLOT_SIZE];
    (void)tap_musig_session_pop(id, s);
    size_t i = 0;
    for (; i < TAP_SLOT_COUNT; i++) {
        tap_slot_read(i, s);
        if (!slot_used(s)) break;
    }
    if (i == TAP_SLOT_COUNT) i = 0;
    memcpy(s, id, 32);
    memcpy(s + 32, rand_root, 32);
    tap_slot_write(i, s);
    memset(s, 0, sizeof s);
}

void tap_musig_session_rand(uint8_t out[32], const uint8_t rand_root[32], uint32_t input, uint32_t key_expr) {
    uint8_t b[40];
    memcpy(b, rand_root, 32);
    tap_put_u32be(b + 32, input);
    tap_put_u32be(b + 36, key_expr);
    tap_sha256(out, b, sizeof b);
}
