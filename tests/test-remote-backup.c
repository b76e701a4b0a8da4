/* test-remote-backup.c — backups of remote databases in the catalog, against the protocol
 * servers of tests/servers (D1's REST API over Miniflare, Hrana over real libSQL): a dump
 * taken (D1: its export; libSQL: in one read transaction), listed, verified, gzip too;
 * restored over a changed database after a safety dump; saved as a local file; a local
 * SQLite file imported; a broken dump refused with the database untouched; D1's Time
 * Travel there and back; faults of the server. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-test-server.h"
#include "lh-test-util.h"

#define D1_TOKEN     "d1-test-token-4567"
#define D1_ACCOUNT   "0123456789abcdef0123456789abcdef"
#define D1_ID        "4d4b5b7e-0000-4000-8000-000000000001"
#define LIBSQL_TOKEN "test-token-0123"

#define SEED_SQL \
  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, photo BLOB)", \
  "INSERT INTO users (name, score, photo) VALUES ('ada', 1.5, x'cafe'), ('o''brien', NULL, NULL)," \
  " ('line\nbreak', -2.25, x'')", \
  "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), body TEXT)", \
  "INSERT INTO posts (user_id, body) VALUES (1, 'hello'), (2, 'world')", \
  "CREATE INDEX posts_user ON posts (user_id)", \
  "CREATE VIEW user_posts AS SELECT users.name, posts.body FROM posts JOIN users ON users.id = posts.user_id"

typedef struct
{
  char            *dir;
  char            *location;
  LhTestServer    *server;
  LhConnection    *connection;   /* the test's */
  LhConnection    *job;          /* the catalog's own */
  LhBackupCatalog *catalog;
} Fixture;

static LhConnection *
open_d1 (Fixture *fixture)
{
  g_autofree char *base = lh_test_server_url (fixture->server, "/client/v4");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LhD1Connection *connection;

  lh_d1_connection_open_async (base, D1_ACCOUNT, D1_ID, D1_TOKEN, NULL, NULL,
                               lh_test_store_result_cb, &result);
  connection = lh_d1_connection_open_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return LH_CONNECTION (connection);
}

static LhConnection *
open_libsql (Fixture *fixture)
{
  g_autofree char *url = lh_test_server_url (fixture->server, "");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LhLibsqlConnection *connection;

  lh_libsql_connection_open_async (url, LIBSQL_TOKEN, NULL, NULL, lh_test_store_result_cb, &result);
  connection = lh_libsql_connection_open_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return LH_CONNECTION (connection);
}

static void
seed (Fixture *fixture)
{
  const char *statements[] = { SEED_SQL };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    lh_test_run_ok (fixture->connection, statements[i]);
}

static void
d1_set_up (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *state = NULL;

  fixture->dir = lh_test_make_dir ();
  state = g_build_filename (fixture->dir, "d1-state", NULL);
  fixture->server = lh_test_server_start ("d1-server.mjs", "--state", state,
                                          "--token", D1_TOKEN, "--account", D1_ACCOUNT,
                                          "--database", "main-db=" D1_ID, NULL);
  fixture->connection = open_d1 (fixture);
  fixture->job = open_d1 (fixture);
  fixture->location = g_strdup ("d1://" D1_ACCOUNT "/" D1_ID);
  fixture->catalog = lh_backup_catalog_new (fixture->location);
  seed (fixture);
}

static void
libsql_set_up (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = NULL;

  fixture->dir = lh_test_make_dir ();
  path = g_build_filename (fixture->dir, "remote.db", NULL);
  fixture->server = lh_test_server_start ("hrana-server.mjs", "--db", path,
                                          "--token", LIBSQL_TOKEN, NULL);
  fixture->connection = open_libsql (fixture);
  fixture->job = open_libsql (fixture);
  fixture->location = lh_test_server_url (fixture->server, "");
  fixture->catalog = lh_backup_catalog_new (fixture->location);
  seed (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->catalog);
  lh_test_close (&fixture->job);
  lh_test_close (&fixture->connection);
  g_clear_pointer (&fixture->server, lh_test_server_stop);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->location);
  g_free (fixture->dir);
}

static LhBackup *
create_dump (Fixture        *fixture,
             LhBackupFlags   flags,
             GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_create_dump_async (fixture->catalog, fixture->job, flags, "a note", NULL, NULL,
                                       NULL, lh_test_store_result_cb, &result);
  return lh_backup_catalog_create_dump_finish (fixture->catalog,
                                               lh_test_wait_for_result (&result), error);
}

