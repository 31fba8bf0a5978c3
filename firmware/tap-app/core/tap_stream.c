#include "tap_stream.h"

#include <string.h>

#include "tap_hash.h"
#include "tap_request.h"

/* The grammar's states: each names the field the reader waits for. */
enum {
    H_LEN, H_MODE, H_HRP_LEN, H_HRP, H_N_INPUTS, H_N_OUTPUTS, H_WARNINGS,
    I_TAG, I_PREV_ID, I_LEAF_LEN, I_LEAF,
    R_TAG, R_FORM, R_LEN, R_BYTES, R_VERSION, R_AMOUNT, R_LOCK, R_REL, R_HAS_SPLIT, R_SPLIT_HASH, R_SPLIT_SUM, R_KEY,
    ITEM_TAG,
    S_INPUT, S_SIGHASH, S_KEY_INDEX, S_TWEAK_LEN, S_TWEAK, S_N, S_PARTICIPANT, S_PUBNONCE,
    O_TYPE, O_FORM, O_FLAGS, O_ANCHOR, O_VERSION, O_AMOUNT, O_KEY, O_LEAF_LEN, O_LEAF, O_FIELD, O_FIELD_LEN, O_FIELD_VALUE,
    VARINT_FIRST, VARINT_REST,
    DONE,
};

#define OK TAP_SW_OK

#define EMIT(ev, value, len, index)                                  \
    do {                                                             \
        if (h) {                                                     \
            uint16_t sw_ = h(ctx, (ev), r, (value), (len), (index)); \
            if (sw_ != OK) return sw_;                               \
        }                                                            \
    } while (0)

static uint32_t remaining(const tap_stream_reader *r) {
    return r->has_declared ? r->declared - r->consumed : UINT32_MAX;
}

static void need(tap_stream_reader *r, uint32_t n, uint8_t state) {
    r->state = state;
    r->need = n;
    r->have = 0;
    r->pass_left = 0;
}

static void pass(tap_stream_reader *r, uint32_t n, uint8_t state) {
    r->state = state;
    r->need = 0;
    r->have = 0;
    r->pass_left = n;
}

/* CompactSize for the field `owner`, canonical only, and when longer than one byte at most what
 * remains when it starts (6A87 otherwise, as the TypeScript reader's CodecError). */
static void varint(tap_stream_reader *r, uint8_t owner) {
    r->vr_owner = owner;
    r->vr_max = remaining(r);
    need(r, 1, VARINT_FIRST);
}

void tap_stream_init(tap_stream_reader *r) {
    memset(r, 0, sizeof *r);
    r->previous_signer = -1;
    need(r, 4, H_LEN);
}

static uint16_t field(tap_stream_reader *r, const uint8_t *v, uint32_t n, tap_stream_handler h, void *ctx);

/* After an item: the next tag while bytes remain, else the end (grammar() of the reader). */
static uint16_t after_item(tap_stream_reader *r, tap_stream_handler h, void *ctx) {
    uint16_t outputs = r->mode == 0 ? r->n_outputs : 0;
    if (r->has_declared && r->consumed < r->declared) {
        if (r->mode == 0 && r->outputs == outputs) return TAP_SW_INCORRECT_DATA;
        need(r, 1, ITEM_TAG);
        return OK;
    }
    if (r->outputs != outputs) return TAP_SW_INCORRECT_DATA;
    r->state = DONE;
    r->need = 0;
    r->done = true;
    EMIT(TAP_EV_END, NULL, 0, 0);
    return OK;
}

/* The output's next present field after the flag bit `after`, or its end. */
static uint16_t output_field(tap_stream_reader *r, uint8_t after, tap_stream_handler h, void *ctx) {
    uint8_t bit = (uint8_t)(after ? after << 1 : 1);
    while (bit && bit <= TAP_OUT_CHANGE && !(r->out_flags & bit)) bit = (uint8_t)(bit << 1);
    if (!bit || bit > TAP_OUT_CHANGE) {
        EMIT(TAP_EV_OUTPUT_END, NULL, 0, r->outputs - 1u);
        return after_item(r, h, ctx);
    }
    r->sub = bit;
    switch (bit) {
    case TAP_OUT_LOCK_TIME:
    case TAP_OUT_RELATIVE_LOCK_TIME: need(r, 8, O_FIELD); break;
    case TAP_OUT_ANCHOR_INTERNAL_KEY: need(r, 33, O_FIELD); break;
    case TAP_OUT_CHANGE: need(r, 4, O_FIELD); break;
    default: varint(r, O_FIELD_LEN); break;
    }
    return OK;
}

