/* test-migrations-page.c — the Migrations tab of a real window on a copy of the demo
 * database and its migrations folder (found beside it): the timeline with applied,
 * pending, changed and missing nodes, the schema change a pending one would make, a
 * rehearsal that leaves the file as it was, an apply through its confirmation (with the
 * copy taken first), and a failing migration named with its file, statement and line,
 * leaving nothing behind. Screenshots of the timeline and both dialogs. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "lh-migrations-page.h"
#include "lh-test-ui.h"
#include "lh-test-util.h"
#include "lh-window.h"

typedef struct
{
  char     *dir;
  char     *path;
  char     *migrations;
  LhWindow *window;
} Fixture;

/* The demo's migrations folder, copied beside the database as build-aux/run lays it out. */
static void
copy_migrations (const char *target)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "..", "data", "demo", "migrations", NULL);
  g_autoptr(GDir) dir = g_dir_open (source, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir (target, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (source, name, NULL);
      g_autofree char *to = g_build_filename (target, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_str_has_suffix (name, ".sql"))
        continue;
      g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
      g_assert_true (g_file_set_contents (to, contents, length, NULL));
    }
}

static gboolean
page_is_settled (gpointer data)
{
  return g_strcmp0 (lh_window_get_page_name (data), "database") == 0;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;

  fixture->dir = lh_test_make_dir ();
  fixture->path = lh_test_copy_demo (fixture->dir);
  fixture->migrations = g_build_filename (fixture->dir, "migrations", NULL);
  copy_migrations (fixture->migrations);
  fixture->window = g_object_ref_sink (lh_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 700);
  gtk_window_present (GTK_WINDOW (fixture->window));
  file = g_file_new_for_path (fixture->path);
  lh_window_open_file (fixture->window, file);
  g_assert_true (lh_test_wait_until (page_is_settled, fixture->window, 20000));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->migrations);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gboolean
page_loaded (gpointer data)
{
  return lh_migrations_page_get_items (data) != NULL && !lh_migrations_page_get_busy (data);
}

typedef struct
{
  LhMigrationsPage *page;
  const char       *words;
} Awaited;

static gboolean
timeline_says (gpointer data)
{
  Awaited *awaited = data;
  g_autofree char *text = lh_migrations_page_dup_timeline_text (awaited->page);

  return strstr (text, awaited->words) != NULL && !lh_migrations_page_get_busy (awaited->page);
}

