/* How review values are written (docs/tap-app-protocol.md §6, assets/display/text.ts): amounts with
 * thousands separators, host-chosen text as printable ASCII with every other byte escaped. */
#ifndef TAP_TEXT_H
#define TAP_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* "21,000 units" */
#define TAP_UNITS_MAX 33
void tap_units(char out[TAP_UNITS_MAX], uint64_t v);

/* Decimal digits of v, NUL-terminated (at most 20 digits); returns the length. */
size_t tap_decimal(char out[21], uint64_t v);

/* Printable ASCII as is, a backslash as \\, every other byte as \xNN; out holds 4 * len + 1. */
void tap_escape(char *out, const uint8_t *s, size_t len);

#endif
