/* test-schema-sidebar.c — the schema tree in a real window: groups per kind, a table's
 * columns with their types and keys, its indexes, foreign keys and triggers; row counts
 * arriving in the background; the search field; a foreign key that opens the table it
 * references; the definition window; and drop, which names what goes, asks, and then
 * removes the object from the file, the tree and the tabs. */
#include "config.h"

#include "lh-schema-sidebar.h"
#include "lh-test-ui.h"
#include "lh-test-util.h"
#include "lh-window.h"

typedef struct
{
  char            *dir;
  char            *path;
  LhWindow        *window;
  LhSchemaSidebar *sidebar;
} Fixture;

#define SCHEMA_SQL \
  "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'unnamed');" \
  "CREATE TABLE members (id INTEGER PRIMARY KEY," \
  "  team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE, email TEXT UNIQUE," \
  "  shout TEXT GENERATED ALWAYS AS (upper(email)));" \
  "CREATE INDEX members_by_team ON members (team_id);" \
  "CREATE TRIGGER members_touch AFTER UPDATE ON members BEGIN SELECT 1; END;" \
  "CREATE VIEW team_sizes AS SELECT team_id, count(*) AS n FROM members GROUP BY team_id;" \
  "CREATE TABLE \"\"\"; DROP TABLE x; --\" (a);" \
  "CREATE TABLE x (a);" \
  "INSERT INTO teams (name) VALUES ('Platform'), ('Web'), ('Data');" \
  "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 250) " \
  "INSERT INTO members (team_id, email) SELECT n % 3 + 1, 'm' || n || '@example.org' FROM seq;"

static gboolean
sidebar_ready (gpointer data)
{
  Fixture *fixture = data;

  return lh_schema_sidebar_get_schema (fixture->sidebar) != NULL &&
         !lh_schema_sidebar_get_counting (fixture->sidebar);
}

static void
wait_ready (Fixture *fixture)
{
  g_assert_true (lh_test_wait_until (sidebar_ready, fixture, 20000));
  lh_test_settle ();
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;

  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "teams.db", NULL);
  lh_test_make_db (fixture->path, SCHEMA_SQL);
  fixture->window = g_object_ref_sink (lh_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 760);
  gtk_window_present (GTK_WINDOW (fixture->window));
  fixture->sidebar = LH_SCHEMA_SIDEBAR (lh_test_find_widget (GTK_WIDGET (fixture->window),
                                                             LH_TYPE_SCHEMA_SIDEBAR));
  file = g_file_new_for_path (fixture->path);
  lh_window_open_file (fixture->window, file);
  wait_ready (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
assert_has_line (const char *text,
                 const char *line)
{
  g_autofree char *needle = g_strconcat ("\n", line, "\n", NULL);
  g_autofree char *haystack = g_strconcat ("\n", text, NULL);

  if (strstr (haystack, needle) == NULL)
    g_error ("no line “%s” in:\n%s", line, text);
}

static void
test_tree (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *rows = NULL;

  g_assert_true (lh_schema_sidebar_set_expanded (fixture->sidebar, "members", TRUE));
  g_assert_true (lh_schema_sidebar_set_expanded (fixture->sidebar, "Foreign Keys", TRUE));
  g_assert_true (lh_schema_sidebar_set_expanded (fixture->sidebar, "Indexes", TRUE));
  rows = lh_schema_sidebar_dup_rows_text (fixture->sidebar);

  assert_has_line (rows, "Tables · 4");
  assert_has_line (rows, "  \"; DROP TABLE x; -- · 0");
  assert_has_line (rows, "  members · 250");
  assert_has_line (rows, "    id · INTEGER · PK");
  assert_has_line (rows, "    team_id · INTEGER · NOT NULL");
  assert_has_line (rows, "    shout · TEXT · generated");
  assert_has_line (rows, "    Indexes · 1");
  assert_has_line (rows, "      members_by_team");
  assert_has_line (rows, "  members_by_team · members");
  assert_has_line (rows, "    Foreign Keys · 1");
  assert_has_line (rows, "      team_id → teams (id) · ON DELETE CASCADE");
  assert_has_line (rows, "    Triggers · 1");
  assert_has_line (rows, "  teams · 3");
  assert_has_line (rows, "Views · 1");
  assert_has_line (rows, "  team_sizes");
  assert_has_line (rows, "Indexes · 1");
  assert_has_line (rows, "Triggers · 1");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "sidebar-tree.png");

  g_clear_pointer (&rows, g_free);
  g_assert_true (lh_schema_sidebar_set_expanded (fixture->sidebar, "teams", TRUE));
  rows = lh_schema_sidebar_dup_rows_text (fixture->sidebar);
  assert_has_line (rows, "    name · TEXT · NOT NULL · = 'unnamed'");
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *rows = NULL;

  lh_schema_sidebar_set_search (fixture->sidebar, "TEAM");
  rows = lh_schema_sidebar_dup_rows_text (fixture->sidebar);
  assert_has_line (rows, "  teams · 3");
  assert_has_line (rows, "  team_sizes");
  g_assert_null (strstr (rows, "members ·"));
  g_assert_null (strstr (rows, "DROP TABLE"));

  lh_schema_sidebar_set_search (fixture->sidebar, "");
  g_clear_pointer (&rows, g_free);
  rows = lh_schema_sidebar_dup_rows_text (fixture->sidebar);
  assert_has_line (rows, "  members · 250");
}

