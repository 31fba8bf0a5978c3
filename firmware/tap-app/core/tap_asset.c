#include "tap_asset.h"

#include <string.h>

#include "tap_hash.h"
#include "tap_utf8.h"

/* Leaf record types (asset/records.go) and witness record types. */
enum {
    T_VERSION = 0,
    T_GENESIS = 2,
    T_TYPE = 4,
    T_AMOUNT = 6,
    T_LOCK_TIME = 7,
    T_RELATIVE_LOCK_TIME = 9,
    T_PREV_WITNESSES = 11,
    T_SPLIT_ROOT = 13,
    T_SCRIPT_VERSION = 14,
    T_SCRIPT_KEY = 16,
    T_GROUP_KEY = 17,
    W_PREV_ID = 1,
    W_TX_WITNESS = 3,
    W_SPLIT_COMMITMENT = 5,
};

/* tapd caps witness lists and stack items at 2^16-1 (asset/encoding.go). */
#define MAX_ITEMS 0xffffu

enum { SEEN_VERSION = 1, SEEN_GENESIS = 2, SEEN_TYPE = 4, SEEN_AMOUNT = 8, SEEN_SCRIPT_VERSION = 16, SEEN_SCRIPT_KEY = 32, SEEN_PREV_WITNESSES = 64 };
#define SEEN_REQUIRED (SEEN_VERSION | SEEN_GENESIS | SEEN_TYPE | SEEN_AMOUNT | SEEN_SCRIPT_VERSION | SEEN_SCRIPT_KEY)

enum { WANT_NONE, WANT_BIGSIZE, WANT_BIGSIZE_REST, WANT_BYTES, WANT_PIECES };
enum { K_ASSET, K_LIST, K_WITNESS, K_TX_WITNESS, K_SPLIT, K_PROOF };
enum {
    P_TYPE,
    P_LEN,
    P_COUNT,
    P_WITNESS_LEN,
    P_STACK_COUNT,
    P_ITEM_LEN,
    P_PROOF_LEN,
    P_ROOT_LEN,
    B_VALUE,
    B_PREV_ID,
    B_NODE_COUNT,
    B_NODE,
    B_BITS,
    PC_ODD,
    PC_ITEM,
};

/* Per-witness flags, kept in tap_asset_region.phase of the witness frame. */
enum { WF_TX_WITNESS = 1, WF_SPLIT = 2 };

static const uint8_t zero_byte = 0;

static void fail(tap_asset_parser *p, tap_asset_status s) {
    if (p->status == TAP_ASSET_MORE) p->status = s;
}

static tap_asset_region *top(tap_asset_parser *p) {
    return &p->stack[p->depth - 1];
}

static uint32_t left(tap_asset_parser *p) {
    return top(p)->end - p->pos;
}

static void request(tap_asset_parser *p, uint8_t want, uint8_t purpose, uint32_t n) {
    if (n > left(p)) {
        fail(p, TAP_ASSET_E_TRUNCATED);
        return;
    }
    p->pos += n;
    p->want = want;
    p->purpose = purpose;
    p->need = n;
    p->have = 0;
}

static void push(tap_asset_parser *p, uint8_t kind, uint8_t asset, uint32_t len) {
    if (p->depth == TAP_ASSET_MAX_DEPTH || len > left(p)) {
        fail(p, TAP_ASSET_E_LENGTH);
        return;
    }
    tap_asset_region *r = &p->stack[p->depth++];
    memset(r, 0, sizeof *r);
    r->end = p->pos + len;
    r->kind = kind;
    r->asset = asset;
}

/* --- sinks --------------------------------------------------------------------------------- */

static void leaf_write(tap_asset_frame_state *a, const uint8_t *d, size_t n) {
    if (a->leaf_on) tap_sha256_update(&a->leaf, d, n);
}
static void stripped_write(tap_asset_frame_state *a, const uint8_t *d, size_t n) {
    if (a->stripped_on) tap_sha256_update(&a->stripped, d, n);
}
static void nowit_write(tap_asset_frame_state *a, const uint8_t *d, size_t n) {
    if (a->nowit_on) tap_sha256_update(&a->nowit, d, n);
}
static void leaf_fail(tap_asset_frame_state *a, tap_leaf_problem why) {
    if (a->leaf_on && a->info.split_leaf_problem == TAP_LEAF_OK) a->info.split_leaf_problem = why;
}
static void write_bigsize(void (*w)(tap_asset_frame_state *, const uint8_t *, size_t), tap_asset_frame_state *a, uint64_t v) {
    uint8_t b[9];
    w(a, b, tap_bigsize_put(b, v));
}

