/* The command layer (core/tap_app.c) replays test/vectors/firmware/commands.txt: the emulated app's
 * transcripts driven by the host client (test/firmware/transcripts.ts). Every response, every client
 * command the device sends in the middle of a command and every review it shows (pages and the
 * person's answer) must be byte for byte what the emulator did; the device randomness the emulator
 * drew is queued for tap_random, so MuSig2 handles, nonces, partial signatures and BIP-340 signatures
 * (their auxiliary randomness) match too. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "platform_native.h"
#include "tap_app.h"

#define MAX_LINES 4096

static char *lines[MAX_LINES];
static size_t n_lines, at;
static bool blind;
static unsigned commands, interrupts, reviews, randoms;

static void load(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/commands.txt", TAP_VECTORS);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n == 0 || line[0] == '#') continue;
        if (n_lines == MAX_LINES) fail_msg("commands.txt: more than %d lines", MAX_LINES);
        lines[n_lines++] = strdup(line);
    }
    free(line);
    fclose(f);
}

static const char *next(const char *prefix) {
    if (at >= n_lines) fail_msg("commands.txt: ended, expected \"%s\"", prefix);
    const char *l = lines[at++];
    if (strncmp(l, prefix, strlen(prefix)) != 0) fail_msg("commands.txt line %zu: expected \"%s\", got \"%.60s\"", at, prefix, l);
    return l + strlen(prefix);
}

static size_t unhex(uint8_t *out, size_t cap, const char *hex) {
    size_t n = strlen(hex) / 2;
    if (n > cap) fail_msg("commands.txt line %zu: %zu bytes, at most %zu expected", at, n, cap);
    for (size_t i = 0; i < n; i++) {
        unsigned b;
        if (sscanf(hex + 2 * i, "%2x", &b) != 1) fail_msg("commands.txt line %zu: bad hex", at);
        out[i] = (uint8_t)b;
    }
    return n;
}

static void hexify(char *out, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) sprintf(out + 2 * i, "%02x", data[i]);
    out[2 * len] = 0;
}

/* The emulator drew these bytes next: tap_random hands them out in the same order. */
static void queue_randoms(void) {
    while (at < n_lines && strncmp(lines[at], "random ", 7) == 0) {
        uint8_t b[64];
        size_t n = unhex(b, sizeof b, next("random "));
        tap_native_queue_random(b, n);
        randoms++;
    }
}

static void expect_response(const uint8_t *data, size_t len) {
    char got[2 * TAP_RESPONSE_MAX + 1];
    hexify(got, data, len);
    const char *want = next("< ");
    if (strcmp(got, want) != 0) fail_msg("commands.txt line %zu: response\n  want %s\n  got  %s", at, want, got);
}

size_t tap_io_interrupt(const uint8_t *data, size_t len, uint8_t apdu[TAP_APDU_MAX]) {
    uint8_t sent[TAP_RESPONSE_MAX];
    memcpy(sent, data, len);
    sent[len] = 0xE0;
    sent[len + 1] = 0x00;
    expect_response(sent, len + 2);
    interrupts++;
    size_t n = unhex(apdu, TAP_APDU_MAX, next("> "));
    queue_randoms();
    return n;
}

static void expect_text(const char *what, const char *got, char **tokens) {
    char *want = strtok_r(NULL, " ", tokens);
    char hex[2 * 1024 + 1];
    if (strlen(got) > 1024) fail_msg("review %s: longer than 1024 bytes", what);
    hexify(hex, (const uint8_t *)got, strlen(got));
    if (!want || strcmp(hex, want) != 0) fail_msg("commands.txt line %zu: review %s \"%s\" differs from the emulator's", at, what, got);
}

bool tap_ui_review(const tap_review *r) {
    char *line = strdup(next("review ")), *tokens;
    const char *decision = strtok_r(line, " ", &tokens);
    expect_text("intro", r->intro, &tokens);
    expect_text("finish", r->finish, &tokens);
    const char *hold = strtok_r(NULL, " ", &tokens), *count = strtok_r(NULL, " ", &tokens);
    if (!hold || atoi(hold) != (int)r->hold) fail_msg("commands.txt line %zu: review hold differs", at);
    if (!count || (size_t)atoi(count) != r->n_pairs) fail_msg("commands.txt line %zu: review has %zu pairs, the emulator's %s", at, r->n_pairs, count);
    for (size_t i = 0; i < r->n_pairs; i++) {
        expect_text("item", r->pairs[i].item, &tokens);
        expect_text("value", r->pairs[i].value, &tokens);
    }
    bool approve = strcmp(decision, "approve") == 0;
    free(line);
    reviews++;
    queue_randoms();
    return approve;
}

