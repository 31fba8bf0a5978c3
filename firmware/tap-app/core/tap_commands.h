/* The handlers behind tap_app_handle: each reads its request, writes at most 255 bytes of response
 * data and returns the status word; nothing is written to out unless it returns TAP_SW_OK. */
#ifndef TAP_COMMANDS_H
#define TAP_COMMANDS_H

#include "tap_request.h"

uint16_t tap_cmd_get_app_info(tap_reader *req, uint8_t out[255], size_t *out_len);
uint16_t tap_cmd_get_master_fingerprint(tap_reader *req, uint8_t out[255], size_t *out_len);
uint16_t tap_cmd_get_key(tap_reader *req, uint8_t out[255], size_t *out_len);
uint16_t tap_cmd_musig_round1(tap_reader *req, uint8_t out[255], size_t *out_len);
uint16_t tap_cmd_musig_round2(tap_reader *req, uint8_t out[255], size_t *out_len);
uint16_t tap_cmd_sign_group_genesis(tap_reader *req, uint8_t out[255], size_t *out_len);

/* SIGN_VPSBT v2 (§5.5): P1 00 START, 01 NEXT, 02 RESULTS; the stream lives in tap_scratch between
 * its APDUs. tap_vpsbt_drop ends a stream in progress (any other command, or an error): nothing of
 * it is kept, and a review on screen ends with "Transfer refused". */
uint16_t tap_cmd_sign_vpsbt(uint8_t p1, const uint8_t *data, size_t len, uint8_t out[255], size_t *out_len);
void tap_vpsbt_drop(void);

/* The state of the command in progress: one command runs at a time, so they share this memory
 * (MuSig2's key-aggregation context, SIGN_GROUP_GENESIS's asset and parser, a SIGN_VPSBT stream's state). */
#define TAP_SCRATCH_SIZE 10048
typedef union {
    uint64_t align;
    uint8_t bytes[TAP_SCRATCH_SIZE];
} tap_scratch_area;
extern tap_scratch_area tap_scratch;

/* Free nonce slots, for GET_APP_INFO; tap_musig_slots_wipe empties them all. */
uint8_t tap_musig_slots_free(void);
void tap_musig_slots_wipe(void);

#endif
