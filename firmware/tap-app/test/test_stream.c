/* The SIGN_VPSBT v2 stream grammar (core/tap_stream.c) against test/vectors/firmware/stream.txt: the
 * TypeScript reader's verdict on honest and mutated streams pushed in chunks of a given size, i.e.
 * the first status word, or whether the stream is done and where its root item ended. The command
 * layer's order of status words rests on this agreement. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tap_request.h"
#include "tap_stream.h"
#include "vectors.h"

#define MAX_STREAM 8192
#define MAX_BASES 8

static void test_grammar(void **state) {
    (void)state;
    static uint8_t bases[MAX_BASES][MAX_STREAM], m[MAX_STREAM + 1];
    static size_t base_len[MAX_BASES];
    vec_file v;
    vec_open(&v, "stream.txt");
    unsigned cases = 0, refused = 0, done = 0;
    while (vec_next(&v)) {
        if (vec_is(&v, "base")) {
            size_t id = (size_t)vec_u64(&v);
            assert_true(id < MAX_BASES);
            base_len[id] = vec_hex(&v, bases[id], MAX_STREAM);
            continue;
        }
        assert_true(vec_is(&v, "m"));
        size_t id = (size_t)vec_u64(&v), len = base_len[id];
        unsigned kind = (unsigned)vec_u64(&v);
        size_t at = (size_t)vec_u64(&v);
        uint8_t byte = (uint8_t)vec_u64(&v);
        size_t chunk = (size_t)vec_u64(&v);
        const uint8_t *b = bases[id];
        size_t n = 0;
        if (kind == 0) {
            memcpy(m, b, len), m[at] = byte, n = len;
        } else if (kind == 1) {
            memcpy(m, b, at), n = at;
        } else if (kind == 2) {
            memcpy(m, b, at), m[at] = byte, memcpy(m + at + 1, b + at, len - at), n = len + 1;
        } else {
            memcpy(m, b, at), memcpy(m + at, b + at + 1, len - at - 1), n = len - 1;
        }
        tap_stream_reader r;
        tap_stream_init(&r);
        uint16_t sw = TAP_SW_OK;
        for (size_t off = 0; off < n && sw == TAP_SW_OK; off += chunk) sw = tap_stream_push(&r, m + off, n - off < chunk ? n - off : chunk, NULL, NULL);
        const char *want = vec_str(&v);
        char got[16];
        if (sw != TAP_SW_OK) {
            snprintf(got, sizeof got, "%x", sw);
            refused++;
        } else {
            snprintf(got, sizeof got, "%s", r.done ? "done" : "more");
            done += r.done;
        }
        if (strcmp(got, want) != 0) fail_msg("%s: the grammar says %s, the TypeScript reader %s", vec_where(&v), got, want);
        if (sw == TAP_SW_OK) {
            const char *end = vec_str(&v);
            long want_end = strcmp(end, "-") == 0 ? 0 : atol(end);
            if ((long)r.root_end != want_end) fail_msg("%s: root item ends at %u, the TypeScript reader says %s", vec_where(&v), r.root_end, end);
        }
        cases++;
    }
    vec_close(&v);
    print_message("stream grammar: %u cases, %u refused, %u complete streams\n", cases, refused, done);
    assert_true(cases >= 3000 && refused >= 1000 && done >= 18);
}

/* A FROST signer (tag 06, docs/frost.md §2.6, added to the stream by the FROST work): this
 * firmware answers its tag with 6A82 where mode 0 allows a signer, and 6A80 in mode 1, where the
 * grammar allows no such tag. The first item after the root is where a signer goes. */
static void test_frost_tag(void **state) {
    (void)state;
    static uint8_t b[MAX_STREAM];
    vec_file v;
    vec_open(&v, "stream.txt");
    unsigned checked = 0;
    while (vec_next(&v)) {
        if (!vec_is(&v, "base")) continue;
        vec_u64(&v);
        size_t n = vec_hex(&v, b, MAX_STREAM);
        tap_stream_reader r;
        tap_stream_init(&r);
        assert_int_equal(tap_stream_push(&r, b, n, NULL, NULL), TAP_SW_OK);
        if (!r.done || r.root_end >= n) continue;
        uint8_t mode = r.mode;
        b[r.root_end] = 0x06;
        tap_stream_init(&r);
        assert_int_equal(tap_stream_push(&r, b, n, NULL, NULL), mode == 0 ? TAP_SW_NOT_SUPPORTED : TAP_SW_INCORRECT_DATA);
        checked++;
    }
    vec_close(&v);
    assert_true(checked >= 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_grammar), cmocka_unit_test(test_frost_tag)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
