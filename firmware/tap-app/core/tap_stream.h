/* The SIGN_VPSBT v2 stream's grammar (docs/tap-app-protocol.md §5.5.3), read as its bytes arrive in
 * chunks of any size, as apdu/tap-app/vpsbt-stream-reader.ts reads it: events out as soon as a field
 * is complete, long values (input leaves, explicit roots and leaves) passed through in pieces. It holds
 * one fixed field (at most 255 bytes) at a time.
 *
 * Errors are the reader's: a declared length ending past the stream, a byte past stream_len, a
 * non-canonical varint are 6A87 (CodecError); a value the grammar does not allow 6A80; more than 32
 * inputs or a short field over 255 bytes 6A82; and a FROST signer's tag (06), which this firmware
 * does not implement, 6A82. */
#ifndef TAP_STREAM_H
#define TAP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAP_STREAM_MAX_INPUTS 32
#define TAP_STREAM_MAX_HRP 16
#define TAP_STREAM_MAX_PARTICIPANTS 16
#define TAP_STREAM_PREV_ID 101
#define TAP_STREAM_PUBNONCE 66

typedef enum {
    TAP_EV_HEADER,
    TAP_EV_INPUT_START, /* prev_id in value (101 bytes), leaf length in len */
    TAP_EV_DATA,        /* a piece of the long value announced last: index 0 an input's leaf, 1 another */
    TAP_EV_INPUT_END,
    TAP_EV_ROOT,        /* canonical root: the reader's root fields */
    TAP_EV_ROOT_START,  /* explicit root of len bytes */
    TAP_EV_ROOT_END,
    TAP_EV_PARTICIPANT, /* one participant key (33 bytes in value), before SIGNER_START */
    TAP_EV_SIGNER_START,
    TAP_EV_PUBNONCE,
    TAP_EV_SIGNER_END,
    TAP_EV_OUTPUT_START,
    TAP_EV_FIELD,       /* an output's optional field: its flag bit in index, value / len */
    TAP_EV_OUTPUT_END,
    TAP_EV_END,
} tap_stream_event;

/* Output flags (§5.5.3). */
#define TAP_OUT_LOCK_TIME 0x01
#define TAP_OUT_RELATIVE_LOCK_TIME 0x02
#define TAP_OUT_ANCHOR_INTERNAL_KEY 0x04
#define TAP_OUT_ANCHOR_SIBLING 0x08
#define TAP_OUT_PROOF_COURIER 0x10
#define TAP_OUT_ADDRESS 0x20
#define TAP_OUT_CHANGE 0x40

typedef struct {
    /* position */
    uint8_t state, sub;
    uint32_t need, have;
    uint8_t buf[255];
    uint32_t pass_left;
    uint32_t consumed, declared;
    bool has_declared, done;
    uint32_t root_end; /* stream offset just past the root item, 0 until read */
    /* a varint in progress: the field it belongs to, its bound, its first byte */
    uint8_t vr_owner, vr_first;
    uint32_t vr_max;
    /* header */
    uint8_t mode, hrp_len, n_inputs, warnings;
    char hrp[TAP_STREAM_MAX_HRP + 1];
    uint16_t n_outputs;
    uint8_t prev_id[TAP_STREAM_PREV_ID]; /* the input being read */
    /* counters */
    uint8_t index;  /* current input / participant */
    int16_t previous_signer;
    uint8_t signers;
    uint16_t outputs;
    /* root (canonical) */
    uint8_t root_form, root_version, root_has_split;
    uint64_t root_amount, root_lock_time, root_relative_lock_time, root_split_sum;
    uint8_t root_split_hash[32], root_script_key[33];
    /* signer */
    uint8_t signer_input, signer_sighash_type, signer_n;
    uint32_t signer_key_index;
    uint8_t signer_tweak[255];
    uint8_t signer_tweak_len;
    /* output */
    uint8_t out_type, out_form, out_flags, out_version;
    uint32_t out_anchor, out_leaf_len;
    uint64_t out_amount;
    uint8_t out_script_key[33];
} tap_stream_reader;

/* Called once per event, in order; value / len / index as the event says. Returns a status word:
 * 0x9000 to read on, anything else stops the push and is returned by it. */
typedef uint16_t (*tap_stream_handler)(void *ctx, tap_stream_event ev, const tap_stream_reader *r, const uint8_t *value, size_t len,
                                        unsigned index);

void tap_stream_init(tap_stream_reader *r);
/* Reads a chunk; with a handler, calls it per event. 0x9000, or the first error (the reader's or
 * the handler's). */
uint16_t tap_stream_push(tap_stream_reader *r, const uint8_t *chunk, size_t len, tap_stream_handler h, void *ctx);

#endif
