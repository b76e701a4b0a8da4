/* test-remote-window.c — the window on remote databases, through the Connect dialog as a
 * user goes: a libSQL server and a D1 API (the test servers of tests/servers, on real
 * engines) are tested, connected to, shown with their kind and host, queried in the SQL
 * editor, browsed in the grid and edited there; a wrong token says so in the dialog, and
 * a network fault says so in the editor with the SQL kept. Screenshots of the dialog and
 * of a D1 database in the grid. */
#include "config.h"

#include "lh-backups-page.h"
#include "lh-connect-dialog.h"
#include "lh-result-view.h"
#include "lh-test-server.h"
#include "lh-test-ui.h"
#include "lh-test-util.h"
#include "lh-window.h"

#define TOKEN   "ui-test-token-8910"
#define ACCOUNT "fedcba9876543210fedcba9876543210"

typedef struct
{
  char     *dir;
  char     *path;
  LhWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "remote.db", NULL);
  fixture->window = g_object_ref_sink (lh_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 700);
  gtk_window_present (GTK_WINDOW (fixture->window));
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
dialog_idle (gpointer dialog)
{
  return !lh_connect_dialog_get_busy (dialog);
}

static gboolean
window_shows_database (gpointer window)
{
  return g_strcmp0 (lh_window_get_page_name (window), "database") == 0 &&
         lh_test_window_schema_loaded (window);
}

static LhConnectDialog *
open_dialog (Fixture    *fixture,
             const char *page)
{
  LhConnectDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect", NULL));
  dialog = LH_CONNECT_DIALOG (lh_test_find_toplevel (LH_TYPE_CONNECT_DIALOG));
  g_assert_nonnull (dialog);
  gtk_stack_set_visible_child_name (GTK_STACK (lh_test_find_widget (GTK_WIDGET (dialog), GTK_TYPE_STACK)),
                                    page);
  return dialog;
}

static void
fill (LhConnectDialog *dialog,
      const char      *row_title,
      const char      *text)
{
  GtkWidget *row = lh_test_find_entry_row (GTK_WIDGET (dialog), row_title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
run_dialog_action (LhConnectDialog *dialog,
                   const char      *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), action, NULL));
  g_assert_true (lh_test_wait_until (dialog_idle, dialog, 30000));
}

static gboolean
query_done (gpointer page)
{
  return !lh_query_page_get_running (page);
}

static void
run_query (LhQueryPage *page,
           const char  *sql)
{
  lh_query_page_set_text (page, sql);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "query.run", NULL));
  g_assert_true (lh_test_wait_until (query_done, page, 30000));
}

/* Query, grid, an edit written: the same work as on a file. */
static void
use_database (Fixture    *fixture,
              const char *screenshot)
{
  LhQueryPage *page = lh_window_get_query_page (fixture->window);
  LhTableView *view;
  g_autoptr(LhPagerRow) row = NULL;

  run_query (page, "SELECT count(*) AS n FROM items");
  g_assert_true (g_str_has_prefix (lh_query_page_get_status (page), "1 row · "));
  g_assert_cmpint (lh_result_set_get_value (lh_result_view_get_result (lh_query_page_get_result_view (page)), 0, 0)->v.integer,
                   ==, 30);

  view = lh_window_open_table (fixture->window, "items");
  g_assert_nonnull (view);
  lh_test_table_wait_idle (view);
  g_assert_cmpint (lh_table_pager_get_row_count (lh_table_view_get_pager (view)), ==, 30);
  lh_test_table_edit_cell (view, 0, 1, "edited remotely");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "table.write", NULL));
  lh_test_table_wait_idle (view);
  row = lh_test_pager_row (lh_table_view_get_pager (view), 0);
  g_assert_cmpstr (lh_pager_row_get_value (row, 1)->v.text.data, ==, "edited remotely");
  if (screenshot != NULL)
    lh_test_save_screenshot (GTK_WIDGET (fixture->window), screenshot);

  run_query (page, "SELECT name FROM items WHERE id = 1");
  g_assert_cmpstr (lh_result_set_get_value (lh_result_view_get_result (lh_query_page_get_result_view (page)), 0, 0)->v.text.data,
                   ==, "edited remotely");
}

#define ITEMS_SQL \
  "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL);" \
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) " \
  "INSERT INTO items SELECT i, 'item ' || i, i / 4.0 FROM n;"

