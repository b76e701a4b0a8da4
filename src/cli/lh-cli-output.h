/* lh-cli-output.h — how litehouse-cli prints what it did: aligned tables and lines for
 * people, JSON for scripts, for statement results, migrations and backups. */
#pragma once

#include "lh-backup-catalog.h"
#include "lh-core.h"

G_BEGIN_DECLS

char *lh_cli_escape                  (const char   *text);
void  lh_cli_print_table             (GString      *out,
                                      LhResultSet  *result);
char *lh_cli_results_json            (GPtrArray    *statements,
                                      const char   *script_text);
void  lh_cli_print_migrations        (GString      *out,
                                      GListModel   *migrations);
char *lh_cli_migrations_json         (LhMigrations *migrations,
                                      GListModel   *items);
char *lh_cli_migration_error_text    (const GError *error);
char *lh_cli_applied_json            (GPtrArray    *applied,
                                      const GError *error);
char *lh_cli_rehearsed_json          (GPtrArray    *applied,
                                      GPtrArray    *changes,
                                      const GError *error);
char *lh_cli_path_json               (const char   *path);
char *lh_cli_format_time             (GDateTime    *time);
char *lh_cli_format_size             (guint64       size);
void  lh_cli_print_backups           (GString      *out,
                                      GListModel   *backups);
char *lh_cli_backup_json             (LhBackup     *backup);
char *lh_cli_backups_json            (const char   *database,
                                      GListModel   *backups);

G_END_DECLS