/* Before a top-level record of type t, the split leaf takes the root's lock times as records 7
 * and 9 (each only when non-zero) in place of the asset's own (vm.validateSplit). */
static void leaf_before(tap_asset_parser *p, tap_asset_frame_state *a, uint64_t t) {
    if (!a->leaf_on || a->locks_written || t < T_LOCK_TIME) return;
    a->locks_written = true;
    const uint64_t locks[2] = {p->opt.root_lock_time, p->opt.root_relative_lock_time};
    const uint8_t types[2] = {T_LOCK_TIME, T_RELATIVE_LOCK_TIME};
    for (int i = 0; i < 2; i++) {
        if (locks[i] == 0) continue;
        uint8_t rec[11];
        rec[0] = types[i];
        rec[1] = (uint8_t)tap_bigsize_put(rec + 2, locks[i]);
        leaf_write(a, rec, 2u + rec[1]);
    }
}

/* The witness-free encoding writes a witness' length once it is known: at its first record after
 * the tx witness, or at its end. Everything after that point in the witness goes as carried
 * (p->raw). The stripped list length is counted whether or not the digest is asked for. */
static void nowit_flush(tap_asset_frame_state *a) {
    if (a->w_flushed) return;
    uint32_t wlen = a->wlen - a->w_txw_size;
    write_bigsize(nowit_write, a, wlen);
    nowit_write(a, a->held, a->held_len);
    a->info.no_witness_list_len += tap_bigsize_len(wlen) + wlen;
    a->w_flushed = true;
}

/* --- value decoders ------------------------------------------------------------------------ */

/* A BigSize at d[*off], minimally encoded, within len. */
/* A record value that is exactly one BigSize (tapd's VarIntEncoder). */
static bool value_bigsize(const uint8_t *d, size_t len, uint64_t *v) {
    size_t off = 0;
    return tap_bigsize_read(d, len, &off, v) && off == len;
}

/* A 33-byte key on the curve, or 33 zero bytes (tapd's empty key). */
static bool key_ok(const uint8_t k[33]) {
    static const uint8_t zero[33];
    if (memcmp(k, zero, 33) == 0) return true;
    tap_point pt;
    return tap_point_from_compressed(&pt, k);
}

bool tap_genesis_asset_id(uint8_t id[32], uint8_t *type, const uint8_t *v, size_t len) {
    size_t off = 36;
    uint64_t tag_len;
    if (len < off || !tap_bigsize_read(v, len, &off, &tag_len) || tag_len > 64) return false;
    if (len - off < tag_len || len - off - tag_len != 32 + 4 + 1) return false;
    const uint8_t *tag = v + off;
    if (!tap_utf8_valid(tag, (size_t)tag_len)) return false;
    const uint8_t *rest = tag + tag_len;
    uint8_t tag_hash[32], index_le[4];
    tap_sha256(tag_hash, tag, (size_t)tag_len);
    tap_put_u32le(index_le, tap_get_u32be(v + 32));
    tap_sha256_ctx h;
    tap_sha256_init(&h);
    tap_sha256_update(&h, v, 32);
    tap_sha256_update(&h, index_le, 4);
    tap_sha256_update(&h, tag_hash, 32);
    tap_sha256_update(&h, rest, 32 + 4 + 1);
    tap_sha256_final(&h, id);
    *type = rest[36];
    return true;
}

void tap_prev_id_hash(uint8_t out[32], const uint8_t prev_id[101]) {
    uint8_t index_le[4];
    tap_put_u32le(index_le, tap_get_u32be(prev_id + 32));
    tap_sha256_ctx h;
    tap_sha256_init(&h);
    tap_sha256_update(&h, prev_id, 32);
    tap_sha256_update(&h, index_le, 4);
    tap_sha256_update(&h, prev_id + 36, 32);
    tap_sha256_update(&h, prev_id + 36 + 32 + 1, 32);
    tap_sha256_final(&h, out);
}

void tap_split_locator(uint8_t out[32], uint32_t output_index, const uint8_t asset_id[32], const uint8_t script_key[33]) {
    uint8_t b[4];
    tap_put_u32be(b, output_index);
    tap_sha256_ctx h;
    tap_sha256_init(&h);
    tap_sha256_update(&h, b, 4);
    tap_sha256_update(&h, asset_id, 32);
    tap_sha256_update(&h, script_key + 1, 32);
    tap_sha256_final(&h, out);
}

