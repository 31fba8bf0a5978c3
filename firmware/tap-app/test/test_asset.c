/* The streaming asset parser against test/vectors/firmware/{asset,split-leaf,stripped,genesis}.txt:
 * what the TypeScript decoders read and refuse, in pieces of every size. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tap_asset.h"
#include "vectors.h"

#define MAX_ASSET 65536

static uint8_t buf[MAX_ASSET], base[8][MAX_ASSET];
static size_t base_len[8];

/* Feeds bytes in pieces of `piece` bytes (0: whole; SIZE_MAX: pseudo-random 1..60 from seed). */
static tap_asset_status parse(const uint8_t *b, size_t len, size_t piece, uint32_t seed, const tap_asset_options *opt, tap_asset_info *info) {
    static tap_asset_parser p;
    tap_asset_init(&p, (uint32_t)len, opt);
    uint32_t x = seed | 1;
    for (size_t at = 0; at < len;) {
        size_t k = piece;
        if (piece == SIZE_MAX) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            k = 1 + x % 60;
        }
        if (k == 0 || k > len - at) k = len - at;
        tap_asset_status s = tap_asset_feed(&p, b + at, k);
        if (s != TAP_ASSET_MORE && s != TAP_ASSET_DONE) return s;
        at += k;
    }
    return tap_asset_finish(&p, info);
}

static const size_t PIECES[] = {1, 2, 7, 40, 138, 253, 0};

static void expect_hex(vec_file *v, const uint8_t *got, size_t n) {
    uint8_t want[64];
    vec_hexn(v, want, n);
    if (memcmp(want, got, n) != 0) fail_msg("%s: a %zu-byte field differs", vec_where(v), n);
}

static void test_accepted_assets(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "asset.txt");
    unsigned checked = 0;
    while (vec_next(&v)) {
        if (!vec_is(&v, "asset")) continue;
        size_t len = vec_hex(&v, buf, sizeof buf);
        size_t fields = v.at;
        for (size_t i = 0; i < sizeof PIECES / sizeof *PIECES; i++) {
            tap_asset_info info;
            tap_asset_status s = parse(buf, len, PIECES[i], 0, NULL, &info);
            if (s != TAP_ASSET_DONE) fail_msg("%s: refused (%d) in pieces of %zu", vec_where(&v), s, PIECES[i]);
            v.at = fields;
            assert_int_equal(info.version, vec_u64(&v));
            expect_hex(&v, info.asset_id, 32);
            assert_true(info.amount == vec_u64(&v));
            expect_hex(&v, info.script_key, 33);
            assert_int_equal(info.script_version, vec_u64(&v));
            assert_true(info.lock_time == vec_u64(&v));
            assert_true(info.relative_lock_time == vec_u64(&v));
            assert_int_equal(info.has_group_key, !vec_is(&v, "-"));
            if (info.has_group_key) expect_hex(&v, info.group_key, 33);
            assert_int_equal(info.has_split_root, !vec_is(&v, "-"));
            if (info.has_split_root) {
                expect_hex(&v, info.split_root.hash, 32);
                assert_true(info.split_root.sum == vec_u64(&v));
            } else {
                assert_true(vec_is(&v, "-"));
            }
            assert_int_equal(info.witness_count, vec_u64(&v));
            assert_int_equal(info.any_tx_witness, vec_u64(&v));
            assert_int_equal(info.first_tx_witness, vec_u64(&v));
            assert_int_equal(info.first_has_split, vec_u64(&v));
            assert_int_equal(info.node_count, vec_u64(&v));
            if (info.first_has_split) {
                expect_hex(&v, info.nodes_hash, 32);
                expect_hex(&v, info.bits, 32);
                expect_hex(&v, info.root_stripped, 32);
            } else {
                assert_true(vec_is(&v, "-") && vec_is(&v, "-") && vec_is(&v, "-"));
            }
            assert_int_equal(info.has_prev_witnesses, !vec_is(&v, "-"));
            uint64_t list_len = 0;
            if (info.has_prev_witnesses) {
                list_len = vec_u64(&v);
                assert_true(info.no_witness_list_len == list_len);
            }
            size_t leaf_at = v.at;
            /* Second pass: the witness-free leaf, with the list length the first pass reported. */
            tap_asset_options opt = {.no_witness_leaf = true, .no_witness_list_len = list_len};
            tap_asset_info leaf;
            assert_int_equal(parse(buf, len, PIECES[i], 0, &opt, &leaf), TAP_ASSET_DONE);
            assert_int_equal(leaf.no_witness_problem, TAP_LEAF_OK);
            expect_hex(&v, leaf.no_witness_leaf.hash, 32);
            assert_true(leaf.no_witness_leaf.sum == info.amount);
            if (info.has_prev_witnesses) {
                /* A wrong announcement gives no leaf rather than a wrong one. */
                opt.no_witness_list_len = list_len + 1;
                assert_int_equal(parse(buf, len, PIECES[i], 0, &opt, &leaf), TAP_ASSET_DONE);
                assert_int_equal(leaf.no_witness_problem, TAP_LEAF_LENGTH_MISMATCH);
            }
            v.at = leaf_at + 1;
        }
        checked++;
    }
    vec_close(&v);
    print_message("accepted assets: %u, each in %zu piece sizes\n", checked, sizeof PIECES / sizeof *PIECES);
    assert_true(checked > 40);
}

