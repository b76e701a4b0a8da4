/* test-history.c — LhHistory makes its file (and folder) on first use, keeps entries in
 * order with their database, time, duration and outcome, and finds them by text (a "%"
 * typed is a "%", not a wildcard) and by database. */
#include "config.h"

#include <string.h>

#include "lh-test-util.h"

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static LhResultSet *
search (LhHistory  *history,
        const char *text,
        const char *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LhResultSet *rows;

  lh_history_search_async (history, text, database, 50, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = lh_history_search_finish (history, result, &error);
  g_assert_no_error (error);
  return rows;
}

static char *
column_text (LhResultSet *rows,
             guint        column)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    {
      g_autofree char *value = lh_value_to_display_string (lh_result_set_get_value (rows, i, column), 0);

      g_string_append_printf (text, "%s\n", value);
    }
  return g_string_free (text, FALSE);
}

static void
test_add_and_search (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "new", "folder", "history.sqlite", NULL);
  g_autoptr(LhHistory) history = lh_history_new (path);
  g_autoptr(GAsyncResult) flushed = NULL;
  g_autoptr(LhResultSet) all = NULL;
  g_autoptr(LhResultSet) percent = NULL;
  g_autoptr(LhResultSet) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sqls = NULL;
  gint64 now = g_get_real_time ();

  lh_history_add (history, "/db/a.sqlite", "SELECT 1", now, 1500, LH_HISTORY_OK, NULL);
  lh_history_add (history, "/db/b.sqlite", "UPDATE t SET x = '100%'", now, 2000, LH_HISTORY_OK, NULL);
  lh_history_add (history, "/db/a.sqlite", "SELEKT 2", now, 10, LH_HISTORY_FAILED,
                  "near \"SELEKT\": syntax error");
  lh_history_flush_async (history, NULL, store_cb, &flushed);
  while (flushed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lh_history_flush_finish (history, flushed, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  all = search (history, NULL, NULL);
  sqls = column_text (all, 2);
  g_assert_cmpstr (sqls, ==, "SELEKT 2\nUPDATE t SET x = '100%'\nSELECT 1\n");
  g_clear_pointer (&sqls, g_free);
  sqls = column_text (all, 5);
  g_assert_cmpstr (sqls, ==, "failed\nok\nok\n");
  g_assert_cmpfloat (lh_result_set_get_value (all, 2, 4)->v.real, ==, 1.5);

  percent = search (history, "0%", NULL);
  g_assert_cmpuint (lh_result_set_get_n_rows (percent), ==, 1);
  other = search (history, "sele", "/db/a.sqlite");
  g_assert_cmpuint (lh_result_set_get_n_rows (other), ==, 2);

  g_clear_object (&history);
  lh_test_remove_dir (dir);
}

static LhEditorTab *
new_tab (const char *file,
         const char *text,
         gboolean    modified)
{
  LhEditorTab *tab = g_new0 (LhEditorTab, 1);

  tab->file = g_strdup (file);
  tab->text = g_strdup (text);
  tab->modified = modified;
  return tab;
}

static LhResultSet *
load_tabs (LhHistory  *history,
           const char *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LhResultSet *rows;

  lh_history_load_tabs_async (history, database, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = lh_history_load_tabs_finish (history, result, &error);
  g_assert_no_error (error);
  return rows;
}

/* Saving the tabs of a database replaces what was kept for it, and only for it; text with
 * quotes and newlines comes back as it was. */
static void
test_tabs (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "history.sqlite", NULL);
  g_autoptr(LhHistory) history = lh_history_new (path);
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_editor_tab_free);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_editor_tab_free);
  g_autoptr(LhResultSet) a = NULL;
  g_autoptr(LhResultSet) b = NULL;
  g_autofree char *texts = NULL;
  g_autofree char *files = NULL;

  g_ptr_array_add (first, new_tab (NULL, "SELECT 1", FALSE));
  g_ptr_array_add (first, new_tab ("/q/old.sql", "SELECT 2", TRUE));
  g_ptr_array_add (first, new_tab (NULL, "SELECT 3", FALSE));
  lh_history_save_tabs (history, "/db/a.sqlite", first);
  lh_history_save_tabs (history, "/db/b.sqlite", first);
  g_ptr_array_add (second, new_tab (NULL, "SELECT 'it''s'\n  -- two lines", FALSE));
  g_ptr_array_add (second, new_tab ("/q/report.sql", "SELECT 4", TRUE));
  lh_history_save_tabs (history, "/db/a.sqlite", second);

  a = load_tabs (history, "/db/a.sqlite");
  texts = column_text (a, 2);
  g_assert_cmpstr (texts, ==, "SELECT 'it''s'\n  -- two lines\nSELECT 4\n");
  files = column_text (a, 1);
  g_assert_cmpstr (files, ==, "NULL\n/q/report.sql\n");
  g_assert_cmpint (lh_result_set_get_value (a, 1, 3)->v.integer, ==, 1);
  b = load_tabs (history, "/db/b.sqlite");
  g_assert_cmpuint (lh_result_set_get_n_rows (b), ==, 3);

  g_clear_object (&history);
  lh_test_remove_dir (dir);
}

