/* test-window.c — the real window under a display server (Xvfb in the test command): open
 * the demo database, see its schema in the sidebar, run a query through the window's
 * action and find its rows in the grid; a bad query and a bad file each show their
 * reason in the window. Screenshots land in the build folder. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>

#include "lh-history.h"
#include "lh-result-view.h"
#include "lh-schema-sidebar.h"
#include "lh-test-ui.h"
#include "lh-test-util.h"
#include "lh-window.h"

typedef struct
{
  char     *dir;
  LhWindow *window;
} Fixture;

/* A new window for the test, shown at the size of the screenshots. */
static void
new_window (Fixture *fixture)
{
  fixture->window = g_object_ref_sink (lh_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 700);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  new_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
page_is_settled (gpointer data)
{
  const char *page = lh_window_get_page_name (data);

  return g_strcmp0 (page, "database") == 0 || g_strcmp0 (page, "failed") == 0;
}

static gboolean
query_done (gpointer data)
{
  return !lh_query_page_get_running (data);
}

static void
open_path (Fixture    *fixture,
           const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  lh_window_open_file (fixture->window, file);
  g_assert_true (lh_test_wait_until (page_is_settled, fixture->window, 20000));
}

static void
run_query (LhQueryPage *page,
           const char  *sql)
{
  lh_query_page_set_text (page, sql);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run", NULL));
  g_assert_true (lh_test_wait_until (query_done, page, 20000));
}

static void
run_script (LhQueryPage *page,
            const char  *sql)
{
  lh_query_page_set_text (page, sql);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run-all", NULL));
  g_assert_true (lh_test_wait_until (query_done, page, 20000));
}

static void
collect_labels (GtkWidget *widget,
                GString   *texts)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    {
      g_string_append (texts, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (texts, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, texts);
}

static gboolean
schema_loaded (gpointer data)
{
  return lh_schema_sidebar_get_schema (data) != NULL;
}

static void
test_query (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  LhQueryPage *page;
  LhResultView *view;
  GListModel *columns;
  LhSchemaSidebar *sidebar;
  LhSchema *schema;
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autoptr(GtkColumnViewColumn) first_column = NULL;

  open_path (fixture, path);
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "database");
  g_assert_nonnull (lh_window_get_connection (fixture->window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "demo.sqlite");

  /* The sidebar lists what the demo holds. */
  sidebar = LH_SCHEMA_SIDEBAR (lh_test_find_widget (GTK_WIDGET (fixture->window), LH_TYPE_SCHEMA_SIDEBAR));
  g_assert_true (lh_test_wait_until (schema_loaded, sidebar, 20000));
  schema = lh_schema_sidebar_get_schema (sidebar);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_TABLE), >=, 5);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_VIEW), >=, 1);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_INDEX), >=, 1);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_TRIGGER), >=, 1);

  page = lh_window_get_query_page (fixture->window);
  run_query (page, "SELECT id, title, status FROM tasks ORDER BY id LIMIT 7;");
  g_assert_null (lh_query_page_get_error_text (page));
  g_assert_true (g_str_has_prefix (lh_query_page_get_status (page), "7 rows · "));

  view = lh_query_page_get_result_view (page);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (lh_result_view_get_column_view (view)))),
                    ==, 7);
  columns = gtk_column_view_get_columns (lh_result_view_get_column_view (view));
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 3);
  first_column = g_list_model_get_item (columns, 1);
  g_assert_cmpstr (gtk_column_view_column_get_title (first_column), ==, "title");

  /* The rows are on screen, not only in the model. */
  lh_test_settle ();
  collect_labels (GTK_WIDGET (view), shown);
  {
    const LhValue *title = lh_result_set_get_value (lh_result_view_get_result (view), 0, 1);
    g_autofree char *text = lh_value_to_display_string (title, 200);

    g_assert_nonnull (strstr (shown->str, text));
  }
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "window-query.png");
}

static gboolean
has_new_table (gpointer data)
{
  LhSchema *schema = lh_schema_sidebar_get_schema (data);

  return schema != NULL && lh_schema_count (schema, LH_SCHEMA_OBJECT_TABLE) == 10;
}

static void
test_schema_refresh (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  LhSchemaSidebar *sidebar;

  open_path (fixture, path);
  sidebar = LH_SCHEMA_SIDEBAR (lh_test_find_widget (GTK_WIDGET (fixture->window), LH_TYPE_SCHEMA_SIDEBAR));
  g_assert_true (lh_test_wait_until (schema_loaded, sidebar, 20000));
  g_assert_cmpuint (lh_schema_count (lh_schema_sidebar_get_schema (sidebar),
                                     LH_SCHEMA_OBJECT_TABLE), ==, 9);

  /* A table made in the SQL tab appears in the sidebar without reopening the file. */
  run_script (lh_window_get_query_page (fixture->window),
              "CREATE TABLE \"new \"\"table\"\"\" (id INTEGER PRIMARY KEY); SELECT 1;");
  g_assert_true (lh_test_wait_until (has_new_table, sidebar, 20000));
}

