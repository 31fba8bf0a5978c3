/* The app's keys (docs/tap-app-protocol.md §5.3): the standard path families tapd uses, the
 * BIP-32 xpub of a path, the master fingerprint, and their text forms for reviews. */
#ifndef TAP_KEYS_H
#define TAP_KEYS_H

#include "platform.h"

#define TAP_PATH_MAX 10
#define TAP_HARDENED 0x80000000u
#define TAP_XPUB_LEN 78
/* "m" and 10 steps of at most "4294967295'" each, with separators. */
#define TAP_PATH_TEXT_MAX (1 + 10 * 12 + 1)
/* Base58 of 82 bytes is at most 112 characters. */
#define TAP_XPUB_TEXT_MAX 113

/* The standard families, returned without review: m/86'/c'/a' (a <= 100), m/86'/c'/a'/{0,1}/i and
 * m/1017'/c'/212'/0/i, with c = 0 or 1 and i unhardened. */
bool tap_path_is_standard(const uint32_t *path, size_t len);

/* The BIP-32 serialization of the key at path (depth 1 to 10: a device does not let the app derive
 * the master key): version 0488B21E when the second step is 0',
 * 043587CF otherwise; depth, parent fingerprint, child number, chain code, compressed key. */
bool tap_xpub(uint8_t out[TAP_XPUB_LEN], const uint32_t *path, size_t len);

/* The compressed public key at path. */
bool tap_public_key(uint8_t out[33], const uint32_t *path, size_t len);

/* First 4 bytes of HASH160 of the master public key. */
bool tap_master_fingerprint(uint8_t out[4]);

/* "m/86'/1'/0'" */
void tap_path_text(char out[TAP_PATH_TEXT_MAX], const uint32_t *path, size_t len);

/* Base58Check of data (len <= 82) into out, NUL-terminated. */
void tap_base58check(char out[TAP_XPUB_TEXT_MAX], const uint8_t *data, size_t len);

/* Lower-case hex of data into out (2 * len + 1 bytes), NUL-terminated. */
void tap_hex(char *out, const uint8_t *data, size_t len);

#endif
