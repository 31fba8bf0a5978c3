/* An asset leaf TLV (docs/taproot-assets.md §4) parsed as its bytes arrive in pieces of any size
 * (docs/tap-app-protocol.md §5.5 step 2c). Memory is this struct, whatever the asset's length:
 * the parser reads at most TAP_ASSET_MAX_READ bytes whole, streams everything longer, and keeps only
 * the fields below and running digests.
 *
 * It refuses what the TypeScript decoders refuse (assets/asset/leaf.ts and
 * test/firmware/asset-stream.ts, checked against test/vectors/firmware/asset.txt): types strictly
 * increasing, unknown even types, non-canonical BigSize, known records of the wrong length or
 * content (a genesis tag that is not UTF-8 or longer than 64 bytes, a key that is not a point, a
 * zero lock time, an empty witness list or stack), nested lengths not consumed exactly, a missing
 * record tapd always writes, a type other than the genesis type, and a split commitment inside the
 * witnesses of a root asset. */
#ifndef TAP_ASSET_H
#define TAP_ASSET_H

#include "platform.h"
#include "tap_mssmt.h"

/* The longest item read whole: a genesis record (36 + 1 + 64 + 32 + 4 + 1 bytes). */
#define TAP_ASSET_MAX_READ 138
/* asset.MaxAssetEncodeSizeBytes (tapd's leaf decoder). */
#define TAP_ASSET_MAX_SIZE 4000000u
/* A PrevID record: type 1, length 101, outpoint || asset ID || key. */
#define TAP_PREV_ID_RECORD 103

typedef enum {
    TAP_ASSET_MORE = 0,       /* bytes still to come */
    TAP_ASSET_DONE = 1,       /* the whole value parsed */
    TAP_ASSET_E_TRUNCATED,    /* a read past the end of its value, record or region */
    TAP_ASSET_E_TRAILING,     /* bytes after the declared total, or a region not consumed */
    TAP_ASSET_E_ORDER,        /* types not strictly increasing */
    TAP_ASSET_E_UNKNOWN_EVEN, /* an unknown even type */
    TAP_ASSET_E_BIGSIZE,      /* a BigSize not minimally encoded */
    TAP_ASSET_E_LENGTH,       /* a record or count of the wrong size */
    TAP_ASSET_E_VALUE,        /* a value out of range: zero lock time, not a point, not UTF-8, ... */
    TAP_ASSET_E_MISSING,      /* a record tapd always writes is absent */
    TAP_ASSET_E_NESTED_SPLIT, /* a split commitment in a root asset's own witnesses */
} tap_asset_status;

/* Why an asset has no split leaf (it is then not a valid split, which the caller refuses). */
typedef enum {
    TAP_LEAF_OK = 0,
    TAP_LEAF_TX_WITNESS,       /* a split output carries a tx witness */
    TAP_LEAF_WITNESS_COUNT,    /* a split output carries more than one prev witness */
    TAP_LEAF_NO_SPLIT,         /* a split output carries no split commitment */
    TAP_LEAF_NO_WITNESS,       /* a split output carries no prev witness */
    TAP_LEAF_VERSION,          /* asset version other than 0 or 1 */
    TAP_LEAF_LENGTH_MISMATCH,  /* the announced witness-free list length was wrong */
} tap_leaf_problem;

typedef struct {
    /* The split leaf of tapd's vm.validateSplit: the asset with the root's lock times and its
     * witness without the split commitment, summing its amount (§5.5 step 2c). */
    bool split_leaf;
    uint64_t root_lock_time;
    uint64_t root_relative_lock_time;
    /* The stripped digest of a root asset (§5.5 step 2c); a split commitment is then refused. */
    bool stripped;
    /* The asset's encoding without tx witnesses (tapd EncodeNoWitness) as an MS-SMT leaf: the
     * virtual output's leaf, and a V1 input's. Its record 11 header comes before the witnesses
     * it shortens, so the caller announces the stripped list length (a first pass over the same
     * bytes reports it as no_witness_list_len); a wrong announcement gives no leaf. */
    bool no_witness_leaf;
    uint64_t no_witness_list_len;
} tap_asset_options;

