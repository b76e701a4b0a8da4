/* lh-backup-scheduler.c — LhBackupScheduler looks every few minutes (and when the interval
 * in preferences changes) at the newest backup of its database in the catalog; when it is
 * older than backup-interval-hours, it takes an exact backup (gzip if backup-compress) of a
 * database file, or an SQL dump of a libSQL database, noted as scheduled, then
 * prunes with backup-keep-last, backup-daily-days and backup-weekly-weeks. A failure is
 * logged once per check; the next check tries again. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-backup-scheduler.h"

/* How often the age of the newest backup is looked at. */
#define CHECK_INTERVAL_SECONDS (10 * 60)

struct _LhBackupScheduler
{
  GObject parent_instance;

  /* owned */
  LhBackupCatalog *catalog;
  LhConnection    *connection;   /* a libSQL database's (its window's); NULL for a file */
  GSettings       *settings;
  GCancellable    *cancellable;

  /* state */
  guint    timeout_id;
  gboolean checking;
};

G_DEFINE_FINAL_TYPE (LhBackupScheduler, lh_backup_scheduler, G_TYPE_OBJECT)

enum {
  BACKED_UP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_scheduled (LhBackup *backup)
{
  return !(lh_backup_get_flags (backup) & (LH_BACKUP_SAFETY | LH_BACKUP_BRANCH));
}

static void
pruned_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The backup is taken: a prune that failed is tried again after the next one. */
  if (lh_backup_catalog_prune_finish (LH_BACKUP_CATALOG (source), result, &error) == 0 && error != NULL)
    g_message ("Litehouse: pruning old backups failed: %s", error->message);
  g_task_return_pointer (task, g_object_ref (g_task_get_task_data (task)), g_object_unref);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LhBackupScheduler *self = g_task_get_source_object (task);
  g_autoptr(LhBackup) backup = NULL;
  GCancellable *cancellable;
  GError *error = NULL;
  LhRetention retention;

  backup = self->connection != NULL
    ? lh_backup_catalog_create_dump_finish (LH_BACKUP_CATALOG (source), result, &error)
    : lh_backup_catalog_create_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (backup == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, g_object_ref (backup), g_object_unref);
  retention.keep_last = g_settings_get_uint (self->settings, "backup-keep-last");
  retention.daily_days = g_settings_get_uint (self->settings, "backup-daily-days");
  retention.weekly_weeks = g_settings_get_uint (self->settings, "backup-weekly-weeks");
  cancellable = g_task_get_cancellable (task);
  lh_backup_catalog_prune_async (self->catalog, &retention, cancellable, pruned_cb, g_steal_pointer (&task));
}

static LhBackupFlags
backup_flags (LhBackupScheduler *self)
{
  return g_settings_get_boolean (self->settings, "backup-compress") ? LH_BACKUP_GZIP
                                                                    : LH_BACKUP_FLAGS_NONE;
}

/* A libSQL database's dump, through a connection of its own, so that the dump's read
 * transaction is never the user's. */
static void
dump (GTask        *task,
      LhConnection *connection)
{
  LhBackupScheduler *self = g_task_get_source_object (task);

  lh_backup_catalog_create_dump_async (self->catalog, connection, backup_flags (self),
                                       _("Scheduled"), g_task_get_cancellable (task), NULL,
                                       NULL, created_cb, g_object_ref (task));
}

static void
another_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LhLibsqlConnection) connection = NULL;
  GError *error = NULL;

  connection = lh_libsql_connection_open_finish (result, &error);
  if (connection == NULL)
    g_task_return_error (task, error);
  else
    dump (task, LH_CONNECTION (connection));
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LhBackupScheduler *self = g_task_get_source_object (task);
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint hours = g_settings_get_uint (self->settings, "backup-interval-hours");
  GCancellable *cancellable;
  GError *error = NULL;

  backups = lh_backup_catalog_list_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (backups == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      if (is_scheduled (backup) &&
          g_date_time_difference (now, lh_backup_get_created_at (backup)) < (GTimeSpan) hours * G_TIME_SPAN_HOUR)
        {
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
    }
  cancellable = g_task_get_cancellable (task);
  if (self->connection == NULL)
    lh_backup_catalog_create_async (self->catalog, LH_BACKUP_EXACT, backup_flags (self),
                                    _("Scheduled"), cancellable, NULL, NULL, created_cb,
                                    g_steal_pointer (&task));
  else
    lh_libsql_connection_open_another_async (LH_LIBSQL_CONNECTION (self->connection), cancellable,
                                             another_opened_cb, g_steal_pointer (&task));
}

