/* The native platform's types for platform.h: OpenSSL's SHA-256 context. */
#ifndef TAP_PLATFORM_TYPES_H
#define TAP_PLATFORM_TYPES_H

#include <openssl/sha.h>

typedef SHA256_CTX tap_sha256_ctx;

#endif
