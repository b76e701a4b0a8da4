/* test-bundle.c — LhBundle on real files: a round trip (a WAL database with rows; a folder
 * with nested folders, a binary file, an empty file, an empty folder, a read-only folder
 * and links, each with its own mode and time; both changed after bundling, then restored
 * exactly, also for a connection left open), a restore into a new place, the archive's
 * entries and manifest read back with libarchive, a cancel in the middle of the copy or
 * of the compression (no archive, no temporary file, an older archive untouched), a
 * folder holding links that lead out of it; and bundles crafted here with libarchive that
 * a restore must refuse, leaving database and folder as they were: entries leading out of
 * the folder, a truncated archive, files that are not bundles, a checksum that does not
 * match, a newer format; and a database locked by another process. Each test has its own
 * temporary folder. */
#define _POSIX_C_SOURCE 200809L   /* utimensat(), symlink() under -std=c11 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lh-test-util.h"

#define ITEMS_SQL \
  "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB);" \
  "INSERT INTO items (name, data) VALUES ('ada', x'00ff10'), ('grace', NULL);" \
  "CREATE INDEX items_by_name ON items (name);"

/* Rows of padding: a database of about rows × bytes. */
#define PAD_SQL \
  "CREATE TABLE IF NOT EXISTS pad (x);" \
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %u)" \
  " INSERT INTO pad SELECT randomblob(%u) FROM c;"

#define BLOB_BYTES (200 * 1024)
#define BASE_TIME G_GINT64_CONSTANT (1600000000)
#define EVIL_ABSOLUTE "/tmp/litehouse-test-bundle-evil"

typedef struct
{
  char *dir;
  char *db_path;
  char *folder;
  char *archive;
} Fixture;

/* The folder's tree. */

static char *
path_in (const char *folder,
         const char *relative)
{
  return g_build_filename (folder, relative, NULL);
}

static void
write_file (const char   *folder,
            const char   *relative,
            const guchar *contents,
            gsize         length,
            mode_t        mode)
{
  g_autofree char *path = path_in (folder, relative);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) contents, length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
make_link (const char *folder,
           const char *relative,
           const char *target)
{
  g_autofree char *path = path_in (folder, relative);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
set_time (const char *folder,
          const char *relative,
          gint64      seconds)
{
  g_autofree char *path = path_in (folder, relative);
  struct timespec times[2] = { { seconds, 0 }, { seconds, 0 } };

  g_assert_cmpint (utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), ==, 0);
}

/* BLOB_BYTES of noise with runs of zeros: a binary file. */
static guchar *
make_blob (guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guchar *blob = g_malloc (BLOB_BYTES);

  for (gsize i = 0; i < BLOB_BYTES; i++)
    blob[i] = (i / 4096) % 3 == 0 ? 0 : g_rand_int_range (rand, 0, 256);
  return blob;
}

/* storage/: a.txt (0640), empty (0600), emptydir/ (0700), nested/deeper/ (0750) with
 * blob.bin, nested/link -> deeper/blob.bin, nested/up -> ../a.txt, readonly/ (0555) with
 * inside.txt (0444); every entry its time. */
