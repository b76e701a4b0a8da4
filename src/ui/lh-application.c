/* lh-application.c — LhApplication routes every request to open a database to a window:
 * the one already showing it, an empty one, or a new one. */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "lh-application.h"
#include "lh-core.h"
#include "lh-preferences-window.h"
#include "lh-window.h"

struct _LhApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (LhApplication, lh_application, ADW_TYPE_APPLICATION)

/* The window showing (or opening) file; with file NULL, a window showing nothing. */
static LhWindow *
find_window (LhApplication *self,
             GFile         *file)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      GFile *shown;

      if (!LH_IS_WINDOW (l->data))
        continue;
      shown = lh_window_get_file (l->data);
      if (file == NULL ? lh_window_is_empty (l->data) : shown != NULL && g_file_equal (shown, file))
        return l->data;
    }
  return NULL;
}

static LhWindow *
new_window (LhApplication *self)
{
  return lh_window_new (GTK_APPLICATION (self));
}

/* preferred is a window the request came from (a drop, its Open button): it is used if it
 * shows no database yet. */
void
lh_application_open_file (LhApplication *self,
                          GFile         *file,
                          GtkWindow     *preferred)
{
  LhWindow *window = find_window (self, file);

  if (window == NULL && LH_IS_WINDOW (preferred) && lh_window_is_empty (LH_WINDOW (preferred)))
    window = LH_WINDOW (preferred);
  if (window == NULL)
    window = find_window (self, NULL);
  if (window == NULL)
    window = new_window (self);

  if (lh_window_is_empty (window))
    lh_window_open_file (window, file);
  gtk_window_present (GTK_WINDOW (window));
}

static void
lh_application_activate (GApplication *application)
{
  LhApplication *self = LH_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (new_window (self));
  gtk_window_present (window);
}

static void
lh_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    lh_application_open_file (LH_APPLICATION (application), files[i], NULL);
}

static void
open_demo_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LhApplication *self = user_data;
  g_autofree char *demo_path = lh_demo_dup_default_path ();
  g_autoptr(GFile) demo = g_file_new_for_path (demo_path);
  LhWindow *window = find_window (self, demo);

  /* One window per database, the demo too: two would keep its SQL tabs over each other. */
  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }
  window = find_window (self, NULL);
  if (window == NULL)
    window = new_window (self);
  lh_window_open_demo (window);
  gtk_window_present (GTK_WINDOW (window));
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (new_window (user_data)));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  LhApplication *self = user_data;
  const char *developers[] = { _("The Litehouse developers"), NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Litehouse"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Litehouse developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Browse, query and look after SQLite databases, "
                                       "local files and edge databases alike."),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

/* Closes every window the way its close button would, so unsaved SQL and open
 * transactions still ask first; the application ends when the last one has gone. */
static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  /* Closing one window must not free another before its turn. */
  for (GList *l = windows; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkWidget *window = lh_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (user_data)));

  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "open-demo", open_demo_action },
  { "new-window", new_window_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "quit", quit_action },
};

static void
lh_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *new_window_accels[] = { "<Control>n", NULL };

  G_APPLICATION_CLASS (lh_application_parent_class)->startup (application);

  gtk_source_init ();
  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.new-window",
                                         new_window_accels);
}

static void
flush_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;

  lh_history_flush_finish (LH_HISTORY (source), result, NULL);
  *done = TRUE;
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the history write what the windows left it (their SQL tabs) before the process
 * ends, waiting a few seconds at most. */
static void
lh_application_shutdown (GApplication *application)
{
  LhHistory *history = lh_history_peek_default ();

  if (history != NULL)
    {
      gboolean *done = g_new0 (gboolean, 1);
      gboolean timed_out = FALSE;
      guint timeout_id = g_timeout_add_seconds (5, flush_timeout_cb, &timed_out);

      lh_history_flush_async (history, NULL, flush_done_cb, done);
      while (!*done && !timed_out)
        g_main_context_iteration (NULL, TRUE);
      if (!timed_out)
        g_source_remove (timeout_id);
      /* After a timeout the flush may still answer: it keeps somewhere to write. */
      if (*done)
        g_free (done);
    }
  G_APPLICATION_CLASS (lh_application_parent_class)->shutdown (application);
}

/* --demo opens the bundled demo database in whichever instance is the primary one. */
static int
lh_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("litehouse %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (!g_variant_dict_contains (options, "demo"))
    return -1;

  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("litehouse: %s\n", error->message);
      return 1;
    }
  g_action_group_activate_action (G_ACTION_GROUP (application), "open-demo", NULL);
  return g_application_get_is_remote (application) ? 0 : -1;
}

static void
lh_application_class_init (LhApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = lh_application_activate;
  app_class->open = lh_application_open;
  app_class->startup = lh_application_startup;
  app_class->shutdown = lh_application_shutdown;
  app_class->handle_local_options = lh_application_handle_local_options;
}

static void
lh_application_init (LhApplication *self)
{
  const GOptionEntry entries[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Open the bundled demo database (a copy in your data folder)"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
}

LhApplication *
lh_application_new (void)
{
  return g_object_new (LH_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/litehouse/Litehouse",
                       NULL);
}
