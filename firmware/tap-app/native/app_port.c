/* The app's command layer as a native process, for the conformance suite's `native` backend
 * (harness/native.ts): the core and the native platform behind a pipe instead of a Ledger shell.
 * Frames on stdin and stdout are `kind:u8 || len:u16be || payload`:
 *   host -> app   'A' a command APDU (or the answer to a client command), 'D' the person's answer (01 approve)
 *   app -> host   'R' a response (data || SW), 'V' a review: intro, finish, hold, approved, rejected, reject,
 *                 then the pairs, each string `len:u16be || UTF-8`; the steps of a streaming review
 *                 (platform.h): 'S' start (intro, reject, then the warnings' pairs), 'C' continue (reject,
 *                 then the pairs), 'F' finish (finish, hold, approved, rejected, reject), each answered
 *                 by 'D', and 'X' abort (the status text), answered by nothing
 * Arguments: the hex BIP-32 seed, then optionally `--blind-signing`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_native.h"
#include "tap_app.h"

static bool blind_signing;

/* What a device's OS answers to B0 01 for this app (shell/Makefile: APPNAME, APPVERSION): the app
 * is not asked, so the native process plays the OS for this one command. */
static const uint8_t APP_AND_VERSION[] = {0x01, 14, 'T', 'a', 'p', 'r', 'o', 'o', 't', ' ', 'A', 's', 's', 'e', 't', 's',
                                          5, '0', '.', '1', '.', '0', 1, 0x00, 0x90, 0x00};

static void put_frame(char kind, const uint8_t *payload, size_t len) {
    uint8_t header[3] = {(uint8_t)kind, (uint8_t)(len >> 8), (uint8_t)len};
    if (fwrite(header, 1, 3, stdout) != 3 || fwrite(payload, 1, len, stdout) != len || fflush(stdout) != 0) exit(1);
}

/* The next frame of `kind` into buf; exits when the host is gone or breaks the framing. */
static size_t get_frame(char kind, uint8_t *buf, size_t cap) {
    uint8_t header[3];
    if (fread(header, 1, 3, stdin) != 3) exit(0);
    size_t len = (size_t)(header[1] << 8 | header[2]);
    if (header[0] != (uint8_t)kind || len > cap || fread(buf, 1, len, stdin) != len) exit(1);
    return len;
}

size_t tap_io_interrupt(const uint8_t *data, size_t len, uint8_t apdu[TAP_APDU_MAX]) {
    uint8_t out[TAP_RESPONSE_MAX];
    memcpy(out, data, len);
    out[len] = 0xE0;
    out[len + 1] = 0x00;
    put_frame('R', out, len + 2);
    return get_frame('A', apdu, TAP_APDU_MAX);
}

static size_t put_string(uint8_t *out, size_t at, size_t cap, const char *s) {
    size_t n = strlen(s);
    if (at + 2 + n > cap) exit(1);
    out[at] = (uint8_t)(n >> 8);
    out[at + 1] = (uint8_t)n;
    memcpy(out + at + 2, s, n);
    return at + 2 + n;
}

bool tap_ui_review(const tap_review *r) {
    static uint8_t out[8192];
    size_t at = 0;
    at = put_string(out, at, sizeof out, r->intro);
    at = put_string(out, at, sizeof out, r->finish);
    at = put_string(out, at, sizeof out, r->hold ? "1" : "0");
    at = put_string(out, at, sizeof out, r->approved);
    at = put_string(out, at, sizeof out, r->rejected);
    at = put_string(out, at, sizeof out, r->reject);
    for (size_t i = 0; i < r->n_pairs; i++) {
        at = put_string(out, at, sizeof out, r->pairs[i].item);
        at = put_string(out, at, sizeof out, r->pairs[i].value);
    }
    put_frame('V', out, at);
    uint8_t answer;
    return get_frame('D', &answer, 1) == 1 && answer == 1;
}

static uint8_t stream_out[8192];

static size_t put_pairs(size_t at, const tap_review_pair *pairs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        at = put_string(stream_out, at, sizeof stream_out, pairs[i].item);
        at = put_string(stream_out, at, sizeof stream_out, pairs[i].value);
    }
    return at;
}

static bool decision(void) {
    uint8_t answer;
    return get_frame('D', &answer, 1) == 1 && answer == 1;
}

bool tap_ui_stream_start(const char *intro, const tap_review_pair *warnings, size_t n_warnings, const char *reject) {
    size_t at = put_string(stream_out, 0, sizeof stream_out, intro);
    at = put_string(stream_out, at, sizeof stream_out, reject);
    put_frame('S', stream_out, put_pairs(at, warnings, n_warnings));
    return decision();
}

bool tap_ui_stream_continue(const tap_review_pair *pairs, size_t n_pairs, const char *reject) {
    size_t at = put_string(stream_out, 0, sizeof stream_out, reject);
    put_frame('C', stream_out, put_pairs(at, pairs, n_pairs));
    return decision();
}

bool tap_ui_stream_finish(const char *finish, bool hold, const char *approved, const char *rejected, const char *reject) {
    size_t at = 0;
    at = put_string(stream_out, at, sizeof stream_out, finish);
    at = put_string(stream_out, at, sizeof stream_out, hold ? "1" : "0");
    at = put_string(stream_out, at, sizeof stream_out, approved);
    at = put_string(stream_out, at, sizeof stream_out, rejected);
    at = put_string(stream_out, at, sizeof stream_out, reject);
    put_frame('F', stream_out, at);
    return decision();
}

void tap_ui_stream_abort(const char *status) {
    put_frame('X', stream_out, put_string(stream_out, 0, sizeof stream_out, status));
}

bool tap_setting_blind_signing(void) {
    return blind_signing;
}

int main(int argc, char **argv) {
    uint8_t seed[64];
    size_t n = argc > 1 ? strlen(argv[1]) / 2 : 0;
    if (n < 16 || n > sizeof seed) {
        fprintf(stderr, "usage: %s <seed hex, 16 to 64 bytes> [--blind-signing]\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned b;
        if (sscanf(argv[1] + 2 * i, "%2x", &b) != 1) return 2;
        seed[i] = (uint8_t)b;
    }
    tap_native_set_seed(seed, n);
    blind_signing = argc > 2 && strcmp(argv[2], "--blind-signing") == 0;
    tap_app_reset();
    for (;;) {
        uint8_t apdu[TAP_APDU_MAX], out[TAP_RESPONSE_MAX];
        size_t len = get_frame('A', apdu, sizeof apdu);
        if (len >= 2 && apdu[0] == 0xB0 && apdu[1] == 0x01)
            put_frame('R', APP_AND_VERSION, sizeof APP_AND_VERSION);
        else
            put_frame('R', out, tap_app_handle(apdu, len, out));
    }
}
