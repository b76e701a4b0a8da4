/* lh-window.h — LhWindow: one database per window; a welcome page until one is open. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"
#include "lh-backups-page.h"
#include "lh-migrations-page.h"
#include "lh-query-page.h"
#include "lh-table-view.h"

G_BEGIN_DECLS

#define LH_TYPE_WINDOW (lh_window_get_type ())

G_DECLARE_FINAL_TYPE (LhWindow, lh_window, LH, WINDOW, AdwApplicationWindow)

LhWindow     *lh_window_new            (GtkApplication *application);
void          lh_window_open_file      (LhWindow       *self,
                                        GFile          *file);
void          lh_window_open_demo      (LhWindow       *self);
GFile        *lh_window_get_file       (LhWindow       *self);
gboolean      lh_window_is_empty       (LhWindow       *self);
LhConnection *lh_window_get_connection (LhWindow       *self);
LhQueryPage  *lh_window_get_query_page (LhWindow       *self);
const char   *lh_window_get_page_name  (LhWindow       *self);
const char   *lh_window_get_error_text (LhWindow       *self);
AdwTabView   *lh_window_get_tab_view   (LhWindow       *self);
LhTableView  *lh_window_open_table     (LhWindow       *self,
                                        const char     *name);
LhTableView  *lh_window_open_object    (LhWindow       *self,
                                        LhSchemaObject *object);
gboolean      lh_window_get_has_changes (LhWindow      *self);
gboolean      lh_window_shows_transaction (LhWindow    *self);
LhQueryPage  *lh_window_new_query_tab  (LhWindow       *self);
LhMigrationsPage *lh_window_open_migrations (LhWindow     *self);
LhBackupsPage *lh_window_open_backups  (LhWindow       *self);

G_END_DECLS
