/* lh-sqlite-copy.c — copying an SQLite file, for the backup catalog and bundles (see
 * lh-sqlite-copy-private.h). Every function runs in a job's thread on connections the job
 * opened; what goes wrong is told through the caller's LhSqliteCopyErrors, so that each
 * keeps its own error domain and messages. */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lh-file-util-private.h"
#include "lh-local-connection.h"
#include "lh-sqlite-copy-private.h"

/* A copy goes this many pages (of usually 4 KiB: 8 MiB) a step, between two looks at the
 * cancellable and two progress reports: a few tens of milliseconds, that writers elsewhere
 * wait at most on a database in rollback-journal mode. Fewer, larger steps copy faster. */
#define PAGES_PER_STEP 2048
#define SOURCE_BUSY_TIMEOUT_MS LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS
/* How long a wait for a lock held elsewhere sleeps between two tries: short, so that a
 * reader gets in between the transactions of a busy writer. */
#define LOCK_POLL_USEC 1000
/* A rollback-journal database changed by another connection between two steps makes the
 * copy start again; after this many, the copy keeps a read transaction to the end. */
#define MAX_RESTARTS 3
#define READ_TRANSACTION_SQL "BEGIN; SELECT count(*) FROM sqlite_schema"
/* integrity_check's page cache: its checks of every index against its table look rows up
 * all over the file, and with SQLite's default 2 MiB cache take more than twice as long on
 * a database of a gigabyte. */
#define CHECK_CACHE_SQL "PRAGMA cache_size = -32768"

/* Sets error for SQLite's rc working on path (db, when given, holds its message and errno),
 * in the caller's domain. */
void
lh_sqlite_copy_set_error (const LhSqliteCopyErrors  *errors,
                          GError                   **error,
                          sqlite3                   *db,
                          int                        rc,
                          const char                *path)
{
  g_autofree char *name = g_filename_display_name (path);
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int saved_errno = db != NULL ? sqlite3_system_errno (db) : 0;

  if (rc == SQLITE_READONLY_ROLLBACK)
    {
      g_set_error (error, errors->domain (), errors->permission_code,
                   _("“%s” holds a transaction that a program left unfinished, and it cannot be "
                     "rolled back: the file or its folder cannot be written."), name);
      return;
    }
  switch (rc & 0xff)
    {
    case SQLITE_INTERRUPT:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled."));
      break;
    case SQLITE_NOTADB:
      g_set_error (error, errors->domain (), errors->not_a_database_code,
                   _("“%s” is not an SQLite database."), name);
      break;
    case SQLITE_CORRUPT:
      g_set_error (error, errors->domain (), errors->corrupt_code,
                   _("“%s” is damaged (SQLite: %s)."), name, message);
      break;
    case SQLITE_FULL:
      errors->set_file_error (error, ENOSPC, path);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, errors->domain (), errors->busy_code,
                   _("Another program is writing to “%s”."), name);
      break;
    case SQLITE_PERM:
    case SQLITE_READONLY:
      g_set_error (error, errors->domain (), errors->permission_code,
                   _("“%s” cannot be written (SQLite: %s)."), name, message);
      break;
    default:
      if (errors->is_known_errno (saved_errno))
        errors->set_file_error (error, saved_errno, path);
      else
        g_set_error (error, errors->domain (), errors->failed_code,
                     _("SQLite cannot work on “%s”: %s."), name, message);
    }
}

static void
interrupt_cb (GCancellable *cancellable,
              sqlite3      *db)
{
  sqlite3_interrupt (db);
}

/* Steps stmt once; a cancel interrupts it. */
int
lh_sqlite_copy_step_cancellable (sqlite3_stmt *stmt,
                                 GCancellable *cancellable)
{
  gulong handler;
  int rc;

  if (cancellable == NULL)
    return sqlite3_step (stmt);
  handler = g_cancellable_connect (cancellable, G_CALLBACK (interrupt_cb),
                                   sqlite3_db_handle (stmt), NULL);
  rc = g_cancellable_is_cancelled (cancellable) ? SQLITE_INTERRUPT : sqlite3_step (stmt);
  g_cancellable_disconnect (cancellable, handler);
  return rc;
}

