/* SIGN_VPSBT, protocol version 2 (docs/tap-app-protocol.md §5.5): the host pushes one stream in full
 * 255-byte chunks; the device reads it with the stream grammar (tap_stream.c), verifies each item as
 * it completes and shows its pages (platform.h's streaming review) before it answers the chunk, folds
 * the outputs into the split root, and after the person approved signs with the sighashes it
 * computed while the stream went by. The behaviour, status words and their order are the emulator's
 * (emulator/apps/tap/sign-vpsbt-stream.ts); a chunk is read twice, first by the grammar alone, so a
 * grammar error anywhere in it wins over a check of an item it completed, as there.
 *
 * MuSig2 script keys (§5.5.7) sign in two rounds: mode 1 answers one pubnonce per signer from a fresh
 * session {id, rand_root} kept in the persistent slots (tap_musig_sessions.h); mode 0 finds the
 * session at the first MuSig2 signer, checks the device's pubnonce among the streamed ones, and takes
 * the session out of the slots once the person approved, before any partial signature exists.
 *
 * What the firmware does not implement is refused with 6A82 (NOT_SUPPORTED) where the emulator would
 * first use it: an explicit root or leaf (tapd's canonical forms only), more than MAX_MUSIG_SIGNERS
 * MuSig2 signers in one round 2. Nothing such is shown.
 *
 * State (tap_scratch): per input its script key and amount; until the root the asset parser and each
 * input's tree leaf and outpoint; from the root on each signer's signing data (and a MuSig2 signer's
 * key aggregation and aggregate nonce), the split fold, or while a signer streams in its participants
 * and pubnonces; input 0's genesis, group key and burn key; the root's values and the virtual
 * transaction. Nothing grows with the number of outputs. */
#include <string.h>

#include "tap_address.h"
#include "tap_asset.h"
#include "tap_commands.h"
#include "tap_curve.h"
#include "tap_group.h"
#include "tap_hash.h"
#include "tap_keys.h"
#include "tap_mssmt.h"
#include "tap_musig.h"
#include "tap_musig_sessions.h"
#include "tap_stream.h"
#include "tap_taproot.h"
#include "tap_text.h"
#include "tap_utf8.h"
#include "tap_vtx.h"

#define MAX_INPUTS TAP_STREAM_MAX_INPUTS
#define CHUNK 255
#define SIG_ENTRY_MAX 67

static const char TITLE[] = "Review asset transfer";
static const char REJECT[] = "Reject transfer";
static const char BURN_WARNING[] = "This transfer burns assets: an output pays a provably unspendable key.";

#define MAX_MUSIG_SIGNERS 4

enum { SIGNS_NOT, SIGNS_KEY, SIGNS_MUSIG };

typedef struct {
    /* The sighash; once signed the result: a signature, a partial signature, or (round 1) a pubnonce. */
    uint8_t data[TAP_MUSIG_PUBNONCE];
    /* A single key's TapTweak(x(P) || tweak); a MuSig2 key's tweaked aggregate, x-only. */
    uint8_t aux[32];
    uint32_t key_index;
    uint8_t sighash_type;
    uint8_t kind;
    uint8_t musig; /* round 2: its musig_signing */
} signing;

/* A round-2 MuSig2 signer: what BIP-327 Sign needs besides the nonce and the key. */
typedef struct {
    tap_musig_keyagg keyagg;
    uint8_t aggnonce[TAP_MUSIG_PUBNONCE];
    bool aggnonce_ok; /* NonceAgg of the streamed pubnonces succeeded (else 6A80 when it signs) */
} musig_signing;

typedef struct {
    tap_stream_reader reader;
    uint32_t offset;
    bool header_seen, reviewing, review_done;
    uint8_t coin_type;
    uint8_t inputs, signers, musig_signers;
    uint8_t script_keys[MAX_INPUTS][33];
    uint64_t amounts[MAX_INPUTS];
    union {
        struct {
            tap_asset_parser parser; /* the input whose leaf streams in */
            tap_sha256_ctx leaf_hash;
            tap_mssmt_leaf leaves[MAX_INPUTS];
            uint8_t outpoints[MAX_INPUTS][36];
        } pre;
        struct {
            signing sign[MAX_INPUTS];
            musig_signing musig[MAX_MUSIG_SIGNERS];
            union {
                struct {
                    uint8_t keys[TAP_STREAM_MAX_PARTICIPANTS][33];
                    uint8_t pubnonces[TAP_STREAM_MAX_PARTICIPANTS][TAP_MUSIG_PUBNONCE];
                } signer; /* the signer being read */
                tap_mssmt_builder fold; /* from the first output on */
            } u;
        } post;
    } u;
    /* MuSig2: the session id digests the stream from hrp_len to the root's end (§5.5.7). */
    tap_sha256_ctx session_digest;
    uint8_t session_id[32];
    bool has_session_id, has_session;
    uint8_t rand_root[32];
    /* input 0 */
    uint8_t genesis[TAP_ASSET_MAX_READ];
    uint8_t genesis_len;
    uint8_t asset_id[32];
    bool has_group_key;
    uint8_t group_key[33];
    uint8_t burn_key[32];
    uint64_t total_in;
    /* the root */
    uint8_t root_version;
    uint64_t root_amount, lock_time, relative_lock_time;
    bool has_split;
    tap_mssmt_node split_root;
    uint8_t root_key[33];
    tap_vtx vtx;
    /* outputs */
    uint64_t total_out;
    bool total_out_overflow, root_output_seen, burn_seen;
    uint8_t split_root_outputs;
    /* the signer being read */
    uint8_t own_key[33];
    /* the output being read */
    uint64_t out_lock, out_rel;
    uint8_t out_fields; /* flags of the fields seen */
    uint8_t out_internal_key[33];
    uint32_t out_change;
    uint8_t courier[255], address[255], sibling[255];
    uint8_t courier_len, address_len, sibling_len;
    /* results */
    uint8_t results_at; /* first signature not yet returned */
    bool active;
} vpsbt_state;

