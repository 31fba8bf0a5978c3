/* Taproot Asset addresses (assets/address/address.ts, tapd address.go) as a vPSBT output's 0x7f
 * carries them: the TLV record stream decoded as decodeAddressTlv decodes it, and its bech32m text
 * under the network's HRP (without bech32's 90-character limit), which is what a review shows. Also
 * the proof courier URL check both an address and an output's 0x7a use. */
#ifndef TAP_ADDRESS_H
#define TAP_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t version, asset_version;
    uint8_t asset_id[32]; /* all zero when the address names only a group (V2) */
    bool has_group_key;
    uint8_t group_key[33];
    uint8_t script_key[33];
    uint8_t internal_key[33];
    bool has_sibling;
    const uint8_t *sibling; /* the tapscript sibling's encoding (type || preimage), inside the TLV */
    size_t sibling_len;
    uint64_t amount;
} tap_address;

/* false for anything decodeAddressTlv refuses: types not strictly increasing, a non-minimal BigSize,
 * a length past the end, an unknown even type, a known record of the wrong size or content (a key
 * that is neither a point nor empty, a zero asset ID, an empty sibling, a courier that is no URL),
 * a missing required record, a version above 2, neither asset ID nor group key. */
bool tap_address_decode(tap_address *a, const uint8_t *tlv, size_t len);

/* The bech32m string of the TLV under hrp: strlen(hrp) + 1 + ceil(8 * len / 5) + 6 characters and
 * a NUL; out holds TAP_ADDRESS_TEXT_MAX for a TLV of at most 255 bytes and an HRP of at most 16. */
#define TAP_ADDRESS_TEXT_MAX (16 + 1 + 408 + 6 + 1)
void tap_address_text(char out[TAP_ADDRESS_TEXT_MAX], const char *hrp, const uint8_t *tlv, size_t len);

/* parseCourierUrl: valid UTF-8 matching /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/ (JavaScript's \S). */
bool tap_courier_url_valid(const uint8_t *url, size_t len);

#endif
