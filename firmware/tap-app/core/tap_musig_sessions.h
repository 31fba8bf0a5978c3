/* MuSig2 sessions that outlive a command (docs/tap-app-protocol.md §5.5 step 5): {id, rand_root}
 * in the platform's persistent slots, stored and popped as the Ledger Bitcoin app does. Round 1
 * stores a session when the command succeeds; round 2 pops it before any partial signature exists,
 * so a nonce is never used twice. */
#ifndef TAP_MUSIG_SESSIONS_H
#define TAP_MUSIG_SESSIONS_H

#include "platform.h"

/* Replaces a session with the same id, else takes the first free slot, else slot 0. */
void tap_musig_session_store(const uint8_t id[32], const uint8_t rand_root[32]);
/* Finds the session with this id, empties its slot and gives its rand_root; false if none. */
bool tap_musig_session_pop(const uint8_t id[32], uint8_t rand_root[32]);
/* The nonce randomness of input i, key expression j: SHA256(rand_root || u32be(i) || u32be(j)). */
void tap_musig_session_rand(uint8_t out[32], const uint8_t rand_root[32], uint32_t input, uint32_t key_expr);

#endif
