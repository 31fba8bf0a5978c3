/* Hash helpers over the platform's SHA-256: one-shot digests, BIP-340 tagged hashes and the
 * big-endian/little-endian integer encodings the hashed messages use. */
#ifndef TAP_HASH_H
#define TAP_HASH_H

#include "platform.h"

void tap_sha256(uint8_t out[32], const uint8_t *data, size_t len);

/* BIP-340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || ...). tagged_init leaves ctx ready
 * for the message parts. */
void tap_tagged_init(tap_sha256_ctx *ctx, const char *tag);
void tap_tagged_hash(uint8_t out[32], const char *tag, const uint8_t *msg, size_t len);

static inline void tap_put_u16be(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void tap_put_u32be(uint8_t *p, uint32_t v) {
    for (int i = 3; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}
static inline void tap_put_u32le(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++, v >>= 8) p[i] = (uint8_t)v;
}
static inline void tap_put_u64be(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}
static inline void tap_put_u64le(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++, v >>= 8) p[i] = (uint8_t)v;
}
static inline uint32_t tap_get_u32be(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t tap_get_u64be(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}

/* Constant-time equality of two byte strings of length n. */
bool tap_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* BigSize (BOLT-1): writes the minimal encoding of v, returns its length (1, 3, 5 or 9). */
size_t tap_bigsize_put(uint8_t out[9], uint64_t v);
size_t tap_bigsize_len(uint64_t v);
/* Reads a minimally encoded BigSize at d[*off], advancing *off; false when truncated or not minimal. */
bool tap_bigsize_read(const uint8_t *d, size_t len, size_t *off, uint64_t *v);

#endif