static void
test_query_error (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  LhQueryPage *page;

  open_path (fixture, path);
  before = lh_test_checksum (path);
  page = lh_window_get_query_page (fixture->window);
  run_query (page, "SELECT id\n  FROM tasks\n WHERE title LIKE 'x' ORDER BYE id;");
  g_assert_cmpstr (lh_query_page_get_error_text (page), ==,
                   "Line 3, column 29: near \"BYE\": syntax error");
  g_assert_cmpstr (lh_query_page_get_status (page), ==, "Failed");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "window-query-error.png");

  /* The window stays usable: the next query runs. */
  run_query (page, "SELECT count(*) FROM tasks");
  g_assert_null (lh_query_page_get_error_text (page));
  after = lh_test_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_query_error_in_selection (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  LhQueryPage *page;
  GtkTextView *editor;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  lh_query_page_set_text (page, "SELECT 1;\n\nSELECT id\n  FROM tasks ORDER BYE id;\n");
  editor = GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (page), GTK_TYPE_TEXT_VIEW));
  buffer = gtk_text_view_get_buffer (editor);
  gtk_text_buffer_get_iter_at_line (buffer, &start, 2);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_select_range (buffer, &start, &end);

  /* Only the selection runs, and the error names the line the editor shows. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run", NULL));
  g_assert_true (lh_test_wait_until (query_done, page, 20000));
  g_assert_cmpstr (lh_query_page_get_error_text (page), ==, "Line 4, column 20: near \"BYE\": syntax error");
}

static gboolean
page_stopped (gpointer data)
{
  return !lh_query_page_get_running (data);
}

static void
test_close_stops_query (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autoptr(LhQueryPage) page = NULL;

  open_path (fixture, path);
  page = g_object_ref (lh_window_get_query_page (fixture->window));
  lh_query_page_set_text (page, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                "SELECT count(*) FROM n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run", NULL));
  g_assert_true (lh_query_page_get_running (page));

  /* Closing the window stops the query at once rather than when it would end. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_true (lh_test_wait_until (page_stopped, page, 5000));
  fixture->window = g_object_ref_sink (lh_window_new (NULL));
}

static void
test_bad_file (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "photo.db", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (path, "\x89PNG\r\n\x1a\n but not really a picture either, "
                                      "and certainly not a database file at all.", -1, NULL));
  before = lh_test_checksum (path);
  open_path (fixture, path);
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "failed");
  expected = g_strdup_printf ("“%s” is not an SQLite database.", path);
  g_assert_cmpstr (lh_window_get_error_text (fixture->window), ==, expected);
  g_assert_true (lh_window_is_empty (fixture->window));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "window-bad-file.png");
  after = lh_test_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_missing_file (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "gone.db", NULL);
  g_autofree char *expected = g_strdup_printf ("There is no file “%s”.", path);

  open_path (fixture, path);
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "failed");
  g_assert_cmpstr (lh_window_get_error_text (fixture->window), ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
assert_open_fails (Fixture    *fixture,
                   const char *path,
                   const char *expected_suffix)
{
  g_autofree char *before = g_file_test (path, G_FILE_TEST_IS_REGULAR)
    ? lh_test_checksum (path) : NULL;

  open_path (fixture, path);
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "failed");
  g_assert_true (g_str_has_suffix (lh_window_get_error_text (fixture->window), expected_suffix));
  g_assert_true (lh_window_is_empty (fixture->window));
  if (before != NULL)
    {
      g_autofree char *after = lh_test_checksum (path);

      g_assert_cmpstr (before, ==, after);
    }
}

static void
test_directory (Fixture       *fixture,
                gconstpointer  data)
{
  assert_open_fails (fixture, fixture->dir, "is a folder, not a database file.");
}

static void
test_truncated (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, length / 2, NULL));
  assert_open_fails (fixture, path, "is damaged or truncated (SQLite: database disk image is "
                     "malformed).");
}

static void
test_locked (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  GSubprocess *locker = lh_test_lock_db (path, "exclusive");

  /* The window waits out the busy timeout (5 s), showing a Cancel button meanwhile. */
  assert_open_fails (fixture, path, "is locked by another program that is writing to it. "
                     "Try again when it has finished.");
  lh_test_unlock_db (locker);
}

static void
test_read_only (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  LhQueryPage *page;

  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  before = lh_test_checksum (path);
  open_path (fixture, path);
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "database");
  g_assert_true (lh_connection_get_read_only (lh_window_get_connection (fixture->window)));

  page = lh_window_get_query_page (fixture->window);
  run_query (page, "DELETE FROM comments");
  g_assert_cmpstr (lh_query_page_get_error_text (page), ==,
                   "The database is open read-only, so it cannot be changed "
                   "(SQLite: attempt to write a readonly database).");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "window-read-only.png");
  after = lh_test_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static gboolean
demo_opened (gpointer data)
{
  return g_strcmp0 (lh_window_get_page_name (data), "opening") != 0;
}

static void
test_demo_copy (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *source = g_build_filename (lh_demo_get_source_dir (),
                                              "litehouse-demo.sqlite", NULL);
  g_autofree char *copy = g_build_filename (g_get_user_data_dir (), "litehouse", "demo",
                                            "litehouse-demo.sqlite", NULL);
  g_autofree char *migrations = g_build_filename (g_get_user_data_dir (), "litehouse", "demo",
                                                  "migrations", NULL);
  g_autofree char *before = lh_test_checksum (source);
  g_autofree char *after = NULL;
  LhQueryPage *page;

  lh_window_open_demo (fixture->window);
  g_assert_true (lh_test_wait_until (demo_opened, fixture->window, 20000));
  g_assert_true (lh_test_wait_until (page_is_settled, fixture->window, 20000));
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "database");
  g_assert_cmpstr (lh_connection_get_location (lh_window_get_connection (fixture->window)), ==, copy);
  g_assert_true (g_file_test (migrations, G_FILE_TEST_IS_DIR));

  /* Changes go to the copy; the shipped original stays as it was. */
  page = lh_window_get_query_page (fixture->window);
  run_query (page, "DELETE FROM comments");
  g_assert_null (lh_query_page_get_error_text (page));
  after = lh_test_checksum (source);
  g_assert_cmpstr (before, ==, after);
}

static void
test_drop (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (fixture->window));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkDropTarget *target = NULL;
  GValue value = G_VALUE_INIT;
  GSList *files;
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  /* What a file manager's drop delivers: a GdkFileList. */
  files = g_slist_prepend (NULL, file);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_slist_free (files);

  g_assert_true (accepted);
  g_assert_true (lh_test_wait_until (page_is_settled, fixture->window, 20000));
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "database");
  g_assert_cmpstr (lh_connection_get_location (lh_window_get_connection (fixture->window)), ==, path);
}

static void
test_demo_missing (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *saved = g_strdup (g_getenv ("LITEHOUSE_DEMO_DIR"));
  g_autofree char *expected = NULL;

  /* An installation without its demo says what is missing, in the window. */
  g_setenv ("LITEHOUSE_DEMO_DIR", fixture->dir, TRUE);
  lh_window_open_demo (fixture->window);
  g_assert_true (lh_test_wait_until (demo_opened, fixture->window, 20000));
  g_setenv ("LITEHOUSE_DEMO_DIR", saved, TRUE);

  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "failed");
  expected = g_strdup_printf ("The demo database is missing from this installation "
                              "(looked for “%s/litehouse-demo.sqlite”).", fixture->dir);
  g_assert_cmpstr (lh_window_get_error_text (fixture->window), ==, expected);
  g_assert_true (lh_window_is_empty (fixture->window));
}

