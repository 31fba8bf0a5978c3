/* MS-SMT folds and small trees against test/vectors/firmware/mssmt.txt (assets/mssmt). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tap_hash.h"
#include "tap_mssmt.h"
#include "vectors.h"

static void expect_node(vec_file *v, const tap_mssmt_node *n) {
    uint8_t hash[32];
    vec_hexn(v, hash, 32);
    if (memcmp(hash, n->hash, 32) != 0) fail_msg("%s: root hash differs", vec_where(v));
    assert_true(n->sum == vec_u64(v));
}

/* The flash table equals the recurrence it stands for. */
static void test_empty_table(void **state) {
    (void)state;
    tap_mssmt_node e = {.sum = 0}, next;
    uint8_t zero[8] = {0};
    tap_sha256(e.hash, zero, 8);
    assert_memory_equal(TAP_MSSMT_EMPTY[TAP_MSSMT_DEPTH], e.hash, 32);
    for (int h = TAP_MSSMT_DEPTH - 1; h >= 0; h--) {
        assert_true(tap_mssmt_branch(&next, &e, &e));
        assert_memory_equal(TAP_MSSMT_EMPTY[h], next.hash, 32);
        e = next;
    }
    vec_file v;
    vec_open(&v, "mssmt.txt");
    unsigned n = 0;
    while (vec_next(&v)) {
        if (!vec_is(&v, "empty")) continue;
        unsigned h = (unsigned)vec_u64(&v);
        uint8_t want[32];
        vec_hexn(&v, want, 32);
        assert_memory_equal(TAP_MSSMT_EMPTY[h], want, 32);
        n++;
    }
    vec_close(&v);
    assert_int_equal(n, 6);
}

static void test_folds(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "mssmt.txt");
    static uint8_t nodes[TAP_MSSMT_DEPTH * TAP_MSSMT_NODE_BYTES];
    unsigned n = 0;
    while (vec_next(&v)) {
        if (!vec_is(&v, "fold")) continue;
        uint8_t key[32], bits[32];
        tap_mssmt_node leaf, sib, root;
        vec_hexn(&v, key, 32);
        vec_hexn(&v, leaf.hash, 32);
        leaf.sum = vec_u64(&v);
        vec_hexn(&v, bits, 32);
        size_t len = vec_hex(&v, nodes, sizeof nodes), count = len / TAP_MSSMT_NODE_BYTES;
        tap_mssmt_fold f;
        tap_mssmt_fold_start(&f, key, &leaf, bits);
        for (size_t i = 0; i < count; i++) {
            tap_mssmt_node_decode(&sib, nodes + i * TAP_MSSMT_NODE_BYTES);
            assert_true(tap_mssmt_fold_node(&f, &sib));
        }
        assert_true(tap_mssmt_fold_root(&f, &root));
        expect_node(&v, &root);
        /* One node too many, one too few, a leaf of another amount: no root, or another root. */
        tap_mssmt_fold g = f;
        assert_false(tap_mssmt_fold_node(&g, &sib));
        assert_false(tap_mssmt_fold_root(&g, &root));
        if (count > 0) {
            tap_mssmt_fold_start(&g, key, &leaf, bits);
            for (size_t i = 0; i + 1 < count; i++) {
                tap_mssmt_node_decode(&sib, nodes + i * TAP_MSSMT_NODE_BYTES);
                tap_mssmt_fold_node(&g, &sib);
            }
            assert_false(tap_mssmt_fold_root(&g, &root));
        }
        n++;
    }
    vec_close(&v);
    print_message("folds: %u split proofs\n", n);
    assert_true(n > 20);
}

static void test_small_trees(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "mssmt.txt");
    static tap_mssmt_leaf leaves[64];
    unsigned trees = 0;
    while (vec_next(&v)) {
        if (!vec_is(&v, "tree")) continue;
        size_t n = vec_u64(&v);
        assert_true(n <= 64);
        for (size_t i = 0; i < n; i++) {
            vec_hexn(&v, leaves[i].key, 32);
            vec_hexn(&v, leaves[i].leaf.hash, 32);
            leaves[i].leaf.sum = vec_u64(&v);
        }
        tap_mssmt_node root;
        assert_true(tap_mssmt_root(&root, leaves, n));
        expect_node(&v, &root);
        if (n >= 2) {
            /* Two leaves under one key make no tree. */
            memcpy(leaves[1].key, leaves[0].key, 32);
            assert_false(tap_mssmt_root(&root, leaves, n));
        }
        trees++;
    }
    vec_close(&v);
    assert_int_equal(trees, 7);
}