static LhBackup *
import (Fixture     *fixture,
        const char  *path,
        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_import_async (fixture->catalog, fixture->job, path, NULL, NULL, NULL,
                                  lh_test_store_result_cb, &result);
  return lh_backup_catalog_import_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                          error);
}

static LhBackup *
restore_dump (Fixture   *fixture,
              LhBackup  *backup,
              GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_restore_dump_async (fixture->catalog, backup, fixture->job, NULL, NULL, NULL,
                                        lh_test_store_result_cb, &result);
  return lh_backup_catalog_import_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                          error);
}

static GListModel *
list (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *backups;

  lh_backup_catalog_list_async (fixture->catalog, NULL, lh_test_store_result_cb, &result);
  backups = lh_backup_catalog_list_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                           &error);
  g_assert_no_error (error);
  return backups;
}

static gboolean
verify (Fixture   *fixture,
        LhBackup  *backup,
        GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_verify_async (fixture->catalog, backup, NULL, lh_test_store_result_cb, &result);
  return lh_backup_catalog_verify_finish (fixture->catalog, lh_test_wait_for_result (&result), error);
}

static gboolean
save_as (Fixture     *fixture,
         LhBackup    *backup,
         const char  *path,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_save_as_async (fixture->catalog, backup, path, NULL, lh_test_store_result_cb,
                                   &result);
  return lh_backup_catalog_save_as_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                           error);
}

static char *
dump_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) local = lh_test_open (path, LH_LOCAL_OPEN_READ_ONLY, 0, &error);
  LhConnection *connection = LH_CONNECTION (local);
  char *text;

  g_assert_no_error (error);
  text = lh_test_dump (connection);
  lh_test_close (&connection);
  local = NULL;
  return text;
}

/* A dump is taken, listed and verified; restored over a changed database after a safety
 * dump of it; saved as a local file that holds the same. */
static void
test_dump_and_restore (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(LhBackup) newest = NULL;
  g_autofree char *before = lh_test_dump (fixture->connection);
  g_autofree char *changed = NULL;
  g_autofree char *after = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_path = g_build_filename (fixture->dir, "saved.sqlite", NULL);
  g_autofree char *text = NULL;
  g_autofree char *note = NULL;

  backup = create_dump (fixture, LH_BACKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_backup_get_kind (backup), ==, LH_BACKUP_DUMP);
  g_assert_true (g_str_has_suffix (lh_backup_get_path (backup), ".sql"));
  g_assert_true (g_file_get_contents (lh_backup_get_path (backup), &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "CREATE TABLE users"));
  g_assert_nonnull (strstr (text, "'ada'"));
  backups = list (fixture);
  newest = g_list_model_get_item (backups, 0);
  g_assert_cmpint (lh_backup_get_id (newest), ==, lh_backup_get_id (backup));
  g_assert_true (verify (fixture, backup, &error));
  g_assert_no_error (error);

  lh_test_run_ok (fixture->connection, "INSERT INTO users (name) VALUES ('later')");
  lh_test_run_ok (fixture->connection, "CREATE TABLE extra (x)");
  lh_test_run_ok (fixture->connection, "DROP VIEW user_posts");
  changed = lh_test_dump (fixture->connection);
  safety = restore_dump (fixture, backup, &error);
  g_assert_no_error (error);
  g_assert_true (lh_backup_get_flags (safety) & LH_BACKUP_SAFETY);
  note = g_strdup_printf ("Taken before restoring backup #%" G_GINT64_FORMAT ".", lh_backup_get_id (backup));
  g_assert_cmpstr (lh_backup_get_note (safety), ==, note);
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);

  /* The safety dump holds the state the restore replaced. */
  g_assert_true (save_as (fixture, safety, saved_path, &error));
  g_assert_no_error (error);
  saved = dump_file (saved_path);
  g_assert_cmpstr (saved, ==, changed);

  /* Not over a database with a log beside it, which SQLite would roll into the new file. */
  {
    g_autofree char *wal = g_strconcat (saved_path, "-wal", NULL);

    g_assert_true (g_file_set_contents (wal, "log", -1, NULL));
    g_assert_false (save_as (fixture, backup, saved_path, &error));
    g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_BUSY);
    g_clear_error (&error);
    g_assert_cmpint (g_unlink (wal), ==, 0);
  }

  /* And the backup, saved as a file, holds the database as it was. */
  g_free (saved);
  g_assert_true (save_as (fixture, backup, saved_path, &error));
  saved = dump_file (saved_path);
  g_assert_cmpstr (saved, ==, before);
}

