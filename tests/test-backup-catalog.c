/* test-backup-catalog.c — LhBackupCatalog on real files: an exact backup of a WAL
 * database while another connection writes (consistent, progress up to the total), compact
 * and gzip backups, the list and its fields, the file names and folders, verify (passing,
 * damaged, not SQLite, file gone), restore (the data back, also for a connection already
 * open; a safety backup of what was replaced; a damaged database; a write lock held by
 * another process), a cancel in the middle, an unwritable folder, a database that is not
 * SQLite, delete, and retention: lh_retention_select() at fixed times, and prune removing
 * files. Branches: made, listed, edited, compared, promoted, deleted, left by prune, their
 * names checked and made safe. Leftovers of a killed process: its temporary files removed
 * by the next create or prune, those locked by a process at work and any other file left
 * alone; a temporary file in use locked. A catalog of the first version brought up to date
 * (in a subprocess with a data folder of its own). Each test has its own temporary folder for the
 * database, so its own backup folder and catalog rows (in the data folder tests/meson.build
 * sets), deleted when it ends. */
#define _POSIX_C_SOURCE 200809L   /* fork(), pipe() under -std=c11 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lh-test-util.h"

#define NAMES_SQL "SELECT group_concat(name, ',') FROM (SELECT name FROM items ORDER BY id)"

/* Rows of padding: a database of about rows × bytes. */
#define PAD_SQL \
  "CREATE TABLE IF NOT EXISTS pad (x);" \
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %u)" \
  " INSERT INTO pad SELECT randomblob(%u) FROM c;"

typedef struct
{
  char            *dir;
  char            *db_path;
  LhBackupCatalog *catalog;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->db_path = g_build_filename (fixture->dir, "app.db", NULL);
  lh_test_make_db (fixture->db_path,
                   "PRAGMA journal_mode = WAL;"
                   "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                   "INSERT INTO items (name) VALUES ('ada'), ('grace');");
  fixture->catalog = lh_backup_catalog_new (fixture->db_path);
}

static GListModel *list_of (LhBackupCatalog *catalog);
static gboolean delete_from (LhBackupCatalog *catalog, LhBackup *backup, GError **error);

/* Deletes the backups of catalog, and whatever else is in its folder. */
static void
forget_backups (LhBackupCatalog *catalog)
{
  g_autoptr(GListModel) backups = list_of (catalog);

  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);
      g_autoptr(GError) error = NULL;

      g_assert_true (delete_from (catalog, backup, &error));
      g_assert_no_error (error);
    }
  lh_test_remove_dir (lh_backup_catalog_get_folder (catalog));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  forget_backups (fixture->catalog);
  g_clear_object (&fixture->catalog);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->dir);
}

/* Progress as the caller sees it. */

typedef struct
{
  GThread      *thread;             /* where every call must come */
  guint         calls;
  goffset       current;
  goffset       total;
  gboolean      finished;           /* the operation's callback has run */
  gboolean      called_after_finish;
  GCancellable *cancel_before_end;  /* cancelled at the first report short of the total */
} ProgressLog;

static void
progress_log_init (ProgressLog *log)
{
  memset (log, 0, sizeof *log);
  log->thread = g_thread_self ();
  log->current = log->total = -1;
}

static void
progress_cb (goffset  current,
             goffset  total,
             gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_true (log->thread == g_thread_self ());
  if (log->finished)
    log->called_after_finish = TRUE;
  log->calls++;
  log->current = current;
  log->total = total;
  if (log->cancel_before_end != NULL && current < total)
    g_cancellable_cancel (log->cancel_before_end);
}

/* The operations, waited for. */

static LhBackup *
create (Fixture        *fixture,
        LhBackupKind    kind,
        LhBackupFlags   flags,
        const char     *note,
        GCancellable   *cancellable,
        ProgressLog    *log,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  LhBackup *backup;

  lh_backup_catalog_create_async (fixture->catalog, kind, flags, note, cancellable,
                                  log != NULL ? progress_cb : NULL, log,
                                  lh_test_store_result_cb, &result);
  backup = lh_backup_catalog_create_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                            error);
  if (log != NULL)
    log->finished = TRUE;
  return backup;
}

static LhBackup *
create_ok (Fixture       *fixture,
           LhBackupKind   kind,
           LhBackupFlags  flags,
           const char    *note)
{
  g_autoptr(GError) error = NULL;
  LhBackup *backup = create (fixture, kind, flags, note, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (backup);
  return backup;
}

static GListModel *
list_of (LhBackupCatalog *catalog)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *backups;

  lh_backup_catalog_list_async (catalog, NULL, lh_test_store_result_cb, &result);
  backups = lh_backup_catalog_list_finish (catalog, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_list_model_get_item_type (backups) == LH_TYPE_BACKUP);
  return backups;
}

static GListModel *
list_ok (Fixture *fixture)
{
  return list_of (fixture->catalog);
}

/* The backup at position of a new list. */
static LhBackup *
listed (Fixture *fixture,
        guint    position)
{
  g_autoptr(GListModel) backups = list_ok (fixture);
  LhBackup *backup = g_list_model_get_item (backups, position);

  g_assert_nonnull (backup);
  return backup;
}

static guint
count_listed_in (LhBackupCatalog *catalog)
{
  g_autoptr(GListModel) backups = list_of (catalog);

  return g_list_model_get_n_items (backups);
}

static guint
count_listed (Fixture *fixture)
{
  return count_listed_in (fixture->catalog);
}

static gboolean
verify (Fixture   *fixture,
        LhBackup  *backup,
        GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_verify_async (fixture->catalog, backup, NULL, lh_test_store_result_cb, &result);
  return lh_backup_catalog_verify_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                          error);
}

static LhBackup *
restore (Fixture      *fixture,
         LhBackup     *backup,
         guint         lock_timeout_ms,
         ProgressLog  *log,
         GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_restore_async (fixture->catalog, backup, lock_timeout_ms, NULL,
                                   log != NULL ? progress_cb : NULL, log,
                                   lh_test_store_result_cb, &result);
  return lh_backup_catalog_restore_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                           error);
}

static LhBackup *
create_branch_in (LhBackupCatalog  *catalog,
                  const char       *name,
                  GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_create_branch_async (catalog, name, NULL, NULL, NULL,
                                         lh_test_store_result_cb, &result);
  return lh_backup_catalog_create_branch_finish (catalog, lh_test_wait_for_result (&result),
                                                 error);
}

static LhBackup *
create_branch (Fixture     *fixture,
               const char  *name,
               GError     **error)
{
  return create_branch_in (fixture->catalog, name, error);
}

static LhBackup *
create_branch_ok (Fixture    *fixture,
                  const char *name)
{
  g_autoptr(GError) error = NULL;
  LhBackup *branch = create_branch (fixture, name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (branch);
  return branch;
}

static gboolean
delete_from (LhBackupCatalog  *catalog,
             LhBackup         *backup,
             GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_delete_async (catalog, backup, NULL, lh_test_store_result_cb, &result);
  return lh_backup_catalog_delete_finish (catalog, lh_test_wait_for_result (&result), error);
}

static gboolean
delete_backup (Fixture   *fixture,
               LhBackup  *backup,
               GError   **error)
{
  return delete_from (fixture->catalog, backup, error);
}

static guint
prune (Fixture           *fixture,
       const LhRetention *retention)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n_deleted;

  lh_backup_catalog_prune_async (fixture->catalog, retention, NULL, lh_test_store_result_cb,
                                 &result);
  n_deleted = lh_backup_catalog_prune_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                              &error);
  g_assert_no_error (error);
  return n_deleted;
}

/* Files. */

static void
add_padding (const char *path,
             guint       rows,
             guint       bytes)
{
  g_autofree char *sql = g_strdup_printf (PAD_SQL, rows, bytes);

  lh_test_make_db (path, sql);
}

static guint64
file_size (const char *path)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  return info.st_size;
}

/* Writes length bytes of byte at offset of the file at path. */
static void
overwrite (const char *path,
           goffset     offset,
           gsize       length,
           char        byte)
{
  g_autofree char *bytes = g_malloc (length);
  FILE *file = g_fopen (path, "r+b");

  memset (bytes, byte, length);
  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, offset, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (bytes, 1, length, file), ==, length);
  g_assert_cmpint (fclose (file), ==, 0);
}

/* Damages a page in the middle of the SQLite file at path. */
static void
damage_middle (const char *path)
{
  goffset middle = (file_size (path) / 2) / 4096 * 4096;

  g_assert_cmpint (middle, >, 4096);
  overwrite (path, middle, 4096, 0x5a);
}

static void
write_garbage (const char *path)
{
  g_autoptr(GString) garbage = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  while (garbage->len < 8192)
    g_string_append (garbage, "This is a shopping list, not a database. ");
  g_file_set_contents (path, garbage->str, garbage->len, &error);
  g_assert_no_error (error);
}

static guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* What sql gives on a connection that is open already, as lh_test_query_text() writes it. */
static char *
query_on (LhConnection *connection,
          const char   *sql)
{
  GString *text = g_string_new (NULL);

  lh_test_append_rows (text, connection, sql);
  return g_string_free (text, FALSE);
}

/* The SHA-256 of the schema and every row of the database at path. */
static char *
content_checksum (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) reader = lh_test_open (path, LH_LOCAL_OPEN_READ_ONLY, 1000, &error);
  g_autofree char *dump = NULL;

  g_assert_no_error (error);
  dump = lh_test_dump (LH_CONNECTION (reader));
  lh_test_close ((LhConnection **) &reader);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, dump, -1);
}

