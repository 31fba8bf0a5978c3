/* MuSig2 (BIP-327) from the platform's point and scalar operations: KeySort, KeyAgg with plain and
 * x-only tweaks, NonceGen, NonceAgg, Sign, PartialSigVerify and PartialSigAgg. Participants are
 * 33-byte compressed keys; messages have any length. A failing call names no partial result. */
#ifndef TAP_MUSIG_H
#define TAP_MUSIG_H

#include "platform.h"

typedef struct {
    tap_point q;      /* the aggregate key, tweaked so far */
    uint8_t gacc[32]; /* accumulated sign of the tweaks */
    uint8_t tacc[32]; /* accumulated tweak */
    uint8_t list_hash[32];  /* L = HashKeyAgg list(pk_1 || ... || pk_u) */
    uint8_t second_key[33]; /* the first key other than pk_1, or 33 zero bytes */
} tap_musig_keyagg;

#define TAP_MUSIG_SECNONCE 97
#define TAP_MUSIG_PUBNONCE 66

/* Sorts keys lexicographically (KeySort). */
void tap_musig_key_sort(uint8_t (*keys)[33], size_t n);
/* KeyAgg; false when a key is not a point (*bad = its index) or the aggregate is infinity
 * (*bad = n). */
bool tap_musig_key_agg(tap_musig_keyagg *ctx, const uint8_t (*keys)[33], size_t n, size_t *bad);
/* ApplyTweak; false when the tweak is not below n or the result is infinity. */
bool tap_musig_apply_tweak(tap_musig_keyagg *ctx, const uint8_t tweak[32], bool is_xonly);
/* The x-only aggregate key. */
void tap_musig_agg_xonly(uint8_t out[32], const tap_musig_keyagg *ctx);

/* NonceGen with the randomness rand_ (32 fresh bytes from the caller); sk, aggpk (32 bytes), msg
 * and extra_in are optional (NULL: absent; msg and extra_in may be present and empty). */
bool tap_musig_nonce_gen(uint8_t secnonce[TAP_MUSIG_SECNONCE], uint8_t pubnonce[TAP_MUSIG_PUBNONCE], const uint8_t rand_[32],
                         const uint8_t *sk, const uint8_t pk[33], const uint8_t *aggpk, const uint8_t *msg, size_t msg_len,
                         const uint8_t *extra_in, size_t extra_len);
/* NonceAgg; false when a pubnonce is invalid (*bad = its index). */
bool tap_musig_nonce_agg(uint8_t aggnonce[TAP_MUSIG_PUBNONCE], const uint8_t (*pubnonces)[TAP_MUSIG_PUBNONCE], size_t n, size_t *bad);

/* A signing session: the keys (already aggregated and tweaked in ctx), the aggregate nonce and
 * the message. */
typedef struct {
    const tap_musig_keyagg *keyagg;
    const uint8_t (*keys)[33];
    size_t n_keys;
    const uint8_t *aggnonce;
    const uint8_t *msg;
    size_t msg_len;
} tap_musig_session;

typedef enum {
    TAP_MUSIG_OK = 0,
    TAP_MUSIG_E_AGGNONCE, /* the aggregate nonce is not two (possibly infinite) points */
    TAP_MUSIG_E_SECNONCE, /* a secret nonce out of range (e.g. already used: zeroed) */
    TAP_MUSIG_E_KEY,      /* sk does not match the secnonce's key, or that key is not a participant */
    TAP_MUSIG_E_PUBNONCE, /* a participant's pubnonce is invalid */
    TAP_MUSIG_E_PSIG,     /* a partial signature is not below n */
} tap_musig_status;

/* Sign; zeroes the secret nonce's scalars before it returns, whatever the outcome, so it is used at
 * most once. Verifies its own partial signature before handing it out. */
tap_musig_status tap_musig_sign(uint8_t psig[32], uint8_t secnonce[TAP_MUSIG_SECNONCE], const uint8_t sk[32], const tap_musig_session *s);
/* PartialSigVerify of participant pk with its pubnonce: OK, or why not (a wrong signature is
 * TAP_MUSIG_E_PSIG). */
tap_musig_status tap_musig_partial_verify(const uint8_t psig[32], const uint8_t pubnonce[TAP_MUSIG_PUBNONCE], const uint8_t pk[33],
                                          const tap_musig_session *s);
/* PartialSigAgg: the BIP-340 signature; false when a partial signature is not below n (*bad). */
tap_musig_status tap_musig_partial_sig_agg(uint8_t sig[64], const uint8_t (*psigs)[32], size_t n, const tap_musig_session *s, size_t *bad);

#endif