static uint16_t signer_nonces(tap_stream_reader *r, tap_stream_handler h, void *ctx) {
    if (r->mode == 0 && r->index < r->signer_n) {
        need(r, TAP_STREAM_PUBNONCE, S_PUBNONCE);
        return OK;
    }
    EMIT(TAP_EV_SIGNER_END, NULL, 0, r->signer_input);
    return after_item(r, h, ctx);
}

static uint16_t signer_participants(tap_stream_reader *r, tap_stream_handler h, void *ctx) {
    if (r->index < r->signer_n) {
        need(r, 33, S_PARTICIPANT);
        return OK;
    }
    EMIT(TAP_EV_SIGNER_START, NULL, 0, r->signer_input);
    r->index = 0;
    return signer_nonces(r, h, ctx);
}

static uint16_t output_start(tap_stream_reader *r, tap_stream_handler h, void *ctx) {
    r->outputs++;
    EMIT(TAP_EV_OUTPUT_START, NULL, 0, r->outputs - 1u);
    if (r->out_form == 2 && r->out_leaf_len > 0) {
        pass(r, r->out_leaf_len, O_LEAF);
        return OK;
    }
    return output_field(r, 0, h, ctx);
}

static uint16_t inputs_next(tap_stream_reader *r) {
    if (r->index < r->n_inputs)
        need(r, 1, I_TAG);
    else
        need(r, 1, R_TAG);
    return OK;
}

/* A varint's value for its field. */
static uint16_t varint_done(tap_stream_reader *r, uint32_t v, tap_stream_handler h, void *ctx) {
    switch (r->vr_owner) {
    case I_LEAF_LEN:
        EMIT(TAP_EV_INPUT_START, r->prev_id, v, r->index);
        pass(r, v, I_LEAF);
        return OK;
    case R_LEN:
        EMIT(TAP_EV_ROOT_START, NULL, v, 0);
        pass(r, v, R_BYTES);
        return OK;
    case S_TWEAK_LEN:
        if (v > 255) return TAP_SW_NOT_SUPPORTED;
        r->signer_tweak_len = (uint8_t)v;
        need(r, v, S_TWEAK);
        return OK;
    case O_LEAF_LEN:
        r->out_leaf_len = v;
        return output_start(r, h, ctx);
    default: /* O_FIELD_LEN */
        if (v > 255) return TAP_SW_NOT_SUPPORTED;
        need(r, v, O_FIELD_VALUE);
        return OK;
    }
}

