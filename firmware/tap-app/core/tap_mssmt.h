/* MS-SMT (merkle-sum sparse merkle tree; docs/tap-app-protocol.md §5.5 step 2c, docs/taproot-assets.md §2):
 * a leaf hashes value || u64be(sum), a branch hashes left.hash || right.hash || u64be(sum), sums
 * above 2^64-1 are refused. Keys are 32 bytes, bit d is bit d % 8 (LSB first) of byte d / 8. */
#ifndef TAP_MSSMT_H
#define TAP_MSSMT_H

#include "platform.h"

#define TAP_MSSMT_DEPTH 256
/* A node as proofs carry it: hash || u64be(sum). */
#define TAP_MSSMT_NODE_BYTES 40

typedef struct {
    uint8_t hash[32];
    uint64_t sum;
} tap_mssmt_node;

/* EMPTY[h] for h = 0..256: the root of an empty subtree whose top is at depth h; EMPTY[256] is the
 * empty leaf (SHA256(u64be(0)), 0). Kept in flash (tap_mssmt_empty.c); sums are all zero. */
extern const uint8_t TAP_MSSMT_EMPTY[TAP_MSSMT_DEPTH + 1][32];
void tap_mssmt_empty(tap_mssmt_node *out, unsigned height);

static inline unsigned tap_mssmt_key_bit(const uint8_t key[32], unsigned depth) {
    return (key[depth >> 3] >> (depth & 7)) & 1u;
}

/* A leaf's node from the SHA-256 context that already holds its value. */
void tap_mssmt_leaf_finish(tap_mssmt_node *out, tap_sha256_ctx *value, uint64_t sum);
/* false on a sum overflow. */
bool tap_mssmt_branch(tap_mssmt_node *out, const tap_mssmt_node *left, const tap_mssmt_node *right);
void tap_mssmt_node_decode(tap_mssmt_node *out, const uint8_t in[TAP_MSSMT_NODE_BYTES]);
bool tap_mssmt_node_equal(const tap_mssmt_node *a, const tap_mssmt_node *b);

/* Folds a compressed proof leaf to root as its nodes arrive (§5.5 step 2c): bits[i] set means the
 * sibling at level i (bottom-up) is EMPTY[256 - i]; the others are pushed in order. */
typedef struct {
    uint8_t key[32];
    uint8_t bits[32];
    tap_mssmt_node current;
    uint16_t level;
    bool failed;
} tap_mssmt_fold;

void tap_mssmt_fold_start(tap_mssmt_fold *f, const uint8_t key[32], const tap_mssmt_node *leaf, const uint8_t bits[32]);
/* false: more nodes than the bit map leaves room for, or a sum overflow. */
bool tap_mssmt_fold_node(tap_mssmt_fold *f, const tap_mssmt_node *sibling);
/* false: fewer nodes than the bit map asks for, or a failure before. */
bool tap_mssmt_fold_root(const tap_mssmt_fold *f, tap_mssmt_node *root);

/* The root of a small tree (the virtual input tree: one leaf per spent asset). Reorders leaves;
 * false on two leaves with one key or a sum overflow. Stack depth grows with n, not with 256. */
typedef struct {
    uint8_t key[32];
    tap_mssmt_node leaf;
} tap_mssmt_leaf;
bool tap_mssmt_root(tap_mssmt_node *root, tap_mssmt_leaf *leaves, size_t n);

/* Builds the root of a tree from its leaves given in tree order (a key before another when, at the
 * first depth where they differ, its bit is 0): the split tree a device rebuilds from streamed
 * outputs, holding one pending left subtree per depth where the path turns, at most
 * TAP_MSSMT_BUILD_STACK of them. */
#define TAP_MSSMT_BUILD_STACK 32

typedef enum {
    TAP_MSSMT_BUILD_OK = 0,
    TAP_MSSMT_BUILD_E_ORDER,    /* a key not after the previous one in tree order (or equal to it) */
    TAP_MSSMT_BUILD_E_STACK,    /* more pending subtrees than the stack holds */
    TAP_MSSMT_BUILD_E_OVERFLOW, /* a sum above 2^64-1 */
} tap_mssmt_build_status;

typedef struct {
    struct {
        uint16_t depth;
        tap_mssmt_node node;
    } stack[TAP_MSSMT_BUILD_STACK];
    uint8_t pending;
    uint16_t depth; /* of current */
    tap_mssmt_node current;
    uint8_t last_key[32];
    bool has_last;
    tap_mssmt_build_status status;
} tap_mssmt_builder;

void tap_mssmt_builder_init(tap_mssmt_builder *b);
/* The next leaf; an error sticks. */
tap_mssmt_build_status tap_mssmt_builder_add(tap_mssmt_builder *b, const uint8_t key[32], const tap_mssmt_node *leaf);
/* The root of every leaf added (EMPTY[0] for none), or the error that stopped the build. */
tap_mssmt_build_status tap_mssmt_builder_root(tap_mssmt_builder *b, tap_mssmt_node *root);

#endif