/* Whether a busy handler waits on for a lock held elsewhere, after n_calls waits. */
int
lh_sqlite_copy_wait_for_lock (GCancellable *cancellable,
                              guint         timeout_ms,
                              int           n_calls)
{
  if (g_cancellable_is_cancelled (cancellable) ||
      (gint64) n_calls * LOCK_POLL_USEC >= (gint64) timeout_ms * 1000)
    return 0;
  g_usleep (LOCK_POLL_USEC);
  return 1;
}

/* Opens path with flags; on failure sets error naming shown_path and returns NULL. */
sqlite3 *
lh_sqlite_copy_open_file (const char                *path,
                          int                        flags,
                          const char                *shown_path,
                          const LhSqliteCopyErrors  *errors,
                          GError                   **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, flags, NULL);

  if (rc != SQLITE_OK)
    {
      lh_sqlite_copy_set_error (errors, error, db, rc, shown_path);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, TRUE);
  return db;
}

gboolean
lh_sqlite_copy_run_sql (sqlite3                   *db,
                        const char                *sql,
                        const char                *shown_path,
                        const LhSqliteCopyErrors  *errors,
                        GError                   **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;
  lh_sqlite_copy_set_error (errors, error, db, rc, shown_path);
  return FALSE;
}

/* The first text (or integer) sql gives, or NULL. */
char *
lh_sqlite_copy_query_text (sqlite3    *db,
                           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

/* integrity_check's first complaint: its first line that is not the name of the schema. */
static char *
first_complaint (const char *report)
{
  g_auto(GStrv) lines = g_strsplit (report, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "***"))
      return g_strdup (lines[i]);
  return g_strdup (report);
}