/* A field of n bytes is complete (v holds it): the grammar's next step. */
static uint16_t field(tap_stream_reader *r, const uint8_t *v, uint32_t n, tap_stream_handler h, void *ctx) {
    switch (r->state) {
    case H_LEN:
        r->declared = tap_get_u32be(v);
        need(r, 1, H_MODE);
        return OK;
    case H_MODE:
        if (v[0] > 1) return TAP_SW_INCORRECT_DATA;
        r->mode = v[0];
        need(r, 1, H_HRP_LEN);
        return OK;
    case H_HRP_LEN:
        r->hrp_len = v[0];
        need(r, v[0], H_HRP);
        return OK;
    case H_HRP:
        if (r->hrp_len == 0 || r->hrp_len > TAP_STREAM_MAX_HRP) return TAP_SW_INCORRECT_DATA;
        for (unsigned i = 0; i < r->hrp_len; i++)
            if (v[i] < 0x61 || v[i] > 0x7a) return TAP_SW_INCORRECT_DATA;
        memcpy(r->hrp, v, r->hrp_len);
        r->hrp[r->hrp_len] = 0;
        need(r, 1, H_N_INPUTS);
        return OK;
    case H_N_INPUTS:
        if (v[0] == 0) return TAP_SW_INCORRECT_DATA;
        if (v[0] > TAP_STREAM_MAX_INPUTS) return TAP_SW_NOT_SUPPORTED;
        r->n_inputs = v[0];
        need(r, 2, H_N_OUTPUTS);
        return OK;
    case H_N_OUTPUTS:
        r->n_outputs = (uint16_t)(v[0] << 8 | v[1]);
        if (r->n_outputs == 0) return TAP_SW_INCORRECT_DATA;
        need(r, 1, H_WARNINGS);
        return OK;
    case H_WARNINGS:
        if (v[0] & ~1u) return TAP_SW_INCORRECT_DATA;
        r->warnings = v[0];
        r->has_declared = true;
        EMIT(TAP_EV_HEADER, NULL, 0, 0);
        r->index = 0;
        return inputs_next(r);

    case I_TAG:
        if (v[0] != 0x02) return TAP_SW_INCORRECT_DATA;
        need(r, TAP_STREAM_PREV_ID, I_PREV_ID);
        return OK;
    case I_PREV_ID:
        memcpy(r->prev_id, v, TAP_STREAM_PREV_ID);
        varint(r, I_LEAF_LEN);
        return OK;

    case R_TAG:
        if (v[0] != 0x03) return TAP_SW_INCORRECT_DATA;
        need(r, 1, R_FORM);
        return OK;
    case R_FORM:
        r->root_form = v[0];
        if (v[0] == 1) {
            varint(r, R_LEN);
            return OK;
        }
        if (v[0] != 0) return TAP_SW_INCORRECT_DATA;
        need(r, 1, R_VERSION);
        return OK;
    case R_VERSION:
        r->root_version = v[0];
        need(r, 8, R_AMOUNT);
        return OK;
    case R_AMOUNT:
        r->root_amount = tap_get_u64be(v);
        need(r, 8, R_LOCK);
        return OK;
    case R_LOCK:
        r->root_lock_time = tap_get_u64be(v);
        need(r, 8, R_REL);
        return OK;
    case R_REL:
        r->root_relative_lock_time = tap_get_u64be(v);
        need(r, 1, R_HAS_SPLIT);
        return OK;
    case R_HAS_SPLIT:
        if (v[0] > 1) return TAP_SW_INCORRECT_DATA;
        r->root_has_split = v[0];
        need(r, v[0] ? 32 : 33, v[0] ? R_SPLIT_HASH : R_KEY);
        return OK;
    case R_SPLIT_HASH:
        memcpy(r->root_split_hash, v, 32);
        need(r, 8, R_SPLIT_SUM);
        return OK;
    case R_SPLIT_SUM:
        r->root_split_sum = tap_get_u64be(v);
        need(r, 33, R_KEY);
        return OK;
    case R_KEY:
        memcpy(r->root_script_key, v, 33);
        r->root_end = r->consumed;
        EMIT(TAP_EV_ROOT, NULL, 0, 0);
        return after_item(r, h, ctx);

    case ITEM_TAG: {
        bool signer_ok = r->outputs == 0;
        if (v[0] == 0x04 && signer_ok) {
            need(r, 1, S_INPUT);
            return OK;
        }
        if (v[0] == 0x05 && r->mode == 0) {
            need(r, 1, O_TYPE);
            return OK;
        }
        /* A FROST signer (tag 06, mode 0, before the first output; docs/frost.md §2.6): this firmware
         * signs no FROST key, and says so at its tag rather than reading it. */
        if (v[0] == 0x06 && r->mode == 0 && signer_ok) return TAP_SW_NOT_SUPPORTED;
        return TAP_SW_INCORRECT_DATA;
    }

    case S_INPUT:
        if (v[0] >= r->n_inputs || (int16_t)v[0] <= r->previous_signer) return TAP_SW_INCORRECT_DATA;
        r->signer_input = v[0];
        need(r, 1, S_SIGHASH);
        return OK;
    case S_SIGHASH:
        if (v[0] > 1) return TAP_SW_INCORRECT_DATA;
        r->signer_sighash_type = v[0];
        need(r, 4, S_KEY_INDEX);
        return OK;
    case S_KEY_INDEX:
        r->signer_key_index = tap_get_u32be(v);
        varint(r, S_TWEAK_LEN);
        return OK;
    case S_TWEAK:
        memcpy(r->signer_tweak, v, r->signer_tweak_len);
        need(r, 1, S_N);
        return OK;
    case S_N:
        if (v[0] == 1 || v[0] > TAP_STREAM_MAX_PARTICIPANTS) return TAP_SW_INCORRECT_DATA;
        r->signer_n = v[0];
        r->previous_signer = r->signer_input;
        r->signers++;
        r->index = 0;
        return signer_participants(r, h, ctx);
    case S_PARTICIPANT:
        EMIT(TAP_EV_PARTICIPANT, v, 33, r->index);
        r->index++;
        return signer_participants(r, h, ctx);
    case S_PUBNONCE:
        EMIT(TAP_EV_PUBNONCE, v, TAP_STREAM_PUBNONCE, r->index);
        r->index++;
        return signer_nonces(r, h, ctx);

    case O_TYPE:
        if (v[0] > 1) return TAP_SW_INCORRECT_DATA;
        r->out_type = v[0];
        need(r, 1, O_FORM);
        return OK;
    case O_FORM:
        if (v[0] > 2) return TAP_SW_INCORRECT_DATA;
        r->out_form = v[0];
        need(r, 1, O_FLAGS);
        return OK;
    case O_FLAGS:
        if (v[0] & 0x80) return TAP_SW_INCORRECT_DATA;
        r->out_flags = v[0];
        need(r, 4, O_ANCHOR);
        return OK;
    case O_ANCHOR:
        r->out_anchor = tap_get_u32be(v);
        r->out_leaf_len = 0;
        if (r->out_form == 0) return output_start(r, h, ctx);
        if (r->out_form == 2) {
            varint(r, O_LEAF_LEN);
            return OK;
        }
        need(r, 1, O_VERSION);
        return OK;
    case O_VERSION:
        r->out_version = v[0];
        need(r, 8, O_AMOUNT);
        return OK;
    case O_AMOUNT:
        r->out_amount = tap_get_u64be(v);
        need(r, 33, O_KEY);
        return OK;
    case O_KEY:
        memcpy(r->out_script_key, v, 33);
        return output_start(r, h, ctx);
    case O_FIELD:
    case O_FIELD_VALUE:
        EMIT(TAP_EV_FIELD, v, n, r->sub);
        return output_field(r, r->sub, h, ctx);

    case VARINT_FIRST: {
        r->vr_first = v[0];
        uint32_t more = v[0] < 0xfd ? 0 : v[0] == 0xfd ? 2 : v[0] == 0xfe ? 4 : 8;
        /* As the TypeScript reader: a one-byte value is taken as it is; only a longer one is held to
         * the bound (a length past the stream then fails when its bytes run past stream_len). */
        if (more == 0) return varint_done(r, v[0], h, ctx);
        need(r, more, VARINT_REST);
        return OK;
    }
    case VARINT_REST: {
        uint64_t x = 0;
        for (uint32_t i = n; i > 0; i--) x = (x << 8) | v[i - 1];
        uint64_t min = n == 2 ? 0xfd : n == 4 ? 0x10000 : 0x100000000ull;
        if (x < min || x > r->vr_max) return TAP_SW_WRONG_DATA_LENGTH;
        return varint_done(r, (uint32_t)x, h, ctx);
    }
    default: return TAP_SW_INCORRECT_DATA;
    }
}