static void
test_foreign_key_jump (Fixture       *fixture,
                       gconstpointer  data)
{
  AdwTabView *tabs = lh_window_get_tab_view (fixture->window);
  GtkWidget *selected;

  g_assert_true (lh_schema_sidebar_set_expanded (fixture->sidebar, "members", TRUE));
  g_assert_true (lh_schema_sidebar_set_expanded (fixture->sidebar, "Foreign Keys", TRUE));
  g_assert_true (lh_schema_sidebar_activate (fixture->sidebar, "team_id → teams (id)"));
  selected = adw_tab_page_get_child (adw_tab_view_get_selected_page (tabs));
  g_assert_true (LH_IS_TABLE_VIEW (selected));
  g_assert_cmpstr (lh_schema_object_get_name (lh_table_view_get_object (LH_TABLE_VIEW (selected))), ==,
                   "teams");

  /* A table's own row opens it; a second activation selects the same tab. */
  g_assert_true (lh_schema_sidebar_activate (fixture->sidebar, "members"));
  g_assert_true (lh_schema_sidebar_activate (fixture->sidebar, "members"));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 3);
}

static void
test_definition (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWindow *definition;
  GtkTextView *view;
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  g_assert_true (lh_schema_sidebar_select (fixture->sidebar, "members"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->sidebar), "sidebar.show-definition", NULL));
  lh_test_settle ();
  /* The main window is an AdwApplicationWindow: the only AdwWindow is the definition. */
  definition = lh_test_find_toplevel (ADW_TYPE_WINDOW);
  g_assert_nonnull (definition);
  g_assert_cmpstr (gtk_window_get_title (definition), ==, "members");
  view = GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (definition), GTK_TYPE_TEXT_VIEW));
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
  text = gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, FALSE);
  g_assert_true (g_str_has_prefix (text, "CREATE TABLE members (id INTEGER PRIMARY KEY"));
  g_assert_false (gtk_text_view_get_editable (view));
  lh_test_save_screenshot (GTK_WIDGET (definition), "sidebar-definition.png");
  gtk_window_destroy (definition);
}

static gboolean
object_gone (gpointer data)
{
  Fixture *fixture = data;
  LhSchema *schema = lh_schema_sidebar_get_schema (fixture->sidebar);

  return schema != NULL && lh_schema_lookup (schema, "members") == NULL;
}

static void
test_drop (Fixture       *fixture,
           gconstpointer  data)
{
  AdwTabView *tabs = lh_window_get_tab_view (fixture->window);
  AdwMessageDialog *dialog;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) reader = NULL;
  g_autoptr(LhResultSet) left = NULL;

  lh_window_open_table (fixture->window, "members");
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);

  /* Cancelling changes nothing. */
  g_assert_true (lh_schema_sidebar_select (fixture->sidebar, "members"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->sidebar), "sidebar.drop", NULL));
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Drop “members”?");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "The table “members” will be deleted with all its rows (250), 1 index and "
                   "1 trigger. This cannot be undone.");
  lh_test_save_screenshot (GTK_WIDGET (dialog), "sidebar-drop-dialog.png");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  lh_test_settle ();
  g_assert_nonnull (lh_schema_lookup (lh_schema_sidebar_get_schema (fixture->sidebar), "members"));

  g_assert_true (lh_schema_sidebar_select (fixture->sidebar, "members"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->sidebar), "sidebar.drop", NULL));
  dialog = ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (dialog, "drop");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (lh_test_wait_until (object_gone, fixture, 20000));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 1);

  reader = lh_test_open (fixture->path, LH_LOCAL_OPEN_READ_ONLY, 300, &error);
  g_assert_no_error (error);
  left = lh_test_execute (LH_CONNECTION (reader),
                          "SELECT group_concat(name) FROM sqlite_master WHERE name LIKE 'member%'",
                          NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_value (left, 0, 0)->kind, ==, LH_VALUE_NULL);
}

