/* The app's screens with NBGL: the home page with the blind-signing setting, and the core's
 * reviews (platform.h tap_ui_review), shown until the person answers. */
#include <string.h>

#include "io.h"
#include "nbgl_use_case.h"
#include "os.h"
#include "platform.h"
#include "shell.h"

#define MAX_PAIRS 8
/* Touch models show it under the name; Nano models keep the SDK's "app is ready". */
#ifdef SCREEN_SIZE_WALLET
#define TAGLINE "This app shows Taproot Assets\ntransfers and MuSig2 sessions\nbefore it signs them."
#else
#define TAGLINE NULL
#endif

static const char *const INFO_TYPES[] = {"Version", "Protocol"};
static const char *const INFO_CONTENTS[] = {APPVERSION, "docs/tap-app-protocol.md v1"};
static const nbgl_contentInfoList_t INFOS = {.infoTypes = INFO_TYPES, .infoContents = INFO_CONTENTS, .nbInfos = 2};

enum { BLIND_SIGNING_TOKEN = FIRST_USER_TOKEN };

static nbgl_contentSwitch_t blind_switch;
static nbgl_content_t settings_content;
static nbgl_genericContents_t settings;

static void quit(void) {
    os_sched_exit(-1);
}

static void on_setting(int token, uint8_t index, int page) {
    (void)index;
    (void)page;
    if (token != BLIND_SIGNING_TOKEN) return;
    tap_setting_set_blind_signing(!tap_setting_blind_signing());
    blind_switch.initState = tap_setting_blind_signing() ? ON_STATE : OFF_STATE;
}

void ui_home(void) {
    blind_switch = (nbgl_contentSwitch_t){
        .text = "Blind signing",
        .subText = "MuSig2 messages the app did not derive",
        .initState = tap_setting_blind_signing() ? ON_STATE : OFF_STATE,
        .token = BLIND_SIGNING_TOKEN,
    };
    settings_content = (nbgl_content_t){
        .type = SWITCHES_LIST,
        .content.switchesList = {.switches = &blind_switch, .nbSwitches = 1},
        .contentActionCallback = on_setting,
    };
    settings = (nbgl_genericContents_t){.callbackCallNeeded = false, .contentsList = &settings_content, .nbContents = 1};
    nbgl_useCaseHomeAndSettings(APPNAME, &ICON_HOME, TAGLINE, INIT_HOME_PAGE, &settings, &INFOS, NULL, quit);
}

static volatile bool answered;
static volatile bool approved;

static void on_choice(bool ok) {
    approved = ok;
    answered = true;
}

bool tap_ui_review(const tap_review *r) {
    static nbgl_contentTagValue_t pairs[MAX_PAIRS];
    static nbgl_contentTagValueList_t list;
    if (r->n_pairs > MAX_PAIRS) return false;
    memset(pairs, 0, sizeof pairs);
    for (size_t i = 0; i < r->n_pairs; i++) {
        pairs[i].item = r->pairs[i].item;
        pairs[i].value = r->pairs[i].value;
    }
    memset(&list, 0, sizeof list);
    list.pairs = pairs;
    list.nbPairs = (uint8_t)r->n_pairs;
    list.wrapping = false;
    answered = false;
    if (r->hold)
        nbgl_useCaseReview(TYPE_OPERATION, &list, &ICON_HOME, r->intro, NULL, r->finish, on_choice);
    else
        nbgl_useCaseReviewLight(TYPE_OPERATION, &list, &ICON_HOME, r->intro, NULL, r->finish, on_choice);
    do {
        io_seproxyhal_io_heartbeat();
    } while (!answered);
    nbgl_useCaseStatus(approved ? r->approved : r->rejected, approved, ui_home);
    return approved;
}
