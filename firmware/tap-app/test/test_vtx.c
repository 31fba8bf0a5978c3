/* The virtual-transaction sighash against test/vectors/firmware/vtx-sighash.txt: from the assets'
 * bytes as the device gets them, through the input and output trees, to the sighash; tapd's own
 * signatures must verify over it (libsecp256k1), and the device's signatures of the test suite's
 * transfers too. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "platform_native.h"
#include "tap_asset.h"
#include "tap_hash.h"
#include "tap_taproot.h"
#include "tap_vtx.h"
#include "vectors.h"

#define MAX_ASSET 65536
#define MAX_INPUTS 64

static secp256k1_context *secp;

static bool verify_bip340(const uint8_t sig[64], const uint8_t msg[32], const uint8_t key[32]) {
    secp256k1_xonly_pubkey pk;
    return secp256k1_xonly_pubkey_parse(secp, &pk, key) && secp256k1_schnorrsig_verify(secp, sig, msg, 32, &pk);
}

static tap_asset_info parse_whole(const uint8_t *b, size_t len, const tap_asset_options *opt) {
    static tap_asset_parser p;
    tap_asset_info info;
    tap_asset_init(&p, (uint32_t)len, opt);
    tap_asset_feed(&p, b, len);
    assert_int_equal(tap_asset_finish(&p, &info), TAP_ASSET_DONE);
    return info;
}

/* The asset without tx witnesses as an MS-SMT leaf: two passes, the first learns the list length. */
static tap_asset_info no_witness_leaf(const uint8_t *b, size_t len) {
    tap_asset_info first = parse_whole(b, len, NULL);
    tap_asset_options opt = {.no_witness_leaf = true, .no_witness_list_len = first.no_witness_list_len};
    tap_asset_info info = parse_whole(b, len, &opt);
    assert_int_equal(info.no_witness_problem, TAP_LEAF_OK);
    return info;
}

/* An input's leaf in the virtual input tree (Asset.Leaf): V0 commits to the asset as carried, V1
 * to it without tx witnesses. */
static tap_mssmt_node input_leaf(const uint8_t *b, size_t len, tap_asset_info *info) {
    *info = no_witness_leaf(b, len);
    if (info->version == 1) return info->no_witness_leaf;
    assert_int_equal(info->version, 0);
    tap_mssmt_node leaf;
    tap_sha256_ctx h;
    tap_sha256_init(&h);
    tap_sha256_update(&h, b, len);
    tap_mssmt_leaf_finish(&leaf, &h, info->amount);
    return leaf;
}

static void load_seed(void) {
    vec_file v;
    vec_open(&v, "keys.txt");
    assert_true(vec_next(&v) && vec_is(&v, "seed"));
    uint8_t seed[64];
    size_t n = vec_hex(&v, seed, sizeof seed);
    tap_native_set_seed(seed, n);
    vec_close(&v);
}

static void test_sighashes(void **state) {
    (void)state;
    static uint8_t root_bytes[MAX_ASSET], in_bytes[MAX_ASSET];
    static tap_mssmt_leaf leaves[MAX_INPUTS];
    static uint64_t amounts[MAX_INPUTS];
    static uint8_t keys[MAX_INPUTS][32];
    vec_file v;
    vec_open(&v, "vtx-sighash.txt");
    unsigned n = 0, tapd_sigs = 0, device_sigs = 0;
    while (vec_next(&v)) {
        assert_true(vec_is(&v, "sighash"));
        size_t root_len = vec_hex(&v, root_bytes, sizeof root_bytes);
        bool group = vec_u64(&v) == 1;
        size_t count = vec_u64(&v);
        assert_true(count <= MAX_INPUTS);
        tap_asset_info root = no_witness_leaf(root_bytes, root_len);
        for (size_t i = 0; i < count; i++) {
            uint8_t prev_id[101];
            vec_hexn(&v, prev_id, 101);
            size_t len = vec_hex(&v, in_bytes, sizeof in_bytes);
            tap_asset_info info;
            tap_prev_id_hash(leaves[i].key, prev_id);
            leaves[i].leaf = input_leaf(in_bytes, len, &info);
            amounts[i] = info.amount;
            memcpy(keys[i], info.script_key + 1, 32);
        }
        if (group) {
            /* A grouped genesis spends itself under the zero PrevID, from its group key. */
            static const uint8_t zero_prev_id[101];
            assert_true(root.has_group_key);
            tap_prev_id_hash(leaves[0].key, zero_prev_id);
            leaves[0].leaf = root.no_witness_leaf;
            count = 1;
        }
        tap_vtx vtx;
        tap_mssmt_node input_root;
        assert_true(tap_mssmt_root(&input_root, leaves, count));
        assert_true(tap_vtx_set_output(&vtx, &root));
        tap_vtx_prevout_hash(vtx.prevout_hash, &input_root);
        uint32_t index = (uint32_t)vec_u64(&v);
        uint8_t type = (uint8_t)vec_u64(&v);
        /* keys[] and amounts[] keep the vector's input order; only the tree's leaves were reordered. */
        const uint8_t *prev_key = group ? root.group_key + 1 : keys[index];
        uint64_t prev_amount = group ? root.amount : amounts[index];
        uint8_t sighash[32], want[32], sig[64];
        assert_true(tap_vtx_sighash(sighash, &vtx, index, prev_amount, prev_key, type));
        vec_hexn(&v, want, 32);
        if (memcmp(want, sighash, 32) != 0) fail_msg("%s: sighash differs", vec_where(&v));
        size_t sig_len;
        bool has_sig = vec_opt_hex(&v, sig, sizeof sig, &sig_len);
        if (has_sig) {
            assert_true(verify_bip340(sig, sighash, prev_key));
            tapd_sigs++;
        } else if (vec_is(&v, "device")) {
            /* The test suite's transfers: input i is the device's BIP-86 script key m/1017'/1'/212'/0/i. */
            const uint32_t path[5] = {0x80000000u | 1017, 0x80000001u, 0x80000000u | 212, 0, index};
            assert_true(tap_taproot_sign(sig, path, 5, NULL, 0, sighash));
            assert_true(verify_bip340(sig, sighash, prev_key));
            device_sigs++;
        } else {
            assert_true(vec_is(&v, "-"));
        }
        assert_false(tap_vtx_sighash(sighash, &vtx, index, prev_amount, prev_key, 2));
        n++;
    }
    vec_close(&v);
    print_message("sighashes: %u, %u tapd signatures and %u device signatures verified over them\n", n, tapd_sigs, device_sigs);
    assert_true(tapd_sigs >= 10 && device_sigs >= 10);
}

int main(void) {
    secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    load_seed();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sighashes)};
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    secp256k1_context_destroy(secp);
    return r;
}