static void
decompress_file (const char *from,
                 const char *to)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) target = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) input = g_file_read (source, NULL, &error);
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) plain = NULL;
  g_autoptr(GFileOutputStream) output = NULL;

  g_assert_no_error (error);
  plain = g_converter_input_stream_new (G_INPUT_STREAM (input), G_CONVERTER (decompressor));
  output = g_file_create (target, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_splice (G_OUTPUT_STREAM (output), plain,
                          G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                          NULL, &error);
  g_assert_no_error (error);
}

/* Exact backups while another connection writes. */

#define BATCH_ROWS 20
#define PAD_ROWS 4000

typedef struct
{
  LhConnection *connection;
  guint         commits;
  gboolean      running;
  gboolean      in_flight;
} Writer;

static void write_next (Writer *writer);

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Writer *writer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = lh_connection_batch_finish (writer->connection, result, &error);

  g_assert_no_error (error);
  writer->commits++;
  writer->in_flight = FALSE;
  if (writer->running)
    write_next (writer);
}

/* One write transaction: both counters, BATCH_ROWS rows tagged with its number, and a row
 * of padding somewhere in the file. */
static void
write_next (Writer *writer)
{
  guint tag = writer->commits + 1;
  g_autofree char *rows = g_strdup_printf ("INSERT INTO batches WITH RECURSIVE c(i) AS "
                                           "(SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)"
                                           " SELECT %u, i FROM c", BATCH_ROWS, tag);
  g_autofree char *pad = g_strdup_printf ("UPDATE pad SET x = randomblob(2000) WHERE rowid = %u",
                                          tag * 997 % PAD_ROWS + 1);
  g_autoptr(GPtrArray) statements = lh_test_statements ("UPDATE counters SET a = a + 1", rows, pad,
                                                        "UPDATE counters SET b = b + 1", NULL);

  writer->in_flight = TRUE;
  lh_connection_batch_async (writer->connection, statements, LH_BATCH_TRANSACTION, NULL,
                             written_cb, writer);
}

static gboolean
writer_idle (gpointer data)
{
  return !((Writer *) data)->in_flight;
}

/* data: the journal mode. */
static void
test_exact_while_writing (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autofree char *counters = NULL;
  g_autofree char *torn = NULL;
  g_autofree char *mode = NULL;
  Writer writer = { 0 };
  ProgressLog log;
  g_autofree char *set_mode = g_strdup_printf ("PRAGMA journal_mode = %s", (const char *) data);
  guint commits_before;

  lh_test_make_db (fixture->db_path, set_mode);
  add_padding (fixture->db_path, PAD_ROWS, 2000);
  lh_test_make_db (fixture->db_path, "CREATE TABLE counters (a, b); INSERT INTO counters VALUES (0, 0);"
                                     "CREATE TABLE batches (tag, i);");
  writer.connection = LH_CONNECTION (lh_test_open (fixture->db_path, LH_LOCAL_OPEN_NONE, 5000, &error));
  g_assert_no_error (error);
  writer.running = TRUE;
  write_next (&writer);

  progress_log_init (&log);
  commits_before = writer.commits;
  backup = create (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, NULL, &log, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (writer.commits, >, commits_before);
  writer.running = FALSE;
  g_assert_true (lh_test_wait_until (writer_idle, &writer, 10000));

  /* The backup holds each write transaction whole or not at all. */
  g_assert_true (verify (fixture, backup, &error));
  g_assert_no_error (error);
  counters = lh_test_query_text (lh_backup_get_path (backup),
                                 "SELECT a = b AND a = (SELECT count(DISTINCT tag) FROM batches)"
                                 " FROM counters");
  g_assert_cmpstr (counters, ==, "1\n");
  torn = lh_test_query_text (lh_backup_get_path (backup),
                             "SELECT count(*) FROM (SELECT tag FROM batches GROUP BY tag"
                             " HAVING count(*) != " G_STRINGIFY (BATCH_ROWS) ")");
  g_assert_cmpstr (torn, ==, "0\n");
  /* One file, whatever the database's journal mode. */
  mode = lh_test_query_text (lh_backup_get_path (backup), "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "delete\n");

  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_cmpint (log.total, >, 0);
  g_assert_cmpint (log.current, ==, log.total);
  g_assert_cmpint (log.total, <=, file_size (lh_backup_get_path (backup)));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (log.called_after_finish);
  lh_test_close (&writer.connection);
}

/* A compact backup leaves the free pages out. */
static void
test_compact (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LhBackup) exact = NULL;
  g_autoptr(LhBackup) compact = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  ProgressLog log;

  add_padding (fixture->db_path, 3000, 1000);
  lh_test_make_db (fixture->db_path, "DELETE FROM pad WHERE rowid > 100");
  exact = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  progress_log_init (&log);
  compact = create (fixture, LH_BACKUP_COMPACT, LH_BACKUP_FLAGS_NONE, NULL, NULL, &log, &error);
  g_assert_no_error (error);

  g_assert_cmpint (lh_backup_get_kind (compact), ==, LH_BACKUP_COMPACT);
  g_assert_cmpuint (lh_backup_get_size (compact), ==, file_size (lh_backup_get_path (compact)));
  g_assert_cmpuint (lh_backup_get_size (exact), ==, file_size (lh_backup_get_path (exact)));
  g_assert_cmpuint (lh_backup_get_size (compact) * 4, <, lh_backup_get_size (exact));
  expected = content_checksum (fixture->db_path);
  got = content_checksum (lh_backup_get_path (compact));
  g_assert_cmpstr (got, ==, expected);

  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_cmpint (log.total, ==, lh_backup_get_size (compact));
  g_assert_cmpint (log.current, ==, log.total);
}

/* A gzip backup is a gzip file of the database. */
static void
test_gzip (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = g_build_filename (fixture->dir, "plain.sqlite", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  gsize length;

  add_padding (fixture->db_path, 500, 1000);
  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_GZIP, NULL);
  g_assert_true (g_str_has_suffix (lh_backup_get_path (backup), ".sqlite.gz"));
  g_assert_cmpint (lh_backup_get_flags (backup), ==, LH_BACKUP_GZIP);
  g_assert_cmpuint (lh_backup_get_size (backup), ==, file_size (lh_backup_get_path (backup)));

  g_file_get_contents (lh_backup_get_path (backup), &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 2);
  g_assert_cmpint ((guchar) contents[0], ==, 0x1f);
  g_assert_cmpint ((guchar) contents[1], ==, 0x8b);
  decompress_file (lh_backup_get_path (backup), plain);
  expected = content_checksum (fixture->db_path);
  got = content_checksum (plain);
  g_assert_cmpstr (got, ==, expected);

  g_assert_true (verify (fixture, backup, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 1);
}

static void
assert_file_name (LhBackup   *backup,
                  const char *pattern)
{
  g_autofree char *name = g_path_get_basename (lh_backup_get_path (backup));

  if (!g_regex_match_simple (pattern, name, 0, 0))
    g_error ("%s does not match %s", name, pattern);
}

/* The list: newest first, each with its fields; files named after the database and the
 * time, in a private folder. */
static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(LhBackup) first = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, "first");
  g_autoptr(LhBackup) second = create_ok (fixture, LH_BACKUP_COMPACT, LH_BACKUP_GZIP, "second");
  g_autoptr(GListModel) backups = list_ok (fixture);
  g_autoptr(LhBackup) newest = g_list_model_get_item (backups, 0);
  g_autoptr(LhBackup) oldest = g_list_model_get_item (backups, 1);
  g_autofree char *folder = NULL;
  LhBackupKind kind;
  GStatBuf info;

  g_assert_cmpuint (g_list_model_get_n_items (backups), ==, 2);
  g_assert_cmpint (lh_backup_get_id (newest), ==, lh_backup_get_id (second));
  g_assert_cmpint (lh_backup_get_id (oldest), ==, lh_backup_get_id (first));
  g_assert_cmpint (lh_backup_get_id (oldest), >, 0);

  g_assert_cmpstr (lh_backup_get_path (newest), ==, lh_backup_get_path (second));
  g_assert_cmpint (lh_backup_get_kind (newest), ==, LH_BACKUP_COMPACT);
  g_assert_cmpint (lh_backup_get_flags (newest), ==, LH_BACKUP_GZIP);
  g_assert_cmpstr (lh_backup_get_note (newest), ==, "second");
  g_assert_cmpuint (lh_backup_get_size (newest), ==, file_size (lh_backup_get_path (newest)));
  g_assert_null (lh_backup_get_verified_at (newest));
  g_assert_false (lh_backup_get_missing (newest));
  g_assert_cmpint (g_date_time_compare (lh_backup_get_created_at (newest),
                                        lh_backup_get_created_at (oldest)), >, 0);
  g_assert_true (g_date_time_equal (lh_backup_get_created_at (oldest),
                                    lh_backup_get_created_at (first)));
  g_assert_cmpint (lh_backup_get_kind (oldest), ==, LH_BACKUP_EXACT);
  g_assert_cmpint (lh_backup_get_flags (oldest), ==, LH_BACKUP_FLAGS_NONE);
  g_assert_cmpstr (lh_backup_get_note (oldest), ==, "first");
  g_object_get (newest, "kind", &kind, "path", &folder, NULL);
  g_assert_cmpint (kind, ==, LH_BACKUP_COMPACT);
  g_clear_pointer (&folder, g_free);

  assert_file_name (newest, "^app-[0-9]{8}-[0-9]{6}(-[0-9]+)?\\.sqlite\\.gz$");
  assert_file_name (oldest, "^app-[0-9]{8}-[0-9]{6}(-[0-9]+)?\\.sqlite$");
  folder = g_path_get_dirname (lh_backup_get_path (newest));
  g_assert_cmpstr (folder, ==, lh_backup_catalog_get_folder (fixture->catalog));
  g_assert_true (g_str_has_prefix (folder, g_get_user_data_dir ()));
  g_assert_cmpint (g_stat (folder, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);
  g_assert_cmpuint (count_files (folder), ==, 2);
}

/* A name taken already gets a number: nothing is ever replaced. */
static void
test_name_taken (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *folder = lh_backup_catalog_get_folder (fixture->catalog);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  /* The names of this second and the next few. */
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(GDateTime) time = g_date_time_add_seconds (now, i);
      g_autofree char *stamp = g_date_time_format (time, "%Y%m%d-%H%M%S");
      g_autofree char *name = g_strdup_printf ("app-%s.sqlite", stamp);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_file_set_contents (path, "taken", -1, &error);
      g_assert_no_error (error);
    }
  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  assert_file_name (backup, "^app-[0-9]{8}-[0-9]{6}-2\\.sqlite$");
  g_assert_cmpuint (count_files (folder), ==, 6);
  g_assert_cmpuint (count_listed (fixture), ==, 1);
}

