/* test-application.c — LhApplication routes files to windows as `litehouse FILE` does:
 * one window per database, a file already open brings its window forward, the demo goes
 * to a window of its own, and opened files appear among the recent ones. */
#include "config.h"

#include <adwaita.h>

#include "lh-application.h"
#include "lh-history.h"
#include "lh-query-page.h"
#include "lh-test-util.h"
#include "lh-window.h"

typedef struct
{
  LhApplication *app;
  guint          expected;
} WaitData;

static gboolean
windows_settled (gpointer data)
{
  WaitData *wait = data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (wait->app));
  guint settled = 0;

  for (GList *l = windows; l != NULL; l = l->next)
    {
      const char *page = lh_window_get_page_name (l->data);

      if (g_strcmp0 (page, "database") == 0 || g_strcmp0 (page, "failed") == 0)
        settled++;
    }
  return settled == wait->expected && g_list_length (windows) == wait->expected;
}

static char *
make_db (const char *dir,
         const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  lh_test_make_db (path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  return path;
}

static void
open_paths (LhApplication *app,
            const char    *first,
            ...)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  va_list ap;

  va_start (ap, first);
  for (const char *path = first; path != NULL; path = va_arg (ap, const char *))
    g_ptr_array_add (files, g_file_new_for_path (path));
  va_end (ap);
  g_application_open (G_APPLICATION (app), (GFile **) files->pdata, files->len, "");
}

static void
test_routing (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *a = make_db (dir, "a.db");
  g_autofree char *b = make_db (dir, "b.db");
  g_autoptr(LhApplication) app = lh_application_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) recent = NULL;
  WaitData wait = { app, 0 };

  /* Not unique: the test must not meet another Litehouse on the session bus. */
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  open_paths (app, a, NULL);
  wait.expected = 1;
  g_assert_true (lh_test_wait_until (windows_settled, &wait, 20000));

  /* The same file again: its window, not a second one. */
  open_paths (app, a, NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);

  /* Another file: a window of its own. Two at once: one each. */
  open_paths (app, b, NULL);
  wait.expected = 2;
  g_assert_true (lh_test_wait_until (windows_settled, &wait, 20000));
  open_paths (app, a, b, NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 2);

  /* The demo goes to a new window, since none is empty. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-demo", NULL);
  wait.expected = 3;
  g_assert_true (lh_test_wait_until (windows_settled, &wait, 20000));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    g_assert_cmpstr (lh_window_get_page_name (l->data), ==, "database");

  settings = g_settings_new (APP_ID);
  recent = g_settings_get_strv (settings, "recent-files");
  g_assert_true (g_strv_contains ((const char * const *) recent, a));
  g_assert_true (g_strv_contains ((const char * const *) recent, b));
  g_assert_true (g_str_has_suffix (recent[0], "litehouse-demo.sqlite"));

  while (gtk_application_get_windows (GTK_APPLICATION (app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  lh_test_remove_dir (dir);
}

typedef struct
{
  LhApplication *app;
  gboolean       typed;
  gboolean       quit;
} QuitData;

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  QuitData *data = user_data;
  LhWindow *window = LH_WINDOW (gtk_application_get_windows (GTK_APPLICATION (data->app))->data);

  g_assert_true (lh_history_flush_finish (LH_HISTORY (source), result, NULL));
  lh_query_page_set_text (lh_window_get_query_page (window), "SELECT 'typed before quit'");
  data->typed = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (data->app), "quit", NULL);
  data->quit = TRUE;
}

/* Once the window shows the database and its tabs are loaded (the history has answered):
 * type, then quit. */
static gboolean
type_and_quit (gpointer user_data)
{
  QuitData *data = user_data;
  WaitData wait = { data->app, 1 };

  if (!windows_settled (&wait))
    return G_SOURCE_CONTINUE;
  lh_history_flush_async (lh_history_get_default (), NULL, loaded_cb, data);
  return G_SOURCE_REMOVE;
}

/* Ctrl+Q closes the windows as their close buttons do, and the application writes their
 * SQL tabs before it ends: the text is there when the database opens next time. */
static void
test_quit_keeps_tabs (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *a = make_db (dir, "a.db");
  g_autofree char *history = g_build_filename (g_get_user_data_dir (), "litehouse", "history.sqlite", NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT text FROM editor_tabs WHERE database = '%s'", a);
  g_autofree char *text = NULL;
  g_autoptr(LhApplication) app = lh_application_new ();
  char *argv[] = { (char *) "litehouse", a, NULL };
  QuitData data = { app, FALSE, FALSE };

  /* The routing test's application may still hold the bus path of the usual id. */
  g_application_set_application_id (G_APPLICATION (app), APP_ID ".QuitTest");
  g_application_set_resource_base_path (G_APPLICATION (app), "/org/litehouse/Litehouse");
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_timeout_add (50, type_and_quit, &data);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 2, argv), ==, 0);
  g_assert_true (data.quit);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  text = lh_test_query_text (history, sql);
  g_assert_cmpstr (text, ==, "SELECT 'typed before quit'\n");
  lh_test_remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = lh_test_make_dir ();
  int status;

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/application/routing", test_routing);
  g_test_add_func ("/application/quit-keeps-tabs", test_quit_keeps_tabs);
  status = g_test_run ();
  lh_test_remove_dir (data_home);
  return status;
}