/* The streaming review's steps: `stream start|warning|pairs|finish approve|reject ...` lines, and
 * `status <text>` for an abort (test/firmware/transcripts.ts). */
static bool stream_step(const char *kind, char **line, char **tokens) {
    char prefix[32];
    snprintf(prefix, sizeof prefix, "stream %s ", kind);
    *line = strdup(next(prefix));
    bool approve = strcmp(strtok_r(*line, " ", tokens), "approve") == 0;
    return approve;
}

static void expect_pairs(const tap_review_pair *pairs, size_t n, char **tokens) {
    const char *count = strtok_r(NULL, " ", tokens);
    if (!count || (size_t)atoi(count) != n) fail_msg("commands.txt line %zu: step has %zu pairs, the emulator's %s", at, n, count);
    for (size_t i = 0; i < n; i++) {
        expect_text("item", pairs[i].item, tokens);
        expect_text("value", pairs[i].value, tokens);
    }
}

bool tap_ui_stream_start(const char *intro, const tap_review_pair *warnings, size_t n_warnings, const char *reject) {
    char *line, *tokens;
    bool ok = stream_step("start", &line, &tokens);
    expect_text("intro", intro, &tokens);
    expect_text("reject", reject, &tokens);
    free(line);
    for (size_t i = 0; ok && i < n_warnings; i++) {
        ok = stream_step("warning", &line, &tokens);
        expect_text("title", warnings[i].item, &tokens);
        expect_text("text", warnings[i].value, &tokens);
        free(line);
    }
    reviews++;
    return ok;
}

bool tap_ui_stream_continue(const tap_review_pair *pairs, size_t n_pairs, const char *reject) {
    char *line, *tokens;
    bool ok = stream_step("pairs", &line, &tokens);
    expect_text("reject", reject, &tokens);
    expect_pairs(pairs, n_pairs, &tokens);
    free(line);
    return ok;
}

bool tap_ui_stream_finish(const char *finish, bool hold, const char *approved, const char *rejected, const char *reject) {
    char *line, *tokens;
    bool ok = stream_step("finish", &line, &tokens);
    expect_text("finish", finish, &tokens);
    const char *h = strtok_r(NULL, " ", &tokens);
    if (!h || atoi(h) != (int)hold) fail_msg("commands.txt line %zu: finish hold differs", at);
    expect_text("approved", approved, &tokens);
    expect_text("rejected", rejected, &tokens);
    expect_text("reject", reject, &tokens);
    free(line);
    queue_randoms();
    return ok;
}

void tap_ui_stream_abort(const char *status) {
    char *line = strdup(next("status ")), *tokens;
    strtok_r(line, " ", &tokens);
    char *want = line, hex[2 * 64 + 1];
    hexify(hex, (const uint8_t *)status, strlen(status));
    if (strcmp(hex, want) != 0) fail_msg("commands.txt line %zu: status \"%s\" differs from the emulator's", at, status);
    free(line);
}

bool tap_setting_blind_signing(void) {
    return blind;
}

static void test_transcripts(void **state) {
    (void)state;
    load();
    tap_app_reset();
    while (at < n_lines) {
        const char *l = lines[at];
        if (strncmp(l, "seed ", 5) == 0) {
            uint8_t seed[64];
            size_t n = unhex(seed, sizeof seed, next("seed "));
            tap_native_set_seed(seed, n);
        } else if (strncmp(l, "blind ", 6) == 0) {
            blind = strcmp(next("blind "), "1") == 0;
        } else if (strcmp(l, "reset") == 0) {
            next("reset");
            tap_app_reset();
        } else {
            uint8_t apdu[TAP_APDU_MAX], out[TAP_RESPONSE_MAX];
            size_t n = unhex(apdu, sizeof apdu, next("> "));
            queue_randoms();
            size_t len = tap_app_handle(apdu, n, out);
            expect_response(out, len);
            commands++;
        }
    }
    print_message("transcripts: %u commands, %u client commands, %u reviews, %u random draws\n", commands, interrupts, reviews, randoms);
    assert_true(commands >= 50 && interrupts >= 15 && reviews >= 5 && randoms >= 8);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_transcripts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
