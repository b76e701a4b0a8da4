/* lh-schema-sidebar.h — LhSchemaSidebar: the tables, views, indexes and triggers of the
 * open database, grouped by kind. */
#pragma once

#include <gtk/gtk.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_SCHEMA_SIDEBAR (lh_schema_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (LhSchemaSidebar, lh_schema_sidebar, LH, SCHEMA_SIDEBAR, GtkWidget)

void      lh_schema_sidebar_load       (LhSchemaSidebar *self,
                                        LhConnection    *connection);
LhSchema *lh_schema_sidebar_get_schema (LhSchemaSidebar *self);

G_END_DECLS
