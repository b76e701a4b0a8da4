/* lh-backups-page.h — LhBackupsPage: the backups of a local database (its
 * LhBackupCatalog): back up now, verify, restore and delete, through dialogs; branches
 * and bundles of a local one; a remote database's SQL dumps, imports and (D1) Time Travel. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_BACKUPS_PAGE (lh_backups_page_get_type ())

G_DECLARE_FINAL_TYPE (LhBackupsPage, lh_backups_page, LH, BACKUPS_PAGE, GtkBox)

GtkWidget       *lh_backups_page_new         (const char    *path);
GtkWidget       *lh_backups_page_new_for_remote (LhConnection *connection);
LhBackupCatalog *lh_backups_page_get_catalog (LhBackupsPage *self);
GListModel      *lh_backups_page_get_backups (LhBackupsPage *self);
gboolean         lh_backups_page_get_busy    (LhBackupsPage *self);
void             lh_backups_page_refresh     (LhBackupsPage *self);
void             lh_backups_page_export_bundle (LhBackupsPage *self,
                                                const char    *folder,
                                                const char    *archive);
void             lh_backups_page_restore_bundle (LhBackupsPage *self,
                                                 const char    *archive,
                                                 const char    *folder);
const char      *lh_backups_page_get_summary (LhBackupsPage *self);
void             lh_backups_page_save_as     (LhBackupsPage *self,
                                              LhBackup      *backup,
                                              const char    *path);
void             lh_backups_page_import      (LhBackupsPage *self,
                                              const char    *path);
void             lh_backups_page_find_restore_point (LhBackupsPage *self,
                                                     const char    *text);
void             lh_backups_page_undo_restore_point (LhBackupsPage *self,
                                                     const char    *bookmark);

G_END_DECLS