static void
test_welcome (Fixture       *fixture,
              gconstpointer  data)
{
  g_assert_cmpstr (lh_window_get_page_name (fixture->window), ==, "welcome");
  g_assert_true (lh_window_is_empty (fixture->window));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "window-welcome.png");
}

static gboolean
window_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static void
place_cursor (LhQueryPage *page,
              const char  *before)
{
  GtkTextView *editor = GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (page), GTK_TYPE_TEXT_VIEW));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (editor);
  GtkTextIter start, end, match;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_assert_true (gtk_text_iter_forward_search (&start, before, 0, &match, NULL, NULL));
  gtk_text_buffer_place_cursor (buffer, &match);
}

static void
run_action_and_wait (LhQueryPage *page,
                     const char  *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  g_assert_true (lh_test_wait_until (query_done, page, 20000));
}

/* Ctrl+Enter runs the statement the cursor is in; Ctrl+Shift+Enter runs them all, and an
 * error in the second statement is underlined at its place in the whole text. */
static void
test_statement_at_cursor (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  LhQueryPage *page;
  LhResultSet *result;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  lh_query_page_set_text (page, "SELECT 1 AS first;\n\nSELECT 2 AS second, 3;\nSELECT nosuch;\n");
  place_cursor (page, "1 AS first");
  run_action_and_wait (page, "query.run");
  result = lh_result_view_get_result (lh_query_page_get_result_view (page));
  g_assert_cmpstr (lh_result_set_get_column_name (result, 0), ==, "first");

  place_cursor (page, "3;");
  run_action_and_wait (page, "query.run");
  result = lh_result_view_get_result (lh_query_page_get_result_view (page));
  g_assert_cmpstr (lh_result_set_get_column_name (result, 0), ==, "second");
  g_assert_null (lh_query_page_get_error_text (page));

  run_action_and_wait (page, "query.run-all");
  g_assert_cmpstr (lh_query_page_get_error_text (page), ==, "Line 4, column 8: no such column: nosuch");
  g_assert_cmpstr (lh_query_page_get_status (page), ==, "Statement 3 of the script failed");
}

static char *
selected_text (LhQueryPage *page)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (page),
                                                                                        GTK_TYPE_TEXT_VIEW)));
  GtkTextIter start, end;

  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  return gtk_text_iter_get_text (&start, &end);
}

/* After Run All, a summary tells what each statement did: rows returned or changed, the
 * error, and which statements did not run; a line of it selects its statement. */
static void
test_script_summary (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *summary = NULL;
  g_autofree char *selected = NULL;
  LhQueryPage *page;
  GtkWidget *button;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  lh_query_page_set_text (page, "SELECT 1;");
  run_action_and_wait (page, "query.run-all");
  g_assert_null (lh_query_page_dup_statements_text (page));

  lh_query_page_set_text (page, "CREATE TABLE notes (body);\n"
                                "INSERT INTO notes VALUES ('a'), ('b');\n"
                                "SELECT * FROM notes;\n"
                                "UPDATE notes SET body = nosuch;\n"
                                "SELECT 'never';\n");
  run_action_and_wait (page, "query.run-all");
  summary = lh_query_page_dup_statements_text (page);
  g_assert_nonnull (summary);
  g_assert_true (g_str_has_prefix (summary, "4 of 5 Statements\nCREATE TABLE notes (body);: 0 rows changed · "));
  g_assert_nonnull (strstr (summary, "\nINSERT INTO notes VALUES ('a'), ('b');: 2 rows changed · "));
  g_assert_nonnull (strstr (summary, "\nSELECT * FROM notes;: 2 rows returned · "));
  g_assert_nonnull (strstr (summary, "\nUPDATE notes SET body = nosuch;: no such column: nosuch\n"));
  g_assert_true (g_str_has_suffix (summary, "\nSELECT 'never';: Not run: an earlier statement failed\n"));

  button = lh_test_find_widget (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON);
  while (button != NULL && g_strcmp0 (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), "4 of 5 Statements") != 0)
    button = gtk_widget_get_next_sibling (button);
  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-script-summary.png");

  /* Text typed above since the run does not move the statement a line selects. */
  place_cursor (page, "CREATE TABLE");
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (page),
                                                                                                GTK_TYPE_TEXT_VIEW))),
                                    "-- notes\n", -1);
  lh_query_page_activate_statement_row (page, 2);
  selected = selected_text (page);
  g_assert_cmpstr (selected, ==, "SELECT * FROM notes;");

  /* Cancelled in the middle: the statements after it say they did not run because of that. */
  lh_query_page_set_text (page, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                "SELECT count(*) FROM n;\n"
                                "SELECT 2;\n"
                                "SELECT 3;\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run-all", NULL));
  g_assert_true (lh_query_page_get_running (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.cancel", NULL));
  g_assert_true (lh_test_wait_until (page_stopped, page, 5000));
  g_clear_pointer (&summary, g_free);
  summary = lh_query_page_dup_statements_text (page);
  g_assert_true (g_str_has_prefix (summary, "1 of 3 Statements\nWITH RECURSIVE "));
  g_assert_nonnull (strstr (summary, "SELECT count(*) FROM n;: Cancelled\n"
                                     "SELECT 2;: Not run: the run was cancelled\n"
                                     "SELECT 3;: Not run: the run was cancelled\n"));
}

/* The labels proposed at the end of text (or at the first "|" in it), one a line. */
static char *
proposals (LhQueryPage *page,
           const char  *text)
{
  g_autofree char *plain = g_strdup (text);
  char *bar = strchr (plain, '|');
  gsize cursor = bar != NULL ? (gsize) (bar - plain) : strlen (plain);
  g_autoptr(GListModel) items = NULL;
  GString *labels = g_string_new (NULL);

  if (bar != NULL)
    memmove (bar, bar + 1, strlen (bar));
  items = lh_completion_provider_propose (lh_query_page_get_completion (page), plain, cursor);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(LhCompletionItem) item = g_list_model_get_item (items, i);

      g_string_append_printf (labels, "%s\n", lh_completion_item_get_text (item));
    }
  return g_string_free (labels, FALSE);
}

