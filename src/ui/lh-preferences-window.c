/* lh-preferences-window.c — LhPreferencesWindow: one page, Backups: how often open
 * database files are backed up while Litehouse runs, whether those backups are
 * compressed, and the retention policy applied after each. Every row is bound to its
 * GSettings key, so a change applies at once. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-preferences-window.h"

struct _LhPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* owned */
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (LhPreferencesWindow, lh_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* A row with a spin button bound to the unsigned key. */
static GtkWidget *
number_row (LhPreferencesWindow *self,
            const char          *key,
            const char          *title,
            const char          *subtitle,
            guint                maximum)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (0, maximum, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_name (spin, key);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_settings_bind (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  return row;
}

static GtkWidget *
switch_row (LhPreferencesWindow *self,
            const char          *key,
            const char          *title,
            const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_name (toggle, key);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  g_settings_bind (self->settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  return row;
}

static void
lh_preferences_window_finalize (GObject *object)
{
  g_clear_object (&LH_PREFERENCES_WINDOW (object)->settings);
  G_OBJECT_CLASS (lh_preferences_window_parent_class)->finalize (object);
}

static void
lh_preferences_window_class_init (LhPreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_preferences_window_finalize;
}

static void
lh_preferences_window_init (LhPreferencesWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *schedule = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *retention = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  self->settings = g_settings_new (APP_ID);
  adw_preferences_page_set_title (page, _("Backups"));
  adw_preferences_page_set_icon_name (page, "document-save-symbolic");

  adw_preferences_group_set_title (schedule, _("Scheduled Backups"));
  adw_preferences_group_set_description (schedule, _("While Litehouse runs, each open database file or "
                                                     "libSQL database is backed up when its newest backup "
                                                     "is older than this. D1 is left to its Time Travel: "
                                                     "it serves no queries while it exports."));
  adw_preferences_group_add (schedule, number_row (self, "backup-interval-hours", _("Every (Hours)"),
                                                   _("0 turns scheduled backups off"), 720));
  adw_preferences_group_add (schedule, switch_row (self, "backup-compress", _("Compress"),
                                                   _("Smaller files, slower backups (gzip)")));

  adw_preferences_group_set_title (retention, _("Backups Kept"));
  adw_preferences_group_set_description (retention, _("After each scheduled backup, older ones go unless "
                                                      "one of these rules keeps them (0 turns a rule off). "
                                                      "“litehouse-cli backup prune” applies the same rules."));
  adw_preferences_group_add (retention, number_row (self, "backup-keep-last", _("The Newest"),
                                                    _("How many of the latest backups are kept"), 1000));
  adw_preferences_group_add (retention, number_row (self, "backup-daily-days", _("One a Day"),
                                                    _("For this many days"), 1000));
  adw_preferences_group_add (retention, number_row (self, "backup-weekly-weeks", _("One a Week"),
                                                    _("For this many weeks"), 1000));

  adw_preferences_page_add (page, schedule);
  adw_preferences_page_add (page, retention);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}

GtkWidget *
lh_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (LH_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       "search-enabled", FALSE,
                       NULL);
}
