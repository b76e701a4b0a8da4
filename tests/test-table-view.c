/* test-table-view.c — the data grid in a real window (Xvfb in the test command): a table
 * opens in a tab with its rows, NULLs and blobs; cells are edited through the cell
 * editor, rows added and deleted, and "Write Changes" puts exactly that in the file; a
 * write the database refuses changes nothing and says which row; hostile names work in
 * the grid, its filters, its sorting and its edits; views are read-only; closing a window
 * with changes not written asks first. Screenshots land in the build folder. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-schema-sidebar.h"
#include "lh-test-ui.h"
#include "lh-test-util.h"
#include "lh-window.h"

typedef struct
{
  char     *dir;
  char     *path;
  LhWindow *window;
} Fixture;

static char *
png_hex (void)
{
  static const guint8 pixels[4 * 4 * 4] = {
    255, 0, 0, 255,  255, 0, 0, 255,  0, 0, 255, 255,  0, 0, 255, 255,
    255, 0, 0, 255,  255, 0, 0, 255,  0, 0, 255, 255,  0, 0, 255, 255,
    0, 160, 0, 255,  0, 160, 0, 255,  255, 200, 0, 255,  255, 200, 0, 255,
    0, 160, 0, 255,  0, 160, 0, 255,  255, 200, 0, 255,  255, 200, 0, 255,
  };
  g_autoptr(GBytes) bytes = g_bytes_new_static (pixels, sizeof pixels);
  g_autoptr(GdkTexture) texture = gdk_memory_texture_new (4, 4, GDK_MEMORY_R8G8B8A8, bytes, 16);
  g_autoptr(GBytes) png = gdk_texture_save_to_png_bytes (texture);
  gsize size;
  const guint8 *data = g_bytes_get_data (png, &size);
  GString *hex = g_string_new (NULL);

  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, "%02X", data[i]);
  return g_string_free (hex, FALSE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *png = png_hex ();
  g_autofree char *sql = NULL;

  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "people.db", NULL);
  sql = g_strdup_printf (
    "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,"
    "  age INTEGER, photo BLOB, bio TEXT);"
    "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 600) "
    "INSERT INTO people SELECT n, 'person' || n || '@example.org', "
    "  CASE n %% 5 WHEN 0 THEN NULL WHEN 1 THEN 'NULL' WHEN 2 THEN '' ELSE 'Person ' || n END,"
    "  CASE WHEN n %% 7 = 0 THEN NULL ELSE 10 + n %% 70 END,"
    "  CASE WHEN n %% 3 = 0 THEN X'%s' WHEN n %% 3 = 1 THEN randomblob(n) END,"
    "  CASE WHEN n = 4 THEN replace(hex(zeroblob(300)), '0', 'long ') END FROM seq;"
    "CREATE VIEW adults AS SELECT id, name, age FROM people WHERE age >= 18;"
    "CREATE TABLE \"\"\"; DROP TABLE x; --\" (\"select\" TEXT PRIMARY KEY, \"a\"\"b\" INTEGER,"
    "  \"naïve [col]\" TEXT) WITHOUT ROWID;"
    "INSERT INTO \"\"\"; DROP TABLE x; --\" VALUES ('k1', 1, 'one'), ('k2', 2, 'two'),"
    "  ('k3', 3, 'three');"
    "CREATE TABLE x (a);"
    "CREATE TABLE many (id INTEGER PRIMARY KEY, v TEXT);"
    "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 20000) "
    "INSERT INTO many SELECT n, 'v' || n FROM seq;", png);
  lh_test_make_db (fixture->path, sql);

  fixture->window = g_object_ref_sink (lh_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 700);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (gtk_widget_get_realized (GTK_WIDGET (fixture->window)))
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static LhTableView *
open_table (Fixture    *fixture,
            const char *name)
{
  g_autoptr(GFile) file = g_file_new_for_path (fixture->path);
  LhTableView *view;

  if (lh_window_get_connection (fixture->window) == NULL)
    {
      lh_window_open_file (fixture->window, file);
      g_assert_true (lh_test_wait_until (lh_test_window_schema_loaded, fixture->window, 20000));
    }
  view = lh_window_open_table (fixture->window, name);
  g_assert_nonnull (view);
  lh_test_table_wait_idle (view);
  return view;
}

static char *
query_file (Fixture    *fixture,
            const char *sql)
{
  return lh_test_query_text (fixture->path, sql);
}

static void
activate (LhTableView *view,
          const char  *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), action, NULL));
}

static void
test_grid (Fixture       *fixture,
           gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "people");
  LhTablePager *pager = lh_table_view_get_pager (view);
  g_autoptr(LhPagerRow) row = NULL;

  g_assert_cmpstr (lh_table_view_get_count_text (view), ==, "600 rows");
  g_assert_cmpuint (lh_table_pager_get_n_columns (pager), ==, 6);
  g_assert_true (lh_table_pager_is_loaded (pager, 0));
  row = g_list_model_get_item (G_LIST_MODEL (pager), 2);
  g_assert_cmpint (lh_pager_row_get_value (row, 4)->kind, ==, LH_VALUE_BLOB);
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "table-grid.png");

  /* The cell editor on a blob that is an image shows it, and its bytes. */
  g_assert_true (lh_table_view_edit_cell (view, 2, 4));
  g_assert_nonnull (lh_test_find_widget (lh_table_view_get_editor (view), GTK_TYPE_IMAGE));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "table-blob-editor.png");
  activate (view, "table.editor-cancel");

  /* Sorting by a header asks the database for the rows in that order. */
  {
    GListModel *columns = gtk_column_view_get_columns (lh_table_view_get_column_view (view));
    g_autoptr(GtkColumnViewColumn) age = g_list_model_get_item (columns, 3);
    g_autoptr(LhPagerRow) first = NULL;

    gtk_column_view_sort_by_column (lh_table_view_get_column_view (view), age, GTK_SORT_DESCENDING);
    lh_test_table_wait_idle (view);
    g_assert_cmpint (lh_table_pager_get_sort_column (pager), ==, 3);
    g_assert_true (lh_table_pager_get_sort_descending (pager));
    first = g_list_model_get_item (G_LIST_MODEL (pager), 0);
    g_assert_true (lh_pager_row_get_loaded (first));
    g_assert_cmpint (lh_pager_row_get_value (first, 3)->v.integer, ==, 79);
  }

  /* A filter: the rows where name IS NULL. */
  lh_table_view_add_condition (view, 2, LH_FILTER_IS_NULL, NULL);
  activate (view, "table.apply-filters");
  lh_test_table_wait_idle (view);
  g_assert_cmpstr (lh_table_view_get_count_text (view), ==, "120 rows match the filter");
}

