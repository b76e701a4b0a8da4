/* lh-migration-rehearsal.c — the parts of LhMigrations that run on copies, never on the
 * database itself: rehearse (apply the pending migrations to a throwaway copy, then say
 * how the schema would change), preview (the schema change of one pending migration),
 * and the copy kept before applying.
 *
 * A copy lives in a temporary folder of its own with the catalog of its LhMigrations, so
 * nothing of it reaches Litehouse's own catalog, and the folder goes when the work ends.
 * A rehearsal copies a local database whole (so data the migrations trip on shows); a
 * remote one, and any preview, copies the schema only, with the rows of the migrations
 * table, so the same migrations are pending on the copy as on the database. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lh-backup-catalog.h"
#include "lh-error.h"
#include "lh-local-connection.h"
#include "lh-migrations-private.h"
#include "lh-schema-diff.h"
#include "lh-script.h"

typedef struct
{
  LhMigrations                 *migrations;   /* the database's own */
  char                         *dir;          /* the temporary folder, removed at the end */
  LhConnection                 *source;       /* what the next copy is made of */
  LhConnection                 *before;       /* preview: the copy before the migration */
  LhConnection                 *copy;         /* the copy migrations are applied to */
  LhMigrations                 *copy_migrations;
  LhDatabaseCopyMode            mode;
  char                         *up_to;        /* the migration applied last, or NULL: all */
  char                         *preview;      /* preview: the migration to show */
  LhMigrationsProgressCallback  progress;
  gpointer                      progress_data;
  guint                         n_copies;
  guint                         n_applied;
  GPtrArray                    *changes;
  GError                       *error;        /* the outcome, once cleaned up */
} Rehearsal;

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static void
rehearsal_free (Rehearsal *rehearsal)
{
  g_clear_object (&rehearsal->migrations);
  g_clear_object (&rehearsal->source);
  g_clear_object (&rehearsal->before);
  g_clear_object (&rehearsal->copy);
  g_clear_object (&rehearsal->copy_migrations);
  g_free (rehearsal->up_to);
  g_free (rehearsal->preview);
  g_clear_pointer (&rehearsal->changes, g_ptr_array_unref);
  g_clear_error (&rehearsal->error);
  if (rehearsal->dir != NULL)
    remove_dir (rehearsal->dir);
  g_free (rehearsal->dir);
  g_free (rehearsal);
}

/* Ending: the copies are closed (so their files can go), then the result returned. */

static void finish (GTask *task);

static void
copy_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;

  lh_connection_close_finish (LH_CONNECTION (source), result, NULL);
  finish (task);
}