_Static_assert(sizeof(vpsbt_state) <= sizeof(tap_scratch), "tap_scratch holds SIGN_VPSBT's state");

static vpsbt_state *state(void) {
    return (vpsbt_state *)tap_scratch.bytes;
}

static bool stream_active;

/* Nothing of a stream outlives it: signing data, results and the session's rand_root are wiped. */
static void end_stream(vpsbt_state *s) {
    stream_active = false;
    memset(&s->u.post, 0, sizeof s->u.post);
    memset(s->rand_root, 0, sizeof s->rand_root);
}

void tap_vpsbt_drop(void) {
    if (!stream_active) return;
    stream_active = false;
    vpsbt_state *s = state();
    if (s->reviewing) tap_ui_stream_abort("Transfer refused");
    s->reviewing = false;
    end_stream(s);
}

static bool is_zero(const uint8_t *b, size_t n) {
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= b[i];
    return acc == 0;
}

static bool is_point(const uint8_t key[33]) {
    tap_point p;
    return tap_point_from_compressed(&p, key);
}

/* m/1017'/c'/212'/0/i */
static void script_key_path(const vpsbt_state *s, uint32_t path[5], uint32_t index) {
    path[0] = TAP_HARDENED | 1017;
    path[1] = TAP_HARDENED | s->coin_type;
    path[2] = TAP_HARDENED | 212;
    path[3] = 0;
    path[4] = index;
}

/* The x-only key at m/1017'/c'/212'/0/index tweaked by data (BIP-86 for none). */
static bool tweaked_key(const vpsbt_state *s, uint8_t out[32], uint8_t tweak_hash[32], uint32_t index, const uint8_t *data, size_t len) {
    uint32_t path[5];
    uint8_t pk[33];
    tap_point q;
    script_key_path(s, path, index);
    if (!tap_public_key(pk, path, 5) || !tap_taproot_tweak_pubkey(&q, pk + 1, data, len)) return false;
    if (tweak_hash) tap_taproot_tweak_hash(tweak_hash, pk + 1, data, len);
    memcpy(out, tap_point_x(&q), 32);
    return true;
}

static uint16_t show(const tap_review_pair *pairs, size_t n) {
    if (n == 0) return TAP_SW_OK;
    state()->reviewing = true;
    return tap_ui_stream_continue(pairs, n, REJECT) ? TAP_SW_OK : TAP_SW_DENY;
}

/* chainParamsForHrp: the network's name and coin type. */
static const char *network(const char *hrp, uint8_t *coin_type) {
    static const struct {
        char hrp[6];
        char name[8];
        uint8_t coin;
    } NETWORKS[] = {{"tapbc", "mainnet", 0}, {"taptb", "testnet", 1}, {"taprt", "regtest", 1}, {"tapsb", "simnet", 1}};
    for (size_t i = 0; i < sizeof NETWORKS / sizeof NETWORKS[0]; i++)
        if (memcmp(hrp, NETWORKS[i].hrp, 6) == 0) {
            *coin_type = NETWORKS[i].coin;
            return NETWORKS[i].name;
        }
    return NULL;
}

static uint16_t on_header(vpsbt_state *s, const tap_stream_reader *r) {
    s->header_seen = true;
    uint32_t first = r->declared < CHUNK ? r->declared : CHUNK;
    if (s->offset != first) return TAP_SW_WRONG_DATA_LENGTH;
    const char *name = network(r->hrp, &s->coin_type);
    if (!name) return TAP_SW_INCORRECT_DATA;
    if (r->mode != 0) return TAP_SW_OK; /* round 1 shows nothing: a nonce signs nothing */
    s->reviewing = true;
    const tap_review_pair warning = {"Warning", BURN_WARNING};
    if (!tap_ui_stream_start(TITLE, &warning, r->warnings & 1 ? 1 : 0, REJECT)) return TAP_SW_DENY;
    const tap_review_pair pairs[] = {{"Network", name}};
    return show(pairs, 1);
}

static void outpoint_text(char out[64 + 1 + 21], const uint8_t outpoint[36]) {
    uint8_t txid[32];
    for (size_t i = 0; i < 32; i++) txid[i] = outpoint[31 - i];
    tap_hex(out, txid, 32);
    out[64] = ':';
    tap_decimal(out + 65, tap_get_u32be(outpoint + 32));
}