/* A gzip dump is listed as such and restores like a plain one. */
static void
test_gzip (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autofree char *before = lh_test_dump (fixture->connection);
  g_autofree char *after = NULL;

  backup = create_dump (fixture, LH_BACKUP_GZIP, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (lh_backup_get_path (backup), ".sql.gz"));
  g_assert_true (lh_backup_get_flags (backup) & LH_BACKUP_GZIP);
  lh_test_run_ok (fixture->connection, "DELETE FROM posts");
  safety = import (fixture, lh_backup_get_path (backup), &error);
  g_assert_no_error (error);
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
}

/* A local SQLite file goes into the remote database, which then holds what it holds. */
static void
test_import_local_file (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autofree char *local = g_build_filename (fixture->dir, "local.sqlite", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *remote = NULL;

  lh_test_make_db (local, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
                   "INSERT INTO notes (body) VALUES ('from a laptop'), ('it''s here');"
                   "CREATE INDEX notes_body ON notes (body);");
  expected = dump_file (local);
  safety = import (fixture, local, &error);
  g_assert_no_error (error);
  remote = lh_test_dump (fixture->connection);
  g_assert_cmpstr (remote, ==, expected);

  /* A gzip-compressed database file (a .sqlite.gz backup) goes in the same way. */
  {
    g_autofree char *command = g_strdup_printf ("gzip -k '%s'", local);
    g_autofree char *gz = g_strconcat (local, ".gz", NULL);
    g_autoptr(LhBackup) second = NULL;
    int status = 0;

    lh_test_run_ok (fixture->connection, "DELETE FROM notes");
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    second = import (fixture, gz, &error);
    g_assert_no_error (error);
    g_free (remote);
    remote = lh_test_dump (fixture->connection);
    g_assert_cmpstr (remote, ==, expected);

    /* Bytes after its gzip stream, or a stream cut short: damaged, nothing imported. */
    {
      g_autofree char *compressed = NULL;
      g_autofree char *longer = NULL;
      gsize length = 0;
      g_autoptr(LhBackup) refused = NULL;
      g_autofree char *after = NULL;

      g_assert_true (g_file_get_contents (gz, &compressed, &length, NULL));
      longer = g_malloc (length + 1);
      memcpy (longer, compressed, length);
      longer[length] = 'X';
      lh_test_run_ok (fixture->connection, "DELETE FROM notes");
      g_assert_true (g_file_set_contents (gz, longer, length + 1, NULL));
      refused = import (fixture, gz, &error);
      g_assert_null (refused);
      g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "it holds more than its compressed data"));
      g_clear_error (&error);
      g_assert_true (g_file_set_contents (gz, compressed, length - 10, NULL));
      refused = import (fixture, gz, &error);
      g_assert_null (refused);
      g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "its compressed data ends too early"));
      g_clear_error (&error);
      after = lh_test_dump (fixture->connection);
      g_assert_null (strstr (after, "from a laptop"));
    }

    /* Two gzip members one after the other (as `cat a.gz b.gz` makes) are one file. */
    {
      g_autofree char *database = NULL;
      gsize length = 0;
      g_autoptr(GFile) file = g_file_new_for_path (gz);
      g_autoptr(GOutputStream) out = NULL;
      g_autoptr(LhBackup) third = NULL;
      g_autofree char *after = NULL;

      g_assert_true (g_file_get_contents (local, &database, &length, NULL));
      out = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error));
      g_assert_no_error (error);
      for (guint half = 0; half < 2; half++)
        {
          g_autoptr(GConverter) gzip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1));
          g_autoptr(GOutputStream) member = g_converter_output_stream_new (out, gzip);
          gsize start = half == 0 ? 0 : length / 2;
          gsize end = half == 0 ? length / 2 : length;

          g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (member), FALSE);
          g_assert_true (g_output_stream_write_all (member, database + start, end - start, NULL,
                                                    NULL, &error));
          g_assert_true (g_output_stream_close (member, NULL, &error));
        }
      g_assert_true (g_output_stream_close (out, NULL, &error));
      lh_test_run_ok (fixture->connection, "DELETE FROM notes");
      third = import (fixture, gz, &error);
      g_assert_no_error (error);
      after = lh_test_dump (fixture->connection);
      g_assert_cmpstr (after, ==, expected);
    }
  }
}