static void
test_libsql (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhTestServer) server = NULL;
  g_autofree char *url = NULL;
  g_autofree char *subtitle = NULL;
  LhConnectDialog *dialog;

  lh_test_make_db (fixture->path, ITEMS_SQL);
  server = lh_test_server_start ("hrana-server.mjs", "--db", fixture->path, "--token", TOKEN, NULL);
  url = lh_test_server_url (server, "");

  dialog = open_dialog (fixture, "libsql");
  fill (dialog, "URL (libsql://…)", url);
  fill (dialog, "Auth Token", "not-the-token");
  run_dialog_action (dialog, "connect.test");
  g_assert_nonnull (strstr (lh_connect_dialog_get_status (dialog), "did not accept the token"));
  g_assert_null (strstr (lh_connect_dialog_get_status (dialog), "not-the-token"));

  fill (dialog, "Auth Token", TOKEN);
  run_dialog_action (dialog, "connect.test");
  g_assert_cmpstr (lh_connect_dialog_get_status (dialog), ==, "Connected to “127.0.0.1” (libSQL).");
  lh_test_settle ();
  lh_test_save_screenshot (GTK_WIDGET (dialog), "connect-dialog-libsql.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  g_assert_true (lh_test_wait_until (window_shows_database, fixture->window, 30000));
  g_assert_cmpint (lh_connection_get_kind (lh_window_get_connection (fixture->window)), ==,
                   LH_CONNECTION_KIND_LIBSQL);
  subtitle = g_strdup_printf ("libSQL · %s", url);
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (lh_test_find_widget (GTK_WIDGET (fixture->window),
                                                                                             ADW_TYPE_WINDOW_TITLE))),
                   ==, subtitle);
  use_database (fixture, NULL);

  /* The server gone: the editor says what happened and keeps the SQL. */
  g_clear_pointer (&server, lh_test_server_stop);
  run_query (lh_window_get_query_page (fixture->window), "SELECT * FROM items");
  g_assert_nonnull (strstr (lh_query_page_get_error_text (lh_window_get_query_page (fixture->window)),
                            "refused the connection"));
}

/* Starts the D1 server with "production" (d1-prod) holding items, and connects the window
 * to it through the Connect dialog; the connection that put the data there comes back in
 * *setup. */
static LhTestServer *
connect_d1 (Fixture       *fixture,
            LhConnection **setup_out,
            gboolean       screenshot)
{
  LhTestServer *server;
  g_autofree char *base = NULL;
  LhConnectDialog *dialog;
  AdwComboRow *databases;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhConnection) setup = NULL;
  g_autoptr(GError) error = NULL;

  server = lh_test_server_start ("d1-server.mjs", "--state", fixture->dir, "--token", TOKEN,
                                 "--account", ACCOUNT, "--database", "staging=d1-stage",
                                 "--database", "production=d1-prod", NULL);
  base = lh_test_server_url (server, "/client/v4");
  g_setenv ("CLOUDFLARE_API_BASE_URL", base, TRUE);

  /* The data, put there through the API itself. */
  lh_d1_connection_open_async (base, ACCOUNT, "d1-prod", TOKEN, NULL, NULL, lh_test_store_result_cb, &result);
  setup = LH_CONNECTION (lh_d1_connection_open_finish (lh_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  lh_test_run_ok (setup, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL)");
  lh_test_run_ok (setup, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
                         "INSERT INTO items SELECT i, 'item ' || i, i / 4.0 FROM n");

  dialog = open_dialog (fixture, "d1");
  fill (dialog, "Account ID", ACCOUNT);
  fill (dialog, "API Token", TOKEN);
  run_dialog_action (dialog, "connect.list-databases");
  g_assert_cmpstr (lh_connect_dialog_get_status (dialog), ==, "The account has 2 databases.");
  databases = ADW_COMBO_ROW (lh_test_find_widget (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW));
  for (guint i = 0; i < g_list_model_get_n_items (adw_combo_row_get_model (databases)); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (adw_combo_row_get_model (databases)), i),
                     "production"))
      adw_combo_row_set_selected (databases, i);
  run_dialog_action (dialog, "connect.test");
  g_assert_cmpstr (lh_connect_dialog_get_status (dialog), ==, "Connected to “production” (Cloudflare D1).");
  lh_test_settle ();
  if (screenshot)
    lh_test_save_screenshot (GTK_WIDGET (dialog), "connect-dialog-d1.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  g_assert_true (lh_test_wait_until (window_shows_database, fixture->window, 30000));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "production");
  if (setup_out != NULL)
    *setup_out = g_steal_pointer (&setup);
  return server;
}

static void test_libsql_backups (Fixture       *fixture,
                                 gconstpointer  data);

static void
test_d1 (Fixture       *fixture,
         gconstpointer  data)
{
  g_autoptr(LhTestServer) server = connect_d1 (fixture, NULL, TRUE);

  use_database (fixture, "d1-grid.png");
  g_unsetenv ("CLOUDFLARE_API_BASE_URL");
}

/* Backups of a remote database */