static uint16_t on_input_end(vpsbt_state *s, const tap_stream_reader *r, unsigned i) {
    const uint8_t *prev_id = r->prev_id;
    const uint8_t *key = prev_id + 68;
    if (!is_zero(key, 33) && !is_point(key)) return TAP_SW_INCORRECT_DATA;
    tap_asset_info info;
    if (tap_asset_finish(&s->u.pre.parser, &info) != TAP_ASSET_DONE) return TAP_SW_INCORRECT_DATA;
    /* The leaf is hashed as sent: it must be the asset's leaf value (V1: without tx witnesses). */
    if (info.version > 1 || (info.version == 1 && info.any_tx_witness)) return TAP_SW_INCORRECT_DATA;
    if (!tap_equal(info.asset_id, prev_id + 36, 32) || !tap_equal(info.script_key, key, 33)) return TAP_SW_INCORRECT_DATA;
    uint8_t hash[32];
    tap_prev_id_hash(hash, prev_id);
    for (unsigned k = 0; k < i; k++)
        if (tap_equal(s->u.pre.leaves[k].key, hash, 32)) return TAP_SW_INCORRECT_DATA;
    if (i > 0) {
        if (!tap_equal(info.asset_id, s->asset_id, 32)) return TAP_SW_INCORRECT_DATA;
        if (info.has_group_key != s->has_group_key || (info.has_group_key && !tap_equal(info.group_key, s->group_key, 33)))
            return TAP_SW_INCORRECT_DATA;
    }
    if (s->total_in + info.amount < s->total_in) return TAP_SW_INCORRECT_DATA;
    s->total_in += info.amount;

    tap_mssmt_leaf *leaf = &s->u.pre.leaves[i];
    memcpy(leaf->key, hash, 32);
    tap_mssmt_leaf_finish(&leaf->leaf, &s->u.pre.leaf_hash, info.amount);
    memcpy(s->u.pre.outpoints[i], prev_id, 36);
    memcpy(s->script_keys[i], key, 33);
    s->amounts[i] = info.amount;
    s->inputs++;

    tap_review_pair pairs[6];
    size_t n = 0;
    char id_text[65], name[4 * 64 + 1], group_text[67], spends_item[40], spends[64 + 1 + 21], amount_item[40], amount[TAP_UNITS_MAX],
        total[TAP_UNITS_MAX];
    if (i == 0) {
        memcpy(s->asset_id, info.asset_id, 32);
        s->has_group_key = info.has_group_key;
        memcpy(s->group_key, info.group_key, 33);
        memcpy(s->genesis, info.genesis, info.genesis_len);
        s->genesis_len = info.genesis_len;
        /* tapd's burn key (asset.DeriveBurnKey): NUMS tweaked by input 0's outpoint, asset ID and x-only key. */
        static const uint8_t NUMS_X[32] = {0x7c, 0x79, 0xb9, 0xb2, 0x6e, 0x46, 0x38, 0x95, 0xee, 0xf5, 0x67, 0x9d, 0x85, 0x58, 0x94, 0x2c,
                                           0x86, 0xc4, 0xad, 0x22, 0x33, 0xad, 0xef, 0x01, 0xbc, 0x3e, 0x6d, 0x54, 0x0b, 0x36, 0x53, 0xfe};
        uint8_t data[36 + 32 + 32];
        memcpy(data, prev_id, 32);
        tap_put_u32le(data + 32, tap_get_u32be(prev_id + 32));
        memcpy(data + 36, prev_id + 36, 32);
        memcpy(data + 68, key + 1, 32);
        tap_point burn;
        if (!tap_taproot_tweak_pubkey(&burn, NUMS_X, data, sizeof data)) return TAP_SW_INCORRECT_DATA;
        memcpy(s->burn_key, tap_point_x(&burn), 32);
        tap_hex(id_text, info.asset_id, 32);
        pairs[n++] = (tap_review_pair){"Asset ID", id_text};
        if (info.tag_len == 0)
            memcpy(name, "(empty)", 8);
        else
            tap_escape(name, info.tag, info.tag_len);
        pairs[n++] = (tap_review_pair){"Asset name", name};
        if (info.has_group_key) {
            tap_hex(group_text, info.group_key, 33);
            pairs[n++] = (tap_review_pair){"Asset group key", group_text};
        }
    }
    memcpy(spends_item, "Input ", 6);
    size_t d = tap_decimal(spends_item + 6, i + 1);
    memcpy(amount_item, spends_item, 6 + d);
    memcpy(spends_item + 6 + d, " spends", 8);
    memcpy(amount_item + 6 + d, " amount", 8);
    outpoint_text(spends, prev_id);
    tap_units(amount, info.amount);
    pairs[n++] = (tap_review_pair){spends_item, spends};
    pairs[n++] = (tap_review_pair){amount_item, amount};
    if (s->inputs == r->n_inputs) {
        tap_units(total, s->total_in);
        pairs[n++] = (tap_review_pair){"Total in", total};
    }
    return r->mode == 0 ? show(pairs, n) : TAP_SW_OK;
}

static void put_record_header(tap_sha256_ctx *h, uint8_t type, uint64_t len) {
    uint8_t b[10];
    b[0] = type;
    size_t n = tap_bigsize_put(b + 1, len);
    tap_sha256_update(h, b, 1 + n);
}

static void put_bigsize_record(tap_sha256_ctx *h, uint8_t type, uint64_t v) {
    uint8_t b[9];
    size_t n = tap_bigsize_put(b, v);
    put_record_header(h, type, n);
    tap_sha256_update(h, b, n);
}

/* The MS-SMT leaf of an asset tapd builds (assets/vtx/split-leaf.ts, leaf.ts encodeAsset): input 0's
 * genesis and group key, the root's lock times, bare prev witnesses (the inputs' prev IDs in order,
 * or the zero prev ID of a split leaf), script version 0. Bare witnesses make V0's and V1's leaf
 * values the same bytes. */
static void canonical_leaf(const vpsbt_state *s, tap_mssmt_node *out, uint8_t version, uint64_t amount, bool root,
                           const uint8_t script_key[33]) {
    tap_sha256_ctx h;
    tap_sha256_init(&h);
    put_record_header(&h, 0, 1);
    tap_sha256_update(&h, &version, 1);
    put_record_header(&h, 2, s->genesis_len);
    tap_sha256_update(&h, s->genesis, s->genesis_len);
    put_record_header(&h, 4, 1);
    tap_sha256_update(&h, s->genesis + s->genesis_len - 1, 1);
    put_bigsize_record(&h, 6, amount);
    if (s->lock_time) put_bigsize_record(&h, 7, s->lock_time);
    if (s->relative_lock_time) put_bigsize_record(&h, 9, s->relative_lock_time);
    /* One witness: BigSize(103) || 01 65 || prev ID (101 bytes). */
    size_t n = root ? s->inputs : 1;
    put_record_header(&h, 11, tap_bigsize_len(n) + 104 * n);
    uint8_t b[9];
    tap_sha256_update(&h, b, tap_bigsize_put(b, n));
    for (size_t i = 0; i < n; i++) {
        static const uint8_t WITNESS_HEADER[3] = {103, 0x01, 101};
        uint8_t prev_id[101] = {0};
        if (root) {
            memcpy(prev_id, s->u.pre.outpoints[i], 36);
            memcpy(prev_id + 36, s->asset_id, 32);
            memcpy(prev_id + 68, s->script_keys[i], 33);
        }
        tap_sha256_update(&h, WITNESS_HEADER, 3);
        tap_sha256_update(&h, prev_id, 101);
    }
    if (root && s->has_split) {
        uint8_t node[40];
        memcpy(node, s->split_root.hash, 32);
        tap_put_u64be(node + 32, s->split_root.sum);
        put_record_header(&h, 13, 40);
        tap_sha256_update(&h, node, 40);
    }
    static const uint8_t SCRIPT_VERSION[4] = {14, 2, 0, 0};
    tap_sha256_update(&h, SCRIPT_VERSION, 4);
    put_record_header(&h, 16, 33);
    tap_sha256_update(&h, script_key, 33);
    if (s->has_group_key) {
        put_record_header(&h, 17, 33);
        tap_sha256_update(&h, s->group_key, 33);
    }
    tap_mssmt_leaf_finish(out, &h, amount);
}