static void test_builder(void **state) {
    (void)state;
    vec_file v;
    vec_open(&v, "mssmt.txt");
    static tap_mssmt_leaf leaves[64];
    unsigned built = 0;
    while (vec_next(&v)) {
        if (!vec_is(&v, "build")) continue;
        size_t n = vec_u64(&v);
        assert_true(n > 0 && n <= 64);
        tap_mssmt_builder b;
        tap_mssmt_builder_init(&b);
        for (size_t i = 0; i < n; i++) {
            vec_hexn(&v, leaves[i].key, 32);
            vec_hexn(&v, leaves[i].leaf.hash, 32);
            leaves[i].leaf.sum = vec_u64(&v);
            assert_int_equal(tap_mssmt_builder_add(&b, leaves[i].key, &leaves[i].leaf), TAP_MSSMT_BUILD_OK);
        }
        tap_mssmt_node root, again;
        assert_int_equal(tap_mssmt_builder_root(&b, &root), TAP_MSSMT_BUILD_OK);
        expect_node(&v, &root);
        /* The partitioning tree of the same leaves agrees. */
        assert_true(tap_mssmt_root(&again, leaves, n) && tap_mssmt_node_equal(&root, &again));
        if (n >= 2) {
            /* Out of tree order, or a key twice: refused. */
            tap_mssmt_builder_init(&b);
            tap_mssmt_builder_add(&b, leaves[1].key, &leaves[1].leaf);
            assert_int_equal(tap_mssmt_builder_add(&b, leaves[0].key, &leaves[0].leaf), TAP_MSSMT_BUILD_E_ORDER);
            assert_int_equal(tap_mssmt_builder_root(&b, &root), TAP_MSSMT_BUILD_E_ORDER);
            tap_mssmt_builder_init(&b);
            tap_mssmt_builder_add(&b, leaves[0].key, &leaves[0].leaf);
            assert_int_equal(tap_mssmt_builder_add(&b, leaves[0].key, &leaves[0].leaf), TAP_MSSMT_BUILD_E_ORDER);
        }
        built++;
    }
    vec_close(&v);
    assert_int_equal(built, 6);
    /* No leaf: the empty tree. */
    tap_mssmt_builder b;
    tap_mssmt_node root;
    tap_mssmt_builder_init(&b);
    assert_int_equal(tap_mssmt_builder_root(&b, &root), TAP_MSSMT_BUILD_OK);
    assert_memory_equal(root.hash, TAP_MSSMT_EMPTY[0], 32);
    /* Keys whose paths turn right one depth deeper each time leave a pending subtree per turn: 32
     * turns fit, the 33rd does not. */
    tap_mssmt_builder_init(&b);
    uint8_t key[32] = {0};
    tap_mssmt_node leaf = {.sum = 1};
    for (unsigned i = 0; i <= TAP_MSSMT_BUILD_STACK + 1; i++) {
        if (i > 0) key[(i - 1) / 8] |= (uint8_t)(1u << ((i - 1) % 8));
        tap_mssmt_build_status s = tap_mssmt_builder_add(&b, key, &leaf);
        assert_int_equal(s, i <= TAP_MSSMT_BUILD_STACK ? TAP_MSSMT_BUILD_OK : TAP_MSSMT_BUILD_E_STACK);
    }
}

static void test_sum_overflow(void **state) {
    (void)state;
    tap_mssmt_node a = {.sum = UINT64_MAX}, b = {.sum = 1}, out;
    memset(a.hash, 1, 32);
    memset(b.hash, 2, 32);
    assert_false(tap_mssmt_branch(&out, &a, &b));
    b.sum = 0;
    assert_true(tap_mssmt_branch(&out, &a, &b));
    assert_true(out.sum == UINT64_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_folds),
        cmocka_unit_test(test_small_trees),
        cmocka_unit_test(test_builder),
        cmocka_unit_test(test_sum_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
