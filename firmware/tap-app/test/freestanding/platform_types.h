/* For the freestanding compile check of the core (test/firmware/native-core.test.ts): a SHA-256
 * context of the size of the Ledger SDK's cx_sha256_t, so the core compiles for a Cortex-M target
 * with no platform library at hand. Nothing is linked against it. */
#ifndef TAP_PLATFORM_TYPES_H
#define TAP_PLATFORM_TYPES_H

#include <stdint.h>

typedef struct {
    uint32_t opaque[27];
} tap_sha256_ctx;

#endif
