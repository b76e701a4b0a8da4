/* lh-object-details.h — LhObjectDetails: the structure of a table or view (columns,
 * indexes, foreign keys, triggers and its CREATE statement), a foreign key a click away
 * from the table it references. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_OBJECT_DETAILS (lh_object_details_get_type ())

G_DECLARE_FINAL_TYPE (LhObjectDetails, lh_object_details, LH, OBJECT_DETAILS, GtkWidget)

GtkWidget      *lh_object_details_new        (LhSchema        *schema,
                                              LhSchemaObject  *object);
LhSchemaObject *lh_object_details_get_object (LhObjectDetails *self);
gboolean        lh_object_details_activate_foreign_key (LhObjectDetails *self,
                                                        guint            index);
char           *lh_object_details_dup_text   (LhObjectDetails *self);
GtkWidget      *lh_object_details_new_sql_view (const char    *sql);

G_END_DECLS