static void
test_edit_and_write (Fixture       *fixture,
                     gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "people");
  g_autofree char *before = query_file (fixture, "SELECT * FROM people");
  g_autofree char *after = NULL;
  guint n;

  lh_test_table_edit_cell (view, 0, 2, "Ada Lovelace");
  g_assert_true (lh_table_view_edit_cell (view, 1, 3));
  activate (view, "table.editor-set-null");
  lh_table_view_select (view, 2, TRUE);
  activate (view, "table.delete-rows");
  activate (view, "table.add-row");
  n = g_list_model_get_n_items (G_LIST_MODEL (lh_table_view_get_pager (view)));
  lh_test_table_edit_cell (view, n, 1, "edsger@example.org");
  lh_test_table_edit_cell (view, n, 3, "72");
  g_assert_true (lh_table_view_get_has_changes (view));
  g_assert_true (lh_window_get_has_changes (fixture->window));

  /* Nothing is in the file yet. */
  after = query_file (fixture, "SELECT * FROM people");
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);

  /* The new row, at the end. */
  lh_test_settle ();
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "table-new-row.png");

  /* The edit in progress, with the pending changes above it marked. */
  lh_table_view_scroll_to (view, 0);
  lh_test_settle ();
  g_assert_true (lh_table_view_edit_cell (view, 3, 2));
  gtk_text_buffer_set_text (lh_table_view_get_editor_buffer (view), "Grace Hopper", -1);
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "table-edit-pending.png");
  activate (view, "table.editor-apply");

  activate (view, "table.write");
  lh_test_table_wait_idle (view);
  g_assert_null (lh_table_view_get_error_text (view));
  g_assert_false (lh_table_view_get_has_changes (view));

  after = query_file (fixture, "SELECT id, name, typeof(age), age FROM people WHERE id <= 4 OR id > 600");
  g_assert_cmpstr (after, ==,
                   "1|Ada Lovelace|integer|11\n"
                   "2||null|NULL\n"
                   "4|Grace Hopper|integer|14\n"
                   "601|NULL|integer|72\n");
  g_clear_pointer (&after, g_free);
  after = query_file (fixture, "SELECT count(*) FROM people");
  g_assert_cmpstr (after, ==, "600\n");
  g_assert_cmpstr (lh_table_view_get_count_text (view), ==, "600 rows");
}

