/* lh-backup-scheduler.h — LhBackupScheduler: while Litehouse runs, backs up an open
 * database (a file: an exact copy; libSQL: an SQL dump) when its newest backup is
 * older than the interval in preferences, then prunes its backups by the retention policy
 * there. */
#pragma once

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_BACKUP_SCHEDULER (lh_backup_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (LhBackupScheduler, lh_backup_scheduler, LH, BACKUP_SCHEDULER, GObject)

LhBackupScheduler *lh_backup_scheduler_new       (const char          *database);
LhBackupScheduler *lh_backup_scheduler_new_for_libsql (LhConnection    *connection);
void               lh_backup_scheduler_check_async  (LhBackupScheduler *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
LhBackup          *lh_backup_scheduler_check_finish (LhBackupScheduler *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