static gboolean
has_functions (gpointer data)
{
  g_autofree char *labels = proposals (data, "SELECT ab");

  return strstr (labels, "abs\n") != NULL;
}

/* Completion knows the schema: columns through an alias, through a join, tables and
 * views with keywords, SQLite's functions, and quotes a name that needs them. */
static void
test_completion (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  LhSchemaSidebar *sidebar;
  LhQueryPage *page;
  char *labels;

  open_path (fixture, path);
  sidebar = LH_SCHEMA_SIDEBAR (lh_test_find_widget (GTK_WIDGET (fixture->window), LH_TYPE_SCHEMA_SIDEBAR));
  g_assert_true (lh_test_wait_until (schema_loaded, sidebar, 20000));
  page = lh_window_get_query_page (fixture->window);

  labels = proposals (page, "SELECT t.ti| FROM tasks AS t");
  g_assert_cmpstr (labels, ==, "title\n");
  g_free (labels);
  labels = proposals (page, "SELECT u.display_| FROM tasks t JOIN users u ON u.id = t.assignee_id");
  g_assert_cmpstr (labels, ==, "display_name\n");
  g_free (labels);
  labels = proposals (page, "SELECT * FROM ta");
  g_assert_nonnull (strstr (labels, "tags\ntask_tags\ntasks\n"));
  g_assert_nonnull (strstr (labels, "TABLE\n"));
  g_free (labels);
  g_assert_true (lh_test_wait_until (has_functions, page, 20000));

  run_script (page, "CREATE TABLE \"order items\" (id INTEGER PRIMARY KEY, \"unit price\" REAL);");
  g_assert_true (lh_test_wait_until (schema_loaded, sidebar, 20000));
  lh_test_settle ();
  labels = proposals (page, "SELECT o.u| FROM \"order items\" o; SELECT * FROM ord");
  g_assert_cmpstr (labels, ==, "\"unit price\"\n");
  g_free (labels);
  labels = proposals (page, "SELECT o.u FROM \"order items\" o; SELECT * FROM ord");
  g_assert_cmpstr (labels, ==, "\"order items\"\nORDER\n");
  g_free (labels);

  /* The popup itself, on the columns of an alias. */
  {
    GtkSourceView *editor = GTK_SOURCE_VIEW (lh_test_find_widget (GTK_WIDGET (page), GTK_SOURCE_TYPE_VIEW));
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (editor));

    GtkTextIter after_dot;

    lh_query_page_set_text (page, "SELECT t. FROM tasks AS t");
    lh_query_page_focus_editor (page);
    gtk_text_buffer_get_iter_at_offset (buffer, &after_dot, strlen ("SELECT t."));
    gtk_text_buffer_place_cursor (buffer, &after_dot);
    gtk_source_completion_show (gtk_source_view_get_completion (editor));
    lh_test_settle ();
    lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-completion.png");
    gtk_text_buffer_set_text (buffer, "", -1);
  }
}

/* Explain shows the plan of the statement at the cursor, full scans flagged; an error in
 * it is placed in the statement, not in the EXPLAIN the page added. */
static void
test_explain (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  LhQueryPage *page;
  g_autoptr(GString) texts = g_string_new (NULL);

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  lh_query_page_set_text (page, "SELECT 1;\nSELECT t.title, u.display_name FROM tasks t\n"
                                "  JOIN users u ON u.id = t.assignee_id WHERE t.status = 'todo'\n"
                                "  ORDER BY u.email;\n");
  place_cursor (page, "t.title");
  run_action_and_wait (page, "query.explain");
  g_assert_cmpstr (lh_query_page_get_status (page), ==, "Query plan · 1 full scan");
  collect_labels (GTK_WIDGET (page), texts);
  g_assert_nonnull (strstr (texts->str, "SCAN t\n"));
  g_assert_nonnull (strstr (texts->str, "Reads every row of the table: an index could help\n"));
  g_assert_nonnull (strstr (texts->str, "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)\n"));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-explain.png");

  lh_query_page_set_text (page, "SELECT nosuch FROM tasks");
  run_action_and_wait (page, "query.explain");
  g_assert_cmpstr (lh_query_page_get_error_text (page), ==, "Line 1, column 8: no such column: nosuch");
}

typedef struct
{
  LhQueryPage *page;
  const char  *needle;
} HistoryWait;

static gboolean
history_shows (gpointer data)
{
  HistoryWait *wait = data;
  g_autofree char *text = lh_query_page_dup_history_text (wait->page);

  return g_str_equal (text, wait->needle);
}

static char *
editor_text (LhQueryPage *page)
{
  GtkTextView *editor = GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (page), GTK_TYPE_TEXT_VIEW));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (editor), &start, &end);
  return gtk_text_buffer_get_text (gtk_text_view_get_buffer (editor), &start, &end, FALSE);
}

/* What ran, failures too, is in the history of this database; searching narrows it, and
 * an entry goes back into the editor. */
static void
test_history (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *sql = NULL;
  HistoryWait wait;
  LhQueryPage *page;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  run_query (page, "SELECT 41 + 1 AS answer");
  run_query (page, "SELEKT 2");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.show-history", NULL));
  wait = (HistoryWait) { page, "SELEKT 2\nSELECT 41 + 1 AS answer\n" };
  g_assert_true (lh_test_wait_until (history_shows, &wait, 20000));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-history.png");

  gtk_editable_set_text (GTK_EDITABLE (lh_test_find_widget (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY)),
                         "41");
  wait = (HistoryWait) { page, "SELECT 41 + 1 AS answer\n" };
  g_assert_true (lh_test_wait_until (history_shows, &wait, 20000));
  lh_query_page_activate_history_row (page, 0);
  sql = editor_text (page);
  g_assert_cmpstr (sql, ==, "SELECT 41 + 1 AS answer");
}

