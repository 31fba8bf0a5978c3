/* The app's command layer (docs/tap-app-protocol.md): one APDU in, response data and a status word
 * out. Client commands and reviews happen inside a command through platform.h's device I/O, so a
 * shell only moves bytes and draws the pages it is given. */
#ifndef TAP_APP_H
#define TAP_APP_H

#include "platform.h"

#define TAP_RESPONSE_MAX 257 /* 255 bytes of data and the status word */
#define TAP_NONCE_SLOTS 4

/* Forgets every MuSig2 nonce slot: at app start, and when the app quits (§4: RAM only). */
void tap_app_reset(void);

/* Handles one command APDU (CLA INS P1 P2 Lc data); writes data || SW into out and returns its
 * length (at least 2). */
size_t tap_app_handle(const uint8_t *apdu, size_t len, uint8_t out[TAP_RESPONSE_MAX]);

#endif