static void
finish (GTask *task)
{
  Rehearsal *rehearsal = g_task_get_task_data (task);
  LhConnection *open = rehearsal->copy != NULL ? g_steal_pointer (&rehearsal->copy)
                                               : g_steal_pointer (&rehearsal->before);

  if (open != NULL)
    {
      lh_connection_close_async (open, NULL, copy_closed_cb, task);
      g_object_unref (open);
      return;
    }
  if (rehearsal->error != NULL)
    g_task_return_error (task, g_steal_pointer (&rehearsal->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&rehearsal->changes), (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
fail (GTask  *task,
      GError *error)
{
  Rehearsal *rehearsal = g_task_get_task_data (task);

  g_clear_error (&rehearsal->error);
  rehearsal->error = error;
  finish (task);
}

static void make_copy (GTask *task);

/* Preview: the state before the migration shown is kept; the next copy is made of it. */
static void
copy_again (GTask *task)
{
  Rehearsal *rehearsal = g_task_get_task_data (task);

  rehearsal->before = g_steal_pointer (&rehearsal->copy);
  g_set_object (&rehearsal->source, rehearsal->before);
  g_free (rehearsal->up_to);
  rehearsal->up_to = g_strdup (rehearsal->preview);
  make_copy (task);
}

/* Diff: what the migrations changed on the copy */

static void
diffed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Rehearsal *rehearsal = g_task_get_task_data (task);
  GError *error = NULL;

  rehearsal->changes = lh_schema_diff_finish (result, &error);
  if (rehearsal->changes == NULL)
    {
      fail (task, error);
      return;
    }
  /* A preview is of the migration's own change: the table that records it is no part. */
  for (guint i = rehearsal->changes->len; rehearsal->preview != NULL && i > 0; i--)
    {
      LhSchemaChange *change = g_ptr_array_index (rehearsal->changes, i - 1);
      const char *table = change->table != NULL ? change->table : change->name;

      if (g_str_equal (table, lh_migrations_get_table (rehearsal->migrations)))
        g_ptr_array_remove_index (rehearsal->changes, i - 1);
    }
  finish (task);
}

static void
applied_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Rehearsal *rehearsal = g_task_get_task_data (task);
  LhConnection *before;
  GError *error = NULL;

  if (!lh_migrations_apply_finish (LH_MIGRATIONS (source), result, &rehearsal->n_applied, &error))
    {
      fail (task, error);
      return;
    }
  if (rehearsal->preview != NULL && rehearsal->before == NULL)
    {
      copy_again (task);
      return;
    }
  before = rehearsal->before != NULL ? rehearsal->before : lh_migrations_get_connection (rehearsal->migrations);
  lh_schema_diff_async (before, rehearsal->copy, g_task_get_cancellable (task), diffed_cb, task);
}

static void
apply_on_copy (GTask *task)
{
  Rehearsal *rehearsal = g_task_get_task_data (task);
  g_autofree char *catalog = g_build_filename (rehearsal->dir, "catalog.sqlite", NULL);

  g_clear_object (&rehearsal->copy_migrations);
  rehearsal->copy_migrations = lh_migrations_new (rehearsal->copy,
                                                  lh_migrations_get_folder (rehearsal->migrations),
                                                  lh_migrations_get_table (rehearsal->migrations));
  lh_migrations_set_catalog_path (rehearsal->copy_migrations, catalog);
  lh_migrations_apply_async (rehearsal->copy_migrations, rehearsal->up_to, g_task_get_cancellable (task),
                             rehearsal->progress, rehearsal->progress_data, applied_cb, task);
}

/* Making a copy: copied, opened, the migrations table's rows put in */

static void copy_ready (GTask *task);

static void
rows_inserted_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results == NULL)
    {
      fail (task, error);
      return;
    }
  copy_ready (task);
}

static void
records_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Rehearsal *rehearsal = g_task_get_task_data (task);
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  g_autoptr(GString) insert = g_string_new ("INSERT INTO ");
  GError *error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows == NULL)
    {
      fail (task, error);
      return;
    }
  lh_sql_append_identifier (insert, lh_migrations_get_table (rehearsal->migrations));
  g_string_append (insert, " (id, name, applied_at) VALUES (?, ?, ?)");
  for (guint row = 0; row < lh_result_set_get_n_rows (rows); row++)
    {
      GPtrArray *params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);

      for (guint column = 0; column < 3; column++)
        g_ptr_array_add (params, lh_value_copy (lh_result_set_get_value (rows, row, column)));
      g_ptr_array_add (statements, lh_batch_statement_new (insert->str, params));
      g_ptr_array_unref (params);
    }
  if (statements->len == 0)
    {
      copy_ready (task);
      return;
    }
  lh_connection_batch_async (rehearsal->copy, statements, LH_BATCH_TRANSACTION, g_task_get_cancellable (task),
                             rows_inserted_cb, task);
}

/* On the copy: does the migrations table exist? Then its rows come from the source. */
static void
table_checked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Rehearsal *rehearsal = g_task_get_task_data (task);
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GString) select = g_string_new ("SELECT id, name, applied_at FROM ");
  GError *error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows == NULL)
    {
      fail (task, error);
      return;
    }
  if (lh_result_set_get_n_rows (rows) == 0)
    {
      copy_ready (task);
      return;
    }
  lh_sql_append_identifier (select, lh_migrations_get_table (rehearsal->migrations));
  g_string_append (select, " ORDER BY id");
  lh_connection_execute_async (rehearsal->source, select->str, NULL, 0, g_task_get_cancellable (task),
                               records_read_cb, task);
}

