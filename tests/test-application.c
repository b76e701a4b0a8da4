/* test-application.c — LhApplication routes files to windows as `litehouse FILE` does:
 * one window per database, a file already open brings its window forward, the demo goes
 * to a window of its own, and opened files appear among the recent ones. */
#include "config.h"

#include <adwaita.h>

#include "lh-application.h"
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
  status = g_test_run ();
  lh_test_remove_dir (data_home);
  return status;
}