/* Longest valid length of a record read whole; 0 for records not read whole. */
static uint32_t whole_max(uint64_t t) {
    switch (t) {
    case T_VERSION:
    case T_TYPE: return 1;
    case T_GENESIS: return TAP_ASSET_MAX_READ;
    case T_AMOUNT:
    case T_LOCK_TIME:
    case T_RELATIVE_LOCK_TIME: return 9;
    case T_SPLIT_ROOT: return TAP_MSSMT_NODE_BYTES;
    case T_SCRIPT_VERSION: return 2;
    case T_SCRIPT_KEY:
    case T_GROUP_KEY: return 33;
    default: return 0;
    }
}

static void decode_whole(tap_asset_parser *p, tap_asset_frame_state *a, const uint8_t *v, uint32_t n) {
    tap_asset_info *info = &a->info;
    bool ok = true;
    switch (a->rec_type) {
    case T_VERSION:
        ok = n == 1;
        if (ok) info->version = v[0], a->seen |= SEEN_VERSION;
        break;
    case T_GENESIS:
        ok = tap_genesis_asset_id(info->asset_id, &a->genesis_type, v, n);
        if (ok) {
            /* After the 36-byte outpoint: the tag's BigSize length (at most 64, one byte) and the tag. */
            info->tag_len = v[36];
            memcpy(info->tag, v + 37, info->tag_len);
            info->genesis_len = (uint8_t)n;
            memcpy(info->genesis, v, n);
        }
        a->seen |= SEEN_GENESIS;
        break;
    case T_TYPE:
        ok = n == 1;
        if (ok) a->type = v[0], a->seen |= SEEN_TYPE;
        break;
    case T_AMOUNT:
        ok = value_bigsize(v, n, &info->amount);
        a->seen |= SEEN_AMOUNT;
        break;
    case T_LOCK_TIME:
        ok = value_bigsize(v, n, &info->lock_time) && info->lock_time != 0;
        break;
    case T_RELATIVE_LOCK_TIME:
        ok = value_bigsize(v, n, &info->relative_lock_time) && info->relative_lock_time != 0;
        break;
    case T_SPLIT_ROOT:
        ok = n == TAP_MSSMT_NODE_BYTES;
        if (ok) tap_mssmt_node_decode(&info->split_root, v), info->has_split_root = true;
        break;
    case T_SCRIPT_VERSION:
        ok = n == 2;
        if (ok) info->script_version = (uint16_t)((v[0] << 8) | v[1]), a->seen |= SEEN_SCRIPT_VERSION;
        break;
    case T_SCRIPT_KEY:
        ok = n == 33 && key_ok(v);
        if (ok) memcpy(info->script_key, v, 33), a->seen |= SEEN_SCRIPT_KEY;
        break;
    case T_GROUP_KEY:
        ok = n == 33 && key_ok(v);
        if (ok) memcpy(info->group_key, v, 33), info->has_group_key = true;
        break;
    }
    if (!ok) {
        fail(p, TAP_ASSET_E_VALUE);
        return;
    }
    bool own_lock = a->rec_type == T_LOCK_TIME || a->rec_type == T_RELATIVE_LOCK_TIME;
    if (!own_lock) {
        leaf_write(a, a->rec_header, a->rec_header_len);
        leaf_write(a, v, n);
    }
    stripped_write(a, a->rec_header, a->rec_header_len);
    stripped_write(a, v, n);
    nowit_write(a, a->rec_header, a->rec_header_len);
    nowit_write(a, v, n);
}

/* --- records ------------------------------------------------------------------------------- */

static void asset_record(tap_asset_parser *p, tap_asset_frame_state *a) {
    uint64_t t = a->rec_type;
    uint32_t len = a->rec_len;
    leaf_before(p, a, t);
    if (t == T_PREV_WITNESSES) {
        a->seen |= SEEN_PREV_WITNESSES;
        write_bigsize(stripped_write, a, t);
        write_bigsize(nowit_write, a, t);
        write_bigsize(nowit_write, a, p->opt.no_witness_list_len);
        push(p, K_LIST, top(p)->asset, len);
        request(p, WANT_BIGSIZE, P_COUNT, 1);
        return;
    }
    uint32_t max = whole_max(t);
    if (max == 0) {
        if (t % 2 == 0) {
            fail(p, TAP_ASSET_E_UNKNOWN_EVEN);
            return;
        }
        leaf_write(a, a->rec_header, a->rec_header_len);
        stripped_write(a, a->rec_header, a->rec_header_len);
        nowit_write(a, a->rec_header, a->rec_header_len);
        request(p, WANT_PIECES, PC_ODD, len);
        return;
    }
    if (len > max) {
        fail(p, TAP_ASSET_E_LENGTH);
        return;
    }
    request(p, WANT_BYTES, B_VALUE, len);
}