static void test_mutations(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "asset.txt");
    unsigned accepted = 0, refused = 0;
    while (vec_next(&v)) {
        if (vec_is(&v, "base")) {
            size_t id = vec_u64(&v);
            assert_true(id < 8);
            base_len[id] = vec_hex(&v, base[id], MAX_ASSET);
            continue;
        }
        if (vec_is(&v, "refuse")) {
            size_t len = vec_hex(&v, buf, sizeof buf);
            for (size_t i = 0; i < sizeof PIECES / sizeof *PIECES; i++) assert_int_not_equal(parse(buf, len, PIECES[i], 0, NULL, NULL), TAP_ASSET_DONE);
            refused++;
            continue;
        }
        if (!vec_is(&v, "m")) continue;
        size_t id = vec_u64(&v), kind = vec_u64(&v), at = vec_u64(&v);
        uint8_t byte = (uint8_t)vec_u64(&v);
        const uint8_t *b = base[id];
        size_t n = base_len[id], len;
        switch (kind) {
        case 0:
            memcpy(buf, b, n), buf[at] = byte, len = n;
            break;
        case 1:
            memcpy(buf, b, at), len = at;
            break;
        case 2:
            memcpy(buf, b, at), buf[at] = byte, memcpy(buf + at + 1, b + at, n - at), len = n + 1;
            break;
        default:
            memcpy(buf, b, at), memcpy(buf + at, b + at + 1, n - at - 1), len = n - 1;
        }
        bool accept = vec_is(&v, "accept");
        if (!accept) assert_true(vec_is(&v, "refuse"));
        size_t fields = v.at;
        for (int round = 0; round < 2; round++) {
            tap_asset_info info;
            tap_asset_status s = parse(buf, len, round ? SIZE_MAX : 0, v.lineno, NULL, &info);
            if ((s == TAP_ASSET_DONE) != accept) fail_msg("%s: expected %s, got status %d", vec_where(&v), accept ? "accept" : "refuse", s);
            if (accept) {
                v.at = fields;
                expect_hex(&v, info.asset_id, 32);
                assert_true(info.amount == vec_u64(&v));
                expect_hex(&v, info.script_key, 33);
            }
        }
        if (accept)
            accepted++;
        else
            refused++;
    }
    vec_close(&v);
    print_message("mutations and refusals: %u accepted, %u refused, as the TypeScript decoders\n", accepted, refused);
    assert_true(refused > 2500 && accepted > 500);
}

