#include "tap_musig.h"

#include <string.h>

#include "tap_curve.h"
#include "tap_hash.h"

static int key_cmp(const uint8_t a[33], const uint8_t b[33]) {
    return memcmp(a, b, 33);
}

void tap_musig_key_sort(uint8_t (*keys)[33], size_t n) {
    for (size_t i = 1; i < n; i++) {
        uint8_t k[33];
        memcpy(k, keys[i], 33);
        size_t j = i;
        for (; j > 0 && key_cmp(keys[j - 1], k) > 0; j--) memcpy(keys[j], keys[j - 1], 33);
        memcpy(keys[j], k, 33);
    }
}

/* KeyAggCoeff: 1 for the second key, else H_agg(L || pk) mod n. */
static void key_coefficient(uint8_t a[32], const tap_musig_keyagg *ctx, const uint8_t pk[33]) {
    if (memcmp(pk, ctx->second_key, 33) == 0) {
        memcpy(a, TAP_SCALAR_ONE, 32);
        return;
    }
    tap_sha256_ctx h;
    uint8_t d[32];
    tap_tagged_init(&h, "KeyAgg coefficient");
    tap_sha256_update(&h, ctx->list_hash, 32);
    tap_sha256_update(&h, pk, 33);
    tap_sha256_final(&h, d);
    tap_scalar_reduce(a, d);
}

bool tap_musig_key_agg(tap_musig_keyagg *ctx, const uint8_t (*keys)[33], size_t n, size_t *bad) {
    memset(ctx, 0, sizeof *ctx);
    tap_sha256_ctx h;
    tap_tagged_init(&h, "KeyAgg list");
    for (size_t i = 0; i < n; i++) tap_sha256_update(&h, keys[i], 33);
    tap_sha256_final(&h, ctx->list_hash);
    for (size_t i = 1; i < n; i++) {
        if (key_cmp(keys[i], keys[0]) != 0) {
            memcpy(ctx->second_key, keys[i], 33);
            break;
        }
    }
    tap_point q = {{0}};
    for (size_t i = 0; i < n; i++) {
        tap_point p, ap;
        uint8_t a[32];
        if (!tap_point_from_compressed(&p, keys[i])) {
            *bad = i;
            return false;
        }
        key_coefficient(a, ctx, keys[i]);
        tap_point_mul(&ap, &p, a);
        tap_point_add(&q, &q, &ap);
    }
    if (n == 0 || tap_point_is_infinity(&q)) {
        *bad = n;
        return false;
    }
    ctx->q = q;
    memcpy(ctx->gacc, TAP_SCALAR_ONE, 32);
    return true;
}

/* g = 1, or n - 1 when the condition asks for negation. */
static void sign_factor(uint8_t g[32], bool negate) {
    if (negate)
        tap_scalar_negate(g, TAP_SCALAR_ONE);
    else
        memcpy(g, TAP_SCALAR_ONE, 32);
}

bool tap_musig_apply_tweak(tap_musig_keyagg *ctx, const uint8_t tweak[32], bool is_xonly) {
    if (!tap_scalar_below_order(tweak)) return false;
    uint8_t g[32];
    sign_factor(g, is_xonly && !tap_point_has_even_y(&ctx->q));
    tap_point gq, tg, q;
    tap_point_mul(&gq, &ctx->q, g);
    tap_point_mul_base(&tg, tweak);
    tap_point_add(&q, &gq, &tg);
    if (tap_point_is_infinity(&q)) return false;
    ctx->q = q;
    tap_scalar_mul(ctx->gacc, g, ctx->gacc);
    uint8_t gt[32];
    tap_scalar_mul(gt, g, ctx->tacc);
    tap_scalar_add(ctx->tacc, tweak, gt);
    return true;
}

void tap_musig_agg_xonly(uint8_t out[32], const tap_musig_keyagg *ctx) {
    memcpy(out, tap_point_x(&ctx->q), 32);
}

