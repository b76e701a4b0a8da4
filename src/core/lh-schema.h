/* lh-schema.h — LhSchema: the objects of a database (tables, views, indexes, triggers),
 * read in one query that every backend understands. */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

typedef enum
{
  LH_SCHEMA_OBJECT_TABLE,
  LH_SCHEMA_OBJECT_VIEW,
  LH_SCHEMA_OBJECT_INDEX,
  LH_SCHEMA_OBJECT_TRIGGER,
} LhSchemaObjectKind;

#define LH_SCHEMA_OBJECT_N_KINDS (LH_SCHEMA_OBJECT_TRIGGER + 1)

#define LH_TYPE_SCHEMA        (lh_schema_get_type ())
#define LH_TYPE_SCHEMA_OBJECT (lh_schema_object_get_type ())

G_DECLARE_FINAL_TYPE (LhSchema, lh_schema, LH, SCHEMA, GObject)
G_DECLARE_FINAL_TYPE (LhSchemaObject, lh_schema_object, LH, SCHEMA_OBJECT, GObject)

void                lh_schema_load_async             (LhConnection        *connection,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
LhSchema           *lh_schema_load_finish            (GAsyncResult        *result,
                                                      GError             **error);
GListModel         *lh_schema_get_objects            (LhSchema            *self);
guint               lh_schema_count                  (LhSchema            *self,
                                                      LhSchemaObjectKind   kind);

LhSchemaObjectKind  lh_schema_object_get_kind        (LhSchemaObject      *self);
const char         *lh_schema_object_get_name        (LhSchemaObject      *self);
const char         *lh_schema_object_get_table_name  (LhSchemaObject      *self);
const char         *lh_schema_object_get_sql         (LhSchemaObject      *self);
const char         *lh_schema_object_kind_to_label   (LhSchemaObjectKind   kind);

G_END_DECLS
