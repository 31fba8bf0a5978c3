#include "tap_client.h"

#include <string.h>

#include "tap_hash.h"
#include "tap_request.h"

#define CLIENT_GET_PREIMAGE 0x40
#define CLIENT_GET_MORE_ELEMENTS 0xA0
#define CLA_FRAMEWORK 0xF8
#define INS_CONTINUE 0x01

/* Sends a client command; on a CONTINUE reply, a reader over its data. */
static bool ask(const uint8_t *req, size_t req_len, uint8_t apdu[TAP_APDU_MAX], tap_reader *reply) {
    size_t n = tap_io_interrupt(req, req_len, apdu);
    if (n < 5 || apdu[0] != CLA_FRAMEWORK || apdu[1] != INS_CONTINUE || (size_t)apdu[4] + 5 != n) return false;
    tap_reader_init(reply, apdu + 5, n - 5);
    return true;
}

uint16_t tap_client_get_preimage(const uint8_t hash[32], uint8_t *out, size_t cap, size_t *len) {
    uint8_t apdu[TAP_APDU_MAX], req[34] = {CLIENT_GET_PREIMAGE, 0x00};
    tap_reader r;
    memcpy(req + 2, hash, 32);
    if (!ask(req, sizeof req, apdu, &r)) return TAP_SW_INCORRECT_DATA;
    uint64_t total = tap_read_varint(&r);
    uint8_t partial = tap_read_u8(&r);
    const uint8_t *first = tap_read_bytes(&r, partial);
    if (!first || total < 1 || total > cap || partial > total) return TAP_SW_INCORRECT_DATA;
    tap_sha256_ctx ctx;
    tap_sha256_init(&ctx);
    memcpy(out, first, partial);
    size_t got = partial;
    while (got < total) {
        uint8_t more = CLIENT_GET_MORE_ELEMENTS;
        if (!ask(&more, 1, apdu, &r)) return TAP_SW_INCORRECT_DATA;
        uint8_t n = tap_read_u8(&r), size = tap_read_u8(&r);
        const uint8_t *piece = tap_read_bytes(&r, (size_t)n * size);
        if (!piece || size != 1 || n > total - got) return TAP_SW_INCORRECT_DATA;
        memcpy(out + got, piece, n);
        got += n;
    }
    uint8_t digest[32];
    tap_sha256_update(&ctx, out, got);
    tap_sha256_final(&ctx, digest);
    if (!tap_equal(digest, hash, 32)) return TAP_SW_INCORRECT_DATA;
    *len = got;
    return TAP_SW_OK;
}
