/* lh-migrations-page.h — LhMigrationsPage: a database's migrations as a timeline (applied,
 * pending, changed since applied, file missing), each one's SQL and the schema change a
 * pending one would make; rehearse on a copy, apply through a confirmation, create the
 * next one. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_MIGRATIONS_PAGE (lh_migrations_page_get_type ())

G_DECLARE_FINAL_TYPE (LhMigrationsPage, lh_migrations_page, LH, MIGRATIONS_PAGE, GtkBox)

GtkWidget   *lh_migrations_page_new             (LhConnection     *connection);
void         lh_migrations_page_set_folder      (LhMigrationsPage *self,
                                                 const char       *folder,
                                                 const char       *table);
LhMigrations *lh_migrations_page_get_migrations (LhMigrationsPage *self);
GListModel  *lh_migrations_page_get_items       (LhMigrationsPage *self);
gboolean     lh_migrations_page_get_busy        (LhMigrationsPage *self);
void         lh_migrations_page_select          (LhMigrationsPage *self,
                                                 guint             position);
char        *lh_migrations_page_dup_timeline_text (LhMigrationsPage *self);
char        *lh_migrations_page_dup_changes_text (LhMigrationsPage *self);
const char  *lh_migrations_page_get_summary     (LhMigrationsPage *self);
const char  *lh_migrations_page_get_error_text  (LhMigrationsPage *self);

G_END_DECLS