static gboolean
saved (gpointer data)
{
  return g_str_has_prefix (lh_query_page_get_status (data), "Saved");
}

/* The rows of a query copied as CSV and saved as SQL INSERTs into the table read. */
static void
test_export (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *target = g_build_filename (fixture->dir, "teams.sql", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (target);
  g_autofree char *csv = NULL;
  g_autofree char *contents = NULL;
  LhQueryPage *page;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  g_assert_null (lh_query_page_dup_results_text (page, "csv"));
  run_query (page, "SELECT id, slug, name FROM teams WHERE id <= 2 ORDER BY id");
  csv = lh_query_page_dup_results_text (page, "csv");
  g_assert_cmpstr (csv, ==, "id,slug,name\r\n1,platform,Platform\r\n2,web,Web\r\n");

  g_assert_true (lh_query_page_export_to_file (page, file, "sql"));
  g_assert_true (lh_test_wait_until (saved, page, 20000));
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==,
                   "INSERT INTO \"teams\" (\"id\", \"slug\", \"name\") VALUES (1, 'platform', 'Platform');\n"
                   "INSERT INTO \"teams\" (\"id\", \"slug\", \"name\") VALUES (2, 'web', 'Web');\n");
}

#define PAGED_SQL \
  "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 30000) " \
  "SELECT n, 'row ' || n AS label FROM seq"

static gboolean
status_starts_with (LhQueryPage *page,
                    const char  *prefix)
{
  return g_str_has_prefix (lh_query_page_get_status (page), prefix);
}

static gboolean
counted_30000 (gpointer data)
{
  return status_starts_with (data, "30000 rows · ");
}

static gboolean
last_row_loaded (gpointer data)
{
  return lh_query_pager_is_loaded (data, 29999);
}

static gboolean
not_running (gpointer data)
{
  return !lh_query_page_get_running (data);
}

/* A result bigger than one run reads: the grid shows every row, counted, read a page at a
 * time as it scrolls; saving writes all of them, and a cancelled save changes nothing. */