/* Two databases named app.db in different folders keep their backups apart. */
static void
test_same_name (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *other_dir = g_build_filename (fixture->dir, "elsewhere", NULL);
  g_autofree char *other_path = g_build_filename (other_dir, "app.db", NULL);
  g_autoptr(LhBackupCatalog) other = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autofree char *base = NULL;
  g_autofree char *other_base = NULL;

  g_assert_cmpint (g_mkdir (other_dir, 0700), ==, 0);
  lh_test_make_db (other_path, "CREATE TABLE t (x)");
  other = lh_backup_catalog_new (other_path);
  g_assert_cmpstr (lh_backup_catalog_get_database (other), ==, other_path);
  base = g_path_get_basename (lh_backup_catalog_get_folder (fixture->catalog));
  other_base = g_path_get_basename (lh_backup_catalog_get_folder (other));
  g_assert_cmpstr (base, !=, other_base);
  g_assert_true (g_str_has_prefix (base, "app.db-"));
  g_assert_true (g_str_has_prefix (other_base, "app.db-"));

  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_assert_cmpuint (count_listed (fixture), ==, 1);
  g_assert_cmpuint (count_listed_in (other), ==, 0);
  g_assert_false (g_file_test (lh_backup_catalog_get_folder (other), G_FILE_TEST_EXISTS));
}

/* Verifying a sound backup records when. */
static void
test_verify (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) after = NULL;
  g_autoptr(LhBackup) verified = NULL;
  g_autoptr(GError) error = NULL;
  GDateTime *when;

  g_assert_true (verify (fixture, backup, &error));
  g_assert_no_error (error);
  after = g_date_time_new_now_utc ();
  verified = listed (fixture, 0);
  when = lh_backup_get_verified_at (verified);
  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_compare (when, before), >=, 0);
  g_assert_cmpint (g_date_time_compare (when, after), <=, 0);
  /* The object given is a snapshot. */
  g_assert_null (lh_backup_get_verified_at (backup));
}