static uint16_t on_root(vpsbt_state *s, const tap_stream_reader *r) {
    s->root_version = r->root_version;
    s->root_amount = r->root_amount;
    s->lock_time = r->root_lock_time;
    s->relative_lock_time = r->root_relative_lock_time;
    s->has_split = r->root_has_split;
    memcpy(s->split_root.hash, r->root_split_hash, 32);
    s->split_root.sum = r->root_split_sum;
    memcpy(s->root_key, r->root_script_key, 33);
    if (!is_point(s->root_key)) return TAP_SW_INCORRECT_DATA;
    if (!s->has_split && r->n_outputs != 1) return TAP_SW_INCORRECT_DATA;
    if (s->root_version > 1) return TAP_SW_INCORRECT_DATA;

    /* The virtual transaction (tap_vtx.h): the input tree R, the output and the lock times. */
    tap_asset_info root;
    memset(&root, 0, sizeof root);
    root.lock_time = s->lock_time;
    root.relative_lock_time = s->relative_lock_time;
    root.has_split_root = s->has_split;
    root.split_root = s->split_root;
    root.amount = s->root_amount;
    memcpy(root.asset_id, s->asset_id, 32);
    memcpy(root.script_key, s->root_key, 33);
    root.has_group_key = s->has_group_key;
    memcpy(root.group_key, s->group_key, 33);
    if (!s->has_split) canonical_leaf(s, &root.no_witness_leaf, s->root_version, s->root_amount, true, s->root_key);
    tap_mssmt_node input_root;
    if (!tap_mssmt_root(&input_root, s->u.pre.leaves, s->inputs) || !tap_vtx_set_output(&s->vtx, &root)) return TAP_SW_INCORRECT_DATA;
    tap_vtx_prevout_hash(s->vtx.prevout_hash, &input_root);
    /* From here on the inputs' slots hold their signing data. */
    memset(&s->u, 0, sizeof s->u);
    if (r->mode != 0) return TAP_SW_OK;

    tap_review_pair pairs[2];
    size_t n = 0;
    char lock[21], rel[21];
    if (s->lock_time) {
        tap_decimal(lock, s->lock_time);
        pairs[n++] = (tap_review_pair){"Lock time", lock};
    }
    if (s->relative_lock_time) {
        tap_decimal(rel, s->relative_lock_time);
        pairs[n++] = (tap_review_pair){"Relative lock time", rel};
    }
    return show(pairs, n);
}

static uint16_t on_participant(vpsbt_state *s, const tap_stream_reader *r, const uint8_t key[33], unsigned j) {
    (void)r;
    memcpy(s->u.post.u.signer.keys[j], key, 33);
    return TAP_SW_OK;
}

/* The device's nonce pair for input i of the session (BIP-327 NonceGen, rand from rand_root), with
 * its key at m/1017'/c'/212'/0/key_index and the tweaked aggregate aggpk. */
static bool own_nonces(const vpsbt_state *s, uint8_t secnonce[TAP_MUSIG_SECNONCE], uint8_t pubnonce[TAP_MUSIG_PUBNONCE], uint8_t sk[32],
                       unsigned i, uint32_t key_index, const uint8_t aggpk[32]) {
    uint32_t path[5];
    uint8_t pk[33], rand_[32];
    script_key_path(s, path, key_index);
    tap_musig_session_rand(rand_, s->rand_root, i, 0);
    bool ok = tap_derive_private(sk, NULL, path, 5) && tap_public_key(pk, path, 5) &&
              tap_musig_nonce_gen(secnonce, pubnonce, rand_, sk, pk, aggpk, NULL, 0, NULL, 0);
    memset(rand_, 0, sizeof rand_);
    return ok;
}

/* A MuSig2 signer (emulator vpsbt-musig.ts musigInput): the participants aggregate, tweaked by
 * TapTweak(x(aggregate) || tweak) as an x-only tweak, to the input's script key; in round 2 the
 * session of round 1 exists and regenerates the device's pubnonce among the streamed ones. */