static void test_split_leaves(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "split-leaf.txt");
    unsigned n = 0, leaves = 0;
    static const char *const problems[] = {"ok", "tx-witness", "witness-count", "no-split", "no-witness", "version"};
    while (vec_next(&v)) {
        assert_true(vec_is(&v, "leaf"));
        size_t len = vec_hex(&v, buf, sizeof buf);
        tap_asset_options opt = {.split_leaf = true};
        opt.root_lock_time = vec_u64(&v);
        opt.root_relative_lock_time = vec_u64(&v);
        size_t fields = v.at;
        for (size_t i = 0; i < sizeof PIECES / sizeof *PIECES; i++) {
            tap_asset_info info;
            assert_int_equal(parse(buf, len, PIECES[i], 0, &opt, &info), TAP_ASSET_DONE);
            v.at = fields;
            if (vec_is(&v, "-")) {
                assert_int_not_equal(info.split_leaf_problem, TAP_LEAF_OK);
            } else {
                assert_int_equal(info.split_leaf_problem, TAP_LEAF_OK);
                expect_hex(&v, info.split_leaf.hash, 32);
                assert_true(info.split_leaf.sum == info.amount);
            }
            const char *want = vec_str(&v);
            if (strcmp(problems[info.split_leaf_problem], want) != 0) fail_msg("%s: problem %s, expected %s", vec_where(&v), problems[info.split_leaf_problem], want);
        }
        leaves += strcmp(v.tok[v.n - 1], "ok") == 0;
        n++;
    }
    vec_close(&v);
    print_message("split leaves: %u cases, %u with a leaf\n", n, leaves);
    assert_true(leaves > 10 && n > leaves);
}

static void test_stripped(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "stripped.txt");
    unsigned n = 0;
    tap_asset_options opt = {.stripped = true};
    while (vec_next(&v)) {
        bool ok = vec_is(&v, "stripped");
        if (!ok) assert_true(vec_is(&v, "refuse"));
        size_t len = vec_hex(&v, buf, sizeof buf);
        for (size_t i = 0; i < sizeof PIECES / sizeof *PIECES; i++) {
            tap_asset_info info;
            tap_asset_status s = parse(buf, len, PIECES[i], 0, &opt, &info);
            if (!ok) {
                assert_int_equal(s, TAP_ASSET_E_NESTED_SPLIT);
                continue;
            }
            assert_int_equal(s, TAP_ASSET_DONE);
            size_t at = v.at;
            expect_hex(&v, info.stripped, 32);
            v.at = at;
        }
        n++;
    }
    vec_close(&v);
    assert_true(n > 20);
}

static void test_genesis(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "genesis.txt");
    unsigned ok = 0, refused = 0;
    while (vec_next(&v)) {
        uint8_t id[32], type;
        if (vec_is(&v, "refuse")) {
            size_t len = vec_hex(&v, buf, sizeof buf);
            assert_false(tap_genesis_asset_id(id, &type, buf, len));
            refused++;
            continue;
        }
        assert_true(vec_is(&v, "genesis"));
        size_t len = vec_hex(&v, buf, sizeof buf);
        assert_true(tap_genesis_asset_id(id, &type, buf, len));
        expect_hex(&v, id, 32);
        assert_int_equal(type, vec_u64(&v));
        ok++;
    }
    vec_close(&v);
    assert_true(ok > 10 && refused >= 8);
}

/* The parser's memory is its struct: the same for an asset of any size. */
static void test_bounded_memory(void **state) {
    (void)state;
    print_message("sizeof(tap_asset_parser) = %zu bytes\n", sizeof(tap_asset_parser));
    /* Bytes after the declared total, and a value that ends early, are refused. */
    vec_file v;
    vec_open(&v, "asset.txt");
    while (vec_next(&v) && !vec_is(&v, "asset")) {
    }
    size_t len = vec_hex(&v, buf, sizeof buf);
    vec_close(&v);
    static tap_asset_parser p;
    tap_asset_init(&p, (uint32_t)len, NULL);
    assert_int_equal(tap_asset_feed(&p, buf, len), TAP_ASSET_DONE);
    assert_int_equal(tap_asset_feed(&p, buf, 1), TAP_ASSET_E_TRAILING);
    tap_asset_init(&p, (uint32_t)len, NULL);
    assert_int_equal(tap_asset_feed(&p, buf, len - 1), TAP_ASSET_MORE);
    assert_int_equal(tap_asset_finish(&p, NULL), TAP_ASSET_E_TRUNCATED);
    tap_asset_init(&p, TAP_ASSET_MAX_SIZE + 1, NULL);
    assert_int_equal(tap_asset_feed(&p, buf, 1), TAP_ASSET_E_LENGTH);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted_assets), cmocka_unit_test(test_mutations), cmocka_unit_test(test_split_leaves),
        cmocka_unit_test(test_stripped),        cmocka_unit_test(test_genesis),   cmocka_unit_test(test_bounded_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
