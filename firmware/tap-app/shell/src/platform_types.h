/* The Ledger shell's types for platform.h: the SDK's SHA-256 context. */
#ifndef TAP_PLATFORM_TYPES_H
#define TAP_PLATFORM_TYPES_H

#include "lcx_sha256.h"

typedef cx_sha256_t tap_sha256_ctx;

#endif
