/* The core's streaming review (platform.h tap_ui_stream_*) with NBGL's streaming use case, for
 * SIGN_VPSBT (docs/tap-app-protocol.md §5.5, §6.1; docs/firmware.md, "What it shows").
 *
 * Each call draws one step and runs the event loop until NBGL's callback says the person passed the
 * step's last page, then returns while that page stays on screen: the core answers the APDU and
 * reads on, and the next step replaces the page (NBGL keeps no queue). On a touch model the person
 * can reject on any page, also while the device waits for the host's next chunk; that answer is kept
 * and the next call returns false at once, so the pending APDU is answered 6985. A Nano offers no
 * reject before the finish (the SDK's streaming pages have none). */
#include <string.h>

#include "io.h"
#include "nbgl_use_case.h"
#include "os.h"
#include "platform.h"
#include "shell.h"

/* The most pairs one step holds (an output: amount, recipient, kind, anchor, courier) and room for
 * their texts: the core's display pairs of one output are far smaller (§5.5.6, 640 bytes). */
#define STREAM_MAX_PAIRS 8
#define STREAM_TEXT_BYTES 2048

/* NBGL reads the pairs again whenever the person pages back, also after the call returned, while
 * the core already rewrites its own strings: the step on screen is shown from this copy. */
static char text[STREAM_TEXT_BYTES];
static size_t text_used;
static nbgl_contentTagValue_t shown[STREAM_MAX_PAIRS];
static nbgl_contentTagValueList_t shown_list;

typedef enum {
    STEP_SHOWN,    /* on screen, not passed yet */
    STEP_PASSED,   /* passed (or approved at the finish): the core reads on */
    STEP_REJECTED, /* rejected, possibly between two steps: the review is over */
} step_state;

static volatile step_state state;

/* Copies s into the text area; NULL when it is full. PIC: a pointer the core took from a constant
 * table holds its link-time address (the app runs elsewhere); one computed at run time is kept. */
static const char *keep(const char *s) {
    s = PIC(s);
    size_t n = strlen(s) + 1;
    if (n > sizeof text - text_used) return NULL;
    char *out = text + text_used;
    memcpy(out, s, n);
    text_used += n;
    return out;
}

static void on_step(bool passed) {
    if (!passed) {
        /* The touch models' "Reject" then "Yes, reject": the review is over, whatever the core is
         * doing now; it learns it at its next call. */
        state = STEP_REJECTED;
        ui_home();
        return;
    }
    /* A Nano's right button on a passed step's last page calls again: nothing more to do. */
    if (state == STEP_SHOWN) state = STEP_PASSED;
}

static bool await_step(void) {
    while (state == STEP_SHOWN) io_seproxyhal_io_heartbeat();
    return state == STEP_PASSED;
}

/* A declared warning, between the intro and the first pairs: its own page that the person passes
 * with "Continue" or rejects (on a Nano as well, as a choice). */
static bool warn(const tap_review_pair *w) {
    text_used = 0;
    const char *title = keep(w->item);
    const char *body = keep(w->value);
    if (title == NULL || body == NULL) return false;
    state = STEP_SHOWN;
    nbgl_useCaseChoice(&ICON_HOME, title, body, "Continue", "Reject", on_step);
    return await_step();
}

bool tap_ui_stream_start(const char *intro, const tap_review_pair *warnings, size_t n_warnings, const char *reject) {
    /* NBGL words the reject itself ("Reject" on touch, "Reject transaction" on a Nano's last page). */
    (void)reject;
    text_used = 0;
    const char *title = keep(intro);
    if (title == NULL) return false;
    state = STEP_SHOWN;
    nbgl_useCaseReviewStreamingStart(TYPE_TRANSACTION, &ICON_HOME, title, NULL, on_step);
    if (!await_step()) return false;
    for (size_t i = 0; i < n_warnings; i++)
        if (!warn(&warnings[i])) return false;
    return true;
}

bool tap_ui_stream_continue(const tap_review_pair *pairs, size_t n_pairs, const char *reject) {
    (void)reject;
    if (state == STEP_REJECTED) return false;
    if (n_pairs > STREAM_MAX_PAIRS) return false;
    text_used = 0;
    memset(shown, 0, sizeof shown);
    for (size_t i = 0; i < n_pairs; i++) {
        shown[i].item = keep(pairs[i].item);
        shown[i].value = keep(pairs[i].value);
        if (shown[i].item == NULL || shown[i].value == NULL) return false;
    }
    memset(&shown_list, 0, sizeof shown_list);
    shown_list.pairs = shown;
    shown_list.nbPairs = (uint8_t)n_pairs;
    shown_list.wrapping = false;
    state = STEP_SHOWN;
    nbgl_useCaseReviewStreamingContinue(&shown_list, on_step);
    return await_step();
}

/* NBGL's streaming finish is always a hold on touch models (there is no tap finish to choose). */
bool tap_ui_stream_finish(const char *finish, bool hold, const char *approved, const char *rejected, const char *reject) {
    (void)hold;
    (void)reject;
    if (state == STEP_REJECTED) return false;
    text_used = 0;
    const char *title = keep(finish);
    const char *yes = keep(approved);
    const char *no = keep(rejected);
    if (title == NULL || yes == NULL || no == NULL) return false;
    state = STEP_SHOWN;
    nbgl_useCaseReviewStreamingFinish(title, on_step);
    bool ok = await_step();
    /* A reject has already gone home (on_step); the outcome page replaces it. */
    nbgl_useCaseStatus(ok ? yes : no, ok, ui_home);
    return ok;
}

void tap_ui_stream_abort(const char *status) {
    /* The person's reject already ended the review and went home: no "refused" over it. */
    if (state == STEP_REJECTED) return;
    text_used = 0;
    const char *shown_status = keep(status);
    state = STEP_REJECTED;
    if (shown_status == NULL) ui_home();
    else nbgl_useCaseStatus(shown_status, false, ui_home);
}