/* A damaged backup fails with integrity_check's first complaint. */
static void
test_verify_corrupt (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  add_padding (fixture->db_path, 1000, 1000);
  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  damage_middle (lh_backup_get_path (backup));
  g_assert_false (verify (fixture, backup, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  name = g_path_get_basename (lh_backup_get_path (backup));
  g_assert_nonnull (strstr (error->message, name));
  g_assert_null (strstr (error->message, "***"));
  g_assert_null (strchr (error->message, '\n'));
  again = listed (fixture, 0);
  g_assert_null (lh_backup_get_verified_at (again));
}

/* A backup file that is not SQLite at all, plain or compressed. */
static void
test_verify_garbage (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) compressed = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_GZIP, NULL);
  g_autoptr(GError) error = NULL;

  write_garbage (lh_backup_get_path (backup));
  g_assert_false (verify (fixture, backup, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);

  write_garbage (lh_backup_get_path (compressed));
  g_assert_false (verify (fixture, compressed, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  /* The decompressed copy is gone too. */
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 2);
}

/* A backup file emptied or cut short after it was listed (plain or compressed) fails its
 * check, and is not restored: SQLite alone would take an empty file for an empty
 * database, and restoring it would empty the database. */
static void
test_verify_emptied (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) compressed = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_GZIP, NULL);
  g_autoptr(LhBackup) cut = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(GFile) gz = g_file_new_for_path (lh_backup_get_path (compressed));
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GConverter) gzip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1));
  g_autoptr(GOutputStream) empty_gzip = NULL;
  g_autofree char *before = content_checksum (fixture->db_path);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (lh_backup_get_path (backup), "", 0, NULL));
  g_assert_false (verify (fixture, backup, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "is empty"));
  g_clear_error (&error);
  g_assert_null (restore (fixture, backup, 1000, NULL, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_clear_error (&error);

  /* An empty gzip stream, in place of the compressed backup. */
  out = G_OUTPUT_STREAM (g_file_replace (gz, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error));
  g_assert_no_error (error);
  empty_gzip = g_converter_output_stream_new (out, gzip);
  g_assert_true (g_output_stream_close (empty_gzip, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (verify (fixture, compressed, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_null (restore (fixture, compressed, 1000, NULL, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Cut short: its size is not what it was. */
  g_assert_cmpint (truncate (lh_backup_get_path (cut), 4096), ==, 0);
  g_assert_false (verify (fixture, cut, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, " bytes), not the "));

  after = content_checksum (fixture->db_path);
  g_assert_cmpstr (after, ==, before);
}

/* Leaves a "hot" journal beside the database at path (in rollback-journal mode): a child
 * process writes many rows with a cache too small to hold them, so that its transaction
 * reaches the file, and dies before committing. */
static void
leave_hot_journal (const char *path)
{
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      sqlite3 *db = NULL;

      if (sqlite3_open (path, &db) != SQLITE_OK ||
          sqlite3_exec (db, "PRAGMA cache_size = 1; BEGIN;"
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
                            " INSERT INTO items (name) SELECT hex(randomblob(300)) FROM n;"
                            "UPDATE items SET name = 'changed';", NULL, NULL, NULL) != SQLITE_OK)
        _exit (1);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));
}

/* A transaction that a program left unfinished (a hot journal) is rolled back, as SQLite
 * would for any program, before a backup or a restore's safety backup copies the
 * database. */
static void
test_hot_journal (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(LhBackup) compact = NULL;
  g_autofree char *before = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *compacted = NULL;
  g_autofree char *kept = NULL;
  g_autoptr(GError) error = NULL;

  lh_test_make_db (fixture->db_path, "PRAGMA journal_mode = DELETE");
  before = content_checksum (fixture->db_path);
  leave_hot_journal (fixture->db_path);
  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  copied = content_checksum (lh_backup_get_path (backup));
  g_assert_cmpstr (copied, ==, before);

  leave_hot_journal (fixture->db_path);
  compact = create_ok (fixture, LH_BACKUP_COMPACT, LH_BACKUP_FLAGS_NONE, NULL);
  compacted = content_checksum (lh_backup_get_path (compact));
  g_assert_cmpstr (compacted, ==, before);

  leave_hot_journal (fixture->db_path);
  safety = restore (fixture, backup, 1000, NULL, &error);
  g_assert_no_error (error);
  kept = content_checksum (lh_backup_get_path (safety));
  g_assert_cmpstr (kept, ==, before);
}

/* A database file deleted is restored from its backup: nothing to keep first, so no
 * safety backup; not over a write-ahead log left beside it, which SQLite would roll in. */
static void
test_restore_deleted (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_GZIP, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autofree char *expected = content_checksum (fixture->db_path);
  g_autofree char *got = NULL;
  g_autofree char *wal = g_strconcat (fixture->db_path, "-wal", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_unlink (fixture->db_path), ==, 0);
  g_assert_true (g_file_set_contents (wal, "a write-ahead log", -1, NULL));
  g_assert_null (restore (fixture, backup, 1000, NULL, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_BUSY);
  g_assert_false (g_file_test (fixture->db_path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (wal), ==, 0);
  safety = restore (fixture, backup, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (safety);
  got = content_checksum (fixture->db_path);
  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpuint (count_listed (fixture), ==, 1);
}

/* A branch promoted in place of a database file that was deleted brings what its
 * write-ahead log holds, while the branch is open elsewhere. */
static void
test_promote_deleted (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };
  g_autoptr(LhBackup) branch = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  sqlite3 *open_branch = NULL;

  branch = create_branch_in (fixture->catalog, "try", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (lh_backup_get_path (branch), &open_branch), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (open_branch, "PRAGMA journal_mode = WAL;"
                                 "INSERT INTO items (name) VALUES ('from the branch')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (fixture->db_path, suffixes[i], NULL);

      g_unlink (path);
    }
  safety = restore (fixture, branch, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (safety);
  sqlite3_close (open_branch);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace,from the branch\n");
}

/* A database in WAL mode whose page size is not the backup's: SQLite cannot restore
 * between them in WAL mode. Used elsewhere, it is said before anything is done (no safety
 * backup); used nowhere, it leaves WAL mode for the restore and goes back to it after. */
static void
test_restore_page_sizes (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *names = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *elsewhere = NULL;

  lh_test_make_db (fixture->db_path, "PRAGMA journal_mode = DELETE; PRAGMA page_size = 8192; VACUUM;"
                                     "PRAGMA journal_mode = WAL; INSERT INTO items (name) VALUES ('new')");
  before = content_checksum (fixture->db_path);
  g_assert_cmpint (sqlite3_open (fixture->db_path, &elsewhere), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (elsewhere, "SELECT count(*) FROM items", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_null (restore (fixture, backup, 1000, NULL, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "The backup’s pages are of 4096 bytes and those of"));
  g_assert_nonnull (strstr (error->message, " of 8192: SQLite cannot restore between them"));
  sqlite3_close (elsewhere);
  after = content_checksum (fixture->db_path);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (count_listed (fixture), ==, 1);
  g_clear_error (&error);

  safety = restore (fixture, backup, 1000, NULL, &error);
  g_assert_no_error (error);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace\n");
  mode = lh_test_query_text (fixture->db_path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal\n");
  g_free (names);
  names = lh_test_query_text (lh_backup_get_path (safety), NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace,new\n");
}

/* Litehouse's own catalog cannot be backed up through itself. */
static void
test_catalog_itself (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "litehouse", "catalog.sqlite", NULL);
  g_autoptr(LhBackupCatalog) catalog = lh_backup_catalog_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhBackup) refused = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  lh_backup_catalog_create_async (catalog, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, NULL, NULL,
                                  NULL, lh_test_store_result_cb, &result);
  refused = lh_backup_catalog_create_finish (catalog, lh_test_wait_for_result (&result), &error);
  g_assert_null (refused);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Litehouse’s own catalog of backups"));
  g_assert_cmpuint (count_listed_in (catalog), ==, 0);
}

/* A database reached through a symbolic link has the backups of its file; restored after
 * the file was deleted, the file comes back where the link leads, the link stays. */
static void
test_symbolic_link (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };
  g_autofree char *link = g_build_filename (fixture->dir, "alias.db", NULL);
  g_autoptr(LhBackupCatalog) through_link = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = content_checksum (fixture->db_path);
  g_autofree char *got = NULL;
  GStatBuf info;

  g_assert_cmpint (symlink ("app.db", link), ==, 0);
  through_link = lh_backup_catalog_new (link);
  g_assert_cmpstr (lh_backup_catalog_get_database (through_link), ==,
                   lh_backup_catalog_get_database (fixture->catalog));
  lh_backup_catalog_create_async (through_link, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, NULL,
                                  NULL, NULL, lh_test_store_result_cb, &result);
  backup = lh_backup_catalog_create_finish (through_link, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_listed (fixture), ==, 1);

  /* The database, and what SQLite keeps beside it. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (fixture->db_path, suffixes[i], NULL);

      g_unlink (path);
    }
  g_clear_object (&result);
  lh_backup_catalog_restore_async (through_link, backup, 1000, NULL, NULL, NULL,
                                   lh_test_store_result_cb, &result);
  safety = lh_backup_catalog_restore_finish (through_link, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (link, &info), ==, 0);
  g_assert_true (S_ISLNK (info.st_mode));
  got = content_checksum (fixture->db_path);
  g_assert_cmpstr (got, ==, expected);
}

/* A backup whose file has gone stays listed; verify and restore say it is missing. */
static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) gone = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_unlink (lh_backup_get_path (backup)), ==, 0);
  gone = listed (fixture, 0);
  g_assert_true (lh_backup_get_missing (gone));
  g_assert_false (verify (fixture, gone, &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_MISSING);
  g_clear_error (&error);
  safety = restore (fixture, gone, 1000, NULL, &error);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_MISSING);
  g_assert_null (safety);
  g_assert_cmpuint (count_listed (fixture), ==, 1);
}

/* Restoring brings the data back for every connection, after a safety backup of what it
 * replaces. */
static void
test_restore (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhConnection) other = LH_CONNECTION (lh_test_open (fixture->db_path, LH_LOCAL_OPEN_NONE,
                                                               1000, &error));
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(LhBackup) newest = NULL;
  g_autoptr(LhBackup) restored = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *in_file = NULL;
  g_autofree char *in_safety = NULL;
  g_autofree char *check = NULL;
  g_autofree char *number = NULL;
  ProgressLog log;

  g_assert_no_error (error);
  g_assert_cmpint (lh_test_query_integer (other, "SELECT count(*) FROM items"), ==, 2);
  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  lh_test_run_ok (other, "UPDATE items SET name = 'changed'");
  lh_test_run_ok (other, "INSERT INTO items (name) VALUES ('new')");

  progress_log_init (&log);
  safety = restore (fixture, backup, 1000, &log, &error);
  g_assert_no_error (error);
  g_assert_nonnull (safety);

  seen = query_on (other, NAMES_SQL);
  g_assert_cmpstr (seen, ==, "ada,grace\n");
  in_file = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (in_file, ==, "ada,grace\n");
  check = query_on (other, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok\n");

  g_assert_cmpint (lh_backup_get_kind (safety), ==, LH_BACKUP_EXACT);
  g_assert_cmpint (lh_backup_get_flags (safety), ==, LH_BACKUP_SAFETY);
  number = g_strdup_printf ("#%" G_GINT64_FORMAT, lh_backup_get_id (backup));
  g_assert_nonnull (strstr (lh_backup_get_note (safety), number));
  in_safety = lh_test_query_text (lh_backup_get_path (safety), NAMES_SQL);
  g_assert_cmpstr (in_safety, ==, "changed,changed,new\n");

  g_assert_cmpuint (count_listed (fixture), ==, 2);
  newest = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (newest), ==, lh_backup_get_id (safety));
  restored = listed (fixture, 1);
  g_assert_nonnull (lh_backup_get_verified_at (restored));
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_cmpint (log.current, ==, log.total);
  lh_test_close (&other);
}

/* A gzip backup restores too. */
static void
test_restore_gzip (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_COMPACT, LH_BACKUP_GZIP, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  lh_test_make_db (fixture->db_path, "DELETE FROM items");
  safety = restore (fixture, backup, 1000, NULL, &error);
  g_assert_no_error (error);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace\n");
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 2);
}

/* A damaged database is restored; its safety backup keeps it as it was and says so. */
static void
test_restore_damaged (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *check = NULL;

  add_padding (fixture->db_path, 1000, 1000);
  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  damage_middle (fixture->db_path);
  safety = create (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT);
  g_assert_null (safety);
  g_clear_error (&error);

  safety = restore (fixture, backup, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (lh_backup_get_note (safety), "damaged"));
  check = lh_test_query_text (fixture->db_path, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok\n");
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace\n");
}

/* Another process writing: nothing restored, and no safety backup kept of what is unchanged. */
static void
test_restore_busy (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(LhBackup) newest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  GSubprocess *locker;
  gint64 start;

  lh_test_make_db (fixture->db_path, "UPDATE items SET name = 'changed'");
  locker = lh_test_lock_db (fixture->db_path, "immediate");
  start = g_get_monotonic_time ();
  safety = restore (fixture, backup, 200, NULL, &error);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "app.db"));
  g_assert_nonnull (strstr (error->message, "nothing was restored"));
  g_assert_null (safety);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  lh_test_unlock_db (locker);

  /* The database as it was, and no safety backup of it: it would take a backup's place
   * at pruning. */
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "changed,changed\n");
  g_assert_cmpuint (count_listed (fixture), ==, 1);
  newest = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (newest), ==, lh_backup_get_id (backup));
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 1);
}

static gboolean
unlock_cb (gpointer user_data)
{
  lh_test_unlock_db (user_data);
  return G_SOURCE_REMOVE;
}

/* A lock let go within lock_timeout_ms is waited for. */
static void
test_restore_waits (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  lh_test_make_db (fixture->db_path, "UPDATE items SET name = 'changed'");
  g_timeout_add (300, unlock_cb, lh_test_lock_db (fixture->db_path, "immediate"));
  safety = restore (fixture, backup, 10000, NULL, &error);
  g_assert_no_error (error);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace\n");
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancel works while a restore waits for a lock: nothing restored. */
static void
test_restore_cancel_waiting (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  GSubprocess *locker;
  gint64 start;

  lh_test_make_db (fixture->db_path, "UPDATE items SET name = 'changed'");
  locker = lh_test_lock_db (fixture->db_path, "immediate");
  start = g_get_monotonic_time ();
  g_timeout_add (300, cancel_cb, cancellable);
  lh_backup_catalog_restore_async (fixture->catalog, backup, 30000, cancellable, NULL, NULL,
                                   lh_test_store_result_cb, &result);
  safety = lh_backup_catalog_restore_finish (fixture->catalog, lh_test_wait_for_result (&result),
                                             &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  lh_test_unlock_db (locker);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "changed,changed\n");
}

/* A restore's safety backup waits for another program's lock as long as the restore may,
 * past SQLite's default timeout of 5 s. */
static void
test_restore_waits_for_lock (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  gint64 start;

  lh_test_make_db (fixture->db_path, "PRAGMA journal_mode = DELETE; UPDATE items SET name = 'changed'");
  /* EXCLUSIVE, in rollback-journal mode: not even a reader gets in. */
  g_timeout_add (6500, unlock_cb, lh_test_lock_db (fixture->db_path, "exclusive"));
  start = g_get_monotonic_time ();
  safety = restore (fixture, backup, 30000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 6 * G_USEC_PER_SEC);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace\n");
  g_free (names);
  names = lh_test_query_text (lh_backup_get_path (safety), NAMES_SQL);
  g_assert_cmpstr (names, ==, "changed,changed\n");
}

/* A cancel in the middle lists nothing and leaves no file. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;
  ProgressLog log;

  add_padding (fixture->db_path, 8000, 4000);
  progress_log_init (&log);
  log.cancel_before_end = cancellable;
  backup = create (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, cancellable, &log, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (backup);
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_cmpint (log.current, <, log.total);
  g_assert_cmpuint (count_listed (fixture), ==, 0);
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 0);
}

/* A backup folder Litehouse may not write in. */
static void
test_permission (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *folder = lh_backup_catalog_get_folder (fixture->catalog);
  g_autofree char *name = g_filename_display_name (folder);
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_cmpint (g_chmod (folder, 0500), ==, 0);
  if (access (folder, W_OK) == 0)
    {
      g_chmod (folder, 0700);
      g_test_skip ("Folder permissions do not hold for this user (root).");
      return;
    }
  backup = create (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_chmod (folder, 0700);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_PERMISSION);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_null (backup);
  g_assert_cmpuint (count_listed (fixture), ==, 0);
  g_assert_cmpuint (count_files (folder), ==, 0);
}

/* A database that is not SQLite is refused, by name. */
static void
test_not_sqlite (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  write_garbage (fixture->db_path);
  backup = create (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, "app.db"));
  g_assert_null (backup);
  g_clear_error (&error);
  backup = create (fixture, LH_BACKUP_COMPACT, LH_BACKUP_GZIP, NULL, NULL, NULL, &error);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE);
  g_assert_cmpuint (count_listed (fixture), ==, 0);
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 0);
}