static gboolean
view_idle (gpointer data)
{
  return !lh_table_view_get_busy (data);
}

static gboolean
attached_loaded (gpointer data)
{
  Fixture *fixture = data;
  LhSchema *schema = lh_schema_sidebar_get_schema (fixture->sidebar);

  return schema != NULL && lh_schema_get_n_databases (schema) == 2 &&
         !lh_schema_sidebar_get_counting (fixture->sidebar);
}

static gboolean
query_idle (gpointer data)
{
  return !lh_query_page_get_running (data);
}

/* ATTACH typed in the SQL tab adds the database to the tree, its tables under it. */
static void
test_attached (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *other = g_build_filename (fixture->dir, "archive.db", NULL);
  g_autofree char *sql = g_strdup_printf ("ATTACH '%s' AS archive", other);
  g_autofree char *rows = NULL;
  LhQueryPage *page = lh_window_get_query_page (fixture->window);
  AdwTabView *tabs = lh_window_get_tab_view (fixture->window);
  LhTableView *view;

  lh_test_make_db (other, "CREATE TABLE members (id INTEGER PRIMARY KEY, gone_at TEXT);"
                          "INSERT INTO members (gone_at) VALUES ('2024-01-01'), ('2024-02-01');");
  lh_query_page_set_text (page, sql);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run", NULL));
  g_assert_true (lh_test_wait_until (query_idle, page, 20000));
  g_assert_true (lh_test_wait_until (attached_loaded, fixture, 20000));

  rows = lh_schema_sidebar_dup_rows_text (fixture->sidebar);
  assert_has_line (rows, "archive · attached");
  assert_has_line (rows, "  Tables · 1");
  assert_has_line (rows, "    members · 2");
  assert_has_line (rows, "  members · 250");

  /* The attached table opens in a tab of its own, beside main's table of the same name. */
  lh_window_open_table (fixture->window, "members");
  view = lh_window_open_object (fixture->window,
                                lh_schema_lookup_in (lh_schema_sidebar_get_schema (fixture->sidebar),
                                                     "archive", "members"));
  g_assert_nonnull (view);
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 3);
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_selected_page (tabs)), ==, "archive.members");
  g_assert_true (lh_test_wait_until (view_idle, view, 20000));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "sidebar-attached.png");
}

/* A table's structure page: its columns, index, foreign key (which opens the table it
 * references), trigger and definition. */
static void
test_structure (Fixture       *fixture,
                gconstpointer  data)
{
  AdwTabView *tabs = lh_window_get_tab_view (fixture->window);
  LhTableView *view = lh_window_open_table (fixture->window, "members");
  LhObjectDetails *details;
  g_autofree char *text = NULL;
  GtkWidget *selected;

  g_assert_true (lh_test_wait_until (view_idle, view, 20000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "table.show-structure", NULL));
  details = lh_table_view_get_details (view);
  g_assert_nonnull (details);
  text = lh_object_details_dup_text (details);
  assert_has_line (text, "Columns");
  assert_has_line (text, "  id · INTEGER · PK");
  assert_has_line (text, "  shout · TEXT · generated");
  assert_has_line (text, "Indexes");
  assert_has_line (text, "  members_by_team · CREATE INDEX members_by_team ON members (team_id)");
  assert_has_line (text, "Foreign Keys");
  assert_has_line (text, "  team_id → teams (id) · ON DELETE CASCADE");
  assert_has_line (text, "Triggers");
  assert_has_line (text, "Definition");
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "table-structure.png");

  g_assert_true (lh_object_details_activate_foreign_key (details, 0));
  selected = adw_tab_page_get_child (adw_tab_view_get_selected_page (tabs));
  g_assert_cmpstr (lh_schema_object_get_name (lh_table_view_get_object (LH_TABLE_VIEW (selected))), ==,
                   "teams");

  /* Back to the rows. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "table.show-structure", NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (details)) && gtk_widget_get_mapped (GTK_WIDGET (details)));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  lh_test_load_style ();

#define ADD(name, func) \
  g_test_add ("/schema-sidebar/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("tree", test_tree);
  ADD ("search", test_search);
  ADD ("foreign-key-jump", test_foreign_key_jump);
  ADD ("definition", test_definition);
  ADD ("drop", test_drop);
  ADD ("attached", test_attached);
  ADD ("structure", test_structure);

#undef ADD

  return g_test_run ();
}
