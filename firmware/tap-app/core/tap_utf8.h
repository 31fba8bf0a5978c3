/* UTF-8 validity as the WHATWG decoder in fatal mode (TextDecoder) judges it: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequence. Asset names must pass it. */
#ifndef TAP_UTF8_H
#define TAP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool tap_utf8_valid(const uint8_t *s, size_t len);

#endif