static void
test_write_error (Fixture       *fixture,
                  gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "people");
  g_autofree char *before = query_file (fixture, "SELECT * FROM people");
  g_autofree char *after = NULL;
  const char *error;
  guint n;

  lh_test_table_edit_cell (view, 0, 2, "Changed");
  activate (view, "table.add-row");
  n = g_list_model_get_n_items (G_LIST_MODEL (lh_table_view_get_pager (view)));
  lh_test_table_edit_cell (view, n, 1, "person5@example.org");
  activate (view, "table.write");
  lh_test_table_wait_idle (view);

  error = lh_table_view_get_error_text (view);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "Nothing was written: new row 1 could not be saved."));
  g_assert_nonnull (strstr (error, "UNIQUE constraint failed: people.email"));
  g_assert_true (lh_table_view_get_has_changes (view));
  after = query_file (fixture, "SELECT * FROM people");
  g_assert_cmpstr (after, ==, before);
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "table-write-error.png");

  activate (view, "table.revert");
  g_assert_false (lh_table_view_get_has_changes (view));
  g_assert_null (lh_table_view_get_error_text (view));
}

static void
test_hostile_names (Fixture       *fixture,
                    gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "\"; DROP TABLE x; --");
  LhTablePager *pager = lh_table_view_get_pager (view);
  g_autofree char *after = NULL;
  GListModel *columns = gtk_column_view_get_columns (lh_table_view_get_column_view (view));
  g_autoptr(GtkColumnViewColumn) weird = g_list_model_get_item (columns, 1);

  g_assert_cmpstr (gtk_column_view_column_get_title (weird), ==, "a\"b");
  gtk_column_view_sort_by_column (lh_table_view_get_column_view (view), weird, GTK_SORT_DESCENDING);
  lh_table_view_add_condition (view, 2, LH_FILTER_LIKE, "t%");
  activate (view, "table.apply-filters");
  lh_test_table_wait_idle (view);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, 2);
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "table-hostile-names.png");

  /* Row 0 is k3 ("three": highest "a""b" of those matching). */
  lh_test_table_edit_cell (view, 0, 2, "it's \"three\"");
  lh_table_view_select (view, 1, TRUE);
  activate (view, "table.delete-rows");
  activate (view, "table.write");
  lh_test_table_wait_idle (view);
  g_assert_null (lh_table_view_get_error_text (view));
  after = query_file (fixture, "SELECT * FROM \"\"\"; DROP TABLE x; --\" ORDER BY 1");
  g_assert_cmpstr (after, ==, "k1|1|one\nk3|3|it's \"three\"\n");
  g_clear_pointer (&after, g_free);
  after = query_file (fixture, "SELECT count(*) FROM sqlite_master WHERE name = 'x'");
  g_assert_cmpstr (after, ==, "1\n");
}

static void
test_view_read_only (Fixture       *fixture,
                     gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "adults");

  g_assert_nonnull (strstr (lh_table_view_get_count_text (view), "read-only"));
  gtk_widget_activate_action (GTK_WIDGET (view), "table.add-row", NULL);
  g_assert_false (lh_table_view_get_has_changes (view));
  /* The editor shows the value but cannot change it. */
  g_assert_true (lh_table_view_edit_cell (view, 0, 1));
  gtk_text_buffer_set_text (lh_table_view_get_editor_buffer (view), "changed", -1);
  gtk_widget_activate_action (GTK_WIDGET (view), "table.editor-apply", NULL);
  g_assert_false (lh_table_view_get_has_changes (view));
}

static void
test_copy (Fixture       *fixture,
           gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "people");
  g_autofree char *csv = NULL;
  g_autofree char *sql = NULL;
  guint n_rows = 0;

  lh_table_view_select (view, 0, TRUE);
  lh_table_view_select (view, 4, FALSE);
  csv = lh_table_view_dup_selection_text (view, "csv", &n_rows, NULL);
  g_assert_cmpuint (n_rows, ==, 2);
  g_assert_true (g_str_has_prefix (csv, "id,email,name,age,photo,bio\r\n1,person1@example.org,NULL,11,"));
  sql = lh_table_view_dup_selection_text (view, "sql", &n_rows, NULL);
  g_assert_true (g_str_has_prefix (sql, "INSERT INTO \"people\" (\"id\", \"email\", \"name\","));
  g_assert_nonnull (strstr (sql, "(5, 'person5@example.org', NULL, 15,"));
}