static void
make_tree (const char *folder)
{
  g_autofree char *deeper = path_in (folder, "nested/deeper");
  g_autofree char *empty_dir = path_in (folder, "emptydir");
  g_autofree char *read_only = path_in (folder, "readonly");
  g_autofree guchar *blob = make_blob (42);

  g_assert_cmpint (g_mkdir_with_parents (deeper, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (empty_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (read_only, 0755), ==, 0);
  write_file (folder, "readonly/inside.txt", (const guchar *) "inside\n", 7, 0444);
  g_assert_cmpint (g_chmod (read_only, 0555), ==, 0);
  write_file (folder, "a.txt", (const guchar *) "hello\n", 6, 0640);
  write_file (folder, "empty", (const guchar *) "", 0, 0600);
  write_file (folder, "nested/deeper/blob.bin", blob, BLOB_BYTES, 0644);
  make_link (folder, "nested/link", "deeper/blob.bin");
  make_link (folder, "nested/up", "../a.txt");
  g_assert_cmpint (g_chmod (deeper, 0750), ==, 0);

  set_time (folder, "a.txt", BASE_TIME + 1);
  set_time (folder, "empty", BASE_TIME + 2);
  set_time (folder, "nested/deeper/blob.bin", BASE_TIME + 3);
  set_time (folder, "nested/link", BASE_TIME + 4);
  set_time (folder, "nested/up", BASE_TIME + 5);
  set_time (folder, "nested/deeper", BASE_TIME + 6);
  set_time (folder, "nested", BASE_TIME + 7);
  set_time (folder, "emptydir", BASE_TIME + 8);
  set_time (folder, "readonly/inside.txt", BASE_TIME + 10);
  set_time (folder, "readonly", BASE_TIME + 11);
  set_time (folder, ".", BASE_TIME + 9);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
append_tree (GString    *text,
             const char *root,
             const char *relative)
{
  g_autofree char *path = path_in (root, relative);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf info;

  g_assert_cmpint (g_lstat (path, &info), ==, 0);
  g_string_append_printf (text, "%s %o %" G_GINT64_FORMAT, relative, (guint) info.st_mode,
                          (gint64) info.st_mtime);
  if (S_ISREG (info.st_mode))
    {
      g_autofree char *checksum = lh_test_checksum (path);

      g_string_append_printf (text, " %" G_GINT64_FORMAT " %s", (gint64) info.st_size, checksum);
    }
  if (S_ISLNK (info.st_mode))
    {
      g_autofree char *target = g_file_read_link (path, NULL);

      g_string_append_printf (text, " -> %s", target);
    }
  g_string_append_c (text, '\n');
  if (!S_ISDIR (info.st_mode))
    return;
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (relative, g_ptr_array_index (names, i), NULL);

      append_tree (text, root, child);
    }
}

/* The tree at folder as text: each entry with its type and mode, time, and the size and
 * checksum of a file or the target of a link. */
static char *
snapshot_tree (const char *folder)
{
  GString *text = g_string_new (NULL);

  append_tree (text, folder, ".");
  return g_string_free (text, FALSE);
}

static char *
dump_db (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) reader = lh_test_open (path, LH_LOCAL_OPEN_READ_ONLY, 1000, &error);
  char *dump;

  g_assert_no_error (error);
  dump = lh_test_dump (LH_CONNECTION (reader));
  lh_test_close ((LhConnection **) &reader);
  return dump;
}

/* Hidden names in dir: the temporary files and folders of a create or a restore. */
static guint
count_hidden (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint count = 0;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    count += name[0] == '.';
  return count;
}

/* Changes every part of the database and of the folder. */
static void
change_everything (Fixture *fixture)
{
  g_autofree guchar *blob = make_blob (7);
  g_autofree char *a_txt = path_in (fixture->folder, "a.txt");
  g_autofree char *link = path_in (fixture->folder, "nested/link");
  g_autofree char *empty_dir = path_in (fixture->folder, "emptydir");
  g_autofree char *deeper = path_in (fixture->folder, "nested/deeper");

  lh_test_make_db (fixture->db_path,
                   "UPDATE items SET name = 'changed'; INSERT INTO items (name) VALUES ('new');"
                   "CREATE TABLE extra (x);");
  write_file (fixture->folder, "nested/deeper/blob.bin", blob, BLOB_BYTES, 0600);
  write_file (fixture->folder, "new.txt", (const guchar *) "new\n", 4, 0644);
  g_assert_cmpint (g_unlink (a_txt), ==, 0);
  g_assert_cmpint (g_unlink (link), ==, 0);
  make_link (fixture->folder, "nested/link", "../new.txt");
  g_assert_cmpint (g_rmdir (empty_dir), ==, 0);
  g_assert_cmpint (g_chmod (deeper, 0700), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->db_path = g_build_filename (fixture->dir, "app.db", NULL);
  fixture->folder = g_build_filename (fixture->dir, "storage", NULL);
  fixture->archive = g_build_filename (fixture->dir, "app.tar.gz", NULL);
  lh_test_make_db (fixture->db_path, "PRAGMA journal_mode = WAL;" ITEMS_SQL);
  make_tree (fixture->folder);
}

/* Makes every folder under path writable, so that what they hold can be removed. */
static void
make_writable (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return;
  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      make_writable (child);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  make_writable (fixture->dir);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->folder);
  g_free (fixture->archive);
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
  GCancellable *cancel_before_end;  /* cancelled at the first report short of the total… */
  goffset       cancel_after;       /* …and past cancel_after ‰ of it */
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
  g_assert_cmpint (current, <=, total);
  if (log->finished)
    log->called_after_finish = TRUE;
  log->calls++;
  log->current = current;
  log->total = total;
  if (log->cancel_before_end != NULL && current < total &&
      current > total / 1000 * log->cancel_after)
    g_cancellable_cancel (log->cancel_before_end);
}

/* The operations, waited for. */

static gboolean
create (Fixture       *fixture,
        GCancellable  *cancellable,
        ProgressLog   *log,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  lh_bundle_create_async (fixture->db_path, fixture->folder, fixture->archive, cancellable,
                          log != NULL ? progress_cb : NULL, log, lh_test_store_result_cb, &result);
  ok = lh_bundle_create_finish (lh_test_wait_for_result (&result), error);
  if (log != NULL)
    log->finished = TRUE;
  return ok;
}

static void
create_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (create (fixture, NULL, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
restore_into (const char   *archive,
              const char   *database,
              const char   *folder,
              guint         lock_timeout_ms,
              ProgressLog  *log,
              GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  lh_bundle_restore_async (archive, database, folder, lock_timeout_ms, NULL,
                           log != NULL ? progress_cb : NULL, log, lh_test_store_result_cb,
                           &result);
  ok = lh_bundle_restore_finish (lh_test_wait_for_result (&result), error);
  if (log != NULL)
    log->finished = TRUE;
  return ok;
}

static gboolean
restore (Fixture     *fixture,
         const char  *archive,
         GError     **error)
{
  return restore_into (archive, fixture->db_path, fixture->folder, 1000, NULL, error);
}

/* The state of database and folder, to compare after a restore that must change nothing. */
typedef struct
{
  char *tree;
  char *dump;
} State;

static void
state_take (State   *state,
            Fixture *fixture)
{
  state->tree = snapshot_tree (fixture->folder);
  state->dump = dump_db (fixture->db_path);
}

/* The state is as it was, and nothing is left over. */
static void
state_assert_unchanged (State   *state,
                        Fixture *fixture)
{
  g_autofree char *tree = snapshot_tree (fixture->folder);
  g_autofree char *dump = dump_db (fixture->db_path);

  g_assert_cmpstr (tree, ==, state->tree);
  g_assert_cmpstr (dump, ==, state->dump);
  g_assert_cmpuint (count_hidden (fixture->dir), ==, 0);
  g_free (state->tree);
  g_free (state->dump);
}

/* Bundles crafted here. */

typedef struct
{
  const char *pathname;
  mode_t      type;       /* AE_IFREG, AE_IFDIR or AE_IFLNK */
  const char *data;       /* a file's contents, a link's target */
  const char *hardlink;
} Crafted;

static void
write_entry (struct archive *writer,
             const char     *pathname,
             mode_t          type,
             const char     *data,
             gsize           length,
             const char     *hardlink)
{
  struct archive_entry *entry = archive_entry_new ();

  archive_entry_set_pathname (entry, pathname);
  archive_entry_set_filetype (entry, type);
  archive_entry_set_perm (entry, type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_mtime (entry, BASE_TIME, 0);
  if (type == AE_IFLNK)
    archive_entry_set_symlink (entry, data);
  if (hardlink != NULL)
    archive_entry_set_hardlink (entry, hardlink);
  else if (type == AE_IFREG)
    archive_entry_set_size (entry, length);
  g_assert_cmpint (archive_write_header (writer, entry), ==, ARCHIVE_OK);
  if (type == AE_IFREG && hardlink == NULL && length > 0)
    g_assert_cmpint (archive_write_data (writer, data, length), ==, length);
  archive_entry_free (entry);
}

static char *
craft_manifest (const char *sha256,
                gint64      version,
                guint       file_count)
{
  return g_strdup_printf ("{\"format\": \"litehouse-bundle\", \"format-version\": %" G_GINT64_FORMAT
                          ", \"database\": \"app.db\", \"created-at\": \"2020-09-13T12:26:40Z\","
                          " \"file-count\": %u, \"database-sha256\": \"%s\"}",
                          version, file_count, sha256);
}

/* Writes a bundle at path: manifest (NULL: a valid one; "": none), database/app.db (a
 * sound database in rollback-journal mode), files/ with ok.txt, then extra (NULL: none;
 * else ended by an entry without pathname); gzip-compressed unless plain. */
static void
craft_bundle (Fixture       *fixture,
              const char    *path,
              const char    *manifest,
              const Crafted *extra,
              gboolean       plain)
{
  g_autofree char *source = g_build_filename (fixture->dir, "crafted.db", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *valid_manifest = NULL;
  struct archive *writer = archive_write_new ();
  gsize length = 0;
  guint file_count = 1;

  lh_test_make_db (source, ITEMS_SQL);
  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_cmpint (g_unlink (source), ==, 0);
  for (guint i = 0; extra != NULL && extra[i].pathname != NULL; i++)
    file_count += g_str_has_prefix (extra[i].pathname, "files/");
  if (manifest == NULL)
    {
      g_autofree char *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                             (const guchar *) contents, length);

      manifest = valid_manifest = craft_manifest (sha256, 1, file_count);
    }

  if (!plain)
    archive_write_add_filter_gzip (writer);
  archive_write_set_format_pax_restricted (writer);
  g_assert_cmpint (archive_write_open_filename (writer, path), ==, ARCHIVE_OK);
  if (*manifest != '\0')
    write_entry (writer, "litehouse-bundle.json", AE_IFREG, manifest, strlen (manifest), NULL);
  write_entry (writer, "database/app.db", AE_IFREG, contents, length, NULL);
  write_entry (writer, "files", AE_IFDIR, NULL, 0, NULL);
  write_entry (writer, "files/ok.txt", AE_IFREG, "ok\n", 3, NULL);
  for (guint i = 0; extra != NULL && extra[i].pathname != NULL; i++)
    write_entry (writer, extra[i].pathname, extra[i].type, extra[i].data,
                 extra[i].data != NULL ? strlen (extra[i].data) : 0, extra[i].hardlink);
  g_assert_cmpint (archive_write_close (writer), ==, ARCHIVE_OK);
  archive_write_free (writer);
}

/* The round trip. */

static goffset
file_size (const char *path)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  return info.st_size;
}

/* Bundled, changed, restored: both exactly as they were, also for a connection that was
 * open all along; progress up to the total, on this thread, never after the end. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *tree = snapshot_tree (fixture->folder);
  g_autofree char *dump = dump_db (fixture->db_path);
  g_autofree char *restored_tree = NULL;
  g_autofree char *restored_dump = NULL;
  g_autoptr(LhLocalConnection) open_all_along = NULL;
  g_autoptr(GError) error = NULL;
  ProgressLog log;
  GStatBuf info;

  progress_log_init (&log);
  g_assert_true (create (fixture, NULL, &log, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (fixture->archive, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_false (log.called_after_finish);
  g_assert_cmpint (log.current, ==, log.total);
  /* The database twice (copied, then compressed), the files once. */
  g_assert_cmpint (log.total, ==, 2 * file_size (fixture->db_path) + BLOB_BYTES + 6 + 7);
  g_assert_cmpuint (count_hidden (fixture->dir), ==, 0);

  open_all_along = lh_test_open (fixture->db_path, LH_LOCAL_OPEN_NONE, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_test_query_integer (LH_CONNECTION (open_all_along),
                                          "SELECT count(*) FROM items"), ==, 2);
  change_everything (fixture);
  g_assert_cmpint (lh_test_query_integer (LH_CONNECTION (open_all_along),
                                          "SELECT count(*) FROM items"), ==, 3);

  progress_log_init (&log);
  g_assert_true (restore_into (fixture->archive, fixture->db_path, fixture->folder, 1000, &log,
                               &error));
  g_assert_no_error (error);
  g_assert_cmpint (log.total, ==, file_size (fixture->archive));
  g_assert_cmpint (log.current, ==, log.total);
  g_assert_false (log.called_after_finish);

  restored_tree = snapshot_tree (fixture->folder);
  restored_dump = dump_db (fixture->db_path);
  g_assert_cmpstr (restored_tree, ==, tree);
  g_assert_cmpstr (restored_dump, ==, dump);
  g_assert_cmpint (lh_test_query_integer (LH_CONNECTION (open_all_along),
                                          "SELECT count(*) FROM items"), ==, 2);
  g_assert_cmpuint (count_hidden (fixture->dir), ==, 0);
  lh_test_close ((LhConnection **) &open_all_along);
}

/* Neither the database nor the folder need exist: both are made. */
static void
test_restore_elsewhere (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *database = g_build_filename (fixture->dir, "copy.db", NULL);
  g_autofree char *folder = g_build_filename (fixture->dir, "copy-storage", NULL);
  g_autofree char *tree = snapshot_tree (fixture->folder);
  g_autofree char *dump = dump_db (fixture->db_path);
  g_autofree char *copy_tree = NULL;
  g_autofree char *copy_dump = NULL;
  g_autoptr(GError) error = NULL;

  create_ok (fixture);
  g_assert_true (restore_into (fixture->archive, database, folder, 1000, NULL, &error));
  g_assert_no_error (error);
  copy_tree = snapshot_tree (folder);
  copy_dump = dump_db (database);
  g_assert_cmpstr (copy_tree, ==, tree);
  g_assert_cmpstr (copy_dump, ==, dump);
  g_assert_cmpuint (count_hidden (fixture->dir), ==, 0);
}

/* What is in the archive. */

static char *
read_entry_data (struct archive *reader,
                 gsize          *length)
{
  GString *data = g_string_new (NULL);
  char buffer[8192];
  la_ssize_t n;

  while ((n = archive_read_data (reader, buffer, sizeof buffer)) > 0)
    g_string_append_len (data, buffer, n);
  g_assert_cmpint (n, ==, 0);
  *length = data->len;
  return g_string_free (data, FALSE);
}

static const char *
type_name (mode_t type)
{
  return type == AE_IFDIR ? "folder" : type == AE_IFLNK ? "link" : "file";
}

/* The manifest, the database (in rollback-journal mode, with the manifest's checksum),
 * then the folder, parents first in name order, with modes, times and link targets. */
static void
test_entries (Fixture       *fixture,
              gconstpointer  data)
{
  struct archive *reader = archive_read_new ();
  struct archive_entry *entry;
  g_autoptr(GString) listing = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *manifest = NULL;
  g_autofree char *database_sha256 = NULL;
  JsonObject *object;
  int rc;

  create_ok (fixture);
  archive_read_support_filter_all (reader);
  archive_read_support_format_all (reader);
  g_assert_cmpint (archive_read_open_filename (reader, fixture->archive, 10240), ==, ARCHIVE_OK);
  while ((rc = archive_read_next_header (reader, &entry)) == ARCHIVE_OK)
    {
      const char *pathname = archive_entry_pathname (entry);
      gsize length = 0;
      g_autofree char *contents = read_entry_data (reader, &length);

      g_string_append_printf (listing, "%s %s %o", pathname,
                              type_name (archive_entry_filetype (entry)),
                              (guint) archive_entry_perm (entry));
      if (archive_entry_filetype (entry) == AE_IFLNK)
        g_string_append_printf (listing, " -> %s", archive_entry_symlink (entry));
      if (g_str_has_prefix (pathname, "files/"))
        g_string_append_printf (listing, " %" G_GINT64_FORMAT,
                                (gint64) archive_entry_mtime (entry) - BASE_TIME);
      g_string_append_c (listing, '\n');
      if (g_str_equal (pathname, "litehouse-bundle.json"))
        manifest = g_steal_pointer (&contents);
      else if (g_str_equal (pathname, "database/app.db"))
        {
          g_assert_cmpuint (length, >, 100);
          g_assert_cmpint (contents[18], ==, 1);   /* rollback journal, though the source is WAL */
          g_assert_cmpint (contents[19], ==, 1);
          database_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                         (const guchar *) contents, length);
        }
    }
  g_assert_cmpint (rc, ==, ARCHIVE_EOF);
  g_assert_cmpint (archive_filter_code (reader, 0), ==, ARCHIVE_FILTER_GZIP);
  archive_read_free (reader);

  g_assert_cmpstr (listing->str, ==,
                   "litehouse-bundle.json file 644\n"
                   "database/app.db file 644\n"
                   "files/ folder 755 9\n"
                   "files/a.txt file 640 1\n"
                   "files/empty file 600 2\n"
                   "files/emptydir/ folder 700 8\n"
                   "files/nested/ folder 755 7\n"
                   "files/nested/deeper/ folder 750 6\n"
                   "files/nested/deeper/blob.bin file 644 3\n"
                   "files/nested/link link 777 -> deeper/blob.bin 4\n"
                   "files/nested/up link 777 -> ../a.txt 5\n"
                   "files/readonly/ folder 555 11\n"
                   "files/readonly/inside.txt file 444 10\n");

  g_assert_nonnull (manifest);
  g_assert_true (json_parser_load_from_data (parser, manifest, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "litehouse-bundle");
  g_assert_cmpint (json_object_get_int_member (object, "format-version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "database"), ==, "app.db");
  g_assert_cmpint (json_object_get_int_member (object, "file-count"), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (object, "database-sha256"), ==, database_sha256);
  g_assert_nonnull (g_date_time_new_from_iso8601 (
                      json_object_get_string_member (object, "created-at"), NULL));
}

/* Creating: a cancel, links out of the folder. */

static void
add_padding (const char *path,
             guint       rows,
             guint       bytes)
{
  g_autofree char *sql = g_strdup_printf (PAD_SQL, rows, bytes);

  lh_test_make_db (path, sql);
}

/* A cancel in the middle of the database's copy (cancel_after 0) or of the archive's
 * writing (600 ‰: the copy is a bit less than half the work): an error, the older
 * archive as it was, no temporary file. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  ProgressLog log;

  add_padding (fixture->db_path, 6000, 4000);
  g_assert_true (g_file_set_contents (fixture->archive, "an older bundle", -1, NULL));
  progress_log_init (&log);
  log.cancel_before_end = cancellable;
  log.cancel_after = GPOINTER_TO_INT (data);
  g_assert_false (create (fixture, cancellable, &log, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_cmpint (log.current, <, log.total);
  g_assert_cmpint (log.current, >, log.total / 1000 * log.cancel_after);
  g_assert_true (g_file_get_contents (fixture->archive, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "an older bundle");
  g_assert_cmpuint (count_hidden (fixture->dir), ==, 0);
}

/* Cancelled before it starts: nothing written. */
static void
test_cancel_at_once (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (create (fixture, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_hidden (fixture->dir), ==, 0);
}

/* A link out of the folder (too many "..", or absolute) cannot be bundled. */
static void
test_link_outside (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const targets[] = { "../../app.db", "/etc/hostname" };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *link = path_in (fixture->folder, "nested/escape");
      g_autoptr(GError) error = NULL;

      make_link (fixture->folder, "nested/escape", targets[i]);
      g_assert_false (create (fixture, NULL, NULL, &error));
      g_assert_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSUPPORTED_FILE);
      g_assert_nonnull (strstr (error->message, "escape"));
      g_assert_nonnull (strstr (error->message, targets[i]));
      g_assert_false (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (count_hidden (fixture->dir), ==, 0);
      g_assert_cmpint (g_unlink (link), ==, 0);
    }
}

/* Restoring: what must be refused, with nothing changed. */

static const Crafted dot_dot[] = {
  { "../evil", AE_IFREG, "evil\n", NULL },
  { NULL, 0, NULL, NULL },
};
static const Crafted dot_dot_inside[] = {
  { "files/../../evil", AE_IFREG, "evil\n", NULL },
  { NULL, 0, NULL, NULL },
};
static const Crafted absolute[] = {
  { EVIL_ABSOLUTE, AE_IFREG, "evil\n", NULL },
  { NULL, 0, NULL, NULL },
};
static const Crafted link_up[] = {
  { "files/escape", AE_IFLNK, "../../evil", NULL },
  { NULL, 0, NULL, NULL },
};
static const Crafted link_absolute[] = {
  { "files/escape", AE_IFLNK, "/etc", NULL },
  { NULL, 0, NULL, NULL },
};
/* Each link stays in the folder by itself; together they would not: self/.. is the
 * folder's parent. */
static const Crafted link_through_link[] = {
  { "files/self", AE_IFLNK, ".", NULL },
  { "files/escape", AE_IFLNK, "self/..", NULL },
  { NULL, 0, NULL, NULL },
};
static const Crafted write_through_link[] = {
  { "files/sub", AE_IFDIR, NULL, NULL },
  { "files/link", AE_IFLNK, "sub", NULL },
  { "files/link/evil", AE_IFREG, "evil\n", NULL },
  { NULL, 0, NULL, NULL },
};
static const Crafted hard_link[] = {
  { "files/hard", AE_IFREG, NULL, "database/app.db" },
  { NULL, 0, NULL, NULL },
};

typedef struct
{
  const Crafted *entries;
  const char    *named;     /* what the error names */
} UnsafeCase;

static const UnsafeCase unsafe_cases[] = {
  { dot_dot, "“../evil” leads out of the folder" },
  { dot_dot_inside, "“files/../../evil” leads out of the folder" },
  { absolute, "“" EVIL_ABSOLUTE "” is an absolute path" },
  { link_up, "link “files/escape” points outside the folder, to “../../evil”" },
  { link_absolute, "link “files/escape” points outside the folder, to “/etc”" },
  { link_through_link, "link “files/escape” points outside the folder, to “self/..”" },
  { write_through_link, "“files/link/evil” would be written through a link" },
  { hard_link, "“files/hard” is a hard link" },
};

static void
test_unsafe (Fixture       *fixture,
             gconstpointer  data)
{
  const UnsafeCase *unsafe = data;
  g_autofree char *bundle = g_build_filename (fixture->dir, "crafted.tar.gz", NULL);
  g_autofree char *evil = g_build_filename (fixture->dir, "evil", NULL);
  g_autofree char *evil_above = g_build_filename (fixture->dir, "..", "evil", NULL);
  g_autoptr(GError) error = NULL;
  State state;

  create_ok (fixture);
  change_everything (fixture);
  state_take (&state, fixture);
  craft_bundle (fixture, bundle, NULL, unsafe->entries, FALSE);
  g_assert_false (restore (fixture, bundle, &error));
  g_assert_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "not safe to restore"));
  g_assert_nonnull (strstr (error->message, unsafe->named));
  g_test_message ("%s", error->message);
  g_assert_cmpint (g_unlink (bundle), ==, 0);
  state_assert_unchanged (&state, fixture);
  g_assert_false (g_file_test (evil, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (evil_above, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (EVIL_ABSOLUTE, G_FILE_TEST_EXISTS));
}

/* A database in WAL mode with pages of another size than the bundle's: out of WAL mode for
 * the switch, back into it after. */
static void
test_page_sizes (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *size = NULL;

  create_ok (fixture);
  lh_test_make_db (fixture->db_path, "PRAGMA journal_mode = DELETE; PRAGMA page_size = 8192; VACUUM;"
                                     "PRAGMA journal_mode = WAL; DELETE FROM items");
  g_assert_true (restore (fixture, fixture->archive, &error));
  g_assert_no_error (error);
  names = lh_test_query_text (fixture->db_path, "SELECT group_concat(name) FROM items");
  g_assert_cmpstr (names, ==, "ada,grace\n");
  mode = lh_test_query_text (fixture->db_path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal\n");
  size = lh_test_query_text (fixture->db_path, "PRAGMA page_size");
  g_assert_cmpstr (size, ==, "4096\n");
}

/* Cut short, early or in the middle: damaged. */
static void
test_truncated (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  create_ok (fixture);
  change_everything (fixture);
  g_assert_true (g_file_get_contents (fixture->archive, &contents, &length, NULL));
  for (gsize cut = 1000; cut < length; cut = cut < length / 2 ? length / 2 : length)
    {
      g_autoptr(GError) error = NULL;
      State state;

      state_take (&state, fixture);
      g_assert_true (g_file_set_contents (fixture->archive, contents, cut, NULL));
      g_assert_false (restore (fixture, fixture->archive, &error));
      g_test_message ("cut at %" G_GSIZE_FORMAT ": %s", cut, error->message);
      g_assert_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "app.tar.gz"));
      state_assert_unchanged (&state, fixture);
    }
}

/* A gzip-compressed file that is not tar. */
static void
write_gzip_text (const char *path)
{
  struct archive *writer = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();

  archive_write_add_filter_gzip (writer);
  archive_write_set_format_raw (writer);
  g_assert_cmpint (archive_write_open_filename (writer, path), ==, ARCHIVE_OK);
  archive_entry_set_filetype (entry, AE_IFREG);
  g_assert_cmpint (archive_write_header (writer, entry), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (writer, "just some text\n", 15), ==, 15);
  g_assert_cmpint (archive_write_close (writer), ==, ARCHIVE_OK);
  archive_entry_free (entry);
  archive_write_free (writer);
}

static void
assert_refused (Fixture    *fixture,
                const char *bundle,
                GQuark      domain,
                int         code)
{
  g_autoptr(GError) error = NULL;
  State state;

  state_take (&state, fixture);
  g_assert_false (restore (fixture, bundle, &error));
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  state_assert_unchanged (&state, fixture);
}

/* Text, a database, gzip-compressed text, an uncompressed tar, a tar.gz without
 * manifest: not bundles. A bundle that is not there. */
static void
test_not_a_bundle (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *bundle = g_build_filename (fixture->dir, "not-a-bundle", NULL);

  create_ok (fixture);
  change_everything (fixture);
  g_assert_true (g_file_set_contents (bundle, "just some text\n", -1, NULL));
  assert_refused (fixture, bundle, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE);
  assert_refused (fixture, fixture->db_path, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE);
  write_gzip_text (bundle);
  assert_refused (fixture, bundle, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE);
  craft_bundle (fixture, bundle, NULL, NULL, TRUE);
  assert_refused (fixture, bundle, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE);
  craft_bundle (fixture, bundle, "", NULL, FALSE);
  assert_refused (fixture, bundle, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE);
  g_assert_cmpint (g_unlink (bundle), ==, 0);
  assert_refused (fixture, bundle, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_FOUND);
}

/* A crafted bundle whose database is sound, and valid but for the checksum, restores;
 * with another checksum it is refused. */
static void
test_checksum (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *bundle = g_build_filename (fixture->dir, "crafted.tar.gz", NULL);
  g_autofree char *manifest = craft_manifest ("00000000000000000000000000000000"
                                              "00000000000000000000000000000000", 1, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  craft_bundle (fixture, bundle, manifest, NULL, FALSE);
  assert_refused (fixture, bundle, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_CHECKSUM);

  craft_bundle (fixture, bundle, NULL, NULL, FALSE);
  g_assert_true (restore (fixture, bundle, &error));
  g_assert_no_error (error);
  names = lh_test_query_text (fixture->db_path, "SELECT group_concat(name) FROM items");
  g_assert_cmpstr (names, ==, "ada,grace\n");
}

static void
test_newer_format (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *bundle = g_build_filename (fixture->dir, "crafted.tar.gz", NULL);
  g_autofree char *manifest = craft_manifest ("00000000000000000000000000000000"
                                              "00000000000000000000000000000000", 2, 1);

  craft_bundle (fixture, bundle, manifest, NULL, FALSE);
  assert_refused (fixture, bundle, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NEWER_FORMAT);
}

/* Another process holds a write lock past the timeout: an error soon, the folder put
 * back, the database as it was. */
static void
test_busy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *locker;
  gint64 start;
  State state;

  create_ok (fixture);
  change_everything (fixture);
  state_take (&state, fixture);
  locker = lh_test_lock_db (fixture->db_path, "immediate");
  start = g_get_monotonic_time ();
  g_assert_false (restore_into (fixture->archive, fixture->db_path, fixture->folder, 200, NULL,
                                &error));
  g_assert_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "app.db"));
  g_assert_nonnull (strstr (error->message, "nothing was restored"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  lh_test_unlock_db (locker);
  state_assert_unchanged (&state, fixture);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_UNSAFE(path, unsafe_case) \
  g_test_add (path, Fixture, unsafe_case, fixture_set_up, test_unsafe, fixture_tear_down)

  ADD ("/bundle/round-trip", test_round_trip);
  ADD ("/bundle/restore-elsewhere", test_restore_elsewhere);
  ADD ("/bundle/entries", test_entries);
  g_test_add ("/bundle/cancel/copying", Fixture, GINT_TO_POINTER (0), fixture_set_up,
              test_cancel, fixture_tear_down);
  g_test_add ("/bundle/cancel/compressing", Fixture, GINT_TO_POINTER (600), fixture_set_up,
              test_cancel, fixture_tear_down);
  ADD ("/bundle/cancel-at-once", test_cancel_at_once);
  ADD ("/bundle/link-outside", test_link_outside);
  ADD_UNSAFE ("/bundle/unsafe/dot-dot", &unsafe_cases[0]);
  ADD_UNSAFE ("/bundle/unsafe/dot-dot-inside", &unsafe_cases[1]);
  ADD_UNSAFE ("/bundle/unsafe/absolute", &unsafe_cases[2]);
  ADD_UNSAFE ("/bundle/unsafe/link-up", &unsafe_cases[3]);
  ADD_UNSAFE ("/bundle/unsafe/link-absolute", &unsafe_cases[4]);
  ADD_UNSAFE ("/bundle/unsafe/link-through-link", &unsafe_cases[5]);
  ADD_UNSAFE ("/bundle/unsafe/write-through-link", &unsafe_cases[6]);
  ADD_UNSAFE ("/bundle/unsafe/hard-link", &unsafe_cases[7]);
  ADD ("/bundle/truncated", test_truncated);
  ADD ("/bundle/page-sizes", test_page_sizes);
  ADD ("/bundle/not-a-bundle", test_not_a_bundle);
  ADD ("/bundle/checksum", test_checksum);
  ADD ("/bundle/newer-format", test_newer_format);
  ADD ("/bundle/busy", test_busy);

#undef ADD_UNSAFE
#undef ADD

  return g_test_run ();
}
