/* What the core needs from the device: hashing, curve arithmetic, signing, randomness, keys and
 * persistent slots (firmware/README.md, "The platform interface"). A Ledger shell provides it with
 * the SDK's cx_ functions, the native build with OpenSSL and libsecp256k1 (native/platform_native.c).
 *
 * Conventions: scalars are 32 bytes big-endian; points are 65 bytes, 04 || x || y, or 65 zero bytes
 * for the point at infinity (the form cx_ecfp_* functions take). Functions that can fail return
 * false and leave no partial result the caller could use. */
#ifndef TAP_PLATFORM_H
#define TAP_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Supplied by the platform's include directory: defines tap_sha256_ctx (a cx_sha256_t, an OpenSSL
 * SHA256_CTX, ...). The core only ever holds such contexts by value, never allocates them. */
#include "platform_types.h"

typedef struct {
    uint8_t v[65];
} tap_point;

/* SHA-256 (FIPS 180-4). */
void tap_sha256_init(tap_sha256_ctx *ctx);
void tap_sha256_update(tap_sha256_ctx *ctx, const uint8_t *data, size_t len);
void tap_sha256_final(tap_sha256_ctx *ctx, uint8_t out[32]);

/* secp256k1 points. from_compressed refuses a prefix other than 02/03, x >= p and an x with no
 * point. mul_base and mul take any scalar below n (zero gives infinity); false otherwise. */
bool tap_point_from_compressed(tap_point *out, const uint8_t in[33]);
bool tap_point_mul_base(tap_point *out, const uint8_t k[32]);
bool tap_point_mul(tap_point *out, const tap_point *p, const uint8_t k[32]);
bool tap_point_add(tap_point *out, const tap_point *a, const tap_point *b);

/* Scalars modulo the group order n. Inputs must be below n, except for reduce. */
void tap_scalar_reduce(uint8_t out[32], const uint8_t in[32]);
void tap_scalar_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
void tap_scalar_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);

/* BIP-340 signature of msg with the secret key sk (0 < sk < n), with fresh auxiliary randomness. */
bool tap_bip340_sign(uint8_t sig[64], const uint8_t sk[32], const uint8_t msg[32]);

/* n bytes from the device's random number generator. */
void tap_random(uint8_t *out, size_t n);

/* RIPEMD-160, for BIP-32 key fingerprints (HASH160 = RIPEMD160(SHA256(.))). */
void tap_ripemd160(uint8_t out[20], const uint8_t *data, size_t len);

/* HMAC-SHA512 (RFC 2104), for public BIP-32 derivation (a Pedersen non-spendable leaf's key). */
void tap_hmac_sha512(uint8_t out[64], const uint8_t *key, size_t key_len, const uint8_t *data, size_t len);

/* HASH160 of the master public key (its first 4 bytes are the master fingerprint). A device's OS
 * gives it without letting the app derive the master key itself. */
bool tap_master_key_identifier(uint8_t out[20]);

/* BIP-32 private key at path (hardened steps have bit 31 set) from the device seed; len <= 10.
 * chain_code, when not NULL, receives the node's chain code (an xpub needs it). */
bool tap_derive_private(uint8_t sk[32], uint8_t *chain_code, const uint32_t *path, size_t len);

/* Persistent slots (NVRAM on a device): TAP_SLOT_COUNT slots of TAP_SLOT_SIZE bytes, all zero
 * until written. */
#define TAP_SLOT_COUNT 8
#define TAP_SLOT_SIZE 64
void tap_slot_read(size_t index, uint8_t out[TAP_SLOT_SIZE]);
void tap_slot_write(size_t index, const uint8_t in[TAP_SLOT_SIZE]);

/* The device's I/O, for the command layer (tap_app.h). */

/* Client commands (docs/tap-app-protocol.md §2): sends data || E000 as the response to the command in
 * progress and receives the host's next APDU into apdu (at most TAP_APDU_MAX bytes). Returns its
 * length, or 0 when the transport failed (the command then ends). */
#define TAP_APDU_MAX 260
size_t tap_io_interrupt(const uint8_t *data, size_t len, uint8_t apdu[TAP_APDU_MAX]);

/* A review (docs/tap-app-protocol.md §6): an intro page, (item, value) pairs, a finish page that
 * approves by a tap or, for signatures, by holding, and the texts of the outcome pages. The shell
 * lays it out for its screen; the strings live until tap_ui_review returns. */
typedef struct {
    const char *item;
    const char *value;
} tap_review_pair;

typedef struct {
    const char *intro;
    const tap_review_pair *pairs;
    size_t n_pairs;
    const char *finish;
    bool hold;
    const char *approved;
    const char *rejected;
    const char *reject;
} tap_review;

/* Shows the review and waits for the person: true when approved, false when rejected. */
bool tap_ui_review(const tap_review *review);

/* A streaming review (docs/tap-app-protocol.md §5.5, §6.1; NBGL's nbgl_useCaseReviewStreamingStart /
 * Continue / Finish): SIGN_VPSBT shows each item's pages while the stream goes by, before it answers
 * the APDU that completed the item, so the reply paces the host. One review is start, any number of
 * continues, then finish or abort. Each call is synchronous: it returns once the person has passed
 * the step's last page (a shell runs its event loop until NBGL's callback fires), true to read on and
 * false when the person rejected (touch models: on any page, after the reject confirmation; a Nano
 * offers no reject before finish). Nothing is queued: the core calls the next step only after the
 * previous one returned. Strings live until the call returns; a shell copies what it keeps on screen.
 *
 * start: the intro page (`intro`, e.g. "Review asset transfer"), then the warnings the stream's
 * header declared, each its own page (item = title, value = text), which the person must pass or
 * reject; `reject` names the reject action ("Reject transfer"). */
bool tap_ui_stream_start(const char *intro, const tap_review_pair *warnings, size_t n_warnings, const char *reject);

/* continue: one step's (item, value) pairs, laid out as tap_ui_review lays out its pairs. */
bool tap_ui_stream_continue(const tap_review_pair *pairs, size_t n_pairs, const char *reject);

/* finish: the approve page (`finish`, by holding when `hold`), then the outcome page (`approved` or
 * `rejected`); true when approved. The review is over either way. */
bool tap_ui_stream_finish(const char *finish, bool hold, const char *approved, const char *rejected, const char *reject);

/* abort: a review that was started ends without a decision (a check failed after pages were shown,
 * or another command dropped the stream): the shell shows `status` ("Transfer refused") and goes
 * back to its home screen. The core calls it at most once per started review, never after finish. */
void tap_ui_stream_abort(const char *status);

/* The app's blind-signing setting (§4): changed on the device only, off by default. */
bool tap_setting_blind_signing(void);

#endif
