/* lh-schema.h — LhSchema: the objects of a database (tables, views, virtual tables,
 * indexes, triggers), with each table's and view's columns and each table's foreign keys,
 * read in one batch of queries that every backend understands. */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

typedef enum
{
  LH_SCHEMA_OBJECT_TABLE,
  LH_SCHEMA_OBJECT_VIEW,
  LH_SCHEMA_OBJECT_VIRTUAL_TABLE,
  LH_SCHEMA_OBJECT_INDEX,
  LH_SCHEMA_OBJECT_TRIGGER,
} LhSchemaObjectKind;

#define LH_SCHEMA_OBJECT_N_KINDS (LH_SCHEMA_OBJECT_TRIGGER + 1)

/* pragma_table_xinfo's "hidden" column. */
typedef enum
{
  LH_COLUMN_NORMAL            = 0,
  LH_COLUMN_HIDDEN            = 1,
  LH_COLUMN_GENERATED_VIRTUAL = 2,
  LH_COLUMN_GENERATED_STORED  = 3,
} LhColumnHidden;

#define LH_TYPE_SCHEMA             (lh_schema_get_type ())
#define LH_TYPE_SCHEMA_OBJECT      (lh_schema_object_get_type ())
#define LH_TYPE_SCHEMA_COLUMN      (lh_schema_column_get_type ())
#define LH_TYPE_SCHEMA_FOREIGN_KEY (lh_schema_foreign_key_get_type ())

G_DECLARE_FINAL_TYPE (LhSchema, lh_schema, LH, SCHEMA, GObject)
G_DECLARE_FINAL_TYPE (LhSchemaObject, lh_schema_object, LH, SCHEMA_OBJECT, GObject)
G_DECLARE_FINAL_TYPE (LhSchemaColumn, lh_schema_column, LH, SCHEMA_COLUMN, GObject)
G_DECLARE_FINAL_TYPE (LhSchemaForeignKey, lh_schema_foreign_key, LH, SCHEMA_FOREIGN_KEY, GObject)

void                lh_schema_load_async              (LhConnection        *connection,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
LhSchema           *lh_schema_load_finish             (GAsyncResult        *result,
                                                       GError             **error);
GListModel         *lh_schema_get_objects             (LhSchema            *self);
guint               lh_schema_count                   (LhSchema            *self,
                                                       LhSchemaObjectKind   kind);
LhSchemaObject     *lh_schema_lookup                  (LhSchema            *self,
                                                       const char          *name);
LhSchemaObject     *lh_schema_lookup_in               (LhSchema            *self,
                                                       const char          *database,
                                                       const char          *name);
guint               lh_schema_get_n_databases         (LhSchema            *self);
const char         *lh_schema_get_database            (LhSchema            *self,
                                                       guint                index);
GListModel         *lh_schema_dup_related             (LhSchema            *self,
                                                       LhSchemaObject      *table,
                                                       LhSchemaObjectKind   kind);

LhSchemaObjectKind  lh_schema_object_get_kind         (LhSchemaObject      *self);
const char         *lh_schema_object_get_name         (LhSchemaObject      *self);
const char         *lh_schema_object_get_database     (LhSchemaObject      *self);
char               *lh_schema_object_dup_qualified_name (LhSchemaObject    *self);
const char         *lh_schema_object_get_table_name   (LhSchemaObject      *self);
const char         *lh_schema_object_get_sql          (LhSchemaObject      *self);
gboolean            lh_schema_object_get_without_rowid (LhSchemaObject     *self);
gboolean            lh_schema_object_get_strict       (LhSchemaObject      *self);
GListModel         *lh_schema_object_get_columns      (LhSchemaObject      *self);
GListModel         *lh_schema_object_get_foreign_keys (LhSchemaObject      *self);
const char         *lh_schema_object_get_columns_error (LhSchemaObject     *self);
gboolean            lh_schema_object_has_rows         (LhSchemaObject      *self);
char               *lh_schema_object_dup_rowid_name   (LhSchemaObject      *self);
GStrv               lh_schema_object_dup_primary_key  (LhSchemaObject      *self);
const char         *lh_schema_object_kind_to_label    (LhSchemaObjectKind   kind);

const char         *lh_schema_column_get_name         (LhSchemaColumn      *self);
const char         *lh_schema_column_get_declared_type (LhSchemaColumn     *self);
guint               lh_schema_column_get_primary_key  (LhSchemaColumn      *self);
gboolean            lh_schema_column_get_not_null     (LhSchemaColumn      *self);
const char         *lh_schema_column_get_default      (LhSchemaColumn      *self);
LhColumnHidden      lh_schema_column_get_hidden       (LhSchemaColumn      *self);
char               *lh_schema_column_dup_summary      (LhSchemaColumn      *self);

guint               lh_schema_foreign_key_get_n_columns (LhSchemaForeignKey *self);
const char         *lh_schema_foreign_key_get_from    (LhSchemaForeignKey  *self,
                                                       guint                index);
const char         *lh_schema_foreign_key_get_to      (LhSchemaForeignKey  *self,
                                                       guint                index);
const char         *lh_schema_foreign_key_get_table   (LhSchemaForeignKey  *self);
const char         *lh_schema_foreign_key_get_on_update (LhSchemaForeignKey *self);
const char         *lh_schema_foreign_key_get_on_delete (LhSchemaForeignKey *self);
char               *lh_schema_foreign_key_dup_label   (LhSchemaForeignKey  *self);
char               *lh_schema_foreign_key_dup_actions (LhSchemaForeignKey  *self);

G_END_DECLS