bool tap_musig_nonce_gen(uint8_t secnonce[TAP_MUSIG_SECNONCE], uint8_t pubnonce[TAP_MUSIG_PUBNONCE], const uint8_t rand_[32],
                         const uint8_t *sk, const uint8_t pk[33], const uint8_t *aggpk, const uint8_t *msg, size_t msg_len,
                         const uint8_t *extra_in, size_t extra_len) {
    uint8_t rnd[32];
    if (sk) {
        tap_tagged_hash(rnd, "MuSig/aux", rand_, 32);
        for (int i = 0; i < 32; i++) rnd[i] ^= sk[i];
    } else {
        memcpy(rnd, rand_, 32);
    }
    for (uint8_t i = 0; i < 2; i++) {
        tap_sha256_ctx h;
        uint8_t b[8], d[32], len1;
        tap_tagged_init(&h, "MuSig/nonce");
        tap_sha256_update(&h, rnd, 32);
        len1 = 33;
        tap_sha256_update(&h, &len1, 1);
        tap_sha256_update(&h, pk, 33);
        len1 = aggpk ? 32 : 0;
        tap_sha256_update(&h, &len1, 1);
        if (aggpk) tap_sha256_update(&h, aggpk, 32);
        len1 = msg ? 1 : 0;
        tap_sha256_update(&h, &len1, 1);
        if (msg) {
            tap_put_u64be(b, msg_len);
            tap_sha256_update(&h, b, 8);
            tap_sha256_update(&h, msg, msg_len);
        }
        tap_put_u32be(b, extra_in ? (uint32_t)extra_len : 0);
        tap_sha256_update(&h, b, 4);
        if (extra_in) tap_sha256_update(&h, extra_in, extra_len);
        tap_sha256_update(&h, &i, 1);
        tap_sha256_final(&h, d);
        tap_scalar_reduce(secnonce + 32 * i, d);
        tap_point r;
        if (tap_scalar_is_zero(secnonce + 32 * i) || !tap_point_mul_base(&r, secnonce + 32 * i)) {
            memset(secnonce, 0, TAP_MUSIG_SECNONCE);
            memset(rnd, 0, sizeof rnd);
            return false;
        }
        tap_point_compress(pubnonce + 33 * i, &r);
    }
    memcpy(secnonce + 64, pk, 33);
    memset(rnd, 0, sizeof rnd);
    return true;
}

/* cpoint_ext: 33 zero bytes are the point at infinity. */
static bool point_ext(tap_point *out, const uint8_t in[33]) {
    static const uint8_t zero[33];
    if (memcmp(in, zero, 33) == 0) {
        memset(out->v, 0, sizeof out->v);
        return true;
    }
    return tap_point_from_compressed(out, in);
}

static void compress_ext(uint8_t out[33], const tap_point *p) {
    if (tap_point_is_infinity(p))
        memset(out, 0, 33);
    else
        tap_point_compress(out, p);
}

bool tap_musig_nonce_agg(uint8_t aggnonce[TAP_MUSIG_PUBNONCE], const uint8_t (*pubnonces)[TAP_MUSIG_PUBNONCE], size_t n, size_t *bad) {
    for (int j = 0; j < 2; j++) {
        tap_point sum = {{0}};
        for (size_t i = 0; i < n; i++) {
            tap_point r;
            if (!tap_point_from_compressed(&r, pubnonces[i] + 33 * j)) {
                *bad = i;
                return false;
            }
            tap_point_add(&sum, &sum, &r);
        }
        compress_ext(aggnonce + 33 * j, &sum);
    }
    return true;
}

typedef struct {
    uint8_t b[32];
    tap_point r;
    uint8_t e[32];
} session_values;

/* GetSessionValues: b, R and e of the session. */
static bool session_values_of(session_values *v, const tap_musig_session *s) {
    tap_sha256_ctx h;
    uint8_t d[32];
    tap_tagged_init(&h, "MuSig/noncecoef");
    tap_sha256_update(&h, s->aggnonce, TAP_MUSIG_PUBNONCE);
    tap_sha256_update(&h, tap_point_x(&s->keyagg->q), 32);
    tap_sha256_update(&h, s->msg, s->msg_len);
    tap_sha256_final(&h, d);
    tap_scalar_reduce(v->b, d);
    tap_point r1, r2, br2;
    if (!point_ext(&r1, s->aggnonce) || !point_ext(&r2, s->aggnonce + 33)) return false;
    tap_point_mul(&br2, &r2, v->b);
    tap_point_add(&v->r, &r1, &br2);
    if (tap_point_is_infinity(&v->r)) tap_point_mul_base(&v->r, TAP_SCALAR_ONE);
    tap_tagged_init(&h, "BIP0340/challenge");
    tap_sha256_update(&h, tap_point_x(&v->r), 32);
    tap_sha256_update(&h, tap_point_x(&s->keyagg->q), 32);
    tap_sha256_update(&h, s->msg, s->msg_len);
    tap_sha256_final(&h, d);
    tap_scalar_reduce(v->e, d);
    return true;
}

/* GetSessionKeyAggCoeff: false when pk is not a participant. */
static bool session_coefficient(uint8_t a[32], const tap_musig_session *s, const uint8_t pk[33]) {
    bool found = false;
    for (size_t i = 0; i < s->n_keys && !found; i++) found = key_cmp(s->keys[i], pk) == 0;
    if (!found) return false;
    key_coefficient(a, s->keyagg, pk);
    return true;
}