/* A pass-through value ended. */
static uint16_t passed(tap_stream_reader *r, tap_stream_handler h, void *ctx) {
    switch (r->state) {
    case I_LEAF:
        EMIT(TAP_EV_INPUT_END, NULL, 0, r->index);
        r->index++;
        return inputs_next(r);
    case R_BYTES:
        r->root_end = r->consumed;
        EMIT(TAP_EV_ROOT_END, NULL, 0, 0);
        return after_item(r, h, ctx);
    default: /* O_LEAF */
        return output_field(r, 0, h, ctx);
    }
}

/* The loop of VpsbtStreamReader.push, step for step, so that the same bytes fail the same way. */
uint16_t tap_stream_push(tap_stream_reader *r, const uint8_t *chunk, size_t len, tap_stream_handler h, void *ctx) {
    size_t at = 0;
    for (;;) {
        if (r->has_declared && r->consumed > r->declared) return TAP_SW_WRONG_DATA_LENGTH;
        if (r->done) return at < len ? TAP_SW_WRONG_DATA_LENGTH : OK;
        uint16_t sw;
        bool passing = r->need == 0 && r->have == 0;
        /* Empty values take no bytes: step over them even when this chunk has none left. */
        if (passing && r->pass_left == 0) {
            sw = (r->state == I_LEAF || r->state == R_BYTES || r->state == O_LEAF) ? passed(r, h, ctx) : field(r, r->buf, 0, h, ctx);
            if (sw != OK) return sw;
            continue;
        }
        if (at == len) return OK;
        if (passing) {
            size_t k = r->pass_left < len - at ? r->pass_left : len - at;
            EMIT(TAP_EV_DATA, chunk + at, k, r->state == I_LEAF ? 0u : 1u);
            at += k;
            r->consumed += (uint32_t)k;
            r->pass_left -= (uint32_t)k;
            if (r->pass_left == 0 && (sw = passed(r, h, ctx)) != OK) return sw;
            continue;
        }
        size_t k = r->need - r->have < len - at ? r->need - r->have : len - at;
        memcpy(r->buf + r->have, chunk + at, k);
        r->have += (uint32_t)k;
        at += k;
        r->consumed += (uint32_t)k;
        if (r->have == r->need) {
            uint32_t n = r->need;
            r->need = 0;
            r->have = 0;
            if ((sw = field(r, r->buf, n, h, ctx)) != OK) return sw;
        }
    }
}