static uint16_t on_musig_signer(vpsbt_state *s, const tap_stream_reader *r, signing *g) {
    unsigned i = r->signer_input, n = r->signer_n;
    if (r->signer_sighash_type != 0) return TAP_SW_INCORRECT_DATA;
    uint32_t path[5];
    script_key_path(s, path, r->signer_key_index);
    if (!tap_public_key(s->own_key, path, 5)) return TAP_SW_INCORRECT_DATA;
    unsigned own = n;
    for (unsigned j = 0; j < n && own == n; j++)
        if (tap_equal(s->u.post.u.signer.keys[j], s->own_key, 33)) own = j;
    if (own == n) return TAP_SW_KEY_NOT_HELD;
    tap_musig_keyagg agg;
    size_t bad;
    uint8_t plain[32], t[32], aggpk[32];
    if (!tap_musig_key_agg(&agg, (const uint8_t (*)[33])s->u.post.u.signer.keys, n, &bad)) return TAP_SW_INCORRECT_DATA;
    tap_musig_agg_xonly(plain, &agg);
    tap_sha256_ctx h;
    tap_tagged_init(&h, "TapTweak");
    tap_sha256_update(&h, plain, 32);
    tap_sha256_update(&h, r->signer_tweak, r->signer_tweak_len);
    tap_sha256_final(&h, t);
    if (!tap_musig_apply_tweak(&agg, t, true)) return TAP_SW_INCORRECT_DATA;
    tap_musig_agg_xonly(aggpk, &agg);
    if (!tap_equal(aggpk, s->script_keys[i] + 1, 32)) return TAP_SW_INCORRECT_DATA;
    g->kind = SIGNS_MUSIG;
    memcpy(g->aux, aggpk, 32);
    if (r->mode != 0) return TAP_SW_OK;
    /* Round 2 needs round 1's session: looked up (not taken) before any output page. */
    if (!s->has_session) {
        if (!tap_musig_session_pop(s->session_id, s->rand_root)) return TAP_SW_BAD_STATE;
        tap_musig_session_store(s->session_id, s->rand_root);
        s->has_session = true;
    }
    uint8_t secnonce[TAP_MUSIG_SECNONCE], pubnonce[TAP_MUSIG_PUBNONCE], sk[32];
    bool ok = own_nonces(s, secnonce, pubnonce, sk, i, r->signer_key_index, aggpk);
    memset(secnonce, 0, sizeof secnonce);
    memset(sk, 0, sizeof sk);
    if (!ok || !tap_equal(pubnonce, s->u.post.u.signer.pubnonces[own], TAP_MUSIG_PUBNONCE)) return TAP_SW_INCORRECT_DATA;
    if (s->musig_signers == MAX_MUSIG_SIGNERS) return TAP_SW_NOT_SUPPORTED;
    musig_signing *m = &s->u.post.musig[s->musig_signers];
    g->musig = s->musig_signers++;
    m->keyagg = agg;
    m->aggnonce_ok = tap_musig_nonce_agg(m->aggnonce, (const uint8_t (*)[TAP_MUSIG_PUBNONCE])s->u.post.u.signer.pubnonces, n, &bad);
    return TAP_SW_OK;
}

static uint16_t on_signer_end(vpsbt_state *s, const tap_stream_reader *r) {
    unsigned i = r->signer_input;
    if (r->signer_key_index >= TAP_HARDENED) return TAP_SW_INCORRECT_DATA;
    signing *g = &s->u.post.sign[i];
    if (!tap_vtx_sighash(g->data, &s->vtx, i, s->amounts[i], s->script_keys[i] + 1, r->signer_sighash_type)) return TAP_SW_INCORRECT_DATA;
    g->key_index = r->signer_key_index;
    g->sighash_type = r->signer_sighash_type;
    if (r->signer_n > 0) {
        uint16_t sw = on_musig_signer(s, r, g);
        if (sw != TAP_SW_OK) return sw;
    } else {
        if (r->mode != 0) return TAP_SW_INCORRECT_DATA; /* round 1 takes MuSig2 signers only */
        uint8_t key[32];
        if (!tweaked_key(s, key, g->aux, r->signer_key_index, r->signer_tweak, r->signer_tweak_len)) return TAP_SW_INCORRECT_DATA;
        if (!tap_equal(key, s->script_keys[i] + 1, 32)) return TAP_SW_INCORRECT_DATA;
        g->kind = SIGNS_KEY;
    }
    s->signers++;
    return TAP_SW_OK;
}

static uint16_t on_field(vpsbt_state *s, unsigned bit, const uint8_t *v, size_t len) {
    s->out_fields |= (uint8_t)bit;
    switch (bit) {
    case TAP_OUT_LOCK_TIME: s->out_lock = tap_get_u64be(v); break;
    case TAP_OUT_RELATIVE_LOCK_TIME: s->out_rel = tap_get_u64be(v); break;
    case TAP_OUT_ANCHOR_INTERNAL_KEY: memcpy(s->out_internal_key, v, 33); break;
    case TAP_OUT_PROOF_COURIER:
        memcpy(s->courier, v, len);
        s->courier_len = (uint8_t)len;
        break;
    case TAP_OUT_ADDRESS:
        memcpy(s->address, v, len);
        s->address_len = (uint8_t)len;
        break;
    case TAP_OUT_ANCHOR_SIBLING:
        memcpy(s->sibling, v, len);
        s->sibling_len = (uint8_t)len;
        break;
    case TAP_OUT_CHANGE: s->out_change = tap_get_u32be(v); break;
    default: break;
    }
    return TAP_SW_OK;
}

/* A Taproot Asset address is shown only if what it commits to re-derives from the output as tapd
 * derives an output from an address (TransferReviewBuilder checkAddress): the asset ID (or, for a
 * group address, the group key), the group key it names, the script key it pays (V2: its key tweaked
 * by the Pedersen non-spendable leaf over the asset ID), the amount (V2: any when it names 0; a V2
 * group address at most the amount it names), the asset version, and the anchor's internal key and
 * tapscript sibling when the output carries them. */
static bool address_matches(const vpsbt_state *s, const tap_address *a, uint8_t version, uint64_t amount, const uint8_t key[33]) {
    static const uint8_t ZERO[32];
    bool group_only = tap_equal(a->asset_id, ZERO, 32);
    bool same_group = a->has_group_key && s->has_group_key && tap_equal(a->group_key, s->group_key, 33);
    if (!group_only && !tap_equal(a->asset_id, s->asset_id, 32)) return false;
    if (group_only && !same_group) return false;
    if (a->has_group_key && !same_group) return false;
    uint8_t pay_to[32];
    if (a->version == 2) {
        tap_point p, q;
        uint8_t leaf[32];
        if (!tap_point_from_compressed(&p, a->script_key) || !tap_group_leaf_hash(leaf, TAP_LEAF_PEDERSEN, s->asset_id) ||
            !tap_taproot_tweak_pubkey(&q, tap_point_x(&p), leaf, 32))
            return false;
        memcpy(pay_to, tap_point_x(&q), 32);
    } else {
        memcpy(pay_to, a->script_key + 1, 32);
    }
    if (!tap_equal(pay_to, key + 1, 32)) return false;
    bool any_amount = a->version == 2 && a->amount == 0;
    if (!any_amount && (a->version == 2 && group_only ? amount > a->amount : a->amount != amount)) return false;
    if (a->asset_version != version) return false;
    if ((s->out_fields & TAP_OUT_ANCHOR_INTERNAL_KEY) && !tap_equal(a->internal_key, s->out_internal_key, 33)) return false;
    if ((s->out_fields & TAP_OUT_ANCHOR_SIBLING) &&
        (!a->has_sibling || a->sibling_len != s->sibling_len || !tap_equal(a->sibling, s->sibling, s->sibling_len)))
        return false;
    return true;
}