static LhResultSet *
finish_snippets (LhHistory *history,
                 void     (*start) (LhHistory *, GAsyncReadyCallback, gpointer))
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LhResultSet *rows;

  start (history, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = lh_history_snippets_finish (history, result, &error);
  g_assert_no_error (error);
  return rows;
}

static void
save_report (LhHistory *history, GAsyncReadyCallback callback, gpointer data)
{
  lh_history_save_snippet_async (history, "report", "SELECT 'report v1'", NULL, callback, data);
}

static void
save_alpha (LhHistory *history, GAsyncReadyCallback callback, gpointer data)
{
  lh_history_save_snippet_async (history, "Alpha", "SELECT 'it''s'", NULL, callback, data);
}

static void
save_report_again (LhHistory *history, GAsyncReadyCallback callback, gpointer data)
{
  lh_history_save_snippet_async (history, "report", "SELECT 'report v2'", NULL, callback, data);
}

static void
delete_alpha (LhHistory *history, GAsyncReadyCallback callback, gpointer data)
{
  lh_history_delete_snippet_async (history, "Alpha", NULL, callback, data);
}

static void
list (LhHistory *history, GAsyncReadyCallback callback, gpointer data)
{
  lh_history_list_snippets_async (history, NULL, callback, data);
}

/* Snippets are listed by name; saving under a name kept replaces it; deleting removes it. */
static void
test_snippets (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "history.sqlite", NULL);
  g_autoptr(LhHistory) history = lh_history_new (path);
  g_autoptr(LhResultSet) rows = NULL;
  g_autofree char *names = NULL;
  g_autofree char *sqls = NULL;

  g_clear_object (&rows);
  rows = finish_snippets (history, save_report);
  g_clear_object (&rows);
  rows = finish_snippets (history, save_alpha);
  g_clear_object (&rows);
  rows = finish_snippets (history, list);
  names = column_text (rows, 0);
  g_assert_cmpstr (names, ==, "Alpha\nreport\n");

  g_clear_object (&rows);
  rows = finish_snippets (history, save_report_again);
  g_clear_object (&rows);
  rows = finish_snippets (history, delete_alpha);
  g_clear_object (&rows);
  rows = finish_snippets (history, list);
  sqls = column_text (rows, 1);
  g_assert_cmpstr (sqls, ==, "SELECT 'report v2'\n");

  g_clear_object (&rows);
  g_clear_object (&history);
  lh_test_remove_dir (dir);
}

/* A history file that is not SQLite: loading tabs and saving a snippet fail with the
 * reason, and nothing is written over the file. */
static void
test_not_sqlite (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "history.sqlite", NULL);
  g_autoptr(LhHistory) history = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autofree char *contents = NULL;
  const char *garbage = "this is not a database, but it is long enough to have a header...........";

  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));
  history = lh_history_new (path);
  lh_history_load_tabs_async (history, "/db/a.sqlite", NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = lh_history_load_tabs_finish (history, result, &error);
  g_assert_null (rows);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "is not an SQLite database"));

  g_clear_object (&result);
  g_clear_error (&error);
  lh_history_save_snippet_async (history, "name", "SELECT 1", NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = lh_history_snippets_finish (history, result, &error);
  g_assert_null (rows);
  g_assert_nonnull (strstr (error->message, "is not an SQLite database"));

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, garbage);
  g_clear_object (&history);
  lh_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/history/add-and-search", test_add_and_search);
  g_test_add_func ("/history/tabs", test_tabs);
  g_test_add_func ("/history/snippets", test_snippets);
  g_test_add_func ("/history/not-sqlite", test_not_sqlite);
  return g_test_run ();
}
