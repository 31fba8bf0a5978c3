#include "tap_mssmt.h"

#include <string.h>

#include "tap_hash.h"

void tap_mssmt_empty(tap_mssmt_node *out, unsigned height) {
    memcpy(out->hash, TAP_MSSMT_EMPTY[height], 32);
    out->sum = 0;
}

void tap_mssmt_leaf_finish(tap_mssmt_node *out, tap_sha256_ctx *value, uint64_t sum) {
    uint8_t s[8];
    tap_put_u64be(s, sum);
    tap_sha256_update(value, s, 8);
    tap_sha256_final(value, out->hash);
    out->sum = sum;
}

bool tap_mssmt_branch(tap_mssmt_node *out, const tap_mssmt_node *left, const tap_mssmt_node *right) {
    uint64_t sum = left->sum + right->sum;
    if (sum < left->sum) return false;
    uint8_t buf[72];
    memcpy(buf, left->hash, 32);
    memcpy(buf + 32, right->hash, 32);
    tap_put_u64be(buf + 64, sum);
    tap_sha256(out->hash, buf, sizeof buf);
    out->sum = sum;
    return true;
}

void tap_mssmt_node_decode(tap_mssmt_node *out, const uint8_t in[TAP_MSSMT_NODE_BYTES]) {
    memcpy(out->hash, in, 32);
    out->sum = tap_get_u64be(in + 32);
}

bool tap_mssmt_node_equal(const tap_mssmt_node *a, const tap_mssmt_node *b) {
    return a->sum == b->sum && tap_equal(a->hash, b->hash, 32);
}

static void fold_up(tap_mssmt_fold *f, const tap_mssmt_node *sibling) {
    unsigned depth = TAP_MSSMT_DEPTH - 1u - f->level;
    tap_mssmt_node next;
    bool ok = tap_mssmt_key_bit(f->key, depth) == 0 ? tap_mssmt_branch(&next, &f->current, sibling)
                                                   : tap_mssmt_branch(&next, sibling, &f->current);
    if (!ok) f->failed = true;
    f->current = next;
    f->level++;
}

static void fold_skip_empty(tap_mssmt_fold *f) {
    while (!f->failed && f->level < TAP_MSSMT_DEPTH && ((f->bits[f->level >> 3] >> (f->level & 7)) & 1u)) {
        tap_mssmt_node e;
        tap_mssmt_empty(&e, TAP_MSSMT_DEPTH - f->level);
        fold_up(f, &e);
    }
}

void tap_mssmt_fold_start(tap_mssmt_fold *f, const uint8_t key[32], const tap_mssmt_node *leaf, const uint8_t bits[32]) {
    memcpy(f->key, key, 32);
    memcpy(f->bits, bits, 32);
    f->current = *leaf;
    f->level = 0;
    f->failed = false;
    fold_skip_empty(f);
}

bool tap_mssmt_fold_node(tap_mssmt_fold *f, const tap_mssmt_node *sibling) {
    if (f->failed || f->level == TAP_MSSMT_DEPTH) {
        f->failed = true;
        return false;
    }
    fold_up(f, sibling);
    fold_skip_empty(f);
    return !f->failed;
}

bool tap_mssmt_fold_root(const tap_mssmt_fold *f, tap_mssmt_node *root) {
    if (f->failed || f->level != TAP_MSSMT_DEPTH) return false;
    *root = f->current;
    return true;
}

/* Folds `cur`, the subtree at depth `from` on the path of `key`, up to depth `to` with empty
 * siblings. */
static bool up_with_empty(tap_mssmt_node *cur, const uint8_t key[32], unsigned from, unsigned to) {
    tap_mssmt_node e;
    for (unsigned d = from; d > to; d--) {
        tap_mssmt_empty(&e, d);
        bool ok = tap_mssmt_key_bit(key, d - 1) == 0 ? tap_mssmt_branch(cur, cur, &e) : tap_mssmt_branch(cur, &e, cur);
        if (!ok) return false;
    }
    return true;
}

/* The root of the subtree at `depth` holding leaves[0..n). Recursion happens only where the
 * leaves split, so its depth is below n whatever the keys share. */