static void witness_record(tap_asset_parser *p, tap_asset_frame_state *a) {
    uint64_t t = a->rec_type;
    uint32_t len = a->rec_len;
    tap_asset_region *w = top(p);
    bool first = a->windex == 0;
    if (t == W_PREV_ID) {
        if (len != 101) {
            fail(p, TAP_ASSET_E_LENGTH);
            return;
        }
        request(p, WANT_BYTES, B_PREV_ID, len);
        return;
    }
    if (t == W_TX_WITNESS) {
        w->phase |= WF_TX_WITNESS;
        a->info.any_tx_witness = true;
        if (first) leaf_fail(a, TAP_LEAF_TX_WITNESS);
        a->w_txw_size = a->rec_header_len + len;
        push(p, K_TX_WITNESS, w->asset, len);
        request(p, WANT_BIGSIZE, P_STACK_COUNT, 1);
        return;
    }
    if (t % 2 == 0) {
        fail(p, TAP_ASSET_E_UNKNOWN_EVEN);
        return;
    }
    if (t == W_SPLIT_COMMITMENT && a->stripped_on) {
        fail(p, TAP_ASSET_E_NESTED_SPLIT);
        return;
    }
    /* From here on the witness goes to the witness-free digest as carried. */
    if (!p->raw && w->asset == 0) {
        nowit_flush(a);
        nowit_write(a, a->rec_header, a->rec_header_len);
        p->raw = true;
    }
    if (t == W_SPLIT_COMMITMENT) {
        w->phase |= WF_SPLIT;
        if (first && a->leaf_on) {
            /* The leaf's record 11: one witness, without this record. */
            uint64_t leaf_witness = (uint64_t)a->wlen - a->rec_header_len - len;
            uint64_t leaf_list = tap_bigsize_len(1) + tap_bigsize_len(leaf_witness) + leaf_witness;
            write_bigsize(leaf_write, a, T_PREV_WITNESSES);
            write_bigsize(leaf_write, a, leaf_list);
            write_bigsize(leaf_write, a, 1);
            write_bigsize(leaf_write, a, leaf_witness);
            leaf_write(a, a->held, a->held_len);
        }
        push(p, K_SPLIT, w->asset, len);
        request(p, WANT_BIGSIZE, P_PROOF_LEN, 1);
        return;
    }
    if (first) {
        if (!(w->phase & WF_SPLIT)) leaf_fail(a, TAP_LEAF_NO_SPLIT);
        leaf_write(a, a->rec_header, a->rec_header_len);
    }
    stripped_write(a, a->rec_header, a->rec_header_len);
    request(p, WANT_PIECES, PC_ODD, len);
}

/* --- frame ends ---------------------------------------------------------------------------- */

static void close_asset(tap_asset_parser *p) {
    uint8_t idx = top(p)->asset;
    tap_asset_frame_state *a = &p->a[idx];
    tap_asset_info *info = &a->info;
    if ((a->seen & SEEN_REQUIRED) != SEEN_REQUIRED) {
        fail(p, TAP_ASSET_E_MISSING);
        return;
    }
    if (a->type != a->genesis_type) {
        fail(p, TAP_ASSET_E_VALUE);
        return;
    }
    info->has_prev_witnesses = (a->seen & SEEN_PREV_WITNESSES) != 0;
    info->witness_count = info->has_prev_witnesses ? a->wcount : 0;
    if (a->leaf_on) {
        if (!info->has_prev_witnesses) leaf_fail(a, TAP_LEAF_NO_WITNESS);
        if (info->version > 1) leaf_fail(a, TAP_LEAF_VERSION);
        leaf_before(p, a, UINT64_MAX);
        if (info->split_leaf_problem == TAP_LEAF_OK) tap_mssmt_leaf_finish(&info->split_leaf, &a->leaf, info->amount);
    }
    if (a->stripped_on) tap_sha256_final(&a->stripped, info->stripped);
    if (a->nowit_on) {
        if (info->has_prev_witnesses && info->no_witness_list_len != p->opt.no_witness_list_len)
            info->no_witness_problem = TAP_LEAF_LENGTH_MISMATCH;
        else
            tap_mssmt_leaf_finish(&info->no_witness_leaf, &a->nowit, info->amount);
    }
    p->depth--;
    if (p->depth == 0) {
        p->want = WANT_NONE;
        p->status = TAP_ASSET_DONE;
        return;
    }
    /* The root asset of a split commitment: its stripped digest is what the split names. */
    if (p->a[0].windex == 0) memcpy(p->a[0].info.root_stripped, info->stripped, 32);
    top(p)->phase = 2;
}