/* Delete removes the row and the file; a file gone already is fine. */
static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhBackup) first = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) second = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_GZIP, NULL);
  g_autoptr(LhBackup) left = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (delete_backup (fixture, first, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (lh_backup_get_path (first), G_FILE_TEST_EXISTS));
  left = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (left), ==, lh_backup_get_id (second));
  g_assert_cmpuint (count_listed (fixture), ==, 1);

  g_assert_cmpint (g_unlink (lh_backup_get_path (second)), ==, 0);
  g_assert_true (delete_backup (fixture, second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_listed (fixture), ==, 0);
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 0);
}

/* Prune deletes what the policy lets go, rows and files. */
static void
test_prune (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LhBackup) first = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) second = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_SAFETY, NULL);
  g_autoptr(LhBackup) third = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_GZIP, NULL);
  g_autoptr(LhBackup) left = NULL;
  LhRetention keep_one = { .keep_last = 1 };
  LhRetention off = { 0 };
  LhRetention today = { .daily_days = 1 };

  g_assert_cmpuint (prune (fixture, &off), ==, 0);
  g_assert_cmpuint (count_listed (fixture), ==, 3);
  g_assert_cmpuint (prune (fixture, &keep_one), ==, 2);
  g_assert_cmpuint (count_listed (fixture), ==, 1);
  left = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (left), ==, lh_backup_get_id (third));
  g_assert_false (g_file_test (lh_backup_get_path (first), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (lh_backup_get_path (second), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lh_backup_get_path (third), G_FILE_TEST_EXISTS));
  g_assert_cmpuint (prune (fixture, &today), ==, 0);
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 1);
}

/* Branches. */

static char *
branch_folder (Fixture *fixture)
{
  return g_build_filename (lh_backup_catalog_get_folder (fixture->catalog), "branches", NULL);
}

/* A branch is a writable exact copy in branches/, listed with the backups under its name. */
static void
test_branch (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) branch = create_branch_ok (fixture, "experiment");
  g_autoptr(LhBackup) newest = NULL;
  g_autoptr(LhBackup) verified = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *expected_folder = branch_folder (fixture);
  g_autofree char *names = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_autofree char *name = NULL;

  g_assert_cmpint (lh_backup_get_flags (branch), ==, LH_BACKUP_BRANCH);
  g_assert_cmpint (lh_backup_get_kind (branch), ==, LH_BACKUP_EXACT);
  g_assert_cmpstr (lh_backup_get_branch_name (branch), ==, "experiment");
  g_assert_null (lh_backup_get_branch_name (backup));
  folder = g_path_get_dirname (lh_backup_get_path (branch));
  g_assert_cmpstr (folder, ==, expected_folder);
  assert_file_name (branch, "^experiment\\.sqlite$");

  g_assert_cmpint (access (lh_backup_get_path (branch), W_OK), ==, 0);
  mode = lh_test_query_text (lh_backup_get_path (branch), "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "delete\n");
  expected = content_checksum (fixture->db_path);
  got = content_checksum (lh_backup_get_path (branch));
  g_assert_cmpstr (got, ==, expected);
  lh_test_make_db (lh_backup_get_path (branch), "INSERT INTO items (name) VALUES ('tried')");
  names = lh_test_query_text (lh_backup_get_path (branch), NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace,tried\n");

  g_assert_cmpuint (count_listed (fixture), ==, 2);
  newest = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (newest), ==, lh_backup_get_id (branch));
  g_assert_cmpint (lh_backup_get_flags (newest), ==, LH_BACKUP_BRANCH);
  g_assert_cmpstr (lh_backup_get_branch_name (newest), ==, "experiment");
  g_object_get (newest, "branch-name", &name, NULL);
  g_assert_cmpstr (name, ==, "experiment");
  /* Listed with its size now, after the edit. */
  g_assert_cmpuint (lh_backup_get_size (newest), ==, file_size (lh_backup_get_path (branch)));

  /* Verify checks its current state, but records no time that its next edit would belie. */
  g_assert_true (verify (fixture, newest, &error));
  g_assert_no_error (error);
  verified = listed (fixture, 0);
  g_assert_null (lh_backup_get_verified_at (verified));
}

/* The row of table in diff. */
static LhTableDiff *
table_diff (LhBranchDiff *diff,
            const char   *table)
{
  GPtrArray *tables = lh_branch_diff_get_tables (diff);

  for (guint i = 0; i < tables->len; i++)
    {
      LhTableDiff *table_diff = g_ptr_array_index (tables, i);

      if (g_strcmp0 (table_diff->table, table) == 0)
        return table_diff;
    }
  g_error ("no table %s in the diff", table);
}

/* An edited branch differs from the database as LhBranchDiff sees it; promoted, it
 * replaces the database, after a safety backup that names it, and stays listed. */
static void
test_branch_promote (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhBackup) branch = create_branch_ok (fixture, "cleanup");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhBranchDiff) diff = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(LhBackup) newest = NULL;
  g_autoptr(LhBackup) listed_branch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *in_safety = NULL;
  LhTableDiff *items;

  lh_test_make_db (lh_backup_get_path (branch),
                   "UPDATE items SET name = 'ada lovelace' WHERE id = 1;"
                   "INSERT INTO items (name) VALUES ('edsger')");
  lh_branch_diff_async (fixture->db_path, lh_backup_get_path (branch), NULL,
                        lh_test_store_result_cb, &result);
  diff = lh_branch_diff_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  items = table_diff (diff, "items");
  g_assert_true (items->changed == 1 && items->added == 1 && items->removed == 0);

  safety = restore (fixture, branch, 1000, NULL, &error);
  g_assert_no_error (error);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada lovelace,grace,edsger\n");

  g_assert_cmpint (lh_backup_get_flags (safety), ==, LH_BACKUP_SAFETY);
  g_assert_nonnull (strstr (lh_backup_get_note (safety), "promoting branch “cleanup”"));
  in_safety = lh_test_query_text (lh_backup_get_path (safety), NAMES_SQL);
  g_assert_cmpstr (in_safety, ==, "ada,grace\n");

  g_assert_cmpuint (count_listed (fixture), ==, 2);
  newest = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (newest), ==, lh_backup_get_id (safety));
  listed_branch = listed (fixture, 1);
  g_assert_cmpint (lh_backup_get_id (listed_branch), ==, lh_backup_get_id (branch));
  g_assert_null (lh_backup_get_verified_at (listed_branch));
  g_assert_true (g_file_test (lh_backup_get_path (branch), G_FILE_TEST_IS_REGULAR));
}

static void
assert_name_refused (Fixture    *fixture,
                     const char *name,
                     gint        code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBackup) branch = create_branch (fixture, name, &error);

  g_assert_error (error, LH_BACKUP_ERROR, code);
  g_assert_null (branch);
}

/* A name has 1 to 100 characters (white space around it dropped) and is the database's
 * only branch of that name; a refused one makes no file. */
static void
test_branch_names (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GString) longest = g_string_new (NULL);
  g_autoptr(LhBackup) dev = create_branch_ok (fixture, "  dev ");
  g_autoptr(LhBackup) accented = NULL;
  g_autoptr(LhBackup) other_branch = NULL;
  g_autoptr(LhBackupCatalog) other = NULL;
  g_autofree char *other_dir = g_build_filename (fixture->dir, "elsewhere", NULL);
  g_autofree char *other_path = g_build_filename (other_dir, "app.db", NULL);
  g_autofree char *folder = branch_folder (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (lh_backup_get_branch_name (dev), ==, "dev");
  assert_name_refused (fixture, "", LH_BACKUP_ERROR_INVALID_NAME);
  assert_name_refused (fixture, " \t\n", LH_BACKUP_ERROR_INVALID_NAME);
  assert_name_refused (fixture, "dev", LH_BACKUP_ERROR_EXISTS);
  assert_name_refused (fixture, "dev\n", LH_BACKUP_ERROR_EXISTS);
  /* Characters, not bytes: 100 “é” (200 bytes) are a name, 101 are not. */
  for (guint i = 0; i < 100; i++)
    g_string_append (longest, "é");
  accented = create_branch_ok (fixture, longest->str);
  g_assert_cmpstr (lh_backup_get_branch_name (accented), ==, longest->str);
  /* The same name in decomposed form (e + combining acute) is the same name. */
  g_string_truncate (longest, 0);
  for (guint i = 0; i < 100; i++)
    g_string_append (longest, "e\xcc\x81");
  assert_name_refused (fixture, longest->str, LH_BACKUP_ERROR_EXISTS);
  g_string_append (longest, "e");
  assert_name_refused (fixture, longest->str, LH_BACKUP_ERROR_INVALID_NAME);

  lh_backup_catalog_create_branch_async (fixture->catalog, "", NULL, NULL, NULL,
                                         lh_test_store_result_cb, &result);
  g_assert_null (lh_backup_catalog_create_branch_finish (fixture->catalog,
                                                         lh_test_wait_for_result (&result),
                                                         &error));
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_INVALID_NAME);
  g_assert_cmpstr (error->message, ==, "A branch needs a name.");

  g_clear_error (&error);
  g_assert_cmpuint (count_listed (fixture), ==, 2);
  g_assert_cmpuint (count_files (folder), ==, 2);

  /* Another database may have a branch of the same name. */
  g_assert_cmpint (g_mkdir (other_dir, 0700), ==, 0);
  lh_test_make_db (other_path, "CREATE TABLE t (x)");
  other = lh_backup_catalog_new (other_path);
  other_branch = create_branch_in (other, "dev", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lh_backup_get_branch_name (other_branch), ==, "dev");
  forget_backups (other);
}

