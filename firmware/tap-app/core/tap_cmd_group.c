/* SIGN_GROUP_GENESIS (docs/tap-app-protocol.md §5.6): the group witness of a grouped asset's genesis.
 * The device fetches the genesis asset leaf, computes its asset ID, the tweaked group key from its own
 * raw key and the group virtual transaction's sighash itself, shows name, amount, asset ID, owner and
 * group key, and on approval signs with the tweaked group key. The group key may have no script path
 * the review does not show: V1 only the bare non-spendable leaf over the anchor's asset ID, V0 none. */
#include <string.h>

#include "tap_asset.h"
#include "tap_client.h"
#include "tap_commands.h"
#include "tap_curve.h"
#include "tap_group.h"
#include "tap_hash.h"
#include "tap_keys.h"
#include "tap_taproot.h"
#include "tap_text.h"
#include "tap_vtx.h"

#define MAX_GENESIS_ASSET 4096

typedef struct {
    uint8_t asset[MAX_GENESIS_ASSET];
    tap_asset_parser parser;
} group_state;

_Static_assert(sizeof(group_state) <= sizeof(tap_scratch), "tap_scratch holds SIGN_GROUP_GENESIS's state");

static bool parse(group_state *g, size_t len, const tap_asset_options *opt, tap_asset_info *info) {
    tap_asset_init(&g->parser, (uint32_t)len, opt);
    tap_asset_feed(&g->parser, g->asset, len);
    return tap_asset_finish(&g->parser, info) == TAP_ASSET_DONE;
}