static void
test_paged_results (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *target = g_build_filename (fixture->dir, "rows.csv", NULL);
  g_autofree char *kept = g_build_filename (fixture->dir, "kept.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (target);
  g_autoptr(GFile) kept_file = g_file_new_for_path (kept);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autoptr(GDir) dir = NULL;
  LhQueryPage *page;
  LhResultView *view;
  g_autoptr(LhQueryPager) pager = NULL;
  GtkScrolledWindow *scrolled;
  GtkAdjustment *adjustment;
  const char *name;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  view = lh_query_page_get_result_view (page);
  run_query (page, PAGED_SQL);
  pager = g_object_ref (lh_result_view_get_pager (view));
  g_assert_true (lh_query_pager_get_paged (pager));
  g_assert_true (lh_test_wait_until (counted_30000, page, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (lh_result_view_get_column_view (view)))),
                    ==, 30000);

  /* To the end: the last page is read when it comes into view. */
  scrolled = GTK_SCROLLED_WINDOW (lh_test_find_widget (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW));
  adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  lh_test_settle ();
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_true (lh_test_wait_until (last_row_loaded, pager, 20000));
  lh_test_settle ();
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  lh_test_settle ();
  collect_labels (GTK_WIDGET (view), shown);
  g_assert_nonnull (strstr (shown->str, "row 30000\n"));
  g_assert_null (strstr (shown->str, "row 1\n"));
  g_assert_cmpuint (lh_query_pager_get_n_cached_pages (pager), <=, 20);
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "paged-results.png");

  /* Saved: every row, not only those read for the grid. */
  g_assert_true (lh_query_page_export_to_file (page, file, "csv"));
  g_assert_true (lh_test_wait_until (not_running, page, 60000));
  g_assert_cmpstr (lh_query_page_get_status (page), ==, "Saved “rows.csv” (30000 rows)");
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 30002);
  g_assert_cmpstr (lines[0], ==, "n,label");
  g_assert_cmpstr (lines[1], ==, "1,row 1");
  g_assert_cmpstr (lines[30000], ==, "30000,row 30000");
  g_assert_cmpstr (lines[30001], ==, "");

  /* Cancelled: the file that was there stays as it was, and no temporary file is left. */
  g_assert_true (g_file_set_contents (kept, "old\n", -1, NULL));
  g_assert_true (lh_query_page_export_to_file (page, kept_file, "json"));
  g_assert_true (lh_query_page_get_running (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.cancel", NULL));
  g_assert_true (lh_test_wait_until (not_running, page, 20000));
  g_assert_cmpstr (lh_query_page_get_status (page), ==, "Saving cancelled; “kept.csv” was not changed");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (kept, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old\n");
  dir = g_dir_open (fixture->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, ".goutputstream"));

  /* Copied: all of them too, read the same way. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.copy-results", "s", "tsv"));
  g_assert_true (lh_test_wait_until (not_running, page, 60000));
  g_assert_cmpstr (lh_query_page_get_status (page), ==, "Copied 30000 rows");

  /* A new result replaces the pager, which stops. */
  run_query (page, "SELECT 1");
  g_assert_false (lh_query_pager_get_loading (pager));
  g_assert_true (lh_result_view_get_pager (view) != pager);
}

/* Parameters ask for values before the run: a number is bound as one, NULL as NULL, and
 * the values given are offered again next time. Cancel runs nothing. */
static void
test_parameters (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  AdwMessageDialog *dialog;
  GtkWidget *name, *number, *missing;
  LhQueryPage *page;
  LhResultSet *result;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  lh_query_page_set_text (page, "SELECT :name || '!' AS greeting, ?2 + 1 AS next, "
                                "typeof (@missing) AS kind");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run", NULL));
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_false (lh_query_page_get_running (page));
  name = lh_test_find_entry_row (GTK_WIDGET (dialog), ":name");
  number = lh_test_find_entry_row (GTK_WIDGET (dialog), "?2");
  missing = lh_test_find_entry_row (GTK_WIDGET (dialog), "@missing");
  g_assert_nonnull (name);
  g_assert_nonnull (number);
  g_assert_nonnull (missing);
  gtk_editable_set_text (GTK_EDITABLE (name), "Ada");
  gtk_editable_set_text (GTK_EDITABLE (number), "41");
  gtk_toggle_button_set_active (g_object_get_data (G_OBJECT (missing), "lh-null"), TRUE);
  lh_test_save_screenshot (GTK_WIDGET (dialog), "editor-parameters.png");
  adw_message_dialog_response (dialog, "run");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (lh_test_wait_until (query_done, page, 20000));
  result = lh_result_view_get_result (lh_query_page_get_result_view (page));
  g_assert_nonnull (result);
  g_assert_cmpstr (lh_result_set_get_value (result, 0, 0)->v.text.data, ==, "Ada!");
  g_assert_cmpint (lh_result_set_get_value (result, 0, 1)->v.integer, ==, 42);
  g_assert_cmpstr (lh_result_set_get_value (result, 0, 2)->v.text.data, ==, "null");

  /* Again: the values come back; Cancel leaves the results as they were. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run", NULL));
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lh_test_find_entry_row (GTK_WIDGET (dialog), ":name"))), ==,
                   "Ada");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  lh_test_settle ();
  g_assert_false (lh_query_page_get_running (page));
  g_assert_true (lh_result_view_get_result (lh_query_page_get_result_view (page)) == result);
}

static gboolean
status_saved (gpointer data)
{
  return g_str_has_prefix (lh_query_page_get_status (data), "Saved");
}

static gboolean
has_file (gpointer data)
{
  return lh_query_page_get_file (data) != NULL;
}

/* Ctrl+T opens another SQL tab; its text is saved to a .sql file and opened again in a
 * third; the tab says when its file has changes, and closing it then asks. */
static void
test_sql_tabs_and_files (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *sql_path = g_build_filename (fixture->dir, "report.sql", NULL);
  g_autoptr(GFile) sql_file = g_file_new_for_path (sql_path);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  AdwTabView *tabs = lh_window_get_tab_view (fixture->window);
  AdwMessageDialog *dialog;
  LhQueryPage *second, *third;
  AdwTabPage *tab;

  open_path (fixture, path);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-query", NULL));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);
  tab = adw_tab_view_get_selected_page (tabs);
  second = LH_QUERY_PAGE (adw_tab_page_get_child (tab));
  g_assert_cmpstr (adw_tab_page_get_title (tab), ==, "SQL 2");
  run_query (second, "SELECT count(*) AS n FROM tasks");
  g_assert_null (lh_query_page_get_error_text (second));

  lh_query_page_save_to_file (second, sql_file);
  g_assert_true (lh_test_wait_until (status_saved, second, 20000));
  g_assert_true (g_file_get_contents (sql_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "SELECT count(*) AS n FROM tasks");
  g_assert_cmpstr (adw_tab_page_get_title (tab), ==, "report.sql");

  third = lh_window_new_query_tab (fixture->window);
  lh_query_page_open_file (third, sql_file);
  g_assert_true (lh_test_wait_until (has_file, third, 20000));
  text = editor_text (third);
  g_assert_cmpstr (text, ==, "SELECT count(*) AS n FROM tasks");

  lh_query_page_set_text (second, "SELECT 2");
  g_assert_true (lh_query_page_get_modified (second));
  g_assert_cmpstr (adw_tab_page_get_title (tab), ==, "• report.sql");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-tabs.png");
  adw_tab_view_close_page (tabs, tab);
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 3);
  adw_tab_view_close_page (tabs, tab);
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (dialog, "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (sql_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "SELECT count(*) AS n FROM tasks");
}

static void
history_flushed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  gboolean *flushed = user_data;

  g_assert_true (lh_history_flush_finish (LH_HISTORY (source), result, NULL));
  *flushed = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Waits until the history has done all it was asked, tabs loaded and saved included. */
static void
flush_history (void)
{
  gboolean flushed = FALSE;

  lh_history_flush_async (lh_history_get_default (), NULL, history_flushed_cb, &flushed);
  g_assert_true (lh_test_wait_until (flag_set, &flushed, 20000));
  lh_test_settle ();
}

static gboolean
status_not_opened (gpointer data)
{
  return g_str_has_prefix (lh_query_page_get_status (data), "Could not open the file: ");
}

static gboolean
clean_reloaded (gpointer data)
{
  g_autofree char *text = editor_text (data);

  return g_strcmp0 (text, "SELECT 'clean, edited elsewhere'") == 0;
}

/* The SQL tabs of a database come back as they were left when it opens again: their
 * text, their file, unsaved changes; a closed tab does not. */
static void
test_sql_tabs_restored (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *other = g_build_filename (fixture->dir, "other.sqlite", NULL);
  g_autofree char *sql_path = g_build_filename (fixture->dir, "report.sql", NULL);
  g_autoptr(GFile) sql_file = g_file_new_for_path (sql_path);
  g_autofree char *text = NULL;
  g_autoptr(GFile) demo_file = g_file_new_for_path (path);
  g_autoptr(GFile) other_file = NULL;
  AdwMessageDialog *dialog;
  AdwTabView *tabs;
  g_autofree char *clean_path = g_build_filename (fixture->dir, "clean.sql", NULL);
  g_autoptr(GFile) clean_file = g_file_new_for_path (clean_path);
  LhQueryPage *page, *closed, *with_file, *clean;

  g_assert_true (g_file_set_contents (sql_path, "SELECT 'from the file'", -1, NULL));
  g_assert_true (g_file_set_contents (clean_path, "SELECT 'clean, before'", -1, NULL));
  open_path (fixture, path);
  flush_history ();
  lh_query_page_set_text (lh_window_get_query_page (fixture->window), "SELECT 1 AS first");
  closed = lh_window_new_query_tab (fixture->window);
  lh_query_page_set_text (closed, "SELECT 'closed'");
  with_file = lh_window_new_query_tab (fixture->window);
  lh_query_page_open_file (with_file, sql_file);
  g_assert_true (lh_test_wait_until (has_file, with_file, 20000));
  lh_query_page_set_text (with_file, "SELECT 'changed, not saved'");
  clean = lh_window_new_query_tab (fixture->window);
  lh_query_page_open_file (clean, clean_file);
  g_assert_true (lh_test_wait_until (has_file, clean, 20000));
  tabs = lh_window_get_tab_view (fixture->window);
  /* Its text is in no file: closing the tab asks first. */
  adw_tab_view_close_page (tabs, adw_tab_view_get_page (tabs, GTK_WIDGET (closed)));
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Discard Changes to “SQL 2”?");
  lh_test_save_screenshot (GTK_WIDGET (dialog), "editor-close-untitled.png");
  adw_message_dialog_response (dialog, "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  lh_test_settle ();
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 3);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  flush_history ();
  /* Edited elsewhere while the database was closed: the tab without changes shows the file. */
  g_assert_true (g_file_set_contents (clean_path, "SELECT 'clean, edited elsewhere'", -1, NULL));

  /* Another database keeps tabs of its own. */
  other_file = g_file_new_for_path (other);
  g_assert_true (g_file_copy (demo_file, other_file, G_FILE_COPY_NONE, NULL, NULL, NULL, NULL));
  new_window (fixture);
  open_path (fixture, other);
  flush_history ();
  tabs = lh_window_get_tab_view (fixture->window);
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 1);
  text = editor_text (lh_window_get_query_page (fixture->window));
  g_assert_cmpstr (text, ==, "");
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);

  new_window (fixture);
  open_path (fixture, path);
  flush_history ();
  tabs = lh_window_get_tab_view (fixture->window);
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 3);
  page = LH_QUERY_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tabs, 0)));
  g_clear_pointer (&text, g_free);
  text = editor_text (page);
  g_assert_cmpstr (text, ==, "SELECT 1 AS first");
  page = LH_QUERY_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tabs, 1)));
  g_clear_pointer (&text, g_free);
  text = editor_text (page);
  g_assert_cmpstr (text, ==, "SELECT 'changed, not saved'");
  g_assert_true (g_file_equal (lh_query_page_get_file (page), sql_file));
  g_assert_true (lh_query_page_get_modified (page));
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_nth_page (tabs, 1)), ==, "• report.sql");
  clean = LH_QUERY_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tabs, 2)));
  g_assert_true (lh_test_wait_until (clean_reloaded, clean, 20000));
  g_assert_false (lh_query_page_get_modified (clean));
  /* Typed before its file is read again: the reading yields to the typing. */
  lh_query_page_restore (clean, clean_file, "SELECT 'kept'", FALSE);
  lh_query_page_set_text (clean, "SELECT 'typed meanwhile'");
  flush_history ();
  g_usleep (G_USEC_PER_SEC / 5);
  lh_test_settle ();
  g_clear_pointer (&text, g_free);
  text = editor_text (clean);
  g_assert_cmpstr (text, ==, "SELECT 'typed meanwhile'");

  /* Its file gone: the tab keeps the text it had and says why the file was not read. */
  g_assert_cmpint (g_unlink (clean_path), ==, 0);
  lh_query_page_restore (clean, clean_file, "SELECT 'kept'", FALSE);
  g_assert_true (lh_test_wait_until (status_not_opened, clean, 20000));
  g_clear_pointer (&text, g_free);
  text = editor_text (clean);
  g_assert_cmpstr (text, ==, "SELECT 'kept'");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-tabs-restored.png");
}

