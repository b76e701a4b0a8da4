/* test-backups-page.c — the Backups tab of a real window on a copy of the demo database:
 * back up (exact with a note, compact and gzip), the catalog listing them, verify, a
 * restore through its confirmation that brings the rows back and keeps a safety backup,
 * and a backup of a bigger database cancelled while its progress shows, leaving nothing
 * listed. Screenshots of the catalog, the backup dialog, progress and the restore
 * confirmation. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "lh-backups-page.h"
#include "lh-branch-diff-window.h"
#include "lh-preferences-window.h"
#include "lh-test-ui.h"
#include "lh-test-util.h"
#include "lh-window.h"

typedef struct
{
  char     *dir;
  char     *path;
  LhWindow *window;
} Fixture;

static gboolean
page_is_settled (gpointer data)
{
  return g_strcmp0 (lh_window_get_page_name (data), "database") == 0;
}

static void
open_window (Fixture *fixture)
{
  g_autoptr(GFile) file = g_file_new_for_path (fixture->path);

  fixture->window = g_object_ref_sink (lh_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 700);
  gtk_window_present (GTK_WINDOW (fixture->window));
  lh_window_open_file (fixture->window, file);
  g_assert_true (lh_test_wait_until (page_is_settled, fixture->window, 20000));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->path = lh_test_copy_demo (fixture->dir);
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

static gboolean
page_idle (gpointer data)
{
  return lh_backups_page_get_backups (data) != NULL && !lh_backups_page_get_busy (data);
}

static gboolean
dialog_shown (gpointer data)
{
  return lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
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

/* The n-th check button of the backup dialog (0: exact, 1: compact, 2: gzip). */
static GtkCheckButton *
dialog_check (AdwMessageDialog *dialog,
              guint             n)
{
  GtkWidget *child = gtk_widget_get_first_child (adw_message_dialog_get_extra_child (dialog));

  while (n-- > 0)
    child = gtk_widget_get_next_sibling (child);
  return GTK_CHECK_BUTTON (child);
}

static void
back_up (LhBackupsPage *page,
         gboolean       compact,
         gboolean       gzip,
         const char    *note,
         const char    *screenshot)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.back-up", NULL));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Back Up Now");
  gtk_check_button_set_active (dialog_check (dialog, compact ? 1 : 0), TRUE);
  gtk_check_button_set_active (dialog_check (dialog, 2), gzip);
  entry = gtk_widget_get_last_child (adw_message_dialog_get_extra_child (dialog));
  gtk_editable_set_text (GTK_EDITABLE (entry), note);
  if (screenshot != NULL)
    lh_test_save_screenshot (GTK_WIDGET (dialog), screenshot);
  close_dialog (dialog, "back-up");
}

static LhBackup *
backup_at (LhBackupsPage *page,
           guint          position)
{
  g_autoptr(LhBackup) backup = g_list_model_get_item (lh_backups_page_get_backups (page), position);

  return backup;   /* the list keeps it */
}

/* The backup of page numbered id (the list keeps it). */
static LhBackup *
find_in (LhBackupsPage *page,
         gint64         id)
{
  GListModel *backups = lh_backups_page_get_backups (page);

  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      if (lh_backup_get_id (backup) == id)
        return backup;
    }
  g_assert_not_reached ();
}

static gboolean
second_verified (gpointer data)
{
  GListModel *backups = lh_backups_page_get_backups (data);
  g_autoptr(LhBackup) backup = NULL;

  if (lh_backups_page_get_busy (data) || backups == NULL || g_list_model_get_n_items (backups) != 2)
    return FALSE;
  backup = g_list_model_get_item (backups, 1);
  return lh_backup_get_verified_at (backup) != NULL;
}