uint16_t tap_cmd_sign_group_genesis(tap_reader *req, uint8_t out[255], size_t *out_len) {
    group_state *g = (group_state *)tap_scratch.bytes;
    uint64_t asset_len = tap_read_varint(req);
    const uint8_t *hash = tap_read_bytes(req, 32);
    uint8_t key_version = tap_read_u8(req);
    uint32_t path[TAP_PATH_MAX];
    size_t path_len = tap_read_path(req, path);
    bool has_root = tap_read_flag(req);
    const uint8_t *root = has_root ? tap_read_bytes(req, 32) : NULL;
    const uint8_t *anchor_arg = req->sw == TAP_SW_OK && req->at < req->len ? tap_read_bytes(req, 32) : NULL;
    uint16_t sw = tap_read_end(req);
    if (sw != TAP_SW_OK) return sw;
    if (asset_len < 1 || asset_len > MAX_GENESIS_ASSET || key_version > 1) return TAP_SW_INCORRECT_DATA;
    if (path_len != 5 || !tap_path_is_standard(path, path_len)) return TAP_SW_NOT_SUPPORTED;
    /* The request lives in the APDU buffer, which the client command below overwrites. */
    uint8_t hash_copy[32], root_copy[32], anchor[32];
    memcpy(hash_copy, hash, 32);
    if (root) root = memcpy(root_copy, root, 32);
    if (anchor_arg) memcpy(anchor, anchor_arg, 32);

    size_t len;
    if ((sw = tap_client_get_preimage(hash_copy, g->asset, sizeof g->asset, &len)) != TAP_SW_OK) return sw;
    if (len != asset_len) return TAP_SW_INCORRECT_DATA;
    /* Two passes over the held bytes: the first learns the witness-free list length the second's
     * leaf announces (tap_asset.h). */
    tap_asset_info info;
    if (!parse(g, len, NULL, &info)) return TAP_SW_INCORRECT_DATA;
    tap_asset_options opt = {.no_witness_leaf = true, .no_witness_list_len = info.no_witness_list_len};
    if (!parse(g, len, &opt, &info) || info.no_witness_problem != TAP_LEAF_OK) return TAP_SW_INCORRECT_DATA;
    if (!info.has_group_key || info.witness_count != 1 || !info.first_prev_id_zero || info.first_has_split) return TAP_SW_INCORRECT_DATA;
    if (!anchor_arg) memcpy(anchor, info.asset_id, 32);

    /* The tapscript root: V1 exactly a bare non-spendable leaf over the anchor, V0 none. */
    if (key_version == 0 ? root != NULL : root == NULL) return TAP_SW_INCORRECT_DATA;
    if (root) {
        uint8_t op_return[32], pedersen[32];
        if (!tap_group_leaf_hash(op_return, TAP_LEAF_OP_RETURN, anchor) || !tap_group_leaf_hash(pedersen, TAP_LEAF_PEDERSEN, anchor))
            return TAP_SW_INCORRECT_DATA;
        if (!tap_equal(root, op_return, 32) && !tap_equal(root, pedersen, 32)) return TAP_SW_INCORRECT_DATA;
    }

    uint8_t raw[33];
    tap_point internal, group_key;
    if (!tap_public_key(raw, path, path_len) || !tap_point_from_compressed(&internal, raw)) return TAP_SW_INCORRECT_DATA;
    if (key_version == 0 && !tap_group_v0_internal(&internal, &internal, anchor)) return TAP_SW_INCORRECT_DATA;
    if (!tap_taproot_tweak_pubkey(&group_key, tap_point_x(&internal), root, root ? 32 : 0)) return TAP_SW_INCORRECT_DATA;
    if (!tap_equal(tap_point_x(&group_key), info.group_key + 1, 32)) return TAP_SW_KEY_NOT_HELD;

    /* The group virtual transaction: the genesis spends itself under the zero PrevID. */
    static const uint8_t zero_prev_id[101];
    tap_mssmt_leaf input = {.leaf = info.no_witness_leaf};
    tap_mssmt_node input_root;
    tap_prev_id_hash(input.key, zero_prev_id);
    tap_vtx vtx;
    if (!tap_mssmt_root(&input_root, &input, 1) || !tap_vtx_set_output(&vtx, &info)) return TAP_SW_INCORRECT_DATA;
    tap_vtx_prevout_hash(vtx.prevout_hash, &input_root);
    uint8_t sighash[32];
    if (!tap_vtx_sighash(sighash, &vtx, 0, info.amount, info.group_key + 1, 0)) return TAP_SW_INCORRECT_DATA;

    char name[4 * 64 + 1], amount[TAP_UNITS_MAX], id_text[65], owner[12 + 65], anchor_text[65], key_text[65];
    if (info.tag_len == 0)
        memcpy(name, "(empty)", 8);
    else
        tap_escape(name, info.tag, info.tag_len);
    tap_units(amount, info.amount);
    tap_hex(id_text, info.asset_id, 32);
    memcpy(owner, "script key ", 11);
    tap_hex(owner + 11, info.script_key + 1, 32);
    tap_hex(anchor_text, anchor, 32);
    tap_hex(key_text, tap_point_x(&group_key), 32);
    bool reissue = !tap_equal(anchor, info.asset_id, 32);
    const tap_review_pair pairs[] = {
        {"Asset name", name}, {"Amount", amount}, {"Asset ID", id_text}, {"Owner", owner},
        {reissue ? "Group anchor" : "Group key", reissue ? anchor_text : key_text}, {"Group key", key_text},
    };
    const tap_review review = {
        .intro = "Review asset group",
        .pairs = pairs,
        .n_pairs = reissue ? 6 : 5,
        .finish = "Sign asset group",
        .hold = true,
        .approved = "Asset group signed",
        .rejected = "Asset group rejected",
        .reject = "Reject asset group",
    };
    if (!tap_ui_review(&review)) return TAP_SW_DENY;

    /* V0 signs with raw + anchor first (tapd GroupPubKeyV0), then the taptweak as V1 does. */
    uint8_t sk[32], tweaked[32], sig[64];
    bool ok = tap_derive_private(sk, NULL, path, path_len);
    if (ok && key_version == 0) tap_group_v0_secret(sk, sk, anchor);
    ok = ok && tap_taproot_tweak_seckey(tweaked, sk, root, root ? 32 : 0) && tap_bip340_sign(sig, tweaked, sighash);
    memset(sk, 0, sizeof sk);
    memset(tweaked, 0, sizeof tweaked);
    if (!ok) return TAP_SW_INCORRECT_DATA;
    memcpy(out, sig, 64);
    memcpy(out + 64, tap_point_x(&group_key), 32);
    *out_len = 96;
    return TAP_SW_OK;
}
