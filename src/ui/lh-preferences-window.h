/* lh-preferences-window.h — LhPreferencesWindow: Litehouse's preferences (scheduled
 * backups and how many backups are kept), bound to GSettings. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LH_TYPE_PREFERENCES_WINDOW (lh_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (LhPreferencesWindow, lh_preferences_window, LH, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *lh_preferences_window_new (GtkWindow *parent);

G_END_DECLS