/* A dump that fails half way changes nothing, and says which line failed. */
static void
test_broken_dump (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "broken.sql", NULL);
  g_autofree char *before = lh_test_dump (fixture->connection);
  g_autofree char *after = NULL;
  g_autoptr(GListModel) backups = list (fixture);
  g_autoptr(GListModel) backups_after = NULL;

  g_assert_true (g_file_set_contents (path, "CREATE TABLE fine (a);\nINSERT INTO fine VALUES (1);\n"
                                      "INSERT INTO missing VALUES (2);\n", -1, NULL));
  safety = import (fixture, path, &error);
  g_assert_null (safety);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "line 3"));
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
  /* Refused before the safety dump: nothing listed. */
  backups_after = list (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (backups_after), ==, g_list_model_get_n_items (backups));
}

/* A file with no table (an empty one, say) would only empty the database: refused. */
static void
test_import_empty (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "empty.sql", NULL);
  g_autofree char *before = lh_test_dump (fixture->connection);
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  safety = import (fixture, path, &error);
  g_assert_null (safety);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "holds no table"));
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
}

/* libSQL: a full-text table (a virtual one, with shadow tables) comes back searchable. */
static void
test_libsql_virtual_table (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) safety = NULL;

  lh_test_run_ok (fixture->connection, "CREATE VIRTUAL TABLE docs USING fts5 (title, body)");
  lh_test_run_ok (fixture->connection, "INSERT INTO docs (rowid, title, body) VALUES "
                                       "(4, 'lighthouse', 'a tower by the sea')");
  backup = create_dump (fixture, LH_BACKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  lh_test_run_ok (fixture->connection, "DELETE FROM docs");
  safety = restore_dump (fixture, backup, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_test_query_integer (fixture->connection,
                                          "SELECT rowid FROM docs WHERE docs MATCH 'tower'"), ==, 4);
}

/* The server failing the dump lists nothing and leaves the backup folder clean. */
static void
test_server_fault (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GListModel) backups = list (fixture);
  g_autoptr(GListModel) backups_after = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  static const struct
  {
    const char        *faults;
    LhConnectionError  code;
  } cases[] = {
    { "[{\"status\": 500, \"count\": 10}]", LH_CONNECTION_ERROR_SERVER },
    { "[{\"status\": 401, \"count\": 10}]", LH_CONNECTION_ERROR_UNAUTHORIZED },
    { "[{\"status\": 403, \"count\": 10}]", LH_CONNECTION_ERROR_FORBIDDEN },
    { "[{\"invalid_json\": true, \"count\": 10}]", LH_CONNECTION_ERROR_PROTOCOL },
    { "[{\"close\": true, \"count\": 10}]", LH_CONNECTION_ERROR_NETWORK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      lh_test_server_fault (fixture->server, cases[i].faults);
      backup = create_dump (fixture, LH_BACKUP_FLAGS_NONE, &error);
      g_assert_null (backup);
      g_assert_error (error, LH_CONNECTION_ERROR, (gint) cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "The database could not be dumped: "));
      g_assert_null (strstr (error->message, "d1-test-token"));
      g_assert_null (strstr (error->message, "test-token-0123"));
      g_clear_error (&error);
      lh_test_server_clear_faults (fixture->server);
    }
  backups_after = list (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (backups_after), ==, g_list_model_get_n_items (backups));
  /* No temporary file is left behind (the hidden ones). */
  dir = g_dir_open (lh_backup_catalog_get_folder (fixture->catalog), 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (*name == '.')
      g_error ("left in the backup folder: %s", name);
}

/* D1 failing the import itself (after the safety dump): an error that says so, the
 * database as it was. */
static void
test_d1_import_fault (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) backup = create_dump (fixture, LH_BACKUP_FLAGS_NONE, &error);
  g_autoptr(LhBackup) safety = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_no_error (error);
  lh_test_run_ok (fixture->connection, "DELETE FROM posts");
  before = lh_test_dump (fixture->connection);
  lh_test_server_fault (fixture->server, "[{\"status\": 503, \"count\": 10, \"path\": "
                        "\"/client/v4/accounts/" D1_ACCOUNT "/d1/database/" D1_ID "/import\"}]");
  safety = restore_dump (fixture, backup, &error);
  g_assert_null (safety);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "Nothing was changed: "));
  lh_test_server_clear_faults (fixture->server);
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
}

