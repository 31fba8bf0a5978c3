#include "tap_app.h"

#include <string.h>

#include "tap_commands.h"
#include "tap_hash.h"
#include "tap_keys.h"

#define CLA_TAP 0xE7
#define CLA_FRAMEWORK 0xF8
#define INS_CONTINUE 0x01
#define INS_SIGN_VPSBT 0x30
#define PROTOCOL_VERSION 2
#define PROTOCOL_VERSION_1 1

/* A switch, not a table of function pointers: a device app runs position-independent, and pointers
 * stored in flash hold link-time addresses. */
static bool handler_of(uint8_t ins, uint16_t (**h)(tap_reader *, uint8_t[255], size_t *)) {
    switch (ins) {
    case 0x01: *h = tap_cmd_get_app_info; return true;
    case 0x05: *h = tap_cmd_get_master_fingerprint; return true;
    case 0x10: *h = tap_cmd_get_key; return true;
    case 0x20: *h = tap_cmd_musig_round1; return true;
    case 0x21: *h = tap_cmd_musig_round2; return true;
    case 0x40: *h = tap_cmd_sign_group_genesis; return true;
    default: return false;
    }
}

tap_scratch_area tap_scratch;

void tap_app_reset(void) {
    tap_vpsbt_drop();
    tap_musig_slots_wipe();
}

static size_t status(uint8_t *out, size_t len, uint16_t sw) {
    tap_put_u16be(out + len, sw);
    return len + 2;
}

/* §1, in this order: P2 (protocol 1 still passes this first check, as in the emulator, so that
 * another app's command reads 6E00), CONTINUE outside a command, CLA, P2 = this protocol, P1 (SIGN_VPSBT v2: its own),
 * INS. Every command but a v2 SIGN_VPSBT NEXT or RESULTS first drops a stream in progress (§5.5.1),
 * and a SIGN_VPSBT that fails drops it too. */
size_t tap_app_handle(const uint8_t *apdu, size_t len, uint8_t out[TAP_RESPONSE_MAX]) {
    if (len < 4) return status(out, 0, TAP_SW_WRONG_DATA_LENGTH);
    size_t lc = len > 4 ? apdu[4] : 0;
    if (len != 4 && len != 5 + lc) return status(out, 0, TAP_SW_WRONG_DATA_LENGTH);
    bool continues = apdu[0] == CLA_FRAMEWORK && apdu[1] == INS_CONTINUE;
    bool streaming = apdu[0] == CLA_TAP && apdu[1] == INS_SIGN_VPSBT && apdu[3] == PROTOCOL_VERSION;
    if (!(streaming && apdu[2] != 0)) tap_vpsbt_drop();
    if (apdu[3] != PROTOCOL_VERSION && apdu[3] != PROTOCOL_VERSION_1 && !continues) return status(out, 0, TAP_SW_WRONG_P1P2);
    if (continues) return status(out, 0, TAP_SW_BAD_STATE);
    if (apdu[0] != CLA_TAP) return status(out, 0, TAP_SW_CLA_NOT_SUPPORTED);
    if (apdu[3] != PROTOCOL_VERSION) return status(out, 0, TAP_SW_WRONG_P1P2);
    if (streaming) {
        size_t n = 0;
        uint16_t sw = tap_cmd_sign_vpsbt(apdu[2], apdu + 5, lc, out, &n);
        if (sw != TAP_SW_OK) tap_vpsbt_drop();
        return status(out, sw == TAP_SW_OK ? n : 0, sw);
    }
    if (apdu[2] != 0) return status(out, 0, TAP_SW_WRONG_P1P2);
    uint16_t (*handler)(tap_reader *, uint8_t[255], size_t *);
    if (handler_of(apdu[1], &handler)) {
        tap_reader req;
        tap_reader_init(&req, apdu + 5, lc);
        size_t n = 0;
        uint16_t sw = handler(&req, out, &n);
        return status(out, sw == TAP_SW_OK ? n : 0, sw);
    }
    return status(out, 0, TAP_SW_INS_NOT_SUPPORTED);
}

uint16_t tap_cmd_get_app_info(tap_reader *req, uint8_t out[255], size_t *out_len) {
    uint16_t sw = tap_read_end(req);
    if (sw != TAP_SW_OK) return sw;
    out[0] = PROTOCOL_VERSION;
    out[1] = tap_setting_blind_signing() ? 0x01 : 0x00;
    out[2] = TAP_NONCE_SLOTS;
    out[3] = tap_musig_slots_free();
    *out_len = 4;
    return TAP_SW_OK;
}

uint16_t tap_cmd_get_master_fingerprint(tap_reader *req, uint8_t out[255], size_t *out_len) {
    uint16_t sw = tap_read_end(req);
    if (sw != TAP_SW_OK) return sw;
    if (!tap_master_fingerprint(out)) return TAP_SW_BAD_STATE;
    *out_len = 4;
    return TAP_SW_OK;
}

/* §5.3: standard families silently with display = 0; any path with display = 1 only after the
 * person saw the path and the xpub and approved ("Confirm public key"). */
uint16_t tap_cmd_get_key(tap_reader *req, uint8_t out[255], size_t *out_len) {
    uint32_t path[TAP_PATH_MAX];
    bool display = tap_read_flag(req);
    size_t n = tap_read_path(req, path);
    uint16_t sw = tap_read_end(req);
    if (sw != TAP_SW_OK) return sw;
    if (!display && !tap_path_is_standard(path, n)) return TAP_SW_NOT_SUPPORTED;
    uint8_t xpub[TAP_XPUB_LEN];
    if (!tap_master_fingerprint(out) || !tap_xpub(xpub, path, n)) return TAP_SW_INCORRECT_DATA;
    if (display) {
        char path_text[TAP_PATH_TEXT_MAX], xpub_text[TAP_XPUB_TEXT_MAX];
        tap_path_text(path_text, path, n);
        tap_base58check(xpub_text, xpub, sizeof xpub);
        const tap_review_pair pairs[] = {{"Path", path_text}, {"Public key", xpub_text}};
        const tap_review review = {
            .intro = "Confirm public key",
            .pairs = pairs,
            .n_pairs = 2,
            .finish = "Approve public key",
            .hold = false,
            .approved = "Public key\napproved",
            .rejected = "Public key rejected",
            .reject = "Reject operation",
        };
        if (!tap_ui_review(&review)) return TAP_SW_DENY;
    }
    memcpy(out + 4, xpub, sizeof xpub);
    *out_len = 4 + sizeof xpub;
    return TAP_SW_OK;
}