static uint16_t on_output_end(vpsbt_state *s, const tap_stream_reader *r, unsigned j) {
    if (j == 0 && s->signers == 0) return TAP_SW_KEY_NOT_HELD;
    uint8_t version;
    uint64_t amount;
    const uint8_t *key;
    if (r->out_form == 0) {
        if (s->has_split) return TAP_SW_INCORRECT_DATA;
        version = s->root_version, amount = s->root_amount, key = s->root_key;
    } else {
        if (!s->has_split) return TAP_SW_INCORRECT_DATA;
        if (r->out_form == 2) return TAP_SW_NOT_SUPPORTED;
        version = r->out_version, amount = r->out_amount, key = r->out_script_key;
        if (!is_point(key) || version > 1) return TAP_SW_INCORRECT_DATA;
        uint8_t locator[32];
        tap_mssmt_node leaf;
        tap_split_locator(locator, r->out_anchor, s->asset_id, key);
        canonical_leaf(s, &leaf, version, amount, false, key);
        tap_mssmt_build_status b = tap_mssmt_builder_add(&s->u.post.u.fold, locator, &leaf);
        if (b == TAP_MSSMT_BUILD_E_STACK) return TAP_SW_NOT_SUPPORTED;
        if (b != TAP_MSSMT_BUILD_OK) return TAP_SW_INCORRECT_DATA;
    }
    if (r->out_type == 1) s->split_root_outputs++;
    uint8_t f = s->out_fields;
    if ((f & TAP_OUT_PROOF_COURIER) && !tap_courier_url_valid(s->courier, s->courier_len)) return TAP_SW_INCORRECT_DATA;
    tap_address address;
    if ((f & TAP_OUT_ADDRESS) && !tap_address_decode(&address, s->address, s->address_len)) return TAP_SW_INCORRECT_DATA;
    if ((f & TAP_OUT_ANCHOR_INTERNAL_KEY) && !is_point(s->out_internal_key)) return TAP_SW_INCORRECT_DATA;
    if ((f & TAP_OUT_ANCHOR_SIBLING) && s->sibling_len == 0) return TAP_SW_INCORRECT_DATA;
    bool change = false;
    if (f & TAP_OUT_CHANGE) {
        uint8_t own[32];
        if (s->out_change >= TAP_HARDENED || !tweaked_key(s, own, NULL, s->out_change, NULL, 0) || !tap_equal(own, key + 1, 32))
            return TAP_SW_INCORRECT_DATA;
        change = true;
    }
    /* TransferReviewBuilder.addOutput, streamed. */
    bool is_root = r->out_type == 1 || r->n_outputs == 1;
    if (is_root && s->root_output_seen) return TAP_SW_INCORRECT_DATA;
    if (is_root && (amount != s->root_amount || !tap_equal(key, s->root_key, 33))) return TAP_SW_INCORRECT_DATA;
    if (is_root) s->root_output_seen = true;
    uint64_t lock = f & TAP_OUT_LOCK_TIME ? s->out_lock : 0, rel = f & TAP_OUT_RELATIVE_LOCK_TIME ? s->out_rel : 0;
    if (lock != s->lock_time || rel != s->relative_lock_time) return TAP_SW_INCORRECT_DATA;
    if ((f & TAP_OUT_ADDRESS) && !address_matches(s, &address, version, amount, key)) return TAP_SW_INCORRECT_DATA;
    bool burn = key[0] == 0x02 && tap_equal(key + 1, s->burn_key, 32);
    if (burn && !(r->warnings & 1)) return TAP_SW_INCORRECT_DATA;
    if (s->total_out + amount < s->total_out) s->total_out_overflow = true;
    s->total_out += amount;

    char k[7 + 21], amount_item[64], amount_text[TAP_UNITS_MAX], recipient_item[64], recipient[TAP_ADDRESS_TEXT_MAX], kind_item[64], anchor_item[64],
        anchor[12 + 21], courier_item[64], courier[4 * 255 + 1];
    memcpy(k, "Output ", 7);
    size_t kl = 7 + tap_decimal(k + 7, j + 1);
#define ITEM(buf, suffix) (memcpy(buf, k, kl), memcpy(buf + kl, suffix, sizeof suffix), buf)
    tap_review_pair pairs[5];
    size_t n = 0;
    tap_units(amount_text, amount);
    pairs[n++] = (tap_review_pair){ITEM(amount_item, " amount"), amount_text};
    if (burn) {
        s->burn_seen = true;
        memcpy(recipient, "BURN (provably unspendable)", 28);
    } else if (change) {
        memcpy(recipient, "this signer (change)", 21);
    } else if (f & TAP_OUT_ADDRESS) {
        tap_address_text(recipient, r->hrp, s->address, s->address_len);
    } else {
        memcpy(recipient, "script key ", 11);
        tap_hex(recipient + 11, key + 1, 32);
    }
    pairs[n++] = (tap_review_pair){ITEM(recipient_item, " recipient"), recipient};
    if (r->out_type == 1) pairs[n++] = (tap_review_pair){ITEM(kind_item, " kind"), "split root (carries the change and the transfer witness)"};
    bool unsplit = is_root && !s->has_split;
    memcpy(anchor, "BTC output #", 12);
    tap_decimal(anchor + 12, r->out_anchor);
    pairs[n++] = (tap_review_pair){unsplit ? ITEM(anchor_item, " anchor (not signed)") : ITEM(anchor_item, " anchor"), anchor};
    if (f & TAP_OUT_PROOF_COURIER) {
        tap_escape(courier, s->courier, s->courier_len);
        pairs[n++] = (tap_review_pair){ITEM(courier_item, " proof courier (not signed)"), courier};
    }
#undef ITEM
    return show(pairs, n);
}

