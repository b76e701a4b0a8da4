/* lh-migrations.h — LhMigrations: a folder of SQL migrations in wrangler's `d1 migrations`
 * layout (`NNNN_name.sql`, applied in order) and the table that records which ones a
 * database has applied (`d1_migrations`), on any LhConnection (local, D1, libSQL): the
 * state of each file, applying the pending ones (each with its record, all or nothing),
 * creating the next one. Litehouse also keeps the SHA-256 of each applied file in its own
 * catalog ($XDG_DATA_HOME/litehouse/catalog.sqlite, keyed by the connection's location and
 * the table), never in the user's database, to tell when an applied file was edited.
 *
 * Use: lh_migrations_new(), then lh_migrations_load_async() for a GListModel of
 * LhMigration to show (a new list each time: load again after applying or creating, or
 * when the folder changes); lh_migrations_apply_async() for all pending migrations or
 * those up to one; lh_migrations_create_async() for a new empty file. Each LhMigration is
 * a snapshot that does not change (its properties are read-only and never notified).
 *
 * Errors: LH_MIGRATIONS_ERROR for what this object checks (see LhMigrationsError); a
 * statement the database refuses while applying is LH_MIGRATIONS_ERROR_STATEMENT, its
 * message naming the file, the statement number, its line (and column when the database
 * says where) and the database's own message, also given by
 * lh_migrations_error_get_location(). Other failures keep their domain (LH_CONNECTION_ERROR
 * for the network, G_IO_ERROR_CANCELLED for a cancel, G_IO_ERROR when writing a file). */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

#define LH_MIGRATIONS_DEFAULT_TABLE "d1_migrations"

#define LH_MIGRATIONS_ERROR (lh_migrations_error_quark ())

typedef enum
{
  LH_MIGRATIONS_ERROR_FOLDER,            /* the folder is missing or cannot be read */
  LH_MIGRATIONS_ERROR_TABLE_SHAPE,       /* the table has no name or no applied_at column */
  LH_MIGRATIONS_ERROR_NOT_FOUND,         /* apply: up_to names no migration file */
  LH_MIGRATIONS_ERROR_PROBLEM,           /* apply: a migration to apply has a problem */
  LH_MIGRATIONS_ERROR_TRANSACTION_OPEN,  /* apply: the connection has a transaction open */
  LH_MIGRATIONS_ERROR_STATEMENT,         /* apply: the database refused a migration */
  LH_MIGRATIONS_ERROR_INVALID_NAME,      /* create: the name is empty */
  LH_MIGRATIONS_ERROR_EXISTS,            /* create: a file of that name is there already */
} LhMigrationsError;

/* A migration's state; only a PENDING one may have a problem (lh_migration_get_problem()). */
typedef enum
{
  LH_MIGRATION_PENDING,  /* a file the table does not name */
  LH_MIGRATION_APPLIED,  /* named in the table, its file as it was when applied */
  LH_MIGRATION_CHANGED,  /* named in the table, its file edited since it was applied */
  LH_MIGRATION_MISSING,  /* named in the table, with no file in the folder */
} LhMigrationState;

#define LH_TYPE_MIGRATION_STATE (lh_migration_state_get_type ())
#define LH_TYPE_MIGRATION       (lh_migration_get_type ())
#define LH_TYPE_MIGRATIONS      (lh_migrations_get_type ())

G_DECLARE_FINAL_TYPE (LhMigration, lh_migration, LH, MIGRATION, GObject)
G_DECLARE_FINAL_TYPE (LhMigrations, lh_migrations, LH, MIGRATIONS, GObject)

/* Called on the caller's main context just before migration (the index-th of
 * n_migrations to apply, from 0) is sent to the database. */
typedef void (*LhMigrationsProgressCallback) (LhMigration *migration,
                                              guint        index,
                                              guint        n_migrations,
                                              gpointer     user_data);

GQuark            lh_migrations_error_quark          (void);
/* For LH_MIGRATIONS_ERROR_STATEMENT: the file name, the statement (from 1, counting the
 * file's own statements), line and column in the file (from 1; 0 when unknown). */
gboolean          lh_migrations_error_get_location   (const GError  *error,
                                                      const char   **file,
                                                      guint         *statement,
                                                      guint         *line,
                                                      guint         *column);