static void
test_close_asks (Fixture       *fixture,
                 gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "people");
  g_autofree char *before = query_file (fixture, "SELECT * FROM people");
  g_autofree char *after = NULL;
  AdwMessageDialog *dialog;

  lh_test_table_edit_cell (view, 0, 2, "Unsaved");
  gtk_window_close (GTK_WINDOW (fixture->window));
  lh_test_settle ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  lh_test_save_screenshot (GTK_WIDGET (dialog), "table-close-dialog.png");

  adw_message_dialog_response (dialog, "cancel");
  lh_test_settle ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_assert_true (lh_table_view_get_has_changes (view));

  gtk_window_close (GTK_WINDOW (fixture->window));
  lh_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "discard");
  lh_test_settle ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  after = query_file (fixture, "SELECT * FROM people");
  g_assert_cmpstr (after, ==, before);
}

/* Select all on a table whose later pages were never shown: deleting or copying them
 * would act on rows nobody has seen, so it is refused with a reason. */
static void
test_unread_selection (Fixture       *fixture,
                       gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "many");
  GtkSelectionModel *selection = gtk_column_view_get_model (lh_table_view_get_column_view (view));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_false (lh_table_pager_is_loaded (lh_table_view_get_pager (view), 10000));
  gtk_selection_model_select_all (selection);
  activate (view, "table.delete-rows");
  g_assert_false (lh_table_view_get_has_changes (view));
  g_assert_nonnull (lh_table_view_get_error_text (view));
  g_assert_nonnull (strstr (lh_table_view_get_error_text (view), "have not been read yet"));
  text = lh_table_view_dup_selection_text (view, "csv", NULL, &error);
  g_assert_null (text);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static gboolean
query_idle (gpointer data)
{
  return !lh_query_page_get_running (data);
}

static gboolean
has_seven_columns (gpointer data)
{
  LhWindow *window = data;
  AdwTabPage *page = adw_tab_view_get_selected_page (lh_window_get_tab_view (window));
  GtkWidget *child = page != NULL ? adw_tab_page_get_child (page) : NULL;

  return LH_IS_TABLE_VIEW (child) &&
         lh_table_pager_get_n_columns (lh_table_view_get_pager (LH_TABLE_VIEW (child))) == 7;
}

/* A column added in the SQL tab shows in the open tab; a dropped table's tab closes. */
static void
test_schema_follows (Fixture       *fixture,
                     gconstpointer  data)
{
  LhQueryPage *page;
  AdwTabView *tabs = lh_window_get_tab_view (fixture->window);

  open_table (fixture, "x");
  open_table (fixture, "people");
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 3);
  page = lh_window_get_query_page (fixture->window);
  lh_query_page_set_text (page, "ALTER TABLE people ADD COLUMN nickname TEXT; DROP TABLE x;");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run-all", NULL));
  g_assert_true (lh_test_wait_until (query_idle, page, 20000));
  adw_tab_view_set_selected_page (tabs, adw_tab_view_get_nth_page (tabs, adw_tab_view_get_n_pages (tabs) - 1));
  g_assert_true (lh_test_wait_until (has_seven_columns, fixture->window, 20000));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Text typed into an INTEGER column is flagged before it is applied. */
static void
test_number_warning (Fixture       *fixture,
                     gconstpointer  data)
{
  LhTableView *view = open_table (fixture, "people");
  g_autoptr(LhPagerRow) first = NULL;
  GtkWidget *warning;

  g_assert_true (lh_table_view_edit_cell (view, 0, 3));
  warning = find_label (lh_table_view_get_editor (view),
                        "This is not a number: it will be stored as text.");
  g_assert_nonnull (warning);
  g_assert_false (gtk_widget_get_visible (warning));
  gtk_text_buffer_set_text (lh_table_view_get_editor_buffer (view), "forty", -1);
  g_assert_true (gtk_widget_get_visible (warning));
  gtk_text_buffer_set_text (lh_table_view_get_editor_buffer (view), "40", -1);
  g_assert_false (gtk_widget_get_visible (warning));
  activate (view, "table.editor-apply");
  first = g_list_model_get_item (G_LIST_MODEL (lh_table_view_get_pager (view)), 0);
  g_assert_cmpint (lh_edit_set_get_value (lh_table_view_get_edit_set (view), first, 3)->kind, ==,
                   LH_VALUE_INTEGER);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  lh_test_load_style ();

#define ADD(name, func) \
  g_test_add ("/table-view/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("grid", test_grid);
  ADD ("edit-and-write", test_edit_and_write);
  ADD ("write-error", test_write_error);
  ADD ("hostile-names", test_hostile_names);
  ADD ("view-read-only", test_view_read_only);
  ADD ("copy", test_copy);
  ADD ("close-asks", test_close_asks);
  ADD ("unread-selection", test_unread_selection);
  ADD ("schema-follows", test_schema_follows);
  ADD ("number-warning", test_number_warning);

#undef ADD

  return g_test_run ();
}