static gboolean
changes_say (gpointer data)
{
  Awaited *awaited = data;
  g_autofree char *text = lh_migrations_page_dup_changes_text (awaited->page);

  return strstr (text, awaited->words) != NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
page_idle (gpointer data)
{
  return !lh_migrations_page_get_busy (data);
}

static AdwMessageDialog *
wait_for_dialog (void)
{
  g_assert_true (lh_test_wait_until (dialog_shown, NULL, 30000));
  return ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

static void
close_dialog (AdwMessageDialog *dialog,
              const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  lh_test_settle ();
}

static void
wait_for_timeline (LhMigrationsPage *page,
                   const char       *words)
{
  Awaited awaited = { page, words };

  if (!lh_test_wait_until (timeline_says, &awaited, 30000))
    {
      g_autofree char *text = lh_migrations_page_dup_timeline_text (page);

      g_error ("no “%s” in the timeline:\n%s(%s)", words, text, lh_migrations_page_get_error_text (page));
    }
}

static void
write_migration (Fixture    *fixture,
                 const char *name,
                 const char *sql)
{
  g_autofree char *path = g_build_filename (fixture->migrations, name, NULL);

  g_assert_true (g_file_set_contents (path, sql, -1, NULL));
}

/* The backups of the database, as the Backups tab lists them. */
static GListModel *
list_backups (Fixture *fixture)
{
  g_autoptr(LhBackupCatalog) catalog = lh_backup_catalog_new (fixture->path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *backups;

  lh_backup_catalog_list_async (catalog, NULL, lh_test_store_result_cb, &result);
  backups = lh_backup_catalog_list_finish (catalog, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return backups;
}

static void
test_timeline (Fixture       *fixture,
               gconstpointer  data)
{
  LhMigrationsPage *page = lh_window_open_migrations (fixture->window);
  g_autofree char *edited = g_build_filename (fixture->migrations, "0003_add_comments_and_tags.sql", NULL);
  g_autofree char *gone = g_build_filename (fixture->migrations, "0002_create_projects_and_tasks.sql", NULL);
  g_autofree char *text = NULL;
  g_autofree char *contents = NULL;
  Awaited preview = { page, "estimate_hours" };

  /* The folder beside the database is found; the demo has 4 applied and 1 pending. */
  g_assert_nonnull (page);
  g_assert_true (lh_test_wait_until (page_loaded, page, 30000));
  g_assert_cmpstr (lh_migrations_page_get_summary (page), ==, "4 applied · 1 pending");

  /* A file edited since it was applied, and one gone. */
  g_assert_true (g_file_get_contents (edited, &contents, NULL, NULL));
  {
    g_autofree char *changed = g_strconcat (contents, "\n-- edited after it was applied\n", NULL);

    g_assert_true (g_file_set_contents (edited, changed, -1, NULL));
  }
  g_assert_cmpint (g_remove (gone), ==, 0);
  write_migration (fixture, "0006_add_story_points.sql",
                   "ALTER TABLE tasks ADD COLUMN story_points INTEGER NOT NULL DEFAULT 2;\n"
                   "CREATE INDEX idx_tasks_story_points ON tasks (story_points);\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.refresh", NULL));
  wait_for_timeline (page, "0006");
  text = lh_migrations_page_dup_timeline_text (page);
  g_assert_nonnull (strstr (text, "0001 · create users and teams — Applied 2026-01-05 10:00:00\n"));
  g_assert_nonnull (strstr (text, "0002 · create projects and tasks — Applied 2026-01-06 10:00:00; its file is missing\n"));
  g_assert_nonnull (strstr (text, "0003 · add comments and tags — Applied 2026-01-07 10:00:00; its file has changed since\n"));
  g_assert_nonnull (strstr (text, "0005 · add task estimates — Pending\n"));
  g_assert_nonnull (strstr (text, "0006 · add story points — Pending\n"));
  g_assert_cmpstr (lh_migrations_page_get_summary (page), ==,
                   "4 applied · 2 pending · 1 changed since applied · 1 file missing");

  /* The first pending one is selected, with the change it would make. */
  g_assert_true (lh_test_wait_until (changes_say, &preview, 30000));
  g_clear_pointer (&text, g_free);
  text = lh_migrations_page_dup_changes_text (page);
  g_assert_nonnull (strstr (text, "tasks.estimate_hours"));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "migrations-timeline.png");

  /* The second pending one: its change alone, made after the first. */
  lh_migrations_page_select (page, 5);
  preview.words = "idx_tasks_story_points";
  g_assert_true (lh_test_wait_until (changes_say, &preview, 30000));
  g_clear_pointer (&text, g_free);
  text = lh_migrations_page_dup_changes_text (page);
  g_assert_nonnull (strstr (text, "tasks.story_points"));
  g_assert_null (strstr (text, "estimate_hours"));
}

static void
test_rehearse_and_apply (Fixture       *fixture,
                         gconstpointer  data)
{
  LhMigrationsPage *page = lh_window_open_migrations (fixture->window);
  g_autofree char *before = NULL;
  g_autofree char *text = NULL;
  AdwMessageDialog *dialog;
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(LhBackup) backup = NULL;

  g_assert_true (lh_test_wait_until (page_loaded, page, 30000));
  before = lh_test_checksum (fixture->path);

  /* A rehearsal reports the change and leaves the file as it was. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.rehearse", NULL));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Rehearsal Passed");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "estimate_hours"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 migration applied to a throwaway copy"));
  lh_test_save_screenshot (GTK_WIDGET (dialog), "migrations-rehearsal.png");
  close_dialog (dialog, "close");
  {
    g_autofree char *after = lh_test_checksum (fixture->path);

    g_assert_cmpstr (after, ==, before);
  }

  /* Apply asks first, naming what will run; a copy is taken before. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.apply", NULL));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Apply 1 Migration?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "0005_add_task_estimates.sql"));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog))));
  lh_test_save_screenshot (GTK_WIDGET (dialog), "migrations-apply-confirm.png");
  close_dialog (dialog, "apply");
  wait_for_timeline (page, "0005 · add task estimates — Applied");
  g_assert_cmpstr (lh_migrations_page_get_summary (page), ==, "5 applied · 0 pending");
  backups = list_backups (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (backups), ==, 1);
  backup = g_list_model_get_item (backups, 0);
  g_assert_cmpstr (lh_backup_get_note (backup), ==, "Before applying migrations");
  text = lh_test_query_text (fixture->path, "SELECT count(*) FROM pragma_table_info('tasks') WHERE name = 'estimate_hours'");
  g_assert_cmpstr (text, ==, "1\n");
}

static void
test_failure (Fixture       *fixture,
              gconstpointer  data)
{
  LhMigrationsPage *page;
  g_autofree char *text = NULL;
  AdwMessageDialog *dialog;

  write_migration (fixture, "0006_break_things.sql",
                   "CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);\n"
                   "\n"
                   "INSERT INTO audit (note) VALUES ('ok');\n"
                   "INSERT INTO no_such_table VALUES (1);\n");
  page = lh_window_open_migrations (fixture->window);
  g_assert_true (lh_test_wait_until (page_loaded, page, 30000));
  wait_for_timeline (page, "0006 · break things — Pending");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.apply", NULL));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Apply 2 Migrations?");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog)), FALSE);
  close_dialog (dialog, "apply");
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Migration Failed");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 migration was applied before this one failed"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "0006_break_things.sql failed at statement 3, line 4"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "no such table: no_such_table"));
  lh_test_save_screenshot (GTK_WIDGET (dialog), "migrations-failed.png");
  close_dialog (dialog, "close");

  /* 0005 went in; nothing of 0006 did. */
  wait_for_timeline (page, "0005 · add task estimates — Applied");
  text = lh_test_query_text (fixture->path, "SELECT count(*) FROM sqlite_schema WHERE name = 'audit'");
  g_assert_cmpstr (text, ==, "0\n");
  g_clear_pointer (&text, g_free);
  text = lh_test_query_text (fixture->path, "SELECT count(*) FROM d1_migrations WHERE name LIKE '0006%'");
  g_assert_cmpstr (text, ==, "0\n");
}

static gboolean
page_failed (gpointer data)
{
  return lh_migrations_page_get_error_text (data) != NULL;
}

/* Another table's name: a project that renamed wrangler's table; one of the wrong shape
 * is refused with the reason. The choice is kept for the database. */
static void
test_table (Fixture       *fixture,
            gconstpointer  data)
{
  LhMigrationsPage *page = lh_window_open_migrations (fixture->window);
  GtkEntry *entry;

  g_assert_true (lh_test_wait_until (page_loaded, page, 30000));
  entry = GTK_ENTRY (lh_test_find_widget (GTK_WIDGET (page), GTK_TYPE_ENTRY));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "d1_migrations");

  gtk_editable_set_text (GTK_EDITABLE (entry), "schema_migrations");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-table", NULL));
  wait_for_timeline (page, "0001 · create users and teams — Pending");
  g_assert_cmpstr (lh_migrations_page_get_summary (page), ==, "0 applied · 5 pending");

  gtk_editable_set_text (GTK_EDITABLE (entry), "tasks");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-table", NULL));
  g_assert_true (lh_test_wait_until (page_failed, page, 30000));
  g_assert_nonnull (strstr (lh_migrations_page_get_error_text (page), "tasks"));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "migrations-table-shape.png");

  gtk_editable_set_text (GTK_EDITABLE (entry), "d1_migrations");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-table", NULL));
  wait_for_timeline (page, "0004 · add task index view and trigger — Applied");
}

