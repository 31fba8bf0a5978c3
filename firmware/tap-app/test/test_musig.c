/* MuSig2 (BIP-327) against test/vectors/firmware/musig.txt: BIP-327's own vectors and whole
 * sessions of @scure/btc-signer (the host's implementation); aggregate signatures verified with
 * libsecp256k1. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "platform_native.h"
#include "tap_musig.h"
#include "tap_musig_sessions.h"
#include "vectors.h"

#define MAX_KEYS 16

typedef struct {
    uint8_t keys[MAX_KEYS][33];
    size_t n_keys;
    uint8_t nonces[MAX_KEYS][TAP_MUSIG_PUBNONCE];
    size_t n_nonces;
    uint8_t tweaks[8][32];
    bool xonly[8];
    size_t n_tweaks;
    uint8_t msg[64];
    size_t msg_len;
    uint8_t aggnonce[TAP_MUSIG_PUBNONCE];
} case_data;

static void read_keys(vec_file *v, case_data *c) {
    c->n_keys = vec_u64(v);
    assert_true(c->n_keys <= MAX_KEYS);
    for (size_t i = 0; i < c->n_keys; i++) vec_hexn(v, c->keys[i], 33);
}

static void read_nonces(vec_file *v, case_data *c) {
    c->n_nonces = vec_u64(v);
    assert_true(c->n_nonces <= MAX_KEYS);
    for (size_t i = 0; i < c->n_nonces; i++) vec_hexn(v, c->nonces[i], TAP_MUSIG_PUBNONCE);
}

static void read_tweaks(vec_file *v, case_data *c) {
    c->n_tweaks = vec_u64(v);
    assert_true(c->n_tweaks <= 8);
    for (size_t i = 0; i < c->n_tweaks; i++) {
        vec_hexn(v, c->tweaks[i], 32);
        c->xonly[i] = vec_u64(v) == 1;
    }
}

/* KeyAgg then every tweak; false if any step refuses. */
static bool aggregate(tap_musig_keyagg *ctx, const case_data *c) {
    size_t bad;
    if (!tap_musig_key_agg(ctx, (const uint8_t(*)[33])c->keys, c->n_keys, &bad)) return false;
    for (size_t i = 0; i < c->n_tweaks; i++)
        if (!tap_musig_apply_tweak(ctx, c->tweaks[i], c->xonly[i])) return false;
    return true;
}

static tap_musig_session session_of(const tap_musig_keyagg *ctx, const case_data *c) {
    tap_musig_session s = {.keyagg = ctx, .keys = (const uint8_t(*)[33])c->keys, .n_keys = c->n_keys, .aggnonce = c->aggnonce, .msg = c->msg, .msg_len = c->msg_len};
    return s;
}

