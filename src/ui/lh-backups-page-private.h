/* lh-backups-page-private.h — what the parts of LhBackupsPage share: the page itself
 * (lh-backups-page.c) and what it does for a remote database (lh-backups-page-remote.c). */
#pragma once

#include "lh-backups-page.h"

G_BEGIN_DECLS

struct _LhBackupsPage
{
  GtkBox parent_instance;

  /* template children */
  GtkLabel       *summary_label;
  GtkRevealer    *progress_revealer;
  GtkLabel       *progress_label;
  GtkProgressBar *progress_bar;
  GtkScrolledWindow *scrolled;
  GtkListBox     *branches_list;
  GtkListBox     *list;
  GtkWidget      *bundle_button;
  GtkWidget      *import_button;
  GtkWidget      *branches_group;
  GtkWidget      *time_travel_group;

  /* owned */
  LhBackupCatalog *catalog;
  LhConnection    *connection;   /* a remote database's (the window's), or NULL */
  GSettings       *settings;
  GtkNativeDialog *chooser;
  char            *bundle_folder;   /* chosen for the export under way */
  GListModel      *backups;
  GCancellable    *list_cancellable;
  GCancellable    *run_cancellable;

  /* state */
  guint    pulse_source;   /* while busy with no measure of how far along it is */
  char    *then_label;     /* what the work does once its measured part is done, or NULL */
  gboolean measured;       /* progress came with a total */
  gboolean busy;
  gboolean restoring_branch;   /* what the restore under way puts in: a branch (promote) */
};

void      lh_backups_page_set_busy        (LhBackupsPage *self,
                                           const char    *label);
void      lh_backups_page_set_then        (LhBackupsPage *self,
                                           const char    *label);
void      lh_backups_page_progress_cb     (goffset        current,
                                           goffset        total,
                                           gpointer       user_data);
LhBackup *lh_backups_page_find_backup     (LhBackupsPage *self,
                                           gint64         id);
char     *lh_backups_page_dup_title       (LhBackup      *backup);
void      lh_backups_page_emit_restored   (LhBackupsPage *self);

/* lh-backups-page-remote.c */
void      lh_backups_page_remote_class_init (GtkWidgetClass *widget_class);
void      lh_backups_page_remote_update_actions (LhBackupsPage *self);
void      lh_backups_page_remote_back_up  (LhBackupsPage *self);
void      lh_backups_page_remote_restore  (LhBackupsPage *self,
                                           LhBackup      *backup);

G_END_DECLS