/* A name is kept as it is in the catalog; its file in branches/ has a name that is safe
 * anywhere, another when two come out the same. */
static void
test_branch_safe_file_names (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char * const hostile[] = {
    "../../outside", "..", "a/b", "a_b", "'; DROP TABLE backups; --", "\"quoted\" name",
    ".hidden", "back\\slash:colon*star?",
  };
  g_autofree char *folder = branch_folder (fixture);
  g_autoptr(GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(LhBackup) branch = create_branch_ok (fixture, hostile[i]);
      g_autofree char *dir = g_path_get_dirname (lh_backup_get_path (branch));
      g_autofree char *name = g_path_get_basename (lh_backup_get_path (branch));
      g_autofree char *names = NULL;

      g_assert_cmpstr (lh_backup_get_branch_name (branch), ==, hostile[i]);
      g_assert_cmpstr (dir, ==, folder);
      if (!g_regex_match_simple ("^[A-Za-z0-9_-][A-Za-z0-9._-]*\\.sqlite$", name, 0, 0))
        g_error ("%s is not a safe file name", name);
      g_assert_true (g_hash_table_add (paths, g_strdup (lh_backup_get_path (branch))));
      names = lh_test_query_text (lh_backup_get_path (branch), NAMES_SQL);
      g_assert_cmpstr (names, ==, "ada,grace\n");
    }
  g_assert_cmpuint (count_files (folder), ==, G_N_ELEMENTS (hostile));
  /* Nothing beside the branches/ folder. */
  g_assert_cmpuint (count_files (lh_backup_catalog_get_folder (fixture->catalog)), ==, 1);
  g_assert_cmpuint (count_listed (fixture), ==, G_N_ELEMENTS (hostile));
}

/* Prune never removes a branch, and does not count one against the backups it keeps. */
static void
test_branch_prune (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhBackup) old_branch = create_branch_ok (fixture, "old");
  g_autoptr(LhBackup) first = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) second = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) new_branch = create_branch_ok (fixture, "new");
  g_autoptr(LhBackup) newest = NULL;
  LhRetention keep_one = { .keep_last = 1 };
  LhRetention today = { .daily_days = 1 };

  g_assert_cmpuint (prune (fixture, &keep_one), ==, 1);
  g_assert_false (g_file_test (lh_backup_get_path (first), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lh_backup_get_path (second), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lh_backup_get_path (old_branch), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lh_backup_get_path (new_branch), G_FILE_TEST_EXISTS));
  g_assert_cmpuint (prune (fixture, &today), ==, 0);
  g_assert_cmpuint (count_listed (fixture), ==, 3);
  newest = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (newest), ==, lh_backup_get_id (new_branch));
}

/* Deleting a branch removes its file and what SQLite left beside it; the name is free
 * again. */
static void
test_branch_delete (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhBackup) branch = create_branch_ok (fixture, "scratch");
  g_autoptr(LhBackup) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = branch_folder (fixture);
  g_autofree char *wal = g_strconcat (lh_backup_get_path (branch), "-wal", NULL);
  g_autofree char *shm = g_strconcat (lh_backup_get_path (branch), "-shm", NULL);

  lh_test_make_db (lh_backup_get_path (branch), "PRAGMA journal_mode = WAL");
  g_file_set_contents (wal, "", 0, &error);
  g_assert_no_error (error);
  g_file_set_contents (shm, "", 0, &error);
  g_assert_no_error (error);
  g_assert_true (delete_backup (fixture, branch, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (lh_backup_get_path (branch), G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (folder), ==, 0);
  g_assert_cmpuint (count_listed (fixture), ==, 0);

  again = create_branch_ok (fixture, "scratch");
  g_assert_cmpstr (lh_backup_get_path (again), ==, lh_backup_get_path (branch));
}

/* Leftovers of a killed process. */

/* The names of the catalog's temporary files (beside their -journal, -wal, -shm). */
#define TEMP_NAME_REGEX "^\\.[^.].*\\.sqlite(\\.gz)?\\.[A-Za-z0-9]{6}$"

/* A new empty file folder/name; its path. */
static char *
make_file_in (const char *folder,
              const char *name)
{
  char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  return path;
}

/* Another process holding an flock() lock on path, as one writing a backup does; its
 * pid in *pid. It lets go and ends when the test closes the pipe returned. The child makes
 * only async-signal-safe calls: the test has threads. */
static int
hold_lock (const char *path,
           GPid       *pid)
{
  int ready[2];
  int release[2];
  char byte;

  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (release), ==, 0);
  *pid = fork ();
  g_assert_cmpint (*pid, >=, 0);
  if (*pid == 0)
    {
      int fd = open (path, O_RDONLY);

      close (ready[0]);
      close (release[1]);
      if (fd < 0 || flock (fd, LOCK_EX) != 0 || write (ready[1], "x", 1) != 1 ||
          read (release[0], &byte, 1) < 0)
        _exit (1);
      _exit (0);
    }
  close (ready[1]);
  close (release[0]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  return release[1];
}

static void
let_go (GPid pid,
        int  release)
{
  int status = 0;

  close (release);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
assert_exists (const char *path,
               gboolean    exists)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS) != exists)
    g_error ("%s should %s", path, exists ? "be there" : "be gone");
}

/* The temporary files a killed process left, and their -journal or -wal, go at the next
 * create, in the folder and in branches/; one that another process holds a lock on (a
 * copy in progress) stays until it lets go, then goes at the next prune; any other file
 * stays. */
static void
test_stale_temps (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const others[] = {
    ".notes", "app-20260102-030405.sqlite.Ab3dE9", "..app-20260102-030405.sqlite.Ab3dE9",
    ".app-20260102-030405.sqlite.Ab3dE", ".app-20260102-030405.sqlite.Ab3dE9x",
    ".app-20260102-030405.db.Ab3dE9", ".app-20260102-030405.sqlite.Ab3dE9.bak",
    ".app-20260102-030405.sqlite.Ab-dE9",
  };
  const char *folder = lh_backup_catalog_get_folder (fixture->catalog);
  g_autofree char *branches = branch_folder (fixture);
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LhBackup) backup = NULL;
  g_autofree char *locked = NULL;
  LhRetention off = { 0 };
  GPid holder;
  int release;

  g_assert_cmpint (g_mkdir_with_parents (branches, 0700), ==, 0);
  g_ptr_array_add (stale, make_file_in (folder, ".app-20260102-030405.sqlite.Ab3dE9"));
  g_ptr_array_add (stale, make_file_in (folder, ".app-20260102-030405.sqlite.Ab3dE9-journal"));
  g_ptr_array_add (stale, make_file_in (folder, ".app-20260102-030405.sqlite.gz.zZ09aa"));
  g_ptr_array_add (stale, make_file_in (branches, ".experiment.sqlite.Qw3rTy"));
  g_ptr_array_add (stale, make_file_in (branches, ".experiment.sqlite.Qw3rTy-wal"));
  g_ptr_array_add (stale, make_file_in (branches, ".experiment.sqlite.Qw3rTy-shm"));
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_ptr_array_add (kept, make_file_in (folder, others[i]));
      g_ptr_array_add (kept, make_file_in (branches, others[i]));
    }
  locked = make_file_in (folder, ".app-20260102-030406.sqlite.L0ck3d");
  release = hold_lock (locked, &holder);

  backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  for (guint i = 0; i < stale->len; i++)
    assert_exists (g_ptr_array_index (stale, i), FALSE);
  for (guint i = 0; i < kept->len; i++)
    assert_exists (g_ptr_array_index (kept, i), TRUE);
  assert_exists (locked, TRUE);

  let_go (holder, release);
  g_assert_cmpuint (prune (fixture, &off), ==, 0);
  assert_exists (locked, FALSE);
  for (guint i = 0; i < kept->len; i++)
    assert_exists (g_ptr_array_index (kept, i), TRUE);
  assert_exists (lh_backup_get_path (backup), TRUE);
}

typedef struct
{
  const char  *folder;
  GSubprocess *locker;
  guint        seen;
  guint        unlocked;
} TempLook;

/* Tries to lock each temporary file of the folder as a sweep would, then lets the
 * restore go on. */
static gboolean
look_at_temps_cb (gpointer user_data)
{
  TempLook *look = user_data;
  g_autoptr(GDir) dir = g_dir_open (look->folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (look->folder, name, NULL);
      GStatBuf info;
      int fd;

      if (!g_regex_match_simple (TEMP_NAME_REGEX, name, 0, 0))
        continue;
      fd = open (path, O_RDONLY | O_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      look->seen++;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0 && g_stat (path, &info) == 0)
        look->unlocked++;
      close (fd);
    }
  lh_test_unlock_db (look->locker);
  return G_SOURCE_REMOVE;
}

/* A temporary file in use is locked: here those of a restore waiting for the database's
 * lock, in the backup folder (the decompressed backup, which the sweep of its safety
 * backup left alone, and the safety backup's own copy). */
