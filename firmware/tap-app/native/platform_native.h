/* What the native platform adds to platform.h for tests and tools: the seed keys derive from. */
#ifndef TAP_PLATFORM_NATIVE_H
#define TAP_PLATFORM_NATIVE_H

#include <stddef.h>
#include <stdint.h>

/* BIP-32 master seed for tap_derive_private (16..64 bytes). */
void tap_native_set_seed(const uint8_t *seed, size_t len);
/* Empties every persistent slot, as a fresh device. */
void tap_native_clear_slots(void);

/* Bytes the next tap_random calls return before the OS generator again: a test replaying a
 * transcript draws what the recorded device drew. */
void tap_native_queue_random(const uint8_t *bytes, size_t n);

#endif
