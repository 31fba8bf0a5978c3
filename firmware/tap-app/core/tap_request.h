/* Reading a command's data (docs/tap-app-protocol.md §1): a read past the end and trailing bytes
 * are 6A87, a value out of range 6A80. The first failure sticks: later reads return zeros and the
 * handler checks `sw` once where it matters. */
#ifndef TAP_REQUEST_H
#define TAP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAP_SW_OK 0x9000
#define TAP_SW_INTERRUPTED 0xE000
#define TAP_SW_DENY 0x6985
#define TAP_SW_INCORRECT_DATA 0x6A80
#define TAP_SW_NOT_SUPPORTED 0x6A82
#define TAP_SW_WRONG_P1P2 0x6A86
#define TAP_SW_WRONG_DATA_LENGTH 0x6A87
#define TAP_SW_INS_NOT_SUPPORTED 0x6D00
#define TAP_SW_CLA_NOT_SUPPORTED 0x6E00
#define TAP_SW_BAD_STATE 0xB007
#define TAP_SW_NONCE_SESSION_UNKNOWN 0xB010
#define TAP_SW_NONCE_SESSION_MISMATCH 0xB011
#define TAP_SW_BLIND_SIGNING_DISABLED 0xB012
#define TAP_SW_KEY_NOT_HELD 0xB013
#define TAP_SW_NONCE_SLOTS_FULL 0xB014

typedef struct {
    const uint8_t *p;
    size_t len, at;
    uint16_t sw; /* TAP_SW_OK until a read fails */
} tap_reader;

void tap_reader_init(tap_reader *r, const uint8_t *p, size_t len);
/* The next n bytes, or NULL (and 6A87) when fewer are left. */
const uint8_t *tap_read_bytes(tap_reader *r, size_t n);
uint8_t tap_read_u8(tap_reader *r);
uint32_t tap_read_u32be(tap_reader *r);
/* Bitcoin CompactSize, canonical only (a longer encoding than needed is 6A87). */
uint64_t tap_read_varint(tap_reader *r);
/* 0 or 1, else 6A80. */
bool tap_read_flag(tap_reader *r);
/* `n:u8 || n × u32be`, n <= 10 (else 6A80); returns n. */
size_t tap_read_path(tap_reader *r, uint32_t path[10]);
/* A compressed key by its prefix (02/03, else 6A80); the curve check is the caller's. */
const uint8_t *tap_read_key(tap_reader *r);
/* 6A87 unless every byte was read; returns the reader's status word. */
uint16_t tap_read_end(tap_reader *r);
/* Sets sw (when still OK) and returns false. */
bool tap_reader_fail(tap_reader *r, uint16_t sw);

#endif