static void
test_temps_locked (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_GZIP, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  TempLook look = { .folder = lh_backup_catalog_get_folder (fixture->catalog) };

  lh_test_make_db (fixture->db_path, "UPDATE items SET name = 'changed'");
  look.locker = lh_test_lock_db (fixture->db_path, "immediate");
  g_timeout_add (300, look_at_temps_cb, &look);
  safety = restore (fixture, backup, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (look.seen, >=, 1);
  g_assert_cmpuint (look.unlocked, ==, 0);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace\n");
  g_assert_cmpuint (count_files (look.folder), ==, 2);
}

/* A database file that is not SQLite at all is still restorable: its safety backup keeps
 * its bytes; but not while SQLite's log beside it would roll into the restored one. */
static void
test_restore_over_garbage (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(LhBackup) backup = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *journal = g_strconcat (fixture->db_path, "-wal", NULL);
  g_autofree char *contents = NULL;
  const char *garbage = "This file was overwritten by a careless script.\n";

  g_assert_true (g_file_set_contents (fixture->db_path, garbage, -1, NULL));
  g_assert_true (g_file_set_contents (journal, "a write-ahead log", -1, NULL));
  safety = restore (fixture, backup, 1000, NULL, &error);
  g_assert_null (safety);
  g_assert_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "is not an SQLite database"));
  g_assert_nonnull (strstr (error->message, "would roll into"));
  g_assert_true (g_file_get_contents (fixture->db_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, garbage);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (journal), ==, 0);
  safety = restore (fixture, backup, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (lh_backup_get_note (safety), "was not SQLite"));
  g_assert_true (g_file_get_contents (lh_backup_get_path (safety), &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, garbage);
  names = lh_test_query_text (fixture->db_path, NAMES_SQL);
  g_assert_cmpstr (names, ==, "ada,grace\n");
}

/* A backup put in place whose process ended before listing it is listed by the next
 * create, with a note; not while its temporary file is locked (its maker still runs). */
static void
test_adopt_orphans (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhBackup) first = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) second = NULL;
  g_autoptr(LhBackup) third = NULL;
  g_autoptr(GListModel) backups = NULL;
  g_autofree char *catalog = g_build_filename (g_get_user_data_dir (), "litehouse", "catalog.sqlite", NULL);
  g_autofree char *forget = g_strdup_printf ("DELETE FROM backups WHERE id = %" G_GINT64_FORMAT,
                                             lh_backup_get_id (first));
  const char *folder = lh_backup_catalog_get_folder (fixture->catalog);
  g_autofree char *busy = g_build_filename (folder, "app-20200101-000000.sqlite", NULL);
  g_autofree char *busy_temp = g_build_filename (folder, ".app-20200101-000000.sqlite.Abc123", NULL);
  gboolean found_first = FALSE, found_busy = FALSE;
  int fd;

  /* A kill between the link into place and the row: the row never came. */
  lh_test_make_db (catalog, forget);
  /* And one whose maker still runs: its temporary file, a link to it, locked. */
  g_assert_cmpint (link (lh_backup_get_path (first), busy_temp), ==, 0);
  g_assert_cmpint (g_unlink (busy_temp), ==, 0);
  {
    g_autofree char *bytes = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (lh_backup_get_path (first), &bytes, &length, NULL));
    g_assert_true (g_file_set_contents (busy, bytes, length, NULL));
  }
  g_assert_cmpint (link (busy, busy_temp), ==, 0);
  fd = g_open (busy_temp, O_RDONLY, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  second = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  backups = list_of (fixture->catalog);
  g_assert_cmpuint (g_list_model_get_n_items (backups), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      if (g_str_equal (lh_backup_get_path (backup), lh_backup_get_path (first)))
        {
          found_first = TRUE;
          g_assert_cmpstr (lh_backup_get_note (backup), ==,
                           "Found unlisted: the program that took it ended before listing it.");
          g_assert_cmpint (lh_backup_get_kind (backup), ==, LH_BACKUP_EXACT);
          g_assert_true (lh_backup_get_flags (backup) & LH_BACKUP_SAFETY);
        }
      g_assert_cmpstr (lh_backup_get_path (backup), !=, busy);
    }
  g_assert_true (found_first);

  /* Its maker gone, the next create sweeps its temporary file and lists it. */
  close (fd);
  third = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_clear_object (&backups);
  backups = list_of (fixture->catalog);
  g_assert_cmpuint (g_list_model_get_n_items (backups), ==, 4);
  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      found_busy |= g_str_equal (lh_backup_get_path (backup), busy);
    }
  g_assert_true (found_busy);
  g_assert_false (g_file_test (busy_temp, G_FILE_TEST_EXISTS));
}

/* The catalog as the first version made it, with no branch column. */
#define FIRST_CATALOG_SQL \
  "CREATE TABLE backups (id INTEGER PRIMARY KEY, database TEXT NOT NULL," \
  " path TEXT NOT NULL, created_at TEXT NOT NULL, size INTEGER NOT NULL, kind TEXT NOT NULL," \
  " compressed INTEGER NOT NULL, safety INTEGER NOT NULL, verified_at TEXT, note TEXT);" \
  "CREATE INDEX backups_by_database ON backups (database, created_at);" \
  "INSERT INTO backups VALUES (7, '%s', '%s', '2026-01-02T03:04:05.000000Z', 1234, 'compact'," \
  " 1, 1, '2026-01-03T00:00:00.000000Z', 'from before');" \
  "INSERT INTO backups VALUES (8, '/elsewhere/other.db', '/elsewhere/other.sqlite'," \
  " '2026-01-02T03:04:05.000000Z', 1, 'exact', 0, 0, NULL, NULL);"

/* A catalog of the first version is brought up to date on first use, its rows kept. */
static void
check_catalog_upgrade (Fixture *fixture)
{
  g_autofree char *litehouse = g_build_filename (g_get_user_data_dir (), "litehouse", NULL);
  g_autofree char *catalog = g_build_filename (litehouse, "catalog.sqlite", NULL);
  g_autofree char *old_path = g_build_filename (fixture->dir, "old.sqlite.gz", NULL);
  g_autofree char *sql = g_strdup_printf (FIRST_CATALOG_SQL,
                                          lh_backup_catalog_get_database (fixture->catalog),
                                          old_path);
  g_autoptr(LhBackup) old = NULL;
  g_autoptr(LhBackup) branch = NULL;
  g_autofree char *columns = NULL;
  g_autofree char *rows = NULL;

  g_assert_false (g_file_test (catalog, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_mkdir_with_parents (litehouse, 0700), ==, 0);
  lh_test_make_db (catalog, sql);
  g_file_set_contents (old_path, "kept", -1, NULL);

  old = listed (fixture, 0);
  g_assert_cmpint (lh_backup_get_id (old), ==, 7);
  g_assert_cmpstr (lh_backup_get_path (old), ==, old_path);
  g_assert_cmpint (lh_backup_get_kind (old), ==, LH_BACKUP_COMPACT);
  g_assert_cmpint (lh_backup_get_flags (old), ==, LH_BACKUP_GZIP | LH_BACKUP_SAFETY);
  g_assert_cmpuint (lh_backup_get_size (old), ==, 1234);
  g_assert_nonnull (lh_backup_get_verified_at (old));
  g_assert_cmpstr (lh_backup_get_note (old), ==, "from before");
  g_assert_null (lh_backup_get_branch_name (old));

  columns = lh_test_query_text (catalog, "SELECT group_concat(name, ',')"
                                         " FROM pragma_table_info('backups')");
  g_assert_cmpstr (columns, ==, "id,database,path,created_at,size,kind,compressed,safety,"
                                "verified_at,note,branch\n");
  branch = create_branch_ok (fixture, "after");
  g_assert_cmpuint (count_listed (fixture), ==, 2);
  rows = lh_test_query_text (catalog, "SELECT group_concat(id, ',') FROM"
                                      " (SELECT id FROM backups WHERE branch IS NULL ORDER BY id)");
  g_assert_cmpstr (rows, ==, "7,8\n");
}

/* The catalog is shared by every test program: this one gets a data folder of its own, in
 * a subprocess that sets it before GLib first reads it. */
static void
test_catalog_upgrade (void)
{
  g_autofree char *data_home = NULL;
  Fixture fixture;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  data_home = lh_test_make_dir ();
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  fixture_set_up (&fixture, NULL);
  check_catalog_upgrade (&fixture);
  fixture_tear_down (&fixture, NULL);
  lh_test_remove_dir (data_home);
}

/* Retention at fixed times: Friday 4 December 2026, 14:00, in UTC+1. */

static GTimeZone *
test_zone (void)
{
  return g_time_zone_new_offset (3600);
}

static GDateTime *
local_time (int month,
            int day,
            int hour,
            int minute)
{
  g_autoptr(GTimeZone) zone = test_zone ();

  return g_date_time_new (zone, 2026, month, day, hour, minute, 0);
}

/* "month-day hour:minute" each, NULL-terminated, in UTC+1. */
static GPtrArray *
times_of (const char *first,
          ...)
{
  GPtrArray *times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_time_unref);
  va_list args;

  va_start (args, first);
  for (const char *text = first; text != NULL; text = va_arg (args, const char *))
    {
      int month, day, hour, minute;

      g_assert_cmpint (sscanf (text, "%d-%d %d:%d", &month, &day, &hour, &minute), ==, 4);
      g_ptr_array_add (times, local_time (month, day, hour, minute));
    }
  va_end (args);
  return times;
}

/* The indexes kept, "0,2,5". */
static char *
kept_at (GPtrArray   *times,
         LhRetention  retention,
         GDateTime   *now)
{
  g_autoptr(GArray) kept = lh_retention_select (times, &retention, now);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < kept->len; i++)
    g_string_append_printf (text, "%s%u", i > 0 ? "," : "", g_array_index (kept, guint, i));
  return g_string_free (text, FALSE);
}

