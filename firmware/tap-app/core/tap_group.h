/* Group keys of grouped assets (docs/taproot-assets.md §3, assets/group/group-key.ts): the non-spendable
 * leaves a V1 group key's tapscript root may be, and the V0 tweak by the group anchor's asset ID. */
#ifndef TAP_GROUP_H
#define TAP_GROUP_H

#include "platform.h"

#define TAP_LEAF_OP_RETURN 1
#define TAP_LEAF_PEDERSEN 2

/* The leaf hash of tapd's non-spendable leaf over id: `OP_RETURN <id>` or the Pedersen
 * `<xonly(K)> OP_CHECKSIG`, K child 0/0 of the depth-3 xpub of id·G + NUMS (chain code its x). */
bool tap_group_leaf_hash(uint8_t out[32], int version, const uint8_t id[32]);

/* The V0 internal key: raw + int(anchor)·G (tapd GroupPubKeyV0), and the secret key of it. */
bool tap_group_v0_internal(tap_point *out, const tap_point *raw, const uint8_t anchor[32]);
void tap_group_v0_secret(uint8_t out[32], const uint8_t sk[32], const uint8_t anchor[32]);

#endif
