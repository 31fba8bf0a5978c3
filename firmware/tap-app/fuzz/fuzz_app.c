/* libFuzzer target for the command layer (core/tap_app.c): a malicious host against the device.
 * Input: one byte of settings (bit 0 blind signing, bits 1-7 the person's answers to successive
 * reviews, cycled), then frames `len:u16be || bytes`: the first is a command APDU, each later one either
 * the host's answer to a client command or, once a command has ended, the next command.
 * Properties, besides no crash and no sanitizer report: every response is a status word with at most
 * 255 bytes of data, only 9000 carries data, the status word is one the protocol defines, every review
 * has at most 8 pairs of bounded text, and a command that signs (MUSIG_ROUND2, SIGN_GROUP_GENESIS) or
 * returns a key shown on screen answers 9000 only after the person approved a review during it; a
 * signing SIGN_VPSBT stream (mode 0) answers with signatures only after an approved finish, and a
 * streaming review is started, continued and finished or aborted in that order. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform_native.h"
#include "tap_app.h"

static const uint8_t *in;
static size_t in_len, at;
static uint8_t settings;
static unsigned review_count;
static bool approved_in_command;

static size_t next_frame(uint8_t apdu[TAP_APDU_MAX]) {
    if (in_len - at < 2) return 0;
    size_t n = (size_t)(in[at] << 8 | in[at + 1]);
    at += 2;
    if (n > in_len - at) n = in_len - at;
    if (n > TAP_APDU_MAX) n = TAP_APDU_MAX;
    memcpy(apdu, in + at, n);
    at += n;
    return n;
}

size_t tap_io_interrupt(const uint8_t *data, size_t len, uint8_t apdu[TAP_APDU_MAX]) {
    if (len > 255 || data == NULL) abort();
    return next_frame(apdu);
}

bool tap_ui_review(const tap_review *r) {
    if (r->n_pairs > 8 || !r->intro || !r->finish || !r->approved || !r->rejected || !r->reject) abort();
    for (size_t i = 0; i < r->n_pairs; i++)
        if (!r->pairs[i].item || !r->pairs[i].value || strlen(r->pairs[i].value) > 512) abort();
    bool ok = (settings >> (1 + review_count++ % 7)) & 1;
    approved_in_command |= ok;
    return ok;
}

static void check_pairs(const tap_review_pair *pairs, size_t n) {
    if (n > 8) abort();
    for (size_t i = 0; i < n; i++)
        if (!pairs[i].item || !pairs[i].value || strlen(pairs[i].value) > 4 * 255) abort();
}

/* A streaming review: every step is one of the person's answers (the same cycle as reviews); only
 * an approved finish may let a SIGN_VPSBT sign. */
static bool stream_open;

bool tap_ui_stream_start(const char *intro, const tap_review_pair *warnings, size_t n_warnings, const char *reject) {
    if (!intro || !reject || stream_open) abort();
    check_pairs(warnings, n_warnings);
    stream_open = true;
    return (settings >> (1 + review_count++ % 7)) & 1;
}

bool tap_ui_stream_continue(const tap_review_pair *pairs, size_t n_pairs, const char *reject) {
    if (!reject || !stream_open) abort();
    check_pairs(pairs, n_pairs);
    return (settings >> (1 + review_count++ % 7)) & 1;
}

bool tap_ui_stream_finish(const char *finish, bool hold, const char *approved, const char *rejected, const char *reject) {
    if (!finish || !hold || !approved || !rejected || !reject || !stream_open) abort();
    stream_open = false;
    bool ok = (settings >> (1 + review_count++ % 7)) & 1;
    approved_in_command |= ok;
    return ok;
}

void tap_ui_stream_abort(const char *status) {
    if (!status || !stream_open) abort();
    stream_open = false;
}

bool tap_setting_blind_signing(void) {
    return settings & 1;
}

static bool defined_sw(uint16_t sw) {
    static const uint16_t SWS[] = {0x9000, 0x6985, 0x6A80, 0x6A82, 0x6A86, 0x6A87, 0x6D00, 0x6E00, 0xB007, 0xB010, 0xB011, 0xB012, 0xB013, 0xB014};
    for (size_t i = 0; i < sizeof SWS / sizeof SWS[0]; i++)
        if (SWS[i] == sw) return true;
    return false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    /* The Speculos seed (test/vectors/firmware/keys.txt), so the seeds' keys are the device's and reach signatures. */
    static const uint8_t seed[64] = {0xb1, 0x19, 0x97, 0xfa, 0xff, 0x42, 0x0a, 0x33, 0x1b, 0xb4, 0xa4, 0xff, 0xdc, 0x8b, 0xdc, 0x8b,
                                     0xa7, 0xc0, 0x17, 0x32, 0xa9, 0x9a, 0x30, 0xd8, 0x3d, 0xbb, 0xeb, 0xd4, 0x69, 0x66, 0x6c, 0x84,
                                     0xb4, 0x7d, 0x09, 0xd3, 0xf5, 0xf4, 0x72, 0xb3, 0xb9, 0x38, 0x4a, 0xc6, 0x34, 0xbe, 0xba, 0x2a,
                                     0x44, 0x0b, 0xa3, 0x6e, 0xc7, 0x66, 0x11, 0x44, 0x13, 0x2f, 0x35, 0xe2, 0x06, 0x87, 0x35, 0x64};
    tap_native_set_seed(seed, sizeof seed);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    settings = data[0];
    in = data + 1;
    in_len = size - 1;
    at = 0;
    review_count = 0;
    tap_app_reset(); /* drops the last input's stream: its review, if open, ends here */
    stream_open = false;
    uint8_t apdu[TAP_APDU_MAX], out[TAP_RESPONSE_MAX];
    size_t n;
    uint8_t stream_mode = 0; /* of the last SIGN_VPSBT START: round 1 (1) answers nonces, no review */
    while ((n = next_frame(apdu)) > 0) {
        approved_in_command = false;
        size_t len = tap_app_handle(apdu, n, out);
        if (len < 2 || len > TAP_RESPONSE_MAX) abort();
        uint16_t sw = (uint16_t)((out[len - 2] << 8) | out[len - 1]);
        if (!defined_sw(sw) || (sw != 0x9000 && len != 2)) abort();
        bool signs = n >= 5 && apdu[0] == 0xE7 && (apdu[1] == 0x21 || apdu[1] == 0x40 || (apdu[1] == 0x10 && apdu[5] == 1));
        if (sw == 0x9000 && signs && !approved_in_command) abort();
        /* SIGN_VPSBT: the chunk that ends a signing stream carries signatures only after an approved finish. */
        bool vpsbt_chunk = n >= 4 && apdu[0] == 0xE7 && apdu[1] == 0x30 && apdu[2] <= 1;
        if (vpsbt_chunk && apdu[2] == 0) stream_mode = n >= 10 ? apdu[9] : 0;
        if (sw == 0x9000 && vpsbt_chunk && stream_mode == 0 && len > 2 && !approved_in_command) abort();
    }
    return 0;
}