static void close_witness(tap_asset_parser *p) {
    tap_asset_region *w = top(p);
    tap_asset_frame_state *a = &p->a[w->asset];
    bool first = a->windex == 0;
    if (first) {
        if (!(w->phase & WF_SPLIT)) leaf_fail(a, TAP_LEAF_NO_SPLIT);
        a->info.first_tx_witness = (w->phase & WF_TX_WITNESS) != 0;
        a->info.first_has_split = (w->phase & WF_SPLIT) != 0;
    }
    stripped_write(a, &zero_byte, 1);
    if (w->asset == 0) {
        if (!p->raw) nowit_flush(a);
        p->raw = false;
    }
    p->depth--;
    a->windex++;
}

static void close_proof(tap_asset_parser *p) {
    tap_asset_region *r = top(p);
    tap_asset_frame_state *a = &p->a[r->asset];
    uint8_t nodes_hash[32];
    tap_sha256_final(&p->nodes, nodes_hash);
    if (a->windex == 0) {
        a->info.node_count = (uint16_t)r->count;
        memcpy(a->info.nodes_hash, nodes_hash, 32);
    }
    p->depth--;
    top(p)->phase = 1;
    request(p, WANT_BIGSIZE, P_ROOT_LEN, 1);
}

/* Decides the next read once an item is handled: the next record, or the end of a region. */
static void advance(tap_asset_parser *p) {
    while (p->status == TAP_ASSET_MORE) {
        tap_asset_region *r = top(p);
        uint32_t l = left(p);
        switch (r->kind) {
        case K_ASSET:
        case K_WITNESS:
            if (l > 0) {
                request(p, WANT_BIGSIZE, P_TYPE, 1);
                return;
            }
            if (r->kind == K_ASSET)
                close_asset(p);
            else
                close_witness(p);
            continue;
        case K_LIST:
            if (p->a[r->asset].windex < p->a[r->asset].wcount) {
                request(p, WANT_BIGSIZE, P_WITNESS_LEN, 1);
                return;
            }
            break;
        case K_TX_WITNESS:
            if (r->index < r->count) {
                request(p, WANT_BIGSIZE, P_ITEM_LEN, 1);
                return;
            }
            break;
        case K_PROOF:
            if (r->phase == 0) {
                if (r->index < r->count) {
                    request(p, WANT_BYTES, B_NODE, TAP_MSSMT_NODE_BYTES);
                    return;
                }
                r->phase = 1;
                request(p, WANT_BYTES, B_BITS, 32);
                return;
            }
            if (l != 0) {
                fail(p, TAP_ASSET_E_TRAILING);
                return;
            }
            close_proof(p);
            return;
        case K_SPLIT:
            break;
        }
        /* A list, stack or split commitment read in full: its declared length must be used up. */
        if (l != 0) {
            fail(p, TAP_ASSET_E_TRAILING);
            return;
        }
        p->depth--;
    }
}

/* --- items --------------------------------------------------------------------------------- */

/* A BigSize count or length of a witness list, witness or stack (at most 2^16-1, no more than the
 * region has left); counts must also be non-zero (tapd omits empty lists and stacks). */
static bool bounded(tap_asset_parser *p, uint64_t v, uint32_t left_bytes, bool nonzero) {
    if (v > MAX_ITEMS || v > left_bytes) {
        fail(p, TAP_ASSET_E_LENGTH);
        return false;
    }
    if (nonzero && v == 0) {
        fail(p, TAP_ASSET_E_VALUE);
        return false;
    }
    return true;
}

