/* lh-sqlite-copy-private.h — what the backup catalog and bundles share about copying an
 * SQLite file: opening it, the online backup API's copy with progress and cancel, waiting
 * for a lock held elsewhere and integrity_check. Errors stay in each caller's domain. */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Sets error for SQLite's rc working on path (db, when given, holds its message). */
typedef void (*LhSqliteCopySetError) (GError     **error,
                                      sqlite3     *db,
                                      int          rc,
                                      const char  *path);

/* How a caller names what goes wrong: SQLite's result codes through set_error, the damage
 * integrity_check finds as corrupt_code in domain. */
typedef struct
{
  LhSqliteCopySetError   set_error;
  GQuark               (*domain) (void);
  int                    corrupt_code;
} LhSqliteCopyErrors;

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
int      lh_sqlite_copy_all_pages        (sqlite3 *source,
                                          sqlite3 *dest);

G_END_DECLS