static bool subtree(tap_mssmt_node *out, tap_mssmt_leaf *leaves, size_t n, unsigned depth) {
    if (n == 0) {
        tap_mssmt_empty(out, depth);
        return true;
    }
    if (n == 1) {
        *out = leaves[0].leaf;
        return up_with_empty(out, leaves[0].key, TAP_MSSMT_DEPTH, depth);
    }
    /* The first depth at which the leaves do not all take the same side. */
    unsigned split = depth;
    for (; split < TAP_MSSMT_DEPTH; split++) {
        unsigned b = tap_mssmt_key_bit(leaves[0].key, split);
        size_t i = 1;
        while (i < n && tap_mssmt_key_bit(leaves[i].key, split) == b) i++;
        if (i < n) break;
    }
    if (split == TAP_MSSMT_DEPTH) return false; /* two leaves under one key */
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
        if (tap_mssmt_key_bit(leaves[i].key, split) == 0) {
            tap_mssmt_leaf t = leaves[i];
            leaves[i] = leaves[left];
            leaves[left++] = t;
        }
    }
    tap_mssmt_node l, r;
    if (!subtree(&l, leaves, left, split + 1)) return false;
    if (!subtree(&r, leaves + left, n - left, split + 1)) return false;
    if (!tap_mssmt_branch(out, &l, &r)) return false;
    return up_with_empty(out, leaves[0].key, split, depth);
}

bool tap_mssmt_root(tap_mssmt_node *root, tap_mssmt_leaf *leaves, size_t n) {
    return subtree(root, leaves, n, 0);
}

void tap_mssmt_builder_init(tap_mssmt_builder *b) {
    memset(b, 0, sizeof *b);
}

/* Lifts current (on the path of the last key) from its depth up to depth `to`. */
static void builder_lift(tap_mssmt_builder *b, unsigned to) {
    for (unsigned d = b->depth; d > to && b->status == TAP_MSSMT_BUILD_OK; d--) {
        tap_mssmt_node sibling;
        bool ok;
        if (b->pending > 0 && b->stack[b->pending - 1].depth == d) {
            sibling = b->stack[--b->pending].node;
            ok = tap_mssmt_branch(&b->current, &sibling, &b->current);
        } else {
            tap_mssmt_empty(&sibling, d);
            ok = tap_mssmt_key_bit(b->last_key, d - 1) == 0 ? tap_mssmt_branch(&b->current, &b->current, &sibling)
                                                             : tap_mssmt_branch(&b->current, &sibling, &b->current);
        }
        if (!ok) b->status = TAP_MSSMT_BUILD_E_OVERFLOW;
    }
    b->depth = (uint16_t)to;
}

tap_mssmt_build_status tap_mssmt_builder_add(tap_mssmt_builder *b, const uint8_t key[32], const tap_mssmt_node *leaf) {
    if (b->status != TAP_MSSMT_BUILD_OK) return b->status;
    if (b->has_last) {
        unsigned d = 0;
        while (d < TAP_MSSMT_DEPTH && tap_mssmt_key_bit(key, d) == tap_mssmt_key_bit(b->last_key, d)) d++;
        if (d == TAP_MSSMT_DEPTH || tap_mssmt_key_bit(key, d) == 0) return b->status = TAP_MSSMT_BUILD_E_ORDER;
        builder_lift(b, d + 1);
        if (b->status != TAP_MSSMT_BUILD_OK) return b->status;
        if (b->pending == TAP_MSSMT_BUILD_STACK) return b->status = TAP_MSSMT_BUILD_E_STACK;
        b->stack[b->pending].depth = (uint16_t)(d + 1);
        b->stack[b->pending++].node = b->current;
    }
    b->current = *leaf;
    b->depth = TAP_MSSMT_DEPTH;
    memcpy(b->last_key, key, 32);
    b->has_last = true;
    return TAP_MSSMT_BUILD_OK;
}

tap_mssmt_build_status tap_mssmt_builder_root(tap_mssmt_builder *b, tap_mssmt_node *root) {
    if (b->status != TAP_MSSMT_BUILD_OK) return b->status;
    if (!b->has_last) {
        tap_mssmt_empty(root, 0);
        return TAP_MSSMT_BUILD_OK;
    }
    builder_lift(b, 0);
    if (b->status == TAP_MSSMT_BUILD_OK) *root = b->current;
    return b->status;
}
