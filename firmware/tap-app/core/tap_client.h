/* Client commands (docs/tap-app-protocol.md §2): the device asks the host for data in the middle of
 * a command and verifies every answer against a hash it already holds. */
#ifndef TAP_CLIENT_H
#define TAP_CLIENT_H

#include "platform.h"

/* GET_PREIMAGE of a plain SHA-256: the whole preimage into out (at most cap bytes), its length in
 * *len. TAP_SW_OK, or 6A80 when the host answers with anything but CONTINUE, announces more than cap
 * bytes, or sends bytes that do not hash to `hash`. */
uint16_t tap_client_get_preimage(const uint8_t hash[32], uint8_t *out, size_t cap, size_t *len);

#endif