const char       *lh_migrations_error_get_reason     (const GError  *error);
GType             lh_migration_state_get_type        (void) G_GNUC_CONST;

/* table: NULL for "d1_migrations"; folder: a local path. */
LhMigrations     *lh_migrations_new                  (LhConnection  *connection,
                                                      const char    *folder,
                                                      const char    *table);
LhConnection     *lh_migrations_get_connection       (LhMigrations  *self);
const char       *lh_migrations_get_folder           (LhMigrations  *self);
const char       *lh_migrations_get_table            (LhMigrations  *self);

/* Every *.sql file of the folder and every name of the table, ordered by number then
 * name. Fails only for a missing/unreadable folder (FOLDER) or a table without a name or
 * applied_at column (TABLE_SHAPE); a missing table means nothing applied (not made). */
void              lh_migrations_load_async           (LhMigrations  *self,
                                                      GCancellable  *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer       user_data);
GListModel       *lh_migrations_load_finish          (LhMigrations  *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);
/* Loads afresh, then applies the pending migrations in order up to and including the
 * file up_to (NULL: all). Refuses before running anything on an open transaction
 * (TRANSACTION_OPEN), an unknown up_to (NOT_FOUND) or a migration to apply that has a
 * problem (PROBLEM). Each migration is one transactional batch of its statements and its
 * INSERT into the table (made with wrangler's DDL in the first batch when missing): on a
 * failure the ones before stay applied, the failing one leaves nothing. A cancel stops
 * between migrations. n_applied (finish) is set on success and on failure alike. */
void              lh_migrations_apply_async          (LhMigrations  *self,
                                                      const char    *up_to,
                                                      GCancellable  *cancellable,
                                                      LhMigrationsProgressCallback progress,
                                                      gpointer       progress_data,
                                                      GAsyncReadyCallback callback,
                                                      gpointer       user_data);
gboolean          lh_migrations_apply_finish         (LhMigrations  *self,
                                                      GAsyncResult  *result,
                                                      guint         *n_applied,
                                                      GError       **error);
/* Writes NNNN_name.sql (the highest number of the folder's files + 1, name lower-cased
 * with every character but letters and digits made "_") holding wrangler's
 * "-- Migration number: NNNN \t <ISO 8601>" line and a blank line; atomically, never over
 * a file (EXISTS). An empty name is INVALID_NAME. The result is the new file's path. */
void              lh_migrations_rehearse_async       (LhMigrations  *self,
                                                      const char    *up_to,
                                                      GCancellable  *cancellable,
                                                      LhMigrationsProgressCallback progress,
                                                      gpointer       progress_data,
                                                      GAsyncReadyCallback callback,
                                                      gpointer       user_data);
GPtrArray        *lh_migrations_rehearse_finish      (LhMigrations  *self,
                                                      GAsyncResult  *result,
                                                      guint         *n_applied,
                                                      GError       **error);
void              lh_migrations_preview_async        (LhMigrations  *self,
                                                      LhMigration   *migration,
                                                      GCancellable  *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer       user_data);
GPtrArray        *lh_migrations_preview_finish       (LhMigrations  *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);
void              lh_migrations_backup_async         (LhMigrations  *self,
                                                      GCancellable  *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer       user_data);
char             *lh_migrations_backup_finish        (LhMigrations  *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);
void              lh_migrations_create_async         (LhMigrations  *self,
                                                      const char    *name,
                                                      GCancellable  *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer       user_data);
char             *lh_migrations_create_finish        (LhMigrations  *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);

/* One migration, as loaded: see the getters' comments in lh-migrations.c. path, sql,
 * checksum are NULL for a MISSING one; applied_at is NULL for a PENDING one. */
guint             lh_migration_get_number            (LhMigration   *self);
const char       *lh_migration_get_name              (LhMigration   *self);
const char       *lh_migration_get_title             (LhMigration   *self);
const char       *lh_migration_get_path              (LhMigration   *self);
LhMigrationState  lh_migration_get_state             (LhMigration   *self);
const char       *lh_migration_get_applied_at        (LhMigration   *self);
const char       *lh_migration_get_sql               (LhMigration   *self);
const char       *lh_migration_get_checksum          (LhMigration   *self);
const char       *lh_migration_get_problem           (LhMigration   *self);

G_END_DECLS
