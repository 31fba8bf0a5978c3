/* The app's APDU loop: every command goes to the core (tap_app_handle), whose client commands go
 * out and come back through tap_io_interrupt inside the command. */
#include <string.h>

#include "io.h"
#include "os.h"
#include "shell.h"
#include "tap_app.h"

/* The command being handled: its own copy, since a client command reuses G_io_apdu_buffer. */
static uint8_t command[TAP_APDU_MAX];
static uint8_t response[TAP_RESPONSE_MAX];

size_t tap_io_interrupt(const uint8_t *data, size_t len, uint8_t apdu[TAP_APDU_MAX]) {
    if (io_send_response_pointer(data, len, 0xE000) < 0) return 0;
    int n = io_recv_command();
    if (n <= 0 || n > TAP_APDU_MAX) return 0;
    memcpy(apdu, G_io_apdu_buffer, (size_t)n);
    return (size_t)n;
}

void app_main(void) {
    io_init();
    tap_app_reset();
    ui_home();
    for (;;) {
        int n = io_recv_command();
        if (n < 0) return;
        size_t len = (size_t)n > sizeof command ? sizeof command : (size_t)n;
        memcpy(command, G_io_apdu_buffer, len);
        size_t out = tap_app_handle(command, len, response);
        uint16_t sw = (uint16_t)((response[out - 2] << 8) | response[out - 1]);
        io_send_response_pointer(response, out - 2, sw);
    }
}