static tap_musig_status verify_internal(const uint8_t psig[32], const uint8_t pubnonce[TAP_MUSIG_PUBNONCE], const uint8_t pk[33],
                                        const tap_musig_session *s, const session_values *v) {
    if (!tap_scalar_below_order(psig)) return TAP_MUSIG_E_PSIG;
    tap_point r1, r2, re, p, lhs, rhs, t;
    if (!tap_point_from_compressed(&r1, pubnonce) || !tap_point_from_compressed(&r2, pubnonce + 33)) return TAP_MUSIG_E_PUBNONCE;
    tap_point_mul(&t, &r2, v->b);
    tap_point_add(&re, &r1, &t);
    if (!tap_point_has_even_y(&v->r)) tap_point_negate(&re, &re);
    uint8_t a[32], g[32], k[32];
    if (!tap_point_from_compressed(&p, pk) || !session_coefficient(a, s, pk)) return TAP_MUSIG_E_KEY;
    sign_factor(g, !tap_point_has_even_y(&s->keyagg->q));
    tap_scalar_mul(g, g, s->keyagg->gacc);
    tap_scalar_mul(k, v->e, a);
    tap_scalar_mul(k, k, g);
    tap_point_mul(&t, &p, k);
    tap_point_add(&rhs, &re, &t);
    tap_point_mul_base(&lhs, psig);
    return tap_point_equal(&lhs, &rhs) ? TAP_MUSIG_OK : TAP_MUSIG_E_PSIG;
}

tap_musig_status tap_musig_sign(uint8_t psig[32], uint8_t secnonce[TAP_MUSIG_SECNONCE], const uint8_t sk[32], const tap_musig_session *s) {
    uint8_t k1[32], k2[32], pk[33];
    memcpy(k1, secnonce, 32);
    memcpy(k2, secnonce + 32, 32);
    memcpy(pk, secnonce + 64, 33);
    memset(secnonce, 0, 64);
    tap_musig_status st = TAP_MUSIG_OK;
    session_values v;
    uint8_t a[32], g[32], d[32], t[32], sum[32];
    tap_point p;
    uint8_t own[33];
    if (!session_values_of(&v, s)) {
        st = TAP_MUSIG_E_AGGNONCE;
    } else if (tap_scalar_is_zero(k1) || tap_scalar_is_zero(k2) || !tap_scalar_below_order(k1) || !tap_scalar_below_order(k2)) {
        st = TAP_MUSIG_E_SECNONCE;
    } else if (tap_scalar_is_zero(sk) || !tap_point_mul_base(&p, sk)) {
        st = TAP_MUSIG_E_KEY;
    } else {
        tap_point_compress(own, &p);
        if (memcmp(own, pk, 33) != 0 || !session_coefficient(a, s, own)) st = TAP_MUSIG_E_KEY;
    }
    if (st == TAP_MUSIG_OK) {
        /* This signer's pubnonce, for the self-check below. */
        uint8_t pubnonce[TAP_MUSIG_PUBNONCE];
        tap_point r;
        tap_point_mul_base(&r, k1);
        tap_point_compress(pubnonce, &r);
        tap_point_mul_base(&r, k2);
        tap_point_compress(pubnonce + 33, &r);
        if (!tap_point_has_even_y(&v.r)) {
            tap_scalar_negate(k1, k1);
            tap_scalar_negate(k2, k2);
        }
        sign_factor(g, !tap_point_has_even_y(&s->keyagg->q));
        tap_scalar_mul(d, g, s->keyagg->gacc);
        tap_scalar_mul(d, d, sk);
        tap_scalar_mul(t, v.e, a);
        tap_scalar_mul(t, t, d);
        tap_scalar_mul(sum, v.b, k2);
        tap_scalar_add(sum, sum, k1);
        tap_scalar_add(sum, sum, t);
        /* A fault during signing must not leak a wrong partial signature (BIP-327, Sign). */
        st = verify_internal(sum, pubnonce, own, s, &v);
        if (st == TAP_MUSIG_OK) memcpy(psig, sum, 32);
    }
    memset(k1, 0, sizeof k1);
    memset(k2, 0, sizeof k2);
    memset(d, 0, sizeof d);
    return st;
}

tap_musig_status tap_musig_partial_verify(const uint8_t psig[32], const uint8_t pubnonce[TAP_MUSIG_PUBNONCE], const uint8_t pk[33],
                                          const tap_musig_session *s) {
    session_values v;
    if (!session_values_of(&v, s)) return TAP_MUSIG_E_AGGNONCE;
    return verify_internal(psig, pubnonce, pk, s, &v);
}

tap_musig_status tap_musig_partial_sig_agg(uint8_t sig[64], const uint8_t (*psigs)[32], size_t n, const tap_musig_session *s, size_t *bad) {
    session_values v;
    if (!session_values_of(&v, s)) return TAP_MUSIG_E_AGGNONCE;
    uint8_t sum[32] = {0}, g[32], t[32];
    for (size_t i = 0; i < n; i++) {
        if (!tap_scalar_below_order(psigs[i])) {
            *bad = i;
            return TAP_MUSIG_E_PSIG;
        }
        tap_scalar_add(sum, sum, psigs[i]);
    }
    sign_factor(g, !tap_point_has_even_y(&s->keyagg->q));
    tap_scalar_mul(t, v.e, g);
    tap_scalar_mul(t, t, s->keyagg->tacc);
    tap_scalar_add(sum, sum, t);
    memcpy(sig, tap_point_x(&v.r), 32);
    memcpy(sig + 32, sum, 32);
    return TAP_MUSIG_OK;
}