/* Runs integrity_check on the SQLite file at path (its errors name shown_path). */
gboolean
lh_sqlite_copy_check_integrity (const char                *path,
                                const char                *shown_path,
                                const LhSqliteCopyErrors  *errors,
                                GCancellable              *cancellable,
                                GError                   **error)
{
  sqlite3 *db = lh_sqlite_copy_open_file (path, SQLITE_OPEN_READONLY, shown_path, errors, error);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *complaint = NULL;
  int rc;

  if (db == NULL)
    return FALSE;
  sqlite3_exec (db, CHECK_CACHE_SQL, NULL, NULL, NULL);
  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = lh_sqlite_copy_step_cancellable (stmt, cancellable);
  if (rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    complaint = first_complaint ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_ROW)
    lh_sqlite_copy_set_error (errors, error, db, rc, shown_path);
  else if (complaint != NULL)
    {
      g_autofree char *name = g_filename_display_name (shown_path);

      g_set_error (error, errors->domain (), errors->corrupt_code,
                   _("“%s” is damaged: %s"), name, complaint);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rc == SQLITE_ROW && complaint == NULL;
}

static gpointer
sync_thread (gpointer data)
{
  return GINT_TO_POINTER (lh_file_sync (data));
}

/* Syncs the file at path to disk while integrity_check reads it from the page cache (the
 * two take turns on nothing: the one waits on the disk, the other on a core), and returns
 * when both are done: the check's result, with *sync_errno 0 or the sync's errno. */
gboolean
lh_sqlite_copy_sync_and_check (const char                *path,
                               const char                *shown_path,
                               const LhSqliteCopyErrors  *errors,
                               int                       *sync_errno,
                               GCancellable              *cancellable,
                               GError                   **error)
{
  GThread *syncer = g_thread_new ("lh-sync", sync_thread, (gpointer) path);
  gboolean ok = lh_sqlite_copy_check_integrity (path, shown_path, errors, cancellable, error);

  *sync_errno = GPOINTER_TO_INT (g_thread_join (syncer));
  return ok;
}

static int
source_busy_cb (void *data,
                int   n_calls)
{
  GCancellable *cancellable = data;

  return lh_sqlite_copy_wait_for_lock (cancellable, SOURCE_BUSY_TIMEOUT_MS, n_calls);
}

/* Opens the database at path to read it (read-only, unless a transaction left unfinished
 * must be rolled back first: then on a connection that may write, and never does),
 * waiting for a lock held elsewhere until a cancel (or as busy, a busy handler for
 * busy_data, says: NULL for SQLite's default timeout); in WAL mode with snapshot, inside a
 * read transaction that the copy then reads from, consistent while others write on. Sets
 * *page_size. */
sqlite3 *
lh_sqlite_copy_open_source (const char                *path,
                            gboolean                   snapshot,
                            const LhSqliteCopyErrors  *errors,
                            GCancellable              *cancellable,
                            int                      (*busy) (void *, int),
                            void                      *busy_data,
                            int                       *page_size,
                            GError                   **error)
{
  g_autofree char *mode = NULL;
  g_autofree char *size = NULL;
  sqlite3 *db = lh_sqlite_copy_open_file (path, SQLITE_OPEN_READONLY, path, errors, error);
  int rc;

  if (db == NULL)
    return NULL;
  if (busy == NULL)
    {
      busy = source_busy_cb;
      busy_data = cancellable;
    }
  sqlite3_busy_handler (db, busy, busy_data);
  rc = sqlite3_exec (db, READ_TRANSACTION_SQL, NULL, NULL, NULL);
  if (rc == SQLITE_READONLY_ROLLBACK)
    {
      /* A transaction that a program left unfinished when it stopped (its journal is
       * "hot"): SQLite rolls it back before anything reads the file, as any program using
       * the database would, on a connection that may write. */
      sqlite3_close (db);
      db = lh_sqlite_copy_open_file (path, SQLITE_OPEN_READWRITE, path, errors, error);
      if (db == NULL)
        return NULL;
      sqlite3_busy_handler (db, busy, busy_data);
      rc = sqlite3_exec (db, READ_TRANSACTION_SQL, NULL, NULL, NULL);
    }
  if (rc != SQLITE_OK)
    {
      lh_sqlite_copy_set_error (errors, error, db, rc, path);
      sqlite3_close (db);
      return NULL;
    }
  mode = lh_sqlite_copy_query_text (db, "PRAGMA journal_mode");
  size = lh_sqlite_copy_query_text (db, "PRAGMA page_size");
  *page_size = size != NULL ? (int) g_ascii_strtoll (size, NULL, 10) : 4096;
  if (!snapshot || g_strcmp0 (mode, "wal") != 0)
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  return db;
}

/* Copies source into dest with the online backup API, a few pages a step (a lock held
 * elsewhere is waited for by source's busy handler), reporting each step. Writers
 * elsewhere go on between steps; once they made the copy start again MAX_RESTARTS times,
 * they wait for its end (a read transaction held on source). Errors of reading name
 * source_shown, the others dest_shown. */
gboolean
lh_sqlite_copy_pages (sqlite3                   *source,
                      int                        page_size,
                      const char                *source_shown,
                      sqlite3                   *dest,
                      const char                *dest_shown,
                      const LhSqliteCopyErrors  *errors,
                      LhSqliteCopyProgress       progress,
                      gpointer                   progress_data,
                      GCancellable              *cancellable,
                      GError                   **error)
{
  sqlite3_backup *backup = sqlite3_backup_init (dest, "main", source, "main");
  int remaining = G_MAXINT;
  guint restarts = 0;
  int rc;

  if (backup == NULL)
    {
      lh_sqlite_copy_set_error (errors, error, dest, sqlite3_errcode (dest), dest_shown);
      return FALSE;
    }
  do
    {
      rc = sqlite3_backup_step (backup, PAGES_PER_STEP);
      if (rc == SQLITE_OK && sqlite3_backup_remaining (backup) > remaining &&
          ++restarts == MAX_RESTARTS && sqlite3_get_autocommit (source))
        sqlite3_exec (source, READ_TRANSACTION_SQL, NULL, NULL, NULL);
      remaining = sqlite3_backup_remaining (backup);
      progress ((goffset) (sqlite3_backup_pagecount (backup) -
                           sqlite3_backup_remaining (backup)) * page_size,
                (goffset) sqlite3_backup_pagecount (backup) * page_size,
                progress_data);
    }
  while (rc == SQLITE_OK && !g_cancellable_is_cancelled (cancellable));
  sqlite3_backup_finish (backup);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (rc != SQLITE_DONE)
    {
      gboolean reading = (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT ||
                         (rc & 0xff) == SQLITE_BUSY;

      lh_sqlite_copy_set_error (errors, error, dest, rc, reading ? source_shown : dest_shown);
      return FALSE;
    }
  return TRUE;
}

/* The page size an SQLite file's header gives, whether it is in WAL mode; FALSE if path is
 * no SQLite file. */
static gboolean
read_page_size (const char *path,
                guint      *page_size,
                gboolean   *wal)
{
  guint8 header[20];
  FILE *file = g_fopen (path, "rb");
  size_t length = 0;

  if (file != NULL)
    {
      length = fread (header, 1, sizeof header, file);
      fclose (file);
    }
  if (length != sizeof header || memcmp (header, "SQLite format 3", 16) != 0)
    return FALSE;
  *page_size = header[16] << 8 | header[17];
  if (*page_size == 1)
    *page_size = 65536;
  *wal = header[18] == 2 && header[19] == 2;
  return TRUE;
}


gboolean
lh_sqlite_copy_set_journal_mode (const char  *path,
                                 const char  *mode,
                                 int        (*busy) (void *, int),
                                 void        *busy_data)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode = %s", mode);
  g_autofree char *now = NULL;
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
    {
      sqlite3_busy_handler (db, busy, busy_data);
      now = lh_sqlite_copy_query_text (db, sql);
    }
  sqlite3_close (db);
  return g_strcmp0 (now, mode) == 0;
}

/* Whether SQLite can copy the file at source into the one at database in one step: not
 * between two page sizes while database is in WAL mode (SQLite refuses, saying that it
 * cannot write); if not, error says so. */
static gboolean
check_page_sizes (const char                *source,
                  const char                *database,
                  const LhSqliteCopyErrors  *errors,
                  GError                   **error)
{
  g_autofree char *name = NULL;
  guint source_size, database_size;
  gboolean source_wal, database_wal;

  if (!read_page_size (source, &source_size, &source_wal) ||
      !read_page_size (database, &database_size, &database_wal) ||
      !database_wal || source_size == database_size)
    return TRUE;
  name = g_filename_display_name (database);
  g_set_error (error, errors->domain (), errors->failed_code,
               _("The backup’s pages are of %u bytes and those of “%s” of %u: SQLite cannot "
                 "restore between them while the database is in WAL mode, nor leave WAL mode "
                 "while another program (or a Litehouse window) uses it. Nothing was changed. "
                 "Close what uses the database and restore again."),
               source_size, name, database_size);
  return FALSE;
}

gboolean
lh_sqlite_copy_prepare_page_sizes (const char                *source,
                                   const char                *database,
                                   const LhSqliteCopyErrors  *errors,
                                   gboolean                  *left_wal,
                                   GError                   **error)
{
  GError *sizes_error = NULL;

  *left_wal = FALSE;
  if (check_page_sizes (source, database, errors, &sizes_error))
    return TRUE;
  /* Out of WAL mode for the copy, where nothing else uses the database. */
  if (!lh_sqlite_copy_set_journal_mode (database, "delete", NULL, NULL))
    {
      g_propagate_error (error, sizes_error);
      return FALSE;
    }
  g_error_free (sizes_error);
  *left_wal = TRUE;
  return TRUE;
}

/* Copies source into dest in one sqlite3_backup_step(): one write transaction, that other
 * connections see whole or not at all. SQLITE_OK or the error. */
int
lh_sqlite_copy_all_pages (sqlite3 *source,
                          sqlite3 *dest)
{
  sqlite3_backup *backup = sqlite3_backup_init (dest, "main", source, "main");
  int rc;

  if (backup == NULL)
    return sqlite3_errcode (dest);
  rc = sqlite3_backup_step (backup, -1);
  if (rc == SQLITE_DONE)
    return sqlite3_backup_finish (backup);
  sqlite3_backup_finish (backup);
  return rc;
}