static uint16_t on_end(vpsbt_state *s, const tap_stream_reader *r) {
    if (r->mode != 0) return s->signers ? TAP_SW_OK : TAP_SW_KEY_NOT_HELD;
    if (s->has_split) {
        if (s->split_root_outputs != 1) return TAP_SW_INCORRECT_DATA;
        tap_mssmt_node rebuilt;
        if (tap_mssmt_builder_root(&s->u.post.u.fold, &rebuilt) != TAP_MSSMT_BUILD_OK || !tap_mssmt_node_equal(&rebuilt, &s->split_root))
            return TAP_SW_INCORRECT_DATA;
        if (s->split_root.sum != s->total_in) return TAP_SW_INCORRECT_DATA;
    } else if (s->root_amount != s->total_in) {
        return TAP_SW_INCORRECT_DATA;
    }
    if (!s->root_output_seen) return TAP_SW_INCORRECT_DATA;
    if ((s->reader.warnings & 1) && !s->burn_seen) return TAP_SW_INCORRECT_DATA;
    if (s->total_out_overflow || s->total_out != s->total_in) return TAP_SW_INCORRECT_DATA;
    char total[TAP_UNITS_MAX];
    tap_units(total, s->total_out);
    const tap_review_pair pairs[] = {{"Total out", total}};
    uint16_t sw = show(pairs, 1);
    if (sw != TAP_SW_OK) return sw;
    bool approved = tap_ui_stream_finish("Sign asset transfer", true, "Asset transfer signed", "Asset transfer rejected", REJECT);
    s->reviewing = false;
    return approved ? TAP_SW_OK : TAP_SW_DENY;
}

static uint16_t on_event(void *ctx, tap_stream_event ev, const tap_stream_reader *r, const uint8_t *value, size_t len, unsigned index) {
    vpsbt_state *s = ctx;
    switch (ev) {
    case TAP_EV_HEADER: return on_header(s, r);
    case TAP_EV_INPUT_START:
        tap_asset_init(&s->u.pre.parser, len > TAP_ASSET_MAX_SIZE ? TAP_ASSET_MAX_SIZE + 1 : (uint32_t)len, NULL);
        tap_sha256_init(&s->u.pre.leaf_hash);
        return TAP_SW_OK;
    case TAP_EV_DATA:
        if (index == 0) {
            tap_asset_feed(&s->u.pre.parser, value, len);
            tap_sha256_update(&s->u.pre.leaf_hash, value, len);
        }
        return TAP_SW_OK;
    case TAP_EV_INPUT_END: return on_input_end(s, r, index);
    case TAP_EV_ROOT: return on_root(s, r);
    case TAP_EV_ROOT_START: return TAP_SW_NOT_SUPPORTED;
    case TAP_EV_PARTICIPANT: return on_participant(s, r, value, index);
    case TAP_EV_SIGNER_END: return on_signer_end(s, r);
    case TAP_EV_PUBNONCE:
        memcpy(s->u.post.u.signer.pubnonces[index], value, TAP_MUSIG_PUBNONCE);
        return TAP_SW_OK;
    case TAP_EV_OUTPUT_START:
        if (index == 0) tap_mssmt_builder_init(&s->u.post.u.fold);
        s->out_fields = 0;
        return TAP_SW_OK;
    case TAP_EV_FIELD: return on_field(s, index, value, len);
    case TAP_EV_OUTPUT_END: return on_output_end(s, r, index);
    case TAP_EV_END: return on_end(s, r);
    default: return TAP_SW_OK;
    }
}

/* A result entry (§5.5.7): 00 || input || sig (DEFAULT), 01 || input || sig || 01 (ALL),
 * 02 || input || pubnonce (round 1), 03 || input || psig (round 2). */
static size_t entry(const vpsbt_state *s, uint8_t *out, unsigned i) {
    const signing *g = &s->u.post.sign[i];
    size_t n = s->reader.mode ? TAP_MUSIG_PUBNONCE : g->kind == SIGNS_MUSIG ? 32 : 64;
    out[0] = s->reader.mode ? 0x02 : g->kind == SIGNS_MUSIG ? 0x03 : g->sighash_type;
    out[1] = (uint8_t)i;
    memcpy(out + 2, g->data, n);
    if (out[0] == 0x01) out[2 + n++] = 0x01;
    return 2 + n;
}

/* The next result batch: remaining:u8 || as many whole entries as fit in 255 bytes. */
static size_t next_batch(vpsbt_state *s, uint8_t out[255]) {
    size_t n = 1;
    unsigned left = 0, i = s->results_at;
    uint8_t e[2 + TAP_MUSIG_PUBNONCE];
    for (; i < s->reader.n_inputs; i++) {
        if (s->u.post.sign[i].kind == SIGNS_NOT) continue;
        size_t k = entry(s, e, i);
        if (n + k > CHUNK) break;
        memcpy(out + n, e, k);
        n += k;
    }
    s->results_at = (uint8_t)i;
    for (; i < s->reader.n_inputs; i++) left += s->u.post.sign[i].kind != SIGNS_NOT;
    out[0] = (uint8_t)left;
    return n;
}

/* Round 1: a fresh session for this packet (replacing one of the same id) and the device's pubnonce
 * per signer; the secret halves are dropped and regenerated in round 2. */