static char *
kept (GPtrArray   *times,
      LhRetention  retention)
{
  g_autoptr(GDateTime) now = local_time (12, 4, 14, 0);

  return kept_at (times, retention, now);
}

static void
assert_kept (GPtrArray   *times,
             LhRetention  retention,
             const char  *expected)
{
  g_autofree char *got = kept (times, retention);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_retention_keep_last (void)
{
  g_autoptr(GPtrArray) times = times_of ("12-1 10:00", "12-4 09:00", "12-3 12:00", "12-2 08:00",
                                         NULL);
  g_autoptr(GPtrArray) none = times_of (NULL, NULL);

  assert_kept (times, (LhRetention) { .keep_last = 2 }, "1,2");
  assert_kept (times, (LhRetention) { .keep_last = 1 }, "1");
  assert_kept (times, (LhRetention) { .keep_last = 9 }, "0,1,2,3");
  assert_kept (none, (LhRetention) { .keep_last = 2 }, "");
}

static void
test_retention_daily (void)
{
  g_autoptr(GPtrArray) times = times_of ("12-4 10:00", "12-4 12:00", "12-3 09:00", "12-3 23:00",
                                         "12-2 01:00", "12-1 08:00", NULL);

  assert_kept (times, (LhRetention) { .daily_days = 1 }, "1");
  assert_kept (times, (LhRetention) { .daily_days = 3 }, "1,3,4");
  assert_kept (times, (LhRetention) { .daily_days = 30 }, "1,3,4,5");
}

/* ISO weeks: Monday 30 November to Sunday 6 December is the current one. */
static void
test_retention_weekly (void)
{
  g_autoptr(GPtrArray) times = times_of ("11-30 08:00", "12-3 10:00", "11-29 20:00", "11-25 10:00",
                                         "11-22 10:00", NULL);

  assert_kept (times, (LhRetention) { .weekly_weeks = 1 }, "1");
  assert_kept (times, (LhRetention) { .weekly_weeks = 2 }, "1,2");
  assert_kept (times, (LhRetention) { .weekly_weeks = 3 }, "1,2,4");
}

/* The rules keep the union of what each keeps. */
static void
test_retention_combined (void)
{
  g_autoptr(GPtrArray) times = times_of ("12-4 12:00", "12-4 10:00", "12-3 22:00", "12-3 08:00",
                                         "12-1 10:00", "11-28 10:00", "11-27 10:00", "11-10 10:00",
                                         NULL);

  assert_kept (times, (LhRetention) { .keep_last = 1, .daily_days = 2, .weekly_weeks = 2 },
               "0,2,5");
  assert_kept (times, (LhRetention) { .keep_last = 3, .daily_days = 2, .weekly_weeks = 2 },
               "0,1,2,5");
  assert_kept (times, (LhRetention) { .keep_last = 1, .daily_days = 7 }, "0,2,4,5");
  assert_kept (times, (LhRetention) { .keep_last = 1, .daily_days = 8 }, "0,2,4,5,6");
}

/* What a prune would remove, from the listed backups: no branch. */
static void
test_retention_backups (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LhBackup) older = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(LhBackup) branch = NULL;
  g_autoptr(LhBackup) newer = create_ok (fixture, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL);
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(GListModel) pruned = NULL;
  g_autoptr(LhBackup) first = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;

  branch = create_branch_in (fixture->catalog, "try", &error);
  g_assert_no_error (error);
  backups = list_of (fixture->catalog);
  g_assert_cmpuint (g_list_model_get_n_items (backups), ==, 3);
  pruned = lh_retention_select_backups (backups, &(LhRetention) { .keep_last = 1 }, now);
  g_assert_cmpuint (g_list_model_get_n_items (pruned), ==, 1);
  first = g_list_model_get_item (pruned, 0);
  g_assert_cmpint (lh_backup_get_id (first), ==, lh_backup_get_id (older));
}

/* All rules off: no policy, nothing pruned. */
static void
test_retention_off (void)
{
  g_autoptr(GPtrArray) times = times_of ("12-4 12:00", "11-4 10:00", "10-3 22:00", NULL);

  assert_kept (times, (LhRetention) { 0 }, "0,1,2");
}

/* Days are those of now's time zone. A time after now (a clock that was ahead) is kept and
 * takes no place: the backups taken since keep theirs. */
static void
test_retention_local_days (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) now = local_time (12, 4, 0, 30);
  g_autoptr(GDateTime) later = local_time (12, 4, 14, 0);
  g_autoptr(GPtrArray) times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_time_unref);
  g_autoptr(GPtrArray) future = times_of ("12-5 10:00", "12-4 09:00", NULL);
  g_autofree char *by_local_day = NULL;
  g_autofree char *with_future = NULL;

  /* 00:10 on the 4th in UTC+1, 23:00 and 11:00 on the 3rd. */
  g_ptr_array_add (times, g_date_time_new (utc, 2026, 12, 3, 23, 10, 0));
  g_ptr_array_add (times, g_date_time_new (utc, 2026, 12, 3, 22, 0, 0));
  g_ptr_array_add (times, g_date_time_new (utc, 2026, 12, 3, 10, 0, 0));
  by_local_day = kept_at (times, (LhRetention) { .daily_days = 2 }, now);
  g_assert_cmpstr (by_local_day, ==, "0,1");
  with_future = kept_at (future, (LhRetention) { .daily_days = 1 }, later);
  g_assert_cmpstr (with_future, ==, "0,1");
  g_free (with_future);
  with_future = kept_at (future, (LhRetention) { .keep_last = 1 }, later);
  g_assert_cmpstr (with_future, ==, "0,1");
  g_free (with_future);
  with_future = kept_at (future, (LhRetention) { .weekly_weeks = 1 }, later);
  g_assert_cmpstr (with_future, ==, "0,1");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add ("/backup-catalog/exact-while-writing/wal", Fixture, "wal", fixture_set_up,
              test_exact_while_writing, fixture_tear_down);
  g_test_add ("/backup-catalog/exact-while-writing/rollback", Fixture, "delete", fixture_set_up,
              test_exact_while_writing, fixture_tear_down);
  ADD ("/backup-catalog/compact", test_compact);
  ADD ("/backup-catalog/gzip", test_gzip);
  ADD ("/backup-catalog/list", test_list);
  ADD ("/backup-catalog/name-taken", test_name_taken);
  ADD ("/backup-catalog/same-name", test_same_name);
  ADD ("/backup-catalog/verify", test_verify);
  ADD ("/backup-catalog/verify-corrupt", test_verify_corrupt);
  ADD ("/backup-catalog/verify-garbage", test_verify_garbage);
  ADD ("/backup-catalog/verify-emptied", test_verify_emptied);
  ADD ("/backup-catalog/hot-journal", test_hot_journal);
  ADD ("/backup-catalog/missing", test_missing);
  ADD ("/backup-catalog/restore", test_restore);
  ADD ("/backup-catalog/restore-gzip", test_restore_gzip);
  ADD ("/backup-catalog/restore-damaged", test_restore_damaged);
  ADD ("/backup-catalog/restore-busy", test_restore_busy);
  ADD ("/backup-catalog/restore-waits", test_restore_waits);
  ADD ("/backup-catalog/restore-cancel-waiting", test_restore_cancel_waiting);
  ADD ("/backup-catalog/cancel", test_cancel);
  ADD ("/backup-catalog/permission", test_permission);
  ADD ("/backup-catalog/not-sqlite", test_not_sqlite);
  ADD ("/backup-catalog/delete", test_delete);
  ADD ("/backup-catalog/prune", test_prune);
  ADD ("/backup-catalog/branch", test_branch);
  ADD ("/backup-catalog/branch-promote", test_branch_promote);
  ADD ("/backup-catalog/branch-names", test_branch_names);
  ADD ("/backup-catalog/branch-safe-file-names", test_branch_safe_file_names);
  ADD ("/backup-catalog/branch-prune", test_branch_prune);
  ADD ("/backup-catalog/branch-delete", test_branch_delete);
  ADD ("/backup-catalog/stale-temps", test_stale_temps);
  ADD ("/backup-catalog/temps-locked", test_temps_locked);
  ADD ("/backup-catalog/restore-over-garbage", test_restore_over_garbage);
  ADD ("/backup-catalog/adopt-orphans", test_adopt_orphans);
  ADD ("/backup-catalog/retention/backups", test_retention_backups);
  ADD ("/backup-catalog/restore-deleted", test_restore_deleted);
  ADD ("/backup-catalog/restore-page-sizes", test_restore_page_sizes);
  ADD ("/backup-catalog/restore-waits-for-lock", test_restore_waits_for_lock);
  ADD ("/backup-catalog/catalog-itself", test_catalog_itself);
  ADD ("/backup-catalog/symbolic-link", test_symbolic_link);
  ADD ("/backup-catalog/promote-deleted", test_promote_deleted);

#undef ADD

  g_test_add_func ("/backup-catalog/catalog-upgrade", test_catalog_upgrade);
  g_test_add_func ("/backup-catalog/retention/keep-last", test_retention_keep_last);
  g_test_add_func ("/backup-catalog/retention/daily", test_retention_daily);
  g_test_add_func ("/backup-catalog/retention/weekly", test_retention_weekly);
  g_test_add_func ("/backup-catalog/retention/combined", test_retention_combined);
  g_test_add_func ("/backup-catalog/retention/off", test_retention_off);
  g_test_add_func ("/backup-catalog/retention/local-days", test_retention_local_days);

  return g_test_run ();
}