/* libSQL's dump reads in one transaction: its reads share one stream. */
static void
test_libsql_one_transaction (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autofree char *bodies = NULL;
  GString *all = g_string_new (NULL);

  lh_test_server_clear_requests (fixture->server);
  backup = create_dump (fixture, LH_BACKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  requests = lh_test_server_requests (fixture->server);
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      JsonNode *body = json_object_get_member (request, "body");
      g_autofree char *text = body != NULL ? json_to_string (body, FALSE) : g_strdup ("");

      g_string_append_printf (all, "%s\n", text);
    }
  bodies = g_string_free (all, FALSE);
  g_assert_nonnull (strstr (bodies, "\"sql\":\"BEGIN\""));
  g_assert_nonnull (strstr (bodies, "\"sql\":\"ROLLBACK\""));
}

/* D1's Time Travel: the bookmark of now, a change, a restore to the bookmark, and back
 * with the bookmark the restore gave. */
static void
test_d1_time_travel (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *bookmark = NULL;
  g_autofree char *previous = NULL;
  g_autofree char *current = NULL;
  g_autofree char *undone = NULL;
  g_autofree char *before = lh_test_dump (fixture->connection);
  g_autofree char *changed = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) long_ago = g_date_time_add_days (now, -60);

  lh_d1_get_bookmark_async (LH_D1_CONNECTION (fixture->job), NULL, NULL, lh_test_store_result_cb,
                            &result);
  bookmark = lh_d1_get_bookmark_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (bookmark);

  lh_test_run_ok (fixture->connection, "DELETE FROM posts WHERE id = 1");
  changed = lh_test_dump (fixture->connection);
  g_clear_object (&result);
  lh_d1_restore_bookmark_async (LH_D1_CONNECTION (fixture->job), bookmark, NULL,
                                lh_test_store_result_cb, &result);
  previous = lh_d1_restore_bookmark_finish (lh_test_wait_for_result (&result), &current, &error);
  g_assert_no_error (error);
  g_assert_nonnull (current);
  g_assert_cmpstr (previous, !=, bookmark);
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);

  /* Undo: back to the state the restore replaced. */
  g_clear_object (&result);
  lh_d1_restore_bookmark_async (LH_D1_CONNECTION (fixture->job), previous, NULL,
                                lh_test_store_result_cb, &result);
  undone = lh_d1_restore_bookmark_finish (lh_test_wait_for_result (&result), NULL, &error);
  g_assert_no_error (error);
  g_free (after);
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, changed);

  /* A time D1 no longer keeps is refused with its reason. */
  g_clear_object (&result);
  g_free (bookmark);
  lh_d1_get_bookmark_async (LH_D1_CONNECTION (fixture->job), long_ago, NULL,
                            lh_test_store_result_cb, &result);
  bookmark = lh_d1_get_bookmark_finish (lh_test_wait_for_result (&result), &error);
  g_assert_null (bookmark);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* An unknown bookmark too, and nothing changes. */
  g_clear_object (&result);
  lh_d1_restore_bookmark_async (LH_D1_CONNECTION (fixture->job),
                                "00000fff-00000000-00000000-0123456789abcdef0123456789abcdef",
                                NULL, lh_test_store_result_cb, &result);
  g_assert_null (lh_d1_restore_bookmark_finish (lh_test_wait_for_result (&result), NULL, &error));
  g_assert_nonnull (error);
  g_free (after);
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, changed);
}

/* Each progress call, in a GArray of Progress. */
typedef struct
{
  goffset current;
  goffset total;
} Progress;

static void
record_progress_cb (goffset  current,
                    goffset  total,
                    gpointer calls)
{
  Progress call = { current, total };

  g_array_append_val (calls, call);
}

/* D1's transfers tell how far they are: the import's upload, bytes sent of the file's
 * size on the way, and the export's download, bytes received. */