static uint16_t round1_results(vpsbt_state *s) {
    (void)tap_musig_session_pop(s->session_id, s->rand_root);
    tap_random(s->rand_root, 32);
    for (unsigned i = 0; i < s->reader.n_inputs; i++) {
        signing *g = &s->u.post.sign[i];
        if (g->kind == SIGNS_NOT) continue;
        uint8_t secnonce[TAP_MUSIG_SECNONCE], sk[32];
        bool ok = own_nonces(s, secnonce, g->data, sk, i, g->key_index, g->aux);
        memset(secnonce, 0, sizeof secnonce);
        memset(sk, 0, sizeof sk);
        if (!ok) return TAP_SW_INCORRECT_DATA;
    }
    tap_musig_session_store(s->session_id, s->rand_root);
    return TAP_SW_OK;
}

/* A round-2 partial signature over the sighash in g->data, with the session's nonce. */
static bool musig_sign(vpsbt_state *s, signing *g, unsigned i) {
    musig_signing *m = &s->u.post.musig[g->musig];
    if (!m->aggnonce_ok) return false;
    uint8_t secnonce[TAP_MUSIG_SECNONCE], pubnonce[TAP_MUSIG_PUBNONCE], sk[32], psig[32], own[33];
    bool ok = own_nonces(s, secnonce, pubnonce, sk, i, g->key_index, g->aux);
    memcpy(own, secnonce + 64, 33);
    const tap_musig_session session = {
        .keyagg = &m->keyagg, .keys = (const uint8_t (*)[33])&own, .n_keys = 1, .aggnonce = m->aggnonce, .msg = g->data, .msg_len = 32,
    };
    ok = ok && tap_musig_sign(psig, secnonce, sk, &session) == TAP_MUSIG_OK;
    memset(secnonce, 0, sizeof secnonce);
    memset(sk, 0, sizeof sk);
    if (ok) memcpy(g->data, psig, 32);
    return ok;
}

/* Approved: the round-2 session leaves the slots before any partial signature exists, then one
 * signature (BIP-340 with the key tweaked as its script key) or partial signature per signer. */
static uint16_t sign_all(vpsbt_state *s) {
    if (s->musig_signers && !tap_musig_session_pop(s->session_id, s->rand_root)) return TAP_SW_BAD_STATE;
    for (unsigned i = 0; i < s->reader.n_inputs; i++) {
        signing *g = &s->u.post.sign[i];
        if (g->kind == SIGNS_MUSIG) {
            if (!musig_sign(s, g, i)) return TAP_SW_INCORRECT_DATA;
        } else if (g->kind == SIGNS_KEY) {
            uint32_t path[5];
            uint8_t sig[64];
            script_key_path(s, path, g->key_index);
            if (!tap_taproot_sign_tweak_hash(sig, path, 5, g->aux, g->data)) return TAP_SW_INCORRECT_DATA;
            memcpy(g->data, sig, 64);
        }
    }
    return TAP_SW_OK;
}

/* The session id's digest takes the stream from hrp_len (offset 5) to the root's end. */
static void digest_chunk(vpsbt_state *s, const tap_stream_reader *probe, const uint8_t *data, size_t len, uint32_t start) {
    if (s->has_session_id) return;
    uint32_t end = probe->root_end ? probe->root_end : start + (uint32_t)len;
    if (end > 5) {
        uint32_t from = start < 5 ? 5 - start : 0;
        tap_sha256_update(&s->session_digest, data + from, end - start - from);
    }
    if (probe->root_end) {
        uint8_t d[32];
        tap_sha256_final(&s->session_digest, d);
        tap_sha256_ctx h;
        tap_sha256_init(&h);
        tap_sha256_update(&h, (const uint8_t *)"TAP-v2-musig", 12);
        tap_sha256_update(&h, d, 32);
        tap_sha256_final(&h, s->session_id);
        s->has_session_id = true;
    }
}

uint16_t tap_cmd_sign_vpsbt(uint8_t p1, const uint8_t *data, size_t len, uint8_t out[255], size_t *out_len) {
    vpsbt_state *s = state();
    if (p1 == 0) {
        memset(s, 0, sizeof *s);
        tap_stream_init(&s->reader);
        tap_sha256_init(&s->session_digest);
        stream_active = true;
    }
    if (p1 > 2) return TAP_SW_WRONG_P1P2;
    if (!stream_active) return TAP_SW_BAD_STATE;
    if (p1 == 2) {
        if (len != 0) return TAP_SW_WRONG_DATA_LENGTH;
        if (!s->reader.done || s->results_at >= s->reader.n_inputs) return TAP_SW_BAD_STATE;
        *out_len = next_batch(s, out);
        if (out[0] == 0) end_stream(s);
        return TAP_SW_OK;
    }
    if (s->reader.done) return TAP_SW_BAD_STATE;
    if (s->header_seen) {
        uint32_t left = s->reader.declared - s->offset;
        if (len != (left < CHUNK ? left : CHUNK)) return TAP_SW_WRONG_DATA_LENGTH;
    }
    /* The grammar over the whole chunk first (the TypeScript reader reads a chunk before its events). */
    tap_stream_reader probe = s->reader;
    uint16_t sw = tap_stream_push(&probe, data, len, NULL, NULL);
    if (sw != TAP_SW_OK) return sw;
    uint32_t start = s->offset;
    s->offset += (uint32_t)len;
    digest_chunk(s, &probe, data, len, start);
    if ((sw = tap_stream_push(&s->reader, data, len, on_event, s)) != TAP_SW_OK) return sw;
    if (!s->header_seen) return TAP_SW_WRONG_DATA_LENGTH;
    *out_len = 0;
    if (!s->reader.done) return TAP_SW_OK;
    if ((sw = s->reader.mode ? round1_results(s) : sign_all(s)) != TAP_SW_OK) return sw;
    s->results_at = 0;
    *out_len = next_batch(s, out);
    if (out[0] == 0) end_stream(s);
    return TAP_SW_OK;
}