typedef struct {
    uint8_t version;
    uint8_t asset_id[32];
    uint8_t tag[64]; /* the genesis tag (valid UTF-8), for a review */
    uint8_t tag_len;
    uint8_t genesis[TAP_ASSET_MAX_READ]; /* the genesis record's value as carried */
    uint8_t genesis_len;
    uint64_t amount;
    uint8_t script_key[33];
    uint16_t script_version;
    uint64_t lock_time;
    uint64_t relative_lock_time;
    bool has_group_key;
    uint8_t group_key[33];
    bool has_split_root;
    tap_mssmt_node split_root;
    uint32_t witness_count;
    bool any_tx_witness; /* some prev witness carries a tx witness (a V1 leaf value must not) */
    /* The first prev witness. */
    bool first_prev_id_zero; /* it names the all-zero PrevID: a genesis */
    bool first_tx_witness;
    bool first_has_split;
    uint16_t node_count;       /* explicit nodes of its split commitment proof */
    uint8_t nodes_hash[32];    /* SHA256(00 || the nodes as carried) */
    uint8_t bits[32];          /* the proof's emptiness map, LSB first */
    uint8_t root_stripped[32]; /* stripped digest of the root asset it names */
    /* Option results. */
    tap_mssmt_node split_leaf;
    tap_leaf_problem split_leaf_problem;
    uint8_t stripped[32];
    bool has_prev_witnesses;
    uint64_t no_witness_list_len; /* the value length of record 11 without tx witnesses */
    tap_mssmt_node no_witness_leaf;
    tap_leaf_problem no_witness_problem;
} tap_asset_info;

/* Per asset being parsed: the top-level one and the root asset nested in its split commitment. */
typedef struct {
    bool leaf_on, stripped_on, nowit_on;
    tap_sha256_ctx leaf, stripped, nowit;
    bool locks_written;
    uint8_t seen; /* required records read, one bit each */
    uint8_t genesis_type, type;
    bool has_last;
    uint64_t last_type;
    uint64_t rec_type;
    uint32_t rec_len;
    uint8_t rec_header[18];
    uint8_t rec_header_len;
    /* witness list and the current witness */
    uint32_t wcount, windex, wlen;
    bool w_has_last;
    uint64_t w_last;
    uint8_t held[TAP_PREV_ID_RECORD];
    uint8_t held_len;
    bool w_flushed;
    uint32_t w_txw_size;
    tap_asset_info info;
} tap_asset_frame_state;

typedef struct {
    uint32_t end;
    uint8_t kind;
    uint8_t phase;
    uint8_t asset; /* which tap_asset_frame_state it belongs to */
    uint32_t count, index;
} tap_asset_region;

#define TAP_ASSET_MAX_DEPTH 8

typedef struct {
    tap_asset_options opt;
    tap_asset_status status;
    uint32_t total, pos;
    /* the pending request */
    uint8_t want, purpose;
    uint32_t need, have;
    uint8_t buf[TAP_ASSET_MAX_READ];
    tap_asset_region stack[TAP_ASSET_MAX_DEPTH];
    uint8_t depth;
    tap_asset_frame_state a[2];
    /* the split commitment of the top-level asset's first witness */
    tap_sha256_ctx nodes;
    /* while set, every byte consumed goes to a[0]'s witness-free digest as carried */
    bool raw;
} tap_asset_parser;

/* Starts a parse of a value of `total` bytes. opt may be NULL. */
void tap_asset_init(tap_asset_parser *p, uint32_t total, const tap_asset_options *opt);
/* The next bytes of the value, in order, in pieces of any size. Returns MORE, DONE or an error
 * (which sticks: the parser then refuses everything). */
tap_asset_status tap_asset_feed(tap_asset_parser *p, const uint8_t *data, size_t len);
/* After the last piece: DONE with *out filled, or why not. */
tap_asset_status tap_asset_finish(tap_asset_parser *p, tap_asset_info *out);

/* The asset ID of a genesis: SHA256(txid || u32le(index) || SHA256(tag) || meta_hash ||
 * u32be(output_index) || type), from the genesis record's value as carried. false if the value is
 * not a genesis. */
bool tap_genesis_asset_id(uint8_t id[32], uint8_t *type, const uint8_t *value, size_t len);

/* The hash of a PrevID, the key of the virtual input tree: SHA256(txid || u32le(index) || asset ID
 * || xonly(script key)), from its 101-byte TLV form. */
void tap_prev_id_hash(uint8_t out[32], const uint8_t prev_id[101]);

/* The split locator key: SHA256(u32be(anchor output index) || asset ID || xonly(script key)). */
void tap_split_locator(uint8_t out[32], uint32_t output_index, const uint8_t asset_id[32], const uint8_t script_key[33]);

#endif