static void on_value(tap_asset_parser *p, uint64_t v) {
    tap_asset_region *r = top(p);
    tap_asset_frame_state *a = &p->a[r->asset];
    uint32_t l = left(p);
    switch (p->purpose) {
    case P_TYPE: {
        bool in_witness = r->kind == K_WITNESS;
        bool *has_last = in_witness ? &a->w_has_last : &a->has_last;
        uint64_t *last = in_witness ? &a->w_last : &a->last_type;
        if (*has_last && v <= *last) {
            fail(p, TAP_ASSET_E_ORDER);
            return;
        }
        *has_last = true;
        *last = v;
        a->rec_type = v;
        request(p, WANT_BIGSIZE, P_LEN, 1);
        return;
    }
    case P_LEN:
        if (v > l) {
            fail(p, TAP_ASSET_E_LENGTH);
            return;
        }
        a->rec_len = (uint32_t)v;
        a->rec_header_len = (uint8_t)tap_bigsize_put(a->rec_header, a->rec_type);
        a->rec_header_len = (uint8_t)(a->rec_header_len + tap_bigsize_put(a->rec_header + a->rec_header_len, v));
        if (r->kind == K_WITNESS)
            witness_record(p, a);
        else
            asset_record(p, a);
        return;
    case P_COUNT:
        if (!bounded(p, v, l, true)) return;
        a->wcount = (uint32_t)v;
        a->windex = 0;
        if (v != 1) leaf_fail(a, TAP_LEAF_WITNESS_COUNT);
        write_bigsize(stripped_write, a, v);
        write_bigsize(nowit_write, a, v);
        a->info.no_witness_list_len = tap_bigsize_len(v);
        break;
    case P_WITNESS_LEN:
        if (!bounded(p, v, l, false)) return;
        push(p, K_WITNESS, r->asset, (uint32_t)v);
        a->wlen = (uint32_t)v;
        a->w_has_last = false;
        a->held_len = 0;
        a->w_flushed = false;
        a->w_txw_size = 0;
        break;
    case P_STACK_COUNT:
        if (!bounded(p, v, l, true)) return;
        r->count = (uint32_t)v;
        break;
    case P_ITEM_LEN:
        if (!bounded(p, v, l, false)) return;
        r->index++;
        request(p, WANT_PIECES, PC_ITEM, (uint32_t)v);
        return;
    case P_PROOF_LEN:
        if (v > l) {
            fail(p, TAP_ASSET_E_LENGTH);
            return;
        }
        push(p, K_PROOF, r->asset, (uint32_t)v);
        request(p, WANT_BYTES, B_NODE_COUNT, 2);
        return;
    case P_ROOT_LEN: {
        if (v > l) {
            fail(p, TAP_ASSET_E_LENGTH);
            return;
        }
        push(p, K_ASSET, 1, (uint32_t)v);
        tap_asset_frame_state *root = &p->a[1];
        memset(root, 0, sizeof *root);
        root->stripped_on = true;
        tap_sha256_init(&root->stripped);
        break;
    }
    }
    advance(p);
}

static void on_bytes(tap_asset_parser *p, const uint8_t *v, uint32_t n) {
    tap_asset_region *r = top(p);
    tap_asset_frame_state *a = &p->a[r->asset];
    switch (p->purpose) {
    case B_VALUE:
        decode_whole(p, a, v, n);
        break;
    case B_PREV_ID:
        if (!key_ok(v + 68)) {
            fail(p, TAP_ASSET_E_VALUE);
            return;
        }
        if (a->windex == 0) {
            uint8_t any = 0;
            for (uint32_t i = 0; i < n; i++) any |= v[i];
            a->info.first_prev_id_zero = any == 0;
        }
        /* Held back until the witness' length in the leaf encodings is known. */
        memcpy(a->held, a->rec_header, a->rec_header_len);
        memcpy(a->held + a->rec_header_len, v, n);
        a->held_len = (uint8_t)(a->rec_header_len + n);
        stripped_write(a, a->held, a->held_len);
        break;
    case B_NODE_COUNT:
        r->count = (uint32_t)((v[0] << 8) | v[1]);
        tap_sha256_init(&p->nodes);
        tap_sha256_update(&p->nodes, &zero_byte, 1);
        break;
    case B_NODE:
        tap_sha256_update(&p->nodes, v, n);
        r->index++;
        break;
    case B_BITS: {
        unsigned empty = 0;
        for (unsigned i = 0; i < 32; i++)
            for (unsigned b = 0; b < 8; b++) empty += (v[i] >> b) & 1u;
        if (TAP_MSSMT_DEPTH - empty != r->count) {
            fail(p, TAP_ASSET_E_VALUE);
            return;
        }
        if (a->windex == 0) memcpy(a->info.bits, v, 32);
        r->phase = 2;
        break;
    }
    }
    advance(p);
}

