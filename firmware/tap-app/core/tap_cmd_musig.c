/* MUSIG_ROUND1 / MUSIG_ROUND2 (docs/tap-app-protocol.md §5.4): BIP-327 with the secret nonce kept in
 * one of four RAM slots the host names by a random handle. Round 2 finds the slot, checks round 1's
 * binding to the key-aggregation context and message, applies the blind-signing rule, and wipes the
 * slot before it signs, so a handle gives at most one partial signature. */
#include <string.h>

#include "tap_app.h"
#include "tap_client.h"
#include "tap_commands.h"
#include "tap_hash.h"
#include "tap_keys.h"
#include "tap_musig.h"

#define MAX_PARTICIPANTS 16
#define MAX_TWEAKS 8
/* 16 participants, 8 tweaks and a 10-step path. */
#define MAX_KEYAGG_LEN (1 + MAX_PARTICIPANTS * 33 + 1 + MAX_TWEAKS * 33 + 1 + TAP_PATH_MAX * 4)
#define BINDING_TAG "TAP-MuSig2-binding"

typedef struct {
    bool used;
    bool msg_bound;
    uint8_t handle[32];
    uint8_t secnonce[TAP_MUSIG_SECNONCE];
    uint8_t binding[32];
} nonce_slot;

static nonce_slot slots[TAP_NONCE_SLOTS];

uint8_t tap_musig_slots_free(void) {
    uint8_t n = 0;
    for (size_t i = 0; i < TAP_NONCE_SLOTS; i++) n += !slots[i].used;
    return n;
}

void tap_musig_slots_wipe(void) {
    memset(slots, 0, sizeof slots);
}

static nonce_slot *find_slot(const uint8_t handle[32]) {
    for (size_t i = 0; i < TAP_NONCE_SLOTS; i++)
        if (slots[i].used && tap_equal(slots[i].handle, handle, 32)) return &slots[i];
    return NULL;
}

/* The context fetched for one command: its bytes (the binding hashes them) and what they say. */
typedef struct {
    uint8_t bytes[MAX_KEYAGG_LEN];
    size_t len;
    uint8_t keys[MAX_PARTICIPANTS][33];
    size_t n_keys;
    uint32_t own_path[TAP_PATH_MAX];
    size_t own_path_len;
    tap_musig_keyagg agg;
    uint8_t agg_xonly[32];
} keyagg_context;

_Static_assert(sizeof(keyagg_context) <= sizeof(tap_scratch), "tap_scratch holds the key-aggregation context");
#define kctx (*(keyagg_context *)tap_scratch.bytes)

/* `varint keyagg_len (1..MAX) || sha256[32]` */
static void read_commitment(tap_reader *req, uint64_t *len, const uint8_t **hash) {
    *len = tap_read_varint(req);
    *hash = tap_read_bytes(req, 32);
    if (req->sw == TAP_SW_OK && (*len < 1 || *len > MAX_KEYAGG_LEN)) tap_reader_fail(req, TAP_SW_INCORRECT_DATA);
}

/* Fetches the context by GET_PREIMAGE and parses it; every failure is 6A80 (§5.4). */
static uint16_t fetch_keyagg(uint64_t len, const uint8_t hash[32]) {
    uint16_t sw = tap_client_get_preimage(hash, kctx.bytes, sizeof kctx.bytes, &kctx.len);
    if (sw != TAP_SW_OK) return sw;
    if (kctx.len != len) return TAP_SW_INCORRECT_DATA;
    tap_reader r;
    tap_reader_init(&r, kctx.bytes, kctx.len);
    kctx.n_keys = tap_read_u8(&r);
    if (kctx.n_keys < 2 || kctx.n_keys > MAX_PARTICIPANTS) return TAP_SW_INCORRECT_DATA;
    for (size_t i = 0; i < kctx.n_keys; i++) {
        const uint8_t *k = tap_read_key(&r);
        if (!k) return TAP_SW_INCORRECT_DATA;
        memcpy(kctx.keys[i], k, 33);
    }
    size_t bad;
    if (!tap_musig_key_agg(&kctx.agg, (const uint8_t(*)[33])kctx.keys, kctx.n_keys, &bad)) return TAP_SW_INCORRECT_DATA;
    uint8_t t = tap_read_u8(&r);
    if (r.sw != TAP_SW_OK || t > MAX_TWEAKS) return TAP_SW_INCORRECT_DATA;
    for (uint8_t i = 0; i < t; i++) {
        uint8_t kind = tap_read_u8(&r);
        const uint8_t *tweak = tap_read_bytes(&r, 32);
        if (!tweak || kind > 1 || !tap_musig_apply_tweak(&kctx.agg, tweak, kind == 1)) return TAP_SW_INCORRECT_DATA;
    }
    kctx.own_path_len = tap_read_path(&r, kctx.own_path);
    if (tap_read_end(&r) != TAP_SW_OK) return TAP_SW_INCORRECT_DATA;
    tap_musig_agg_xonly(kctx.agg_xonly, &kctx.agg);
    return TAP_SW_OK;
}

/* TaggedHash("TAP-MuSig2-binding", keyagg || 00) or (keyagg || 01 || msg). */
static void binding(uint8_t out[32], const uint8_t *msg) {
    tap_sha256_ctx ctx;
    uint8_t flag = msg ? 1 : 0;
    tap_tagged_init(&ctx, BINDING_TAG);
    tap_sha256_update(&ctx, kctx.bytes, kctx.len);
    tap_sha256_update(&ctx, &flag, 1);
    if (msg) tap_sha256_update(&ctx, msg, 32);
    tap_sha256_final(&ctx, out);
}