static void
copy_opened_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Rehearsal *rehearsal = g_task_get_task_data (task);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  GError *error = NULL;

  rehearsal->copy = LH_CONNECTION (lh_local_connection_open_finish (result, &error));
  if (rehearsal->copy == NULL)
    {
      fail (task, error);
      return;
    }
  if (rehearsal->mode == LH_DATABASE_COPY_ROWS)
    {
      copy_ready (task);
      return;
    }
  g_ptr_array_add (params, lh_value_new_text (lh_migrations_get_table (rehearsal->migrations), -1));
  lh_connection_execute_async (rehearsal->copy, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
                               params, 0, g_task_get_cancellable (task), table_checked_cb, task);
}

static void
copied_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  g_autofree char *path = g_strdup (g_object_get_data (G_OBJECT (task), "lh-copy-path"));
  GError *error = NULL;

  if (!lh_database_copy_finish (result, &error))
    {
      fail (task, error);
      return;
    }
  lh_local_connection_open_async (path, LH_LOCAL_OPEN_NONE, LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS,
                                  g_task_get_cancellable (task), copy_opened_cb, task);
}

/* Copies rehearsal->source into a new file of the folder; copy_ready() follows. */
static void
make_copy (GTask *task)
{
  Rehearsal *rehearsal = g_task_get_task_data (task);
  g_autofree char *name = g_strdup_printf ("copy-%u.sqlite", ++rehearsal->n_copies);
  char *path = g_build_filename (rehearsal->dir, name, NULL);

  g_object_set_data_full (G_OBJECT (task), "lh-copy-path", path, g_free);
  lh_database_copy_async (rehearsal->source, path, rehearsal->mode, g_task_get_cancellable (task),
                          copied_cb, task);
}

/* What comes after a copy: for a rehearsal, the migrations; for a preview, the ones before
 * the migration shown on a first copy, then that one on a copy of the first. */
static void
copy_ready (GTask *task)
{
  Rehearsal *rehearsal = g_task_get_task_data (task);

  if (rehearsal->preview != NULL && rehearsal->before == NULL && rehearsal->up_to == NULL)
    copy_again (task);
  else
    apply_on_copy (task);
}

/* Starting */