static void on_piece(tap_asset_parser *p, const uint8_t *d, uint32_t n) {
    if (p->purpose != PC_ODD) return; /* stack items are in no digest */
    tap_asset_region *r = top(p);
    tap_asset_frame_state *a = &p->a[r->asset];
    if (r->kind == K_ASSET) {
        leaf_write(a, d, n);
        nowit_write(a, d, n);
    } else if (a->windex == 0) {
        leaf_write(a, d, n);
    }
    stripped_write(a, d, n);
}

/* --- driver -------------------------------------------------------------------------------- */

void tap_asset_init(tap_asset_parser *p, uint32_t total, const tap_asset_options *opt) {
    memset(p, 0, sizeof *p);
    if (opt) p->opt = *opt;
    p->status = TAP_ASSET_MORE;
    p->total = total;
    tap_asset_frame_state *a = &p->a[0];
    a->leaf_on = p->opt.split_leaf;
    a->stripped_on = p->opt.stripped;
    a->nowit_on = p->opt.no_witness_leaf;
    if (a->leaf_on) tap_sha256_init(&a->leaf);
    if (a->stripped_on) tap_sha256_init(&a->stripped);
    if (a->nowit_on) tap_sha256_init(&a->nowit);
    p->depth = 1;
    p->stack[0].end = total;
    p->stack[0].kind = K_ASSET;
    if (total > TAP_ASSET_MAX_SIZE) {
        p->status = TAP_ASSET_E_LENGTH;
        return;
    }
    advance(p);
}

static void deliver(tap_asset_parser *p) {
    uint8_t want = p->want;
    p->want = WANT_NONE;
    p->have = 0;
    if (want == WANT_BIGSIZE) {
        uint8_t first = p->buf[0];
        if (first < 0xfd) {
            on_value(p, first);
            return;
        }
        uint8_t width = first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
        request(p, WANT_BIGSIZE_REST, p->purpose, width);
        return;
    }
    if (want == WANT_BIGSIZE_REST) {
        uint64_t v = 0;
        for (uint32_t i = 0; i < p->need; i++) v = (v << 8) | p->buf[i];
        uint64_t min = p->need == 2 ? 0xfd : p->need == 4 ? 0x10000 : 0x100000000ull;
        if (v < min) {
            fail(p, TAP_ASSET_E_BIGSIZE);
            return;
        }
        on_value(p, v);
        return;
    }
    on_bytes(p, p->buf, p->need);
}

tap_asset_status tap_asset_feed(tap_asset_parser *p, const uint8_t *data, size_t len) {
    if (p->status == TAP_ASSET_DONE && len > 0) p->status = TAP_ASSET_E_TRAILING;
    while (p->status == TAP_ASSET_MORE) {
        if (p->want == WANT_PIECES) {
            if (p->need > 0) {
                if (len == 0) break;
                uint32_t k = p->need < len ? p->need : (uint32_t)len;
                if (p->raw) nowit_write(&p->a[0], data, k);
                on_piece(p, data, k);
                p->need -= k;
                data += k;
                len -= k;
                if (p->need > 0) continue;
            }
            p->want = WANT_NONE;
            advance(p);
            continue;
        }
        if (p->have < p->need) {
            if (len == 0) break;
            uint32_t k = p->need - p->have;
            if (k > len) k = (uint32_t)len;
            memcpy(p->buf + p->have, data, k);
            if (p->raw) nowit_write(&p->a[0], data, k);
            p->have += k;
            data += k;
            len -= k;
            if (p->have < p->need) continue;
        }
        deliver(p);
    }
    if (p->status == TAP_ASSET_DONE && len > 0) p->status = TAP_ASSET_E_TRAILING;
    return p->status;
}

tap_asset_status tap_asset_finish(tap_asset_parser *p, tap_asset_info *out) {
    if (p->status == TAP_ASSET_MORE) p->status = TAP_ASSET_E_TRUNCATED;
    if (p->status == TAP_ASSET_DONE && out) *out = p->a[0].info;
    return p->status;
}
