/* lh-schema-sidebar.h — LhSchemaSidebar: the schema of the open database as a tree, with
 * row counts, a search field and a context menu per object. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_SCHEMA_SIDEBAR (lh_schema_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (LhSchemaSidebar, lh_schema_sidebar, LH, SCHEMA_SIDEBAR, GtkWidget)

void       lh_schema_sidebar_load            (LhSchemaSidebar *self,
                                              LhConnection    *connection);
LhSchema  *lh_schema_sidebar_get_schema      (LhSchemaSidebar *self);
void       lh_schema_sidebar_set_search      (LhSchemaSidebar *self,
                                              const char      *text);
gboolean   lh_schema_sidebar_select          (LhSchemaSidebar *self,
                                              const char      *label);
gboolean   lh_schema_sidebar_set_expanded    (LhSchemaSidebar *self,
                                              const char      *label,
                                              gboolean         expanded);
gboolean   lh_schema_sidebar_activate        (LhSchemaSidebar *self,
                                              const char      *label);
char      *lh_schema_sidebar_dup_rows_text   (LhSchemaSidebar *self);
gboolean   lh_schema_sidebar_get_counting    (LhSchemaSidebar *self);
GtkWindow *lh_schema_sidebar_show_definition (LhSchemaSidebar *self,
                                              LhSchemaObject  *object);

G_END_DECLS