static void
test_back_up_and_restore (Fixture       *fixture,
                          gconstpointer  data)
{
  LhBackupsPage *page;
  AdwMessageDialog *dialog;
  LhBackup *first;
  g_autofree char *count = NULL;
  gint64 first_id;

  open_window (fixture);
  page = lh_window_open_backups (fixture->window);
  g_assert_nonnull (page);
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));
  g_assert_cmpstr (lh_backups_page_get_summary (page), ==, "0 backups · 0 bytes");

  back_up (page, FALSE, FALSE, "before cleaning comments", "backups-dialog.png");
  lh_test_wait_for_backups (page, 1);
  back_up (page, TRUE, TRUE, "compact", NULL);
  lh_test_wait_for_backups (page, 2);
  first = backup_at (page, 1);
  first_id = lh_backup_get_id (first);
  g_assert_cmpint (lh_backup_get_kind (first), ==, LH_BACKUP_EXACT);
  g_assert_cmpstr (lh_backup_get_note (first), ==, "before cleaning comments");
  g_assert_cmpint (lh_backup_get_kind (backup_at (page, 0)), ==, LH_BACKUP_COMPACT);
  g_assert_true (lh_backup_get_flags (backup_at (page, 0)) & LH_BACKUP_GZIP);

  /* Verify marks it so. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.verify", "x", first_id));
  g_assert_true (lh_test_wait_until (second_verified, page, 30000));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "backups-catalog.png");

  /* Rows deleted, then the first backup restored: they are back, and the state before
   * the restore is kept as a safety backup. */
  lh_test_run_ok (lh_window_get_connection (fixture->window), "DELETE FROM comments");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.restore", "x", first_id));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Restore This Backup?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“demo.sqlite” will be replaced"));
  lh_test_save_screenshot (GTK_WIDGET (dialog), "backups-restore-confirm.png");
  close_dialog (dialog, "restore");
  lh_test_wait_for_backups (page, 3);
  g_assert_true (lh_backup_get_flags (backup_at (page, 0)) & LH_BACKUP_SAFETY);
  count = lh_test_query_text (fixture->path, "SELECT count(*) FROM comments");
  g_assert_cmpstr (count, ==, "4000\n");
  g_assert_cmpint (lh_test_query_integer (lh_window_get_connection (fixture->window),
                                          "SELECT count(*) FROM comments"), ==, 4000);

  /* Save as a Database File: the backup, checked, as a file of its own. */
  {
    g_autofree char *saved = g_build_filename (fixture->dir, "saved copy.sqlite", NULL);
    g_autofree char *saved_count = NULL;

    lh_backups_page_save_as (page, find_in (page, first_id), saved);
    g_assert_true (lh_test_wait_until (page_idle, page, 30000));
    saved_count = lh_test_query_text (saved, "SELECT count(*) FROM comments");
    g_assert_cmpstr (saved_count, ==, "4000\n");
  }
}

static gboolean
page_busy (gpointer data)
{
  return lh_backups_page_get_busy (data);
}

/* A file and what it should hold. */
typedef struct
{
  const char *path;
  const char *contents;
} SavedFile;

static gboolean
file_saved (gpointer data)
{
  SavedFile *saved = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (saved->path, &contents, NULL, NULL) &&
         g_str_equal (contents, saved->contents);
}

/* A bigger database: its compressed backup takes long enough to watch and cancel. */
static gboolean
shows_checking (gpointer page)
{
  return lh_test_shows_label (page, "Checking the copy…");
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  LhBackupsPage *page;

  lh_test_make_db (fixture->path, "CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, data BLOB);"
                                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) "
                                  "INSERT INTO blobs (data) SELECT randomblob(65536) FROM n;");
  open_window (fixture);
  page = lh_window_open_backups (fixture->window);
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));

  back_up (page, FALSE, TRUE, "big", NULL);
  g_assert_true (lh_test_wait_until (page_busy, page, 10000));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "backups-progress.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.cancel", NULL));
  g_assert_true (lh_test_wait_until (page_idle, page, 60000));
  lh_test_wait_for_backups (page, 0);

  /* Taken to the end: once copied, the progress line says the copy is being checked. */
  back_up (page, FALSE, TRUE, "big", NULL);
  g_assert_true (lh_test_wait_until (shows_checking, page, 60000));
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "backups-checking.png");
  lh_test_wait_for_backups (page, 1);
}

static gboolean
only_scheduled (gpointer data)
{
  GListModel *backups = lh_backups_page_get_backups (data);
  g_autoptr(LhBackup) backup = NULL;

  if (backups == NULL || g_list_model_get_n_items (backups) != 1)
    return FALSE;
  backup = g_list_model_get_item (backups, 0);
  return g_strcmp0 (lh_backup_get_note (backup), "Scheduled") == 0;
}

/* Scheduled backups: turned on in preferences, the window backs up its database (none
 * was taken in the interval) and the Backups tab shows it; the next check finds it fresh
 * and takes none. */
