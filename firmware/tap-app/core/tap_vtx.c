#include "tap_vtx.h"

#include <string.h>

#include "tap_hash.h"

void tap_vtx_prevout_hash(uint8_t out[32], const tap_mssmt_node *input_root) {
    uint8_t b[40];
    memcpy(b, input_root->hash, 32);
    tap_put_u64be(b + 32, input_root->sum);
    tap_sha256(out, b, sizeof b);
}

void tap_vtx_asset_key(uint8_t out[32], const uint8_t *group_key, const uint8_t asset_id[32], const uint8_t script_key[33]) {
    static const uint8_t none[32];
    tap_sha256_ctx h;
    tap_sha256_init(&h);
    tap_sha256_update(&h, group_key ? group_key + 1 : none, 32);
    tap_sha256_update(&h, asset_id, 32);
    tap_sha256_update(&h, script_key + 1, 32);
    tap_sha256_final(&h, out);
}

bool tap_vtx_set_output(tap_vtx *vtx, const tap_asset_info *a) {
    vtx->lock_time = a->lock_time;
    vtx->relative_lock_time = a->relative_lock_time;
    if (a->has_split_root) {
        memcpy(vtx->output_key, a->split_root.hash, 32);
        vtx->output_amount = a->split_root.sum;
        return true;
    }
    tap_mssmt_leaf out = {.leaf = a->no_witness_leaf};
    tap_mssmt_node root;
    tap_vtx_asset_key(out.key, a->has_group_key ? a->group_key : NULL, a->asset_id, a->script_key);
    if (!tap_mssmt_root(&root, &out, 1)) return false;
    memcpy(vtx->output_key, root.hash, 32);
    vtx->output_amount = a->amount;
    return true;
}

/* The P2TR script OP_1 <key> with its CompactSize length, as the sighash serialises it. */
static void p2tr(uint8_t out[35], const uint8_t key[32]) {
    out[0] = 34;
    out[1] = 0x51;
    out[2] = 0x20;
    memcpy(out + 3, key, 32);
}

bool tap_vtx_sighash(uint8_t out[32], const tap_vtx *vtx, uint32_t input_index, uint64_t prev_amount, const uint8_t prev_key[32],
                     uint8_t hash_type) {
    if (hash_type > 1) return false;
    uint8_t b[43], prevouts[32], amounts[32], scripts[32], sequences[32], outputs[32];
    /* sha_prevouts: the one input's outpoint, index = the input's index (asset.VirtualTxWithInput). */
    memcpy(b, vtx->prevout_hash, 32);
    tap_put_u32le(b + 32, input_index);
    tap_sha256(prevouts, b, 36);
    tap_put_u64le(b, prev_amount);
    tap_sha256(amounts, b, 8);
    p2tr(b, prev_key);
    tap_sha256(scripts, b, 35);
    tap_put_u32le(b, (uint32_t)vtx->relative_lock_time);
    tap_sha256(sequences, b, 4);
    tap_put_u64le(b, vtx->output_amount);
    p2tr(b + 8, vtx->output_key);
    tap_sha256(outputs, b, 43);

    tap_sha256_ctx h;
    tap_tagged_init(&h, "TapSighash");
    uint8_t head[10] = {0x00 /* epoch */, hash_type};
    tap_put_u32le(head + 2, 2); /* nVersion */
    tap_put_u32le(head + 6, (uint32_t)vtx->lock_time);
    tap_sha256_update(&h, head, sizeof head);
    tap_sha256_update(&h, prevouts, 32);
    tap_sha256_update(&h, amounts, 32);
    tap_sha256_update(&h, scripts, 32);
    tap_sha256_update(&h, sequences, 32);
    tap_sha256_update(&h, outputs, 32);
    uint8_t tail[5] = {0x00 /* spend type: key path, no annex */};
    tap_put_u32le(tail + 1, 0); /* the virtual tx's only input */
    tap_sha256_update(&h, tail, sizeof tail);
    tap_sha256_final(&h, out);
    return true;
}