/* Backs up the database if scheduled backups are on and its newest backup is older than
 * the interval, then prunes; the new backup, or NULL (no error) when none was due. */
void
lh_backup_scheduler_check_async (LhBackupScheduler   *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LH_IS_BACKUP_SCHEDULER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_backup_scheduler_check_async);
  if (g_settings_get_uint (self->settings, "backup-interval-hours") == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  lh_backup_catalog_list_async (self->catalog, cancellable, listed_cb, g_steal_pointer (&task));
}

LhBackup *
lh_backup_scheduler_check_finish (LhBackupScheduler  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
checked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  LhBackupScheduler *self = LH_BACKUP_SCHEDULER (source);
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  self->checking = FALSE;
  backup = lh_backup_scheduler_check_finish (self, result, &error);
  if (backup != NULL)
    g_signal_emit (self, signals[BACKED_UP], 0, backup);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Litehouse: the scheduled backup of %s failed: %s",
               lh_backup_catalog_get_database (self->catalog), error->message);
}

static gboolean
check_cb (gpointer data)
{
  LhBackupScheduler *self = data;

  if (!self->checking)
    {
      self->checking = TRUE;
      lh_backup_scheduler_check_async (self, self->cancellable, checked_cb, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static void
lh_backup_scheduler_dispose (GObject *object)
{
  LhBackupScheduler *self = LH_BACKUP_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  G_OBJECT_CLASS (lh_backup_scheduler_parent_class)->dispose (object);
}

static void
lh_backup_scheduler_finalize (GObject *object)
{
  LhBackupScheduler *self = LH_BACKUP_SCHEDULER (object);

  g_clear_object (&self->catalog);
  g_clear_object (&self->connection);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (lh_backup_scheduler_parent_class)->finalize (object);
}

static void
lh_backup_scheduler_class_init (LhBackupSchedulerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lh_backup_scheduler_dispose;
  G_OBJECT_CLASS (klass)->finalize = lh_backup_scheduler_finalize;

  /* A scheduled backup was taken (and old ones pruned). */
  signals[BACKED_UP] =
    g_signal_new ("backed-up", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LH_TYPE_BACKUP);
}

static void
lh_backup_scheduler_init (LhBackupScheduler *self)
{
  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
}

static LhBackupScheduler *
start (LhBackupScheduler *self)
{
  g_signal_connect_object (self->settings, "changed::backup-interval-hours", G_CALLBACK (check_cb), self,
                           G_CONNECT_SWAPPED);
  self->timeout_id = g_timeout_add_seconds (CHECK_INTERVAL_SECONDS, check_cb, self);
  check_cb (self);
  return self;
}

/* A scheduler for the database file at path; it checks at once, then every few minutes
 * and whenever the interval changes, until it is disposed. Checks run while the caller's
 * main loop runs; the caller keeps it alive with the database. */
LhBackupScheduler *
lh_backup_scheduler_new (const char *database)
{
  LhBackupScheduler *self;

  g_return_val_if_fail (database != NULL, NULL);

  self = g_object_new (LH_TYPE_BACKUP_SCHEDULER, NULL);
  self->catalog = lh_backup_catalog_new (database);
  return start (self);
}

/* The same for the libSQL database that connection, its window's, reaches: its scheduled
 * backups are SQL dumps, in the catalog of its location. (None for D1: it serves no
 * queries while it exports, and keeps its own Time Travel.) */
LhBackupScheduler *
lh_backup_scheduler_new_for_libsql (LhConnection *connection)
{
  LhBackupScheduler *self;

  g_return_val_if_fail (LH_IS_LIBSQL_CONNECTION (connection), NULL);

  self = g_object_new (LH_TYPE_BACKUP_SCHEDULER, NULL);
  self->catalog = lh_backup_catalog_new (lh_connection_get_location (connection));
  self->connection = g_object_ref (connection);
  return start (self);
}