static void
test_scheduled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.litehouse.Litehouse");
  GtkWidget *preferences;
  LhBackupsPage *page;

  open_window (fixture);
  page = lh_window_open_backups (fixture->window);
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));
  lh_test_wait_for_backups (page, 0);

  preferences = lh_preferences_window_new (GTK_WINDOW (fixture->window));
  gtk_window_present (GTK_WINDOW (preferences));
  g_settings_set_uint (settings, "backup-interval-hours", 24);
  lh_test_save_screenshot (preferences, "preferences-backups.png");
  gtk_window_destroy (GTK_WINDOW (preferences));

  g_assert_true (lh_test_wait_until (only_scheduled, page, 60000));

  /* Checked again (the interval changed): the one just taken is fresh enough. */
  g_settings_set_uint (settings, "backup-interval-hours", 12);
  lh_test_settle ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.refresh", NULL));
  g_assert_true (lh_test_wait_until (only_scheduled, page, 60000));
  g_settings_reset (settings, "backup-interval-hours");
}

static LhBackup *
find_branch (LhBackupsPage *page)
{
  GListModel *backups = lh_backups_page_get_backups (page);

  for (guint i = 0; backups != NULL && i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      if (lh_backup_get_flags (backup) & LH_BACKUP_BRANCH)
        return backup;   /* the list keeps it */
    }
  return NULL;
}

static gboolean
has_branch (gpointer data)
{
  return !lh_backups_page_get_busy (data) && find_branch (data) != NULL;
}

static gboolean
diff_ready (gpointer data)
{
  GtkWindow *window = lh_test_find_toplevel (LH_TYPE_BRANCH_DIFF_WINDOW);

  return window != NULL && lh_branch_diff_window_get_diff (LH_BRANCH_DIFF_WINDOW (window)) != NULL;
}

static gboolean
window_on_branch (gpointer data)
{
  GList *windows = gtk_window_list_toplevels ();
  gboolean found = FALSE;

  for (GList *l = windows; l != NULL && !found; l = l->next)
    if (LH_IS_WINDOW (l->data) && l->data != data && lh_window_get_connection (l->data) != NULL)
      found = g_str_has_suffix (lh_connection_get_location (lh_window_get_connection (l->data)),
                                "try-index.sqlite");
  g_list_free (windows);
  return found;
}

/* A branch: made, opened in its own window, changed there, compared with the database
 * (the SQL that would bring the change over), then promoted: the database has the change
 * and a safety backup keeps what it was. */