static GTask *
rehearsal_task (LhMigrations        *self,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Rehearsal *rehearsal = g_new0 (Rehearsal, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  rehearsal->migrations = g_object_ref (self);
  rehearsal->source = g_object_ref (lh_migrations_get_connection (self));
  g_task_set_task_data (task, rehearsal, (GDestroyNotify) rehearsal_free);
  rehearsal->dir = g_dir_make_tmp ("litehouse-rehearsal-XXXXXX", &error);
  if (rehearsal->dir == NULL)
    {
      g_task_return_error (task, error);
      g_clear_object (&task);
    }
  else if (lh_connection_get_in_transaction (rehearsal->source))
    {
      g_task_return_new_error (task, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TRANSACTION_OPEN,
                               _("A transaction is open on this database: commit it or roll "
                                 "it back before rehearsing migrations."));
      g_clear_object (&task);
    }
  return task;
}

/* Applies the pending migrations up to up_to (a file name, or NULL for all) to a
 * throwaway copy of the database, reporting each as apply does; the database itself is
 * not touched. */
void
lh_migrations_rehearse_async (LhMigrations                 *self,
                              const char                   *up_to,
                              GCancellable                 *cancellable,
                              LhMigrationsProgressCallback  progress,
                              gpointer                      progress_data,
                              GAsyncReadyCallback           callback,
                              gpointer                      user_data)
{
  GTask *task;
  Rehearsal *rehearsal;

  g_return_if_fail (LH_IS_MIGRATIONS (self));

  task = rehearsal_task (self, lh_migrations_rehearse_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  rehearsal = g_task_get_task_data (task);
  rehearsal->up_to = g_strdup (up_to);
  rehearsal->progress = progress;
  rehearsal->progress_data = progress_data;
  rehearsal->mode = lh_connection_get_kind (rehearsal->source) == LH_CONNECTION_KIND_LOCAL
                    ? LH_DATABASE_COPY_ROWS : LH_DATABASE_COPY_SCHEMA_ONLY;
  make_copy (task);
}

/* The schema changes (LhSchemaChange) that the rehearsed migrations made on the copy, or
 * NULL and the error of the one that failed (lh_migrations_error_get_location() says
 * where). n_applied (or NULL): how many went in on the copy. */
GPtrArray *
lh_migrations_rehearse_finish (LhMigrations  *self,
                               GAsyncResult  *result,
                               guint         *n_applied,
                               GError       **error)
{
  Rehearsal *rehearsal;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  rehearsal = g_task_get_task_data (G_TASK (result));
  if (n_applied != NULL)
    *n_applied = rehearsal != NULL ? rehearsal->n_applied : 0;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The name of the pending migration before migration, or NULL when there is none. */
static char *
pending_before (GListModel  *items,
                LhMigration *migration)
{
  const char *before = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(LhMigration) item = g_list_model_get_item (items, i);

      if (g_str_equal (lh_migration_get_name (item), lh_migration_get_name (migration)))
        break;
      if (lh_migration_get_state (item) == LH_MIGRATION_PENDING)
        before = lh_migration_get_name (item);
    }
  return g_strdup (before);
}

static void
loaded_for_preview_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  Rehearsal *rehearsal = g_task_get_task_data (task);
  g_autoptr(GListModel) items = NULL;
  GError *error = NULL;

  items = lh_migrations_load_finish (LH_MIGRATIONS (source), result, &error);
  if (items == NULL)
    {
      fail (task, error);
      return;
    }
  rehearsal->up_to = pending_before (items, g_object_get_data (G_OBJECT (task), "lh-migration"));
  make_copy (task);
}

/* The schema change that the pending migration would make: the migrations pending before
 * it applied to a copy of the schema, then it on a copy of that, and the two compared. */
void
lh_migrations_preview_async (LhMigrations        *self,
                             LhMigration         *migration,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  Rehearsal *rehearsal;

  g_return_if_fail (LH_IS_MIGRATIONS (self));
  g_return_if_fail (LH_IS_MIGRATION (migration));

  task = rehearsal_task (self, lh_migrations_preview_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  rehearsal = g_task_get_task_data (task);
  rehearsal->preview = g_strdup (lh_migration_get_name (migration));
  rehearsal->mode = LH_DATABASE_COPY_SCHEMA_ONLY;
  g_object_set_data_full (G_OBJECT (task), "lh-migration", g_object_ref (migration), g_object_unref);
  lh_migrations_load_async (self, cancellable, loaded_for_preview_cb, task);
}

GPtrArray *
lh_migrations_preview_finish (LhMigrations  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Backup before applying */

static void
backed_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LhBackup) backup = NULL;
  GError *error = NULL;

  backup = lh_backup_catalog_create_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (backup == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (lh_backup_get_path (backup)), g_free);
}

/* A backup of the (local) database taken before migrations are applied, listed with its
 * other backups (LhBackupCatalog), noted as such; its path. */
void
lh_migrations_backup_async (LhMigrations        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LhBackupCatalog) catalog = NULL;
  LhConnection *connection;

  g_return_if_fail (LH_IS_MIGRATIONS (self));

  connection = lh_migrations_get_connection (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_migrations_backup_async);
  if (!LH_IS_LOCAL_CONNECTION (connection))
    {
      g_task_return_new_error (task, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                               _("Only a database file can be backed up here."));
      return;
    }
  catalog = lh_backup_catalog_new (lh_local_connection_get_path (LH_LOCAL_CONNECTION (connection)));
  lh_backup_catalog_create_async (catalog, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE,
                                  _("Before applying migrations"), cancellable, NULL, NULL, backed_up_cb,
                                  g_steal_pointer (&task));
}

/* The path of the copy, or NULL and the error. */
char *
lh_migrations_backup_finish (LhMigrations  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
