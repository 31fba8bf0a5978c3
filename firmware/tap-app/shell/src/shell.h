/* What the shell's files share: the home screen, its icon and the setting it changes. */
#ifndef TAP_SHELL_H
#define TAP_SHELL_H

#include <stdbool.h>

/* The app's icon on its home page and on the first and last page of its reviews. */
#if defined(TARGET_STAX) || defined(TARGET_FLEX)
#define ICON_HOME C_tap_64px
#else
#define ICON_HOME C_tap_14px
#endif

void ui_home(void);
void tap_setting_set_blind_signing(bool on);

#endif