static void
test_branches (Fixture       *fixture,
               gconstpointer  data)
{
  LhBackupsPage *page;
  AdwMessageDialog *dialog;
  LhBackup *branch;
  GtkWindow *diff_window;
  g_autofree char *count = NULL;
  gint64 id;

  open_window (fixture);
  page = lh_window_open_backups (fixture->window);
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.new-branch", NULL));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "New Branch");
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "try-index");
  close_dialog (dialog, "create");
  g_assert_true (lh_test_wait_until (has_branch, page, 30000));
  branch = find_branch (page);
  id = lh_backup_get_id (branch);
  g_assert_cmpstr (lh_backup_get_branch_name (branch), ==, "try-index");

  /* Its own window, on its own file. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.open-branch", "x", id));
  g_assert_true (lh_test_wait_until (window_on_branch, fixture->window, 30000));

  /* Changed (as its window's SQL tab would), then compared. */
  lh_test_make_db (lh_backup_get_path (branch),
                   "CREATE INDEX idx_tasks_title ON tasks (title);"
                   "INSERT INTO tags (name) VALUES ('from the branch');"
                   /* A value whose second line looks like a statement on tags. */
                   "UPDATE comments SET body = 'two lines' || char(10) || "
                   "'INSERT INTO \"tags\" (x) VALUES (1);' WHERE id = 1;");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.compare-branch", "x", id));
  g_assert_true (lh_test_wait_until (diff_ready, NULL, 30000));
  diff_window = lh_test_find_toplevel (LH_TYPE_BRANCH_DIFF_WINDOW);
  g_assert_nonnull (strstr (lh_branch_diff_get_sql (lh_branch_diff_window_get_diff (LH_BRANCH_DIFF_WINDOW (diff_window))),
                            "CREATE INDEX idx_tasks_title"));
  /* A table's line shows its statements in the SQL. */
  {
    GtkWidget *tags = lh_test_find_row (GTK_WIDGET (diff_window), "tags");
    GtkTextView *sql_view = GTK_TEXT_VIEW (lh_test_find_widget (GTK_WIDGET (diff_window),
                                                                GTK_SOURCE_TYPE_VIEW));
    GtkTextIter start, end;
    g_autofree char *selected = NULL;

    g_assert_nonnull (tags);
    g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (tags)));
    g_assert_false (gtk_text_buffer_get_has_selection (gtk_text_view_get_buffer (sql_view)));
    gtk_widget_activate (tags);
    g_assert_true (gtk_text_buffer_get_selection_bounds (gtk_text_view_get_buffer (sql_view),
                                                         &start, &end));
    selected = gtk_text_iter_get_text (&start, &end);
    g_assert_true (g_str_has_prefix (selected, "INSERT INTO \"tags\" (\"id\", \"name\""));
    g_assert_true (g_str_has_suffix (selected, ");"));
    g_assert_true (gtk_text_iter_starts_line (&start));
    g_assert_false (lh_branch_diff_window_show_table (LH_BRANCH_DIFF_WINDOW (diff_window), "users"));
  }
  lh_test_save_screenshot (GTK_WIDGET (diff_window), "branch-diff.png");

  /* Its SQL saved into a file, in place of what was there. */
  {
    LhBranchDiffWindow *diff_view = LH_BRANCH_DIFF_WINDOW (diff_window);
    g_autofree char *path = g_build_filename (fixture->dir, "try-index.sql", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    SavedFile saved = { path, lh_branch_diff_get_sql (lh_branch_diff_window_get_diff (diff_view)) };

    g_assert_true (g_file_set_contents (path, "old contents", -1, NULL));
    g_assert_true (lh_branch_diff_window_save_sql (diff_view, file));
    g_assert_true (lh_test_wait_until (file_saved, &saved, 30000));
    lh_test_save_screenshot (GTK_WIDGET (diff_window), "branch-diff-saved.png");
  }
  gtk_window_destroy (diff_window);
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), "backups-branches.png");

  /* Promoted after a confirmation. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.promote-branch", "x", id));
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Promote Branch “try-index”?");
  close_dialog (dialog, "promote");
  lh_test_wait_for_backups (page, 2);
  count = lh_test_query_text (fixture->path, "SELECT count(*) FROM tags WHERE name = 'from the branch'");
  g_assert_cmpstr (count, ==, "1\n");
  g_assert_true (lh_backup_get_flags (backup_at (page, 0)) & LH_BACKUP_SAFETY ||
                 lh_backup_get_flags (backup_at (page, 1)) & LH_BACKUP_SAFETY);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

/* Export Bundle writes the database and its folder of attached files into one archive;
 * Restore Bundle asks, backs up the database first, and brings both back as they were. */
static void
test_bundle (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (fixture->dir, "uploads", NULL);
  g_autofree char *upload = g_build_filename (folder, "avatar.png", NULL);
  g_autofree char *archive = g_build_filename (fixture->dir, "demo.bundle.tar.gz", NULL);
  g_autofree char *contents = NULL;
  LhBackupsPage *page;
  AdwMessageDialog *dialog;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (upload, "first picture", -1, NULL));
  open_window (fixture);
  page = lh_window_open_backups (fixture->window);
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));

  lh_backups_page_export_bundle (page, folder, archive);
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));
  g_assert_true (lh_test_wait_until (file_exists, archive, 1000));

  lh_test_run_ok (lh_window_get_connection (fixture->window), "DELETE FROM comments");
  g_assert_true (g_file_set_contents (upload, "another picture", -1, NULL));
  lh_backups_page_restore_bundle (page, archive, folder);
  dialog = wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Restore This Bundle?");
  lh_test_save_screenshot (GTK_WIDGET (dialog), "backups-restore-bundle.png");
  close_dialog (dialog, "restore");
  lh_test_wait_for_backups (page, 1);
  g_assert_cmpstr (lh_backup_get_note (backup_at (page, 0)), ==, "Before restoring a bundle");
  g_assert_cmpint (lh_test_query_integer (lh_window_get_connection (fixture->window),
                                          "SELECT count(*) FROM comments"), ==, 4000);
  g_assert_true (g_file_get_contents (upload, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "first picture");
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

  ADD ("/backups-page/back-up-and-restore", test_back_up_and_restore);
  ADD ("/backups-page/cancel", test_cancel);
  ADD ("/backups-page/scheduled", test_scheduled);
  ADD ("/backups-page/branches", test_branches);
  ADD ("/backups-page/bundle", test_bundle);

#undef ADD

  return g_test_run ();
}
