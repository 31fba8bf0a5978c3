/* What the shell's files share: the home screen and the setting it changes. */
#ifndef TAP_SHELL_H
#define TAP_SHELL_H

#include <stdbool.h>

void ui_home(void);
void tap_setting_set_blind_signing(bool on);

#endif