static gboolean
status_is_snippet_saved (gpointer data)
{
  return g_strcmp0 (lh_query_page_get_status (data), "Snippet saved") == 0;
}

static gboolean
snippets_listed (gpointer data)
{
  g_autofree char *text = lh_query_page_dup_snippets_text (data);

  return g_str_has_prefix (text, "open tasks: ");
}

static gboolean
snippets_empty (gpointer data)
{
  g_autofree char *text = lh_query_page_dup_snippets_text (data);

  return g_strcmp0 (text, "No snippets saved yet: \n") == 0;
}

/* The SQL saved as a snippet under a name is listed in the snippets popover, goes in at
 * the cursor when activated, and can be deleted. */
static void
test_snippets (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *text = NULL;
  GtkMenuButton *button;
  AdwMessageDialog *dialog;
  GtkWidget *entry, *remove;
  LhQueryPage *page;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  /* Nothing to keep: it says so, and asks no name. */
  lh_query_page_set_text (page, "  \n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.save-snippet", NULL));
  lh_test_settle ();
  g_assert_cmpstr (lh_query_page_get_status (page), ==, "There is no SQL to save as a snippet");
  g_assert_null (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  lh_query_page_set_text (page, "SELECT * FROM tasks\n WHERE status <> 'done'");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.save-snippet", NULL));
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  entry = adw_message_dialog_get_extra_child (dialog);
  /* The first line, cut at 40 characters, until a name is given. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "SELECT * FROM tasks  WHERE status <> 'do");
  gtk_editable_set_text (GTK_EDITABLE (entry), "  ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "open tasks");
  lh_test_save_screenshot (GTK_WIDGET (dialog), "editor-snippet-save.png");
  adw_message_dialog_response (dialog, "save");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (lh_test_wait_until (status_is_snippet_saved, page, 20000));

  lh_query_page_set_text (page, "");
  button = lh_query_page_get_snippets_button (page);
  gtk_menu_button_popup (button);
  g_assert_true (lh_test_wait_until (snippets_listed, page, 20000));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-snippets.png");
  lh_query_page_activate_snippet_row (page, 0);
  text = editor_text (page);
  g_assert_cmpstr (text, ==, "SELECT * FROM tasks\n WHERE status <> 'done'");

  gtk_menu_button_popup (button);
  g_assert_true (lh_test_wait_until (snippets_listed, page, 20000));
  remove = lh_query_page_get_snippet_delete_button (page, 0);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_true (lh_test_wait_until (snippets_empty, page, 20000));
}

/* The editor follows the dark style: its highlighting scheme changes with it. */
static void
test_editor_dark (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkSourceBuffer *buffer;
  LhQueryPage *page;

  open_path (fixture, path);
  page = lh_window_get_query_page (fixture->window);
  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (page),
                                                                                            GTK_TYPE_TEXT_VIEW))));
  run_query (page, "-- open tasks per project\nSELECT p.name, count(*) AS open\n"
                   "  FROM tasks t JOIN projects p ON p.id = t.project_id\n"
                   " WHERE t.status <> 'done'\n GROUP BY p.name ORDER BY open DESC LIMIT 12;");
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, "Adwaita");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-light.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  lh_test_settle ();
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==,
                   "Adwaita-dark");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "editor-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  lh_test_settle ();
}

