/* libFuzzer target for the streaming asset parser (firmware/README.md, "Fuzzing"). The first two
 * bytes choose the options and the piece size; the rest is the asset. Properties: no crash, no
 * sanitizer report, and the same verdict and the same kept fields whether the value arrives whole
 * or in pieces. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap_asset.h"

static tap_asset_status run(const uint8_t *d, size_t n, size_t piece, const tap_asset_options *opt, tap_asset_info *info) {
    static tap_asset_parser p;
    tap_asset_init(&p, (uint32_t)n, opt);
    for (size_t at = 0; at < n; at += piece) {
        size_t k = n - at < piece ? n - at : piece;
        tap_asset_status s = tap_asset_feed(&p, d + at, k);
        if (s != TAP_ASSET_MORE && s != TAP_ASSET_DONE) return s;
    }
    memset(info, 0, sizeof *info);
    return tap_asset_finish(&p, info);
}

/* Field by field: the struct has padding. */
static int same(const tap_asset_info *x, const tap_asset_info *y) {
    return x->version == y->version && !memcmp(x->asset_id, y->asset_id, 32) && x->tag_len == y->tag_len && !memcmp(x->tag, y->tag, x->tag_len) &&
           x->first_prev_id_zero == y->first_prev_id_zero && x->amount == y->amount &&
           !memcmp(x->script_key, y->script_key, 33) && x->script_version == y->script_version && x->lock_time == y->lock_time &&
           x->relative_lock_time == y->relative_lock_time && x->has_group_key == y->has_group_key && x->has_split_root == y->has_split_root &&
           x->witness_count == y->witness_count && x->any_tx_witness == y->any_tx_witness && x->first_tx_witness == y->first_tx_witness && x->first_has_split == y->first_has_split &&
           x->node_count == y->node_count && !memcmp(x->nodes_hash, y->nodes_hash, 32) && !memcmp(x->bits, y->bits, 32) &&
           !memcmp(x->root_stripped, y->root_stripped, 32) && x->split_leaf_problem == y->split_leaf_problem &&
           !memcmp(x->split_leaf.hash, y->split_leaf.hash, 32) && !memcmp(x->stripped, y->stripped, 32) &&
           x->no_witness_list_len == y->no_witness_list_len && x->no_witness_problem == y->no_witness_problem &&
           !memcmp(x->no_witness_leaf.hash, y->no_witness_leaf.hash, 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    tap_asset_options opt = {0};
    opt.split_leaf = data[0] & 1;
    opt.stripped = (data[0] >> 1) & 1;
    opt.no_witness_leaf = (data[0] >> 2) & 1;
    opt.root_lock_time = (data[0] >> 3) & 1 ? 800000 : 0;
    opt.root_relative_lock_time = (data[0] >> 4) & 1 ? 144 : 0;
    opt.no_witness_list_len = data[0] >> 5;
    size_t piece = 1 + data[1] % 64;
    const uint8_t *asset = data + 2;
    size_t n = size - 2;
    tap_asset_info whole, pieces;
    tap_asset_status a = run(asset, n, n ? n : 1, &opt, &whole);
    tap_asset_status b = run(asset, n, piece, &opt, &pieces);
    if (a != b) abort();
    if (a == TAP_ASSET_DONE && !same(&whole, &pieces)) abort();
    return 0;
}