uint16_t tap_cmd_musig_round1(tap_reader *req, uint8_t out[255], size_t *out_len) {
    uint64_t len;
    const uint8_t *hash, *msg = NULL;
    read_commitment(req, &len, &hash);
    if (tap_read_flag(req)) msg = tap_read_bytes(req, 32);
    uint16_t sw = tap_read_end(req);
    if (sw != TAP_SW_OK) return sw;
    /* The request lives in the APDU buffer, which the client command below overwrites. */
    uint8_t hash_copy[32], msg_copy[32];
    memcpy(hash_copy, hash, 32);
    if (msg) msg = memcpy(msg_copy, msg, 32);
    if ((sw = fetch_keyagg(len, hash_copy)) != TAP_SW_OK) return sw;

    uint8_t pk[33];
    if (!tap_public_key(pk, kctx.own_path, kctx.own_path_len)) return TAP_SW_INCORRECT_DATA;
    bool held = false;
    for (size_t i = 0; i < kctx.n_keys; i++) held |= memcmp(kctx.keys[i], pk, 33) == 0;
    if (!held) return TAP_SW_KEY_NOT_HELD;
    nonce_slot *slot = NULL;
    for (size_t i = 0; i < TAP_NONCE_SLOTS && !slot; i++)
        if (!slots[i].used) slot = &slots[i];
    if (!slot) return TAP_SW_NONCE_SLOTS_FULL;

    uint8_t handle[32], rand_[32], sk[32], pubnonce[TAP_MUSIG_PUBNONCE];
    tap_random(handle, sizeof handle);
    tap_random(rand_, sizeof rand_);
    bool ok = tap_derive_private(sk, NULL, kctx.own_path, kctx.own_path_len) &&
              tap_musig_nonce_gen(slot->secnonce, pubnonce, rand_, sk, pk, kctx.agg_xonly, msg, msg ? 32 : 0, handle, sizeof handle);
    memset(sk, 0, sizeof sk);
    memset(rand_, 0, sizeof rand_);
    if (!ok) {
        memset(slot, 0, sizeof *slot);
        return TAP_SW_INCORRECT_DATA;
    }
    memcpy(slot->handle, handle, 32);
    binding(slot->binding, msg);
    slot->msg_bound = msg != NULL;
    slot->used = true;
    memcpy(out, handle, 32);
    memcpy(out + 32, pubnonce, TAP_MUSIG_PUBNONCE);
    memcpy(out + 32 + TAP_MUSIG_PUBNONCE, kctx.agg_xonly, 32);
    *out_len = 32 + TAP_MUSIG_PUBNONCE + 32;
    return TAP_SW_OK;
}

uint16_t tap_cmd_musig_round2(tap_reader *req, uint8_t out[255], size_t *out_len) {
    uint8_t handle[32], aggnonce[TAP_MUSIG_PUBNONCE], msg[32], hash[32];
    uint64_t len;
    const uint8_t *h = tap_read_bytes(req, 32), *an = tap_read_bytes(req, TAP_MUSIG_PUBNONCE), *m = tap_read_bytes(req, 32), *kh;
    read_commitment(req, &len, &kh);
    uint16_t sw = tap_read_end(req);
    if (sw != TAP_SW_OK) return sw;
    memcpy(handle, h, 32);
    memcpy(aggnonce, an, sizeof aggnonce);
    memcpy(msg, m, 32);
    memcpy(hash, kh, 32);

    nonce_slot *slot = find_slot(handle);
    if (!slot) return TAP_SW_NONCE_SESSION_UNKNOWN;
    if ((sw = fetch_keyagg(len, hash)) != TAP_SW_OK) return sw;
    uint8_t b[32];
    binding(b, slot->msg_bound ? msg : NULL);
    if (!tap_equal(b, slot->binding, 32)) {
        memset(slot, 0, sizeof *slot);
        return TAP_SW_NONCE_SESSION_MISMATCH;
    }
    /* §5.4 step 3: the host supplied this message, so signing it is blind signing (§7 rules 1-2). */
    if (!tap_setting_blind_signing()) return TAP_SW_BLIND_SIGNING_DISABLED;
    char msg_text[65], key_text[65];
    tap_hex(msg_text, msg, 32);
    tap_hex(key_text, kctx.agg_xonly, 32);
    const tap_review_pair pairs[] = {{"Message hash", msg_text}, {"Aggregate key", key_text}};
    const tap_review review = {
        .intro = "Blind sign MuSig2",
        .pairs = pairs,
        .n_pairs = 2,
        .finish = "Sign MuSig2 message",
        .hold = true,
        .approved = "Message signed",
        .rejected = "Message rejected",
        .reject = "Reject message",
    };
    if (!tap_ui_review(&review)) {
        memset(slot, 0, sizeof *slot);
        return TAP_SW_DENY;
    }
    /* §7 rule 3: the slot is gone before the partial signature exists. */
    uint8_t secnonce[TAP_MUSIG_SECNONCE], sk[32], psig[32];
    memcpy(secnonce, slot->secnonce, sizeof secnonce);
    memset(slot, 0, sizeof *slot);
    const tap_musig_session session = {
        .keyagg = &kctx.agg, .keys = (const uint8_t(*)[33])kctx.keys, .n_keys = kctx.n_keys, .aggnonce = aggnonce, .msg = msg, .msg_len = 32};
    bool ok = tap_derive_private(sk, NULL, kctx.own_path, kctx.own_path_len) && tap_musig_sign(psig, secnonce, sk, &session) == TAP_MUSIG_OK;
    memset(sk, 0, sizeof sk);
    memset(secnonce, 0, sizeof secnonce);
    if (!ok) return TAP_SW_INCORRECT_DATA;
    memcpy(out, psig, 32);
    *out_len = 32;
    return TAP_SW_OK;
}