static LhTableView *
open_tasks_and_edit (Fixture *fixture)
{
  LhTableView *view = lh_window_open_table (fixture->window, "teams");
  g_autoptr(LhValue) value = lh_value_new_text ("Grid", -1);
  g_autoptr(LhPagerRow) row = NULL;

  g_assert_nonnull (view);
  lh_test_pager_wait (lh_table_view_get_pager (view));
  row = lh_test_pager_row (lh_table_view_get_pager (view), 0);
  lh_edit_set_set_value (lh_table_view_get_edit_set (view), row, 2, value);
  return view;
}

static gboolean
view_idle (gpointer data)
{
  return !lh_table_view_get_busy (data);
}

static guint
count_message_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window))
        count++;
    }
  return count;
}

/* BEGIN typed in the SQL tab: the header says a transaction is open, the grid will not
 * write inside it, and closing asks; Commit keeps its changes. */
static void
test_transaction_commit (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *after = NULL;
  AdwMessageDialog *dialog;
  LhQueryPage *page;
  LhTableView *view;
  LhSchemaSidebar *sidebar;

  open_path (fixture, path);
  sidebar = LH_SCHEMA_SIDEBAR (lh_test_find_widget (GTK_WIDGET (fixture->window), LH_TYPE_SCHEMA_SIDEBAR));
  g_assert_true (lh_test_wait_until (schema_loaded, sidebar, 20000));
  page = lh_window_get_query_page (fixture->window);
  g_assert_false (lh_window_shows_transaction (fixture->window));
  run_script (page, "BEGIN; UPDATE teams SET name = 'Committed' WHERE id = 1;");
  g_assert_true (lh_window_shows_transaction (fixture->window));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "window-transaction.png");

  view = open_tasks_and_edit (fixture);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "table.write", NULL));
  g_assert_true (lh_test_wait_until (view_idle, view, 20000));
  g_assert_nonnull (strstr (lh_table_view_get_error_text (view), "still open"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "table.revert", NULL));

  gtk_window_close (GTK_WINDOW (fixture->window));
  lh_test_settle ();
  /* Closing again while it asks (Ctrl+Q) asks nothing more. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  lh_test_settle ();
  g_assert_cmpuint (count_message_dialogs (), ==, 1);
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Commit the Open Transaction?");
  adw_message_dialog_response (dialog, "commit");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (lh_test_wait_until (window_hidden, fixture->window, 20000));
  lh_test_settle ();
  after = lh_test_query_text (path, "SELECT name FROM teams WHERE id = 1");
  g_assert_cmpstr (after, ==, "Committed\n");
  g_clear_object (&fixture->window);
  fixture->window = g_object_ref_sink (lh_window_new (NULL));
}

static void
test_transaction_rollback (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *path = lh_test_copy_demo (fixture->dir);
  g_autofree char *before = lh_test_query_text (path, "SELECT name FROM teams WHERE id = 1");
  g_autofree char *after = NULL;
  AdwMessageDialog *dialog;

  open_path (fixture, path);
  run_script (lh_window_get_query_page (fixture->window),
              "BEGIN; UPDATE teams SET name = 'Rolled back' WHERE id = 1;");
  g_assert_true (lh_window_shows_transaction (fixture->window));
  gtk_window_close (GTK_WINDOW (fixture->window));
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (dialog, "rollback");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (lh_test_wait_until (window_hidden, fixture->window, 20000));
  /* The connection closes on its worker thread: wait for the file to be let go. */
  lh_test_settle ();
  after = lh_test_query_text (path, "SELECT name FROM teams WHERE id = 1");
  g_assert_cmpstr (after, ==, before);

  /* COMMIT and ROLLBACK typed by the user make the badge go away. */
  g_clear_object (&fixture->window);
  new_window (fixture);
  open_path (fixture, path);
  run_script (lh_window_get_query_page (fixture->window), "BEGIN;");
  g_assert_true (lh_window_shows_transaction (fixture->window));
  run_script (lh_window_get_query_page (fixture->window), "ROLLBACK;");
  g_assert_false (lh_window_shows_transaction (fixture->window));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = lh_test_make_dir ();
  int status;

  /* The demo copy goes to a data folder of this test's own. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  lh_test_load_style ();
  gtk_source_init ();
  /* What AdwApplication does for the app: icons from the resource bundle. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/litehouse/Litehouse/icons");

#define ADD(name, func) \
  g_test_add ("/window/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("welcome", test_welcome);
  ADD ("statement-at-cursor", test_statement_at_cursor);
  ADD ("script-summary", test_script_summary);
  ADD ("snippets", test_snippets);
  ADD ("completion", test_completion);
  ADD ("explain", test_explain);
  ADD ("history", test_history);
  ADD ("export", test_export);
  ADD ("paged-results", test_paged_results);
  ADD ("parameters", test_parameters);
  ADD ("sql-tabs-and-files", test_sql_tabs_and_files);
  ADD ("sql-tabs-restored", test_sql_tabs_restored);
  ADD ("editor-dark", test_editor_dark);
  ADD ("transaction-commit", test_transaction_commit);
  ADD ("transaction-rollback", test_transaction_rollback);
  ADD ("query", test_query);
  ADD ("schema-refresh", test_schema_refresh);
  ADD ("query-error", test_query_error);
  ADD ("query-error-in-selection", test_query_error_in_selection);
  ADD ("close-stops-query", test_close_stops_query);
  ADD ("bad-file", test_bad_file);
  ADD ("missing-file", test_missing_file);
  ADD ("directory", test_directory);
  ADD ("truncated", test_truncated);
  ADD ("locked", test_locked);
  ADD ("read-only", test_read_only);
  ADD ("demo-copy", test_demo_copy);
  ADD ("drop", test_drop);
  ADD ("demo-missing", test_demo_missing);
#undef ADD

  status = g_test_run ();
  lh_test_remove_dir (data_home);
  return status;
}