static gboolean
query_tab_has_file (gpointer data)
{
  LhWindow *window = data;
  AdwTabPage *tab = adw_tab_view_get_selected_page (lh_window_get_tab_view (window));
  GtkWidget *child = tab != NULL ? adw_tab_page_get_child (tab) : NULL;
  g_autofree char *text = NULL;

  if (!LH_IS_QUERY_PAGE (child) || lh_query_page_get_file (LH_QUERY_PAGE (child)) == NULL)
    return FALSE;
  text = lh_query_page_dup_text (LH_QUERY_PAGE (child));
  return g_str_has_prefix (text, "-- Migration number: 0006");
}

/* New Migration: the next number and the name as wrangler writes them, the file opened in
 * an SQL tab, and the timeline shows it pending. */
static void
test_new_migration (Fixture       *fixture,
                    gconstpointer  data)
{
  LhMigrationsPage *page = lh_window_open_migrations (fixture->window);
  g_autofree char *path = g_build_filename (fixture->migrations, "0006_add_labels.sql", NULL);
  AdwMessageDialog *dialog;
  GtkEditable *name;

  g_assert_true (lh_test_wait_until (page_loaded, page, 30000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.new-migration", NULL));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "New Migration");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));
  name = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gtk_editable_set_text (name, "Add labels");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "create"));
  lh_test_save_screenshot (GTK_WIDGET (dialog), "migrations-new.png");
  close_dialog (dialog, "create");

  wait_for_timeline (page, "0006 · add labels — Pending");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (lh_test_wait_until (query_tab_has_file, fixture->window, 30000));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  lh_test_load_style ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/migrations-page/timeline", test_timeline);
  ADD ("/migrations-page/rehearse-and-apply", test_rehearse_and_apply);
  ADD ("/migrations-page/failure", test_failure);
  ADD ("/migrations-page/table", test_table);
  ADD ("/migrations-page/new-migration", test_new_migration);

#undef ADD

  return g_test_run ();
}