static void
test_d1_transfer_progress (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GArray) calls = g_array_new (FALSE, FALSE, sizeof (Progress));
  g_autofree char *sql_path = g_build_filename (fixture->dir, "big.sql", NULL);
  g_autofree char *dump_path = g_build_filename (fixture->dir, "export.sql", NULL);
  g_autoptr(GString) sql = g_string_new ("CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT);\n");
  g_autofree char *filler = g_strnfill (1000, 'x');
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bookmark = NULL;
  goffset size;
  gboolean partway = FALSE;
  guint received = 0;

  for (guint i = 1; i <= 2000; i++)
    g_string_append_printf (sql, "INSERT INTO big VALUES (%u, '%s');\n", i, filler);
  size = sql->len;
  g_assert_true (g_file_set_contents (sql_path, sql->str, sql->len, NULL));

  lh_d1_import_async (LH_D1_CONNECTION (fixture->job), sql_path, NULL, record_progress_cb, calls,
                      lh_test_store_result_cb, &result);
  bookmark = lh_d1_import_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (bookmark);
  g_assert_cmpint (lh_test_query_integer (fixture->connection, "SELECT count(*) FROM big"), ==, 2000);
  g_assert_cmpuint (calls->len, >=, 3);
  g_assert_cmpint (g_array_index (calls, Progress, 0).current, ==, 0);
  g_assert_cmpint (g_array_index (calls, Progress, 0).total, ==, size);
  for (guint i = 1; i + 1 < calls->len; i++)
    {
      Progress *call = &g_array_index (calls, Progress, i);

      g_assert_cmpint (call->total, ==, size);
      g_assert_cmpint (call->current, >=, g_array_index (calls, Progress, i - 1).current);
      partway = partway || (call->current > 0 && call->current < size);
    }
  g_assert_true (partway);
  g_assert_cmpint (g_array_index (calls, Progress, calls->len - 1).current, ==, size);
  g_assert_cmpint (g_array_index (calls, Progress, calls->len - 1).total, ==, size);

  /* The export: 0 of 0 while D1 makes the dump, then bytes received (told by the transfer
   * and, at the end, by the export), its size of its size last. */
  g_array_set_size (calls, 0);
  g_clear_object (&result);
  lh_d1_export_async (LH_D1_CONNECTION (fixture->job), dump_path, NULL, record_progress_cb, calls,
                      lh_test_store_result_cb, &result);
  g_assert_true (lh_d1_export_finish (lh_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (calls, Progress, 0).total, ==, 0);
  for (guint i = 0; i < calls->len; i++)
    received += g_array_index (calls, Progress, i).current > 0;
  g_assert_cmpuint (received, >=, 2);
  g_assert_cmpint (g_array_index (calls, Progress, calls->len - 1).current, >, size);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, setup, func) \
  g_test_add (path, Fixture, NULL, setup, func, fixture_tear_down)
  ADD ("/remote-backup/d1/dump-and-restore", d1_set_up, test_dump_and_restore);
  ADD ("/remote-backup/d1/gzip", d1_set_up, test_gzip);
  ADD ("/remote-backup/d1/import-local-file", d1_set_up, test_import_local_file);
  ADD ("/remote-backup/d1/broken-dump", d1_set_up, test_broken_dump);
  ADD ("/remote-backup/d1/server-fault", d1_set_up, test_server_fault);
  ADD ("/remote-backup/d1/time-travel", d1_set_up, test_d1_time_travel);
  ADD ("/remote-backup/d1/import-fault", d1_set_up, test_d1_import_fault);
  ADD ("/remote-backup/d1/transfer-progress", d1_set_up, test_d1_transfer_progress);
  ADD ("/remote-backup/libsql/dump-and-restore", libsql_set_up, test_dump_and_restore);
  ADD ("/remote-backup/libsql/gzip", libsql_set_up, test_gzip);
  ADD ("/remote-backup/libsql/import-local-file", libsql_set_up, test_import_local_file);
  ADD ("/remote-backup/libsql/broken-dump", libsql_set_up, test_broken_dump);
  ADD ("/remote-backup/libsql/server-fault", libsql_set_up, test_server_fault);
  ADD ("/remote-backup/libsql/one-transaction", libsql_set_up, test_libsql_one_transaction);
  ADD ("/remote-backup/libsql/virtual-table", libsql_set_up, test_libsql_virtual_table);
  ADD ("/remote-backup/libsql/import-empty", libsql_set_up, test_import_empty);
  ADD ("/remote-backup/d1/import-empty", d1_set_up, test_import_empty);
  return g_test_run ();
}
