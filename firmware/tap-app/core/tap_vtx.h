/* The virtual transaction of an asset transfer and its BIP-341 sighash (docs/taproot-assets.md §2,
 * assets/vtx/virtual-tx.ts): version 2, one input spending the outpoint SHA256(root || u64be(sum))
 * of the MS-SMT of the spent assets (keyed by PrevID hash) at index i, one output OP_1 <key> where
 * key is the split commitment root, or the root of a one-leaf MS-SMT holding the new asset without
 * tx witnesses; lock time and sequence are the new asset's lock times cut to 32 bits. */
#ifndef TAP_VTX_H
#define TAP_VTX_H

#include "platform.h"
#include "tap_asset.h"
#include "tap_mssmt.h"

typedef struct {
    uint8_t prevout_hash[32]; /* in transaction (internal) byte order */
    uint64_t output_amount;
    uint8_t output_key[32];
    uint64_t lock_time;
    uint64_t relative_lock_time;
} tap_vtx;

/* The virtual input's outpoint hash from the root of the input tree. */
void tap_vtx_prevout_hash(uint8_t out[32], const tap_mssmt_node *input_root);
/* The MS-SMT key of a new asset without split: SHA256(xonly(group key) or 32 zero bytes || asset
 * ID || xonly(script key)); group_key may be NULL. */
void tap_vtx_asset_key(uint8_t out[32], const uint8_t *group_key, const uint8_t asset_id[32], const uint8_t script_key[33]);
/* The output and lock times of the virtual transaction of the new asset `a`: its split commitment
 * root, or the one-leaf tree of its witness-free leaf (a parse with no_witness_leaf on). */
bool tap_vtx_set_output(tap_vtx *vtx, const tap_asset_info *a);

/* BIP-341 key-path sighash of input `input_index`, spending OP_1 <prev_key> worth prev_amount,
 * hash type 0 (DEFAULT) or 1 (ALL), the only two the app signs; false for any other. */
bool tap_vtx_sighash(uint8_t out[32], const tap_vtx *vtx, uint32_t input_index, uint64_t prev_amount, const uint8_t prev_key[32],
                     uint8_t hash_type);

#endif