static gboolean
message_shown (gpointer data)
{
  return lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static AdwMessageDialog *
wait_for_message (void)
{
  g_assert_true (lh_test_wait_until (message_shown, NULL, 30000));
  return ADW_MESSAGE_DIALOG (lh_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

static void
answer (AdwMessageDialog *dialog,
        const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  lh_test_settle ();
}

static gboolean
page_idle (gpointer page)
{
  return !lh_backups_page_get_busy (page);
}

static gboolean
page_listed (gpointer page)
{
  return lh_backups_page_get_backups (page) != NULL && !lh_backups_page_get_busy (page);
}

/* Whether the newest backup of the page is a scheduled one. */
static gboolean
newest_scheduled (gpointer page)
{
  GListModel *backups = lh_backups_page_get_backups (page);
  g_autoptr(LhBackup) newest = NULL;

  if (backups == NULL || g_list_model_get_n_items (backups) == 0)
    return FALSE;
  newest = g_list_model_get_item (backups, 0);
  return g_strcmp0 (lh_backup_get_note (newest), "Scheduled") == 0 &&
         lh_backup_get_kind (newest) == LH_BACKUP_DUMP;
}

static gint64
count_items (Fixture *fixture)
{
  return lh_test_query_integer (lh_window_get_connection (fixture->window), "SELECT count(*) FROM items");
}

/* Back Up Now through its dialog, then Restore through its confirmation, which brings the
 * rows back and keeps a safety dump. */
static LhBackupsPage *
back_up_and_restore (Fixture      *fixture,
                     LhConnection *other,
                     const char   *prefix)
{
  LhBackupsPage *page = lh_window_open_backups (fixture->window);
  AdwMessageDialog *dialog;
  g_autoptr(LhBackup) backup = NULL;
  g_autofree char *shot = NULL;
  guint n;

  /* The catalog is the test build's: earlier runs may have left backups of the same D1. */
  g_assert_nonnull (page);
  g_assert_true (lh_test_wait_until (page_listed, page, 30000));
  n = g_list_model_get_n_items (lh_backups_page_get_backups (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.back-up", NULL));
  dialog = wait_for_message ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Back Up Now");
  shot = g_strdup_printf ("%s-backup-dialog.png", prefix);
  lh_test_save_screenshot (GTK_WIDGET (dialog), shot);
  answer (dialog, "back-up");
  lh_test_wait_for_backups (page, n + 1);
  backup = g_list_model_get_item (lh_backups_page_get_backups (page), 0);
  g_assert_cmpint (lh_backup_get_kind (backup), ==, LH_BACKUP_DUMP);

  lh_test_run_ok (other, "DELETE FROM items WHERE id > 10");
  g_assert_cmpint (count_items (fixture), ==, 10);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.restore", "x",
                                             lh_backup_get_id (backup)));
  dialog = wait_for_message ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Restore This Backup?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "will be replaced by those of this backup"));
  g_free (shot);
  shot = g_strdup_printf ("%s-restore-confirm.png", prefix);
  lh_test_save_screenshot (GTK_WIDGET (dialog), shot);
  answer (dialog, "replace");
  lh_test_wait_for_backups (page, n + 2);
  g_assert_cmpint (count_items (fixture), ==, 30);
  g_free (shot);
  shot = g_strdup_printf ("%s-backups-catalog.png", prefix);
  lh_test_save_screenshot (GTK_WIDGET (fixture->window), shot);
  return page;
}

static gboolean
shows_replacing (gpointer page)
{
  return lh_test_shows_label (page, "Replacing the database’s tables…");
}

/* Waits for the wall clock's next second, so that what happens after is at a later one. */
static void
next_second (void)
{
  gint64 now = g_get_real_time ();

  g_usleep (G_USEC_PER_SEC - now % G_USEC_PER_SEC + 50000);
}

static void
test_d1_backups (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(LhConnection) setup = NULL;
  g_autoptr(LhTestServer) server = connect_d1 (fixture, &setup, FALSE);
  LhBackupsPage *page = back_up_and_restore (fixture, setup, "d1");
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;
  AdwMessageDialog *dialog;

  /* Time Travel: the moment before a delete, found and restored. */
  next_second ();
  time = g_date_time_new_now_local ();
  text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
  next_second ();
  lh_test_run_ok (setup, "DELETE FROM items WHERE id <= 20");
  g_assert_cmpint (count_items (fixture), ==, 10);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.time-travel", NULL));
  dialog = wait_for_message ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Restore to a Point in Time");
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), text);
  lh_test_save_screenshot (GTK_WIDGET (dialog), "d1-time-travel.png");
  answer (dialog, "find");
  dialog = wait_for_message ();
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_heading (dialog), "Restore to "));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "restore point"));
  lh_test_save_screenshot (GTK_WIDGET (dialog), "d1-time-travel-confirm.png");
  answer (dialog, "restore");
  g_assert_true (lh_test_wait_until (page_idle, page, 30000));
  g_assert_cmpint (count_items (fixture), ==, 30);

  /* A time that is not one says so. */
  lh_backups_page_find_restore_point (page, "yesterday-ish");
  dialog = wait_for_message ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Which Time?");
  answer (dialog, "close");

  /* Import… of a local database file: asked, then its tables replace the database's. */
  {
    g_autofree char *local = g_build_filename (fixture->dir, "laptop.sqlite", NULL);
    GListModel *backups = lh_backups_page_get_backups (page);
    guint n = g_list_model_get_n_items (backups);

    lh_test_make_db (local, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL);"
                            "INSERT INTO items (name) VALUES ('from the laptop');");
    lh_backups_page_import (page, local);
    dialog = wait_for_message ();
    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Replace the Database?");
    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“laptop.sqlite”"));
    lh_test_save_screenshot (GTK_WIDGET (dialog), "d1-import-confirm.png");
    /* D1 slow to answer the import: once the safety dump is taken, the progress line
     * says the tables are being replaced. */
    lh_test_server_fault (server, "[{\"delay_ms\": 1500, \"count\": 2, \"path\": "
                          "\"/client/v4/accounts/" ACCOUNT "/d1/database/d1-prod/import\"}]");
    answer (dialog, "replace");
    g_assert_true (lh_test_wait_until (shows_replacing, page, 30000));
    lh_test_save_screenshot (GTK_WIDGET (fixture->window), "d1-import-progress.png");
    lh_test_wait_for_backups (page, n + 1);
    lh_test_server_clear_faults (server);
    g_assert_cmpint (count_items (fixture), ==, 1);
  }

  /* Scheduled backups turned on take none of D1, which serves no queries while it exports. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.litehouse.Litehouse");
    guint n = g_list_model_get_n_items (lh_backups_page_get_backups (page));

    g_settings_set_uint (settings, "backup-interval-hours", 24);
    g_usleep (2 * G_USEC_PER_SEC);
    lh_test_settle ();
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.refresh", NULL));
    g_assert_true (lh_test_wait_until (page_listed, page, 30000));
    g_assert_cmpuint (g_list_model_get_n_items (lh_backups_page_get_backups (page)), ==, n);
    g_assert_false (newest_scheduled (page));
    g_settings_reset (settings, "backup-interval-hours");
  }
  g_unsetenv ("CLOUDFLARE_API_BASE_URL");
}

/* libSQL: the same through a connection of the page's own; the window's stays usable. */
static void
test_libsql_backups (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhTestServer) server = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhConnection) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("org.litehouse.Litehouse");
  LhConnectDialog *dialog;
  LhBackupsPage *page;

  lh_test_make_db (fixture->path, ITEMS_SQL);
  server = lh_test_server_start ("hrana-server.mjs", "--db", fixture->path, "--token", TOKEN, NULL);
  url = lh_test_server_url (server, "");
  dialog = open_dialog (fixture, "libsql");
  fill (dialog, "URL (libsql://…)", url);
  fill (dialog, "Auth Token", TOKEN);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  g_assert_true (lh_test_wait_until (window_shows_database, fixture->window, 30000));
  lh_libsql_connection_open_async (url, TOKEN, NULL, NULL, lh_test_store_result_cb, &result);
  other = LH_CONNECTION (lh_libsql_connection_open_finish (lh_test_wait_for_result (&result), &error));
  g_assert_no_error (error);

  /* Scheduled backups turned on, none taken yet: the window dumps the database, noted so,
   * and the Backups tab shows it. */
  page = lh_window_open_backups (fixture->window);
  g_assert_true (lh_test_wait_until (page_listed, page, 30000));
  g_assert_false (newest_scheduled (page));
  g_settings_set_uint (settings, "backup-interval-hours", 24);
  g_assert_true (lh_test_wait_until (newest_scheduled, page, 60000));
  g_settings_reset (settings, "backup-interval-hours");

  back_up_and_restore (fixture, other, "libsql");
  run_query (lh_window_get_query_page (fixture->window), "SELECT count(*) FROM items");
  g_assert_true (g_str_has_prefix (lh_query_page_get_status (lh_window_get_query_page (fixture->window)), "1 row · "));
}

int
main (int    argc,
      char **argv)
{
  /* No Secret Service: a keyring started on demand would wait on a password prompt that
   * nobody answers. Tokens are then kept in memory, which is what this test needs. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/litehouse-test-bus", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  lh_test_load_style ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/remote-window/libsql", test_libsql);
  ADD ("/remote-window/d1", test_d1);
  ADD ("/remote-window/d1-backups", test_d1_backups);
  ADD ("/remote-window/libsql-backups", test_libsql_backups);

#undef ADD

  return g_test_run ();
}