static void test_musig(void **state) {
    (void)state;
    secp256k1_context *secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    vec_file v;
    vec_open(&v, "musig.txt");
    unsigned counts[10] = {0};
    static case_data c;
    while (vec_next(&v)) {
        memset(&c, 0, sizeof c);
        tap_musig_keyagg ctx;
        if (vec_is(&v, "keysort")) {
            read_keys(&v, &c);
            tap_musig_key_sort(c.keys, c.n_keys);
            for (size_t i = 0; i < c.n_keys; i++) {
                uint8_t want[33];
                vec_hexn(&v, want, 33);
                assert_memory_equal(c.keys[i], want, 33);
            }
            counts[0]++;
        } else if (vec_is(&v, "keyagg")) {
            read_keys(&v, &c);
            read_tweaks(&v, &c);
            assert_true(aggregate(&ctx, &c));
            uint8_t x[32], want[33];
            tap_musig_agg_xonly(x, &ctx);
            size_t n = vec_hex(&v, want, sizeof want);
            assert_memory_equal(x, want + (n - 32), 32); /* BIP-327 gives x-only, our sessions compressed */
            counts[1]++;
        } else if (vec_is(&v, "keyagg-refuse")) {
            read_keys(&v, &c);
            read_tweaks(&v, &c);
            assert_false(aggregate(&ctx, &c));
            counts[1]++;
        } else if (vec_is(&v, "noncegen")) {
            uint8_t rand_[32], sk[32], pk[33], aggpk[32], msg[64], extra[64], sec[TAP_MUSIG_SECNONCE], pub[TAP_MUSIG_PUBNONCE], want[TAP_MUSIG_SECNONCE];
            size_t len, msg_len = 0, extra_len = 0;
            vec_hexn(&v, rand_, 32);
            bool has_sk = vec_opt_hex(&v, sk, 32, &len);
            vec_hexn(&v, pk, 33);
            bool has_agg = vec_opt_hex(&v, aggpk, 32, &len);
            bool has_msg = vec_opt_hex(&v, msg, sizeof msg, &msg_len);
            bool has_extra = vec_opt_hex(&v, extra, sizeof extra, &extra_len);
            assert_true(tap_musig_nonce_gen(sec, pub, rand_, has_sk ? sk : NULL, pk, has_agg ? aggpk : NULL, has_msg ? msg : NULL, msg_len,
                                            has_extra ? extra : NULL, extra_len));
            vec_hexn(&v, want, TAP_MUSIG_SECNONCE);
            assert_memory_equal(sec, want, TAP_MUSIG_SECNONCE);
            vec_hexn(&v, want, TAP_MUSIG_PUBNONCE);
            assert_memory_equal(pub, want, TAP_MUSIG_PUBNONCE);
            counts[2]++;
        } else if (vec_is(&v, "nonceagg") || vec_is(&v, "nonceagg-refuse")) {
            bool ok = strcmp(v.tok[0], "nonceagg") == 0;
            read_nonces(&v, &c);
            size_t bad = 99;
            uint8_t agg[TAP_MUSIG_PUBNONCE], want[TAP_MUSIG_PUBNONCE];
            assert_int_equal(tap_musig_nonce_agg(agg, (const uint8_t(*)[TAP_MUSIG_PUBNONCE])c.nonces, c.n_nonces, &bad), ok);
            if (ok) {
                vec_hexn(&v, want, sizeof want);
                assert_memory_equal(agg, want, sizeof want);
            } else {
                assert_int_equal(bad, vec_u64(&v));
            }
            counts[3]++;
        } else if (vec_is(&v, "sign") || vec_is(&v, "sign-refuse")) {
            bool ok = strcmp(v.tok[0], "sign") == 0;
            uint8_t sk[32], sec[TAP_MUSIG_SECNONCE], psig[32], want[32];
            vec_hexn(&v, sk, 32);
            vec_hexn(&v, sec, sizeof sec);
            read_keys(&v, &c);
            vec_hexn(&v, c.aggnonce, TAP_MUSIG_PUBNONCE);
            c.msg_len = vec_hex(&v, c.msg, sizeof c.msg);
            read_tweaks(&v, &c);
            bool agg = aggregate(&ctx, &c);
            tap_musig_session s = session_of(&ctx, &c);
            tap_musig_status st = agg ? tap_musig_sign(psig, sec, sk, &s) : TAP_MUSIG_E_KEY;
            if (ok) {
                if (st != TAP_MUSIG_OK) fail_msg("%s: sign refused (%d)", vec_where(&v), st);
                vec_hexn(&v, want, 32);
                assert_memory_equal(psig, want, 32);
                /* The secret nonce is spent: a second signature with it is refused. */
                assert_int_equal(tap_musig_sign(psig, sec, sk, &s), TAP_MUSIG_E_SECNONCE);
            } else if (st == TAP_MUSIG_OK) {
                fail_msg("%s: expected a refusal", vec_where(&v));
            }
            counts[4]++;
        } else if (vec_is(&v, "verify")) {
            const char *verdict = vec_str(&v);
            uint8_t psig[32];
            vec_hexn(&v, psig, 32);
            read_keys(&v, &c);
            read_nonces(&v, &c);
            c.msg_len = vec_hex(&v, c.msg, sizeof c.msg);
            read_tweaks(&v, &c);
            size_t signer = vec_u64(&v), bad;
            tap_musig_status st = TAP_MUSIG_E_PUBNONCE;
            if (!aggregate(&ctx, &c))
                st = TAP_MUSIG_E_KEY;
            else if (tap_musig_nonce_agg(c.aggnonce, (const uint8_t(*)[TAP_MUSIG_PUBNONCE])c.nonces, c.n_nonces, &bad)) {
                tap_musig_session s = session_of(&ctx, &c);
                st = tap_musig_partial_verify(psig, c.nonces[signer], c.keys[signer], &s);
            }
            if (strcmp(verdict, "ok") == 0)
                assert_int_equal(st, TAP_MUSIG_OK);
            else if (strcmp(verdict, "fail") == 0)
                assert_int_equal(st, TAP_MUSIG_E_PSIG);
            else
                assert_int_not_equal(st, TAP_MUSIG_OK);
            counts[5]++;
        } else if (vec_is(&v, "session")) {
            /* The slots after each operation equal the emulator's NVRAM. */
            uint8_t id[32], root[32], got[32], slot[TAP_SLOT_SIZE], want[TAP_SLOT_SIZE];
            bool store = vec_is(&v, "store");
            if (!store) assert_true(vec_is(&v, "pop"));
            vec_hexn(&v, id, 32);
            if (store) {
                vec_hexn(&v, root, 32);
                tap_musig_session_store(id, root);
            } else {
                assert_int_equal(tap_musig_session_pop(id, got), vec_u64(&v));
            }
            for (size_t i = 0; i < TAP_SLOT_COUNT; i++) {
                size_t n = vec_hex(&v, want, sizeof want);
                if (n == 0) memset(want, 0, sizeof want);
                tap_slot_read(i, slot);
                if (memcmp(slot, want, sizeof want) != 0) fail_msg("%s: slot %zu differs", vec_where(&v), i);
            }
            counts[7]++;
        } else if (vec_is(&v, "rand")) {
            uint8_t root[32], got[32], want[32];
            vec_hexn(&v, root, 32);
            uint32_t i = (uint32_t)vec_u64(&v), j = (uint32_t)vec_u64(&v);
            tap_musig_session_rand(got, root, i, j);
            vec_hexn(&v, want, 32);
            assert_memory_equal(got, want, 32);
            counts[8]++;
        } else {
            bool ok = vec_is(&v, "sigagg");
            if (!ok) assert_true(vec_is(&v, "sigagg-refuse"));
            read_keys(&v, &c);
            vec_hexn(&v, c.aggnonce, TAP_MUSIG_PUBNONCE);
            c.msg_len = vec_hex(&v, c.msg, sizeof c.msg);
            read_tweaks(&v, &c);
            uint8_t psigs[MAX_KEYS][32], sig[64], want[64];
            size_t n = vec_u64(&v), bad = 99;
            for (size_t i = 0; i < n; i++) vec_hexn(&v, psigs[i], 32);
            assert_true(aggregate(&ctx, &c));
            tap_musig_session s = session_of(&ctx, &c);
            tap_musig_status st = tap_musig_partial_sig_agg(sig, (const uint8_t(*)[32])psigs, n, &s, &bad);
            if (ok) {
                assert_int_equal(st, TAP_MUSIG_OK);
                vec_hexn(&v, want, 64);
                assert_memory_equal(sig, want, 64);
                uint8_t x[32];
                secp256k1_xonly_pubkey pk;
                tap_musig_agg_xonly(x, &ctx);
                assert_true(secp256k1_xonly_pubkey_parse(secp, &pk, x));
                assert_true(secp256k1_schnorrsig_verify(secp, sig, c.msg, c.msg_len, &pk));
            } else {
                assert_int_equal(st, TAP_MUSIG_E_PSIG);
                assert_int_equal(bad, vec_u64(&v));
            }
            counts[6]++;
        }
    }
    vec_close(&v);
    secp256k1_context_destroy(secp);
    print_message("keysort %u, keyagg %u, noncegen %u, nonceagg %u, sign %u, verify %u, sigagg %u, session %u, rand %u\n", counts[0], counts[1],
                  counts[2], counts[3], counts[4], counts[5], counts[6], counts[7], counts[8]);
    for (int i = 0; i < 9; i++) assert_true(counts[i] > 0);
}

int main(void) {
    tap_native_clear_slots();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_musig)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
