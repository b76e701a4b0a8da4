/* lh-sqlite-copy-private.h — what the backup catalog and bundles share about copying an
 * SQLite file: opening it, the online backup API's copy with progress and cancel, waiting
 * for a lock held elsewhere and integrity_check. Errors stay in each caller's domain. */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Sets error for a system error (errno) working on path, in the caller's words. */
typedef void (*LhSqliteCopySetFileError) (GError     **error,
                                          int          saved_errno,
                                          const char  *path);

/* How a caller names what goes wrong: the codes of its domain for what SQLite reports
 * (lh_sqlite_copy_set_error()) and integrity_check finds, and its words for a system
 * error (a full disk among them). */
typedef struct
{
  GQuark                  (*domain) (void);
  int                       failed_code;
  int                       not_a_database_code;
  int                       corrupt_code;
  int                       busy_code;
  int                       permission_code;
  LhSqliteCopySetFileError  set_file_error;
  /* whether a system errno is one set_file_error has words of its own for */
  gboolean                (*is_known_errno) (int saved_errno);
} LhSqliteCopyErrors;

void     lh_sqlite_copy_set_error        (const LhSqliteCopyErrors  *errors,
                                          GError                   **error,
                                          sqlite3                   *db,
                                          int                        rc,
                                          const char                *path);

/* current of total bytes of a copy done. */
typedef void (*LhSqliteCopyProgress) (goffset  current,
                                      goffset  total,
                                      gpointer data);

int      lh_sqlite_copy_step_cancellable (sqlite3_stmt *stmt,
                                          GCancellable *cancellable);
int      lh_sqlite_copy_wait_for_lock    (GCancellable *cancellable,
                                          guint         timeout_ms,
                                          int           n_calls);
sqlite3 *lh_sqlite_copy_open_file        (const char                *path,
                                          int                        flags,
                                          const char                *shown_path,
                                          const LhSqliteCopyErrors  *errors,
                                          GError                   **error);
gboolean lh_sqlite_copy_run_sql          (sqlite3                   *db,
                                          const char                *sql,
                                          const char                *shown_path,
                                          const LhSqliteCopyErrors  *errors,
                                          GError                   **error);
char    *lh_sqlite_copy_query_text       (sqlite3    *db,
                                          const char *sql);
gboolean lh_sqlite_copy_check_integrity  (const char                *path,
                                          const char                *shown_path,
                                          const LhSqliteCopyErrors  *errors,
                                          GCancellable              *cancellable,
                                          GError                   **error);
gboolean lh_sqlite_copy_sync_and_check   (const char                *path,
                                          const char                *shown_path,
                                          const LhSqliteCopyErrors  *errors,
                                          int                       *sync_errno,
                                          GCancellable              *cancellable,
                                          GError                   **error);
sqlite3 *lh_sqlite_copy_open_source      (const char                *path,
                                          gboolean                   snapshot,
                                          const LhSqliteCopyErrors  *errors,
                                          GCancellable              *cancellable,
                                          int                      (*busy) (void *, int),
                                          void                      *busy_data,
                                          int                       *page_size,
                                          GError                   **error);
gboolean lh_sqlite_copy_pages            (sqlite3                   *source,
                                          int                        page_size,
                                          const char                *source_shown,
                                          sqlite3                   *dest,
                                          const char                *dest_shown,
                                          const LhSqliteCopyErrors  *errors,
                                          LhSqliteCopyProgress       progress,
                                          gpointer                   progress_data,
                                          GCancellable              *cancellable,
                                          GError                   **error);
/* Sets the journal mode ("delete", "wal") of the database at path, waiting for a lock as
 * busy says (NULL: not at all); whether it took. A database leaves WAL mode only where no
 * other connection uses it. */
gboolean lh_sqlite_copy_set_journal_mode (const char  *path,
                                          const char  *mode,
                                          int        (*busy) (void *, int),
                                          void        *busy_data);
/* Readies the database at path for a copy of the SQLite file at source in one step: SQLite
 * cannot copy between two page sizes while database is in WAL mode, so it leaves WAL mode
 * (*left_wal: set it back with lh_sqlite_copy_set_journal_mode() after the copy), where no
 * other connection uses it; FALSE, error saying so (the caller's failed_code), where one
 * does. */
gboolean lh_sqlite_copy_prepare_page_sizes (const char                *source,
                                            const char                *database,
                                            const LhSqliteCopyErrors  *errors,
                                            gboolean                  *left_wal,
                                            GError                   **error);
int      lh_sqlite_copy_all_pages        (sqlite3 *source,
                                          sqlite3 *dest);

G_END_DECLS
