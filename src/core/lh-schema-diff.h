/* lh-schema-diff.h — what differs between the schemas of two databases (tables and their
 * columns, views, indexes, triggers), and a database copied into a new local file, with
 * its rows or with its schema only. */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

typedef enum
{
  LH_SCHEMA_ADDED,
  LH_SCHEMA_REMOVED,
  LH_SCHEMA_CHANGED,
} LhSchemaChangeKind;

typedef struct
{
  LhSchemaChangeKind  kind;
  char               *type;     /* "table", "view", "index", "trigger", "column" */
  char               *table;    /* for a column, index or trigger: its table; NULL for a table or view */
  char               *name;
  char               *old_sql;  /* NULL when added; for a column its declaration, e.g. "TEXT NOT NULL DEFAULT 'x'" */
  char               *new_sql;  /* NULL when removed */
} LhSchemaChange;

typedef enum
{
  LH_DATABASE_COPY_ROWS,
  LH_DATABASE_COPY_SCHEMA_ONLY,
} LhDatabaseCopyMode;

void        lh_schema_diff_async      (LhConnection         *old_db,
                                       LhConnection         *new_db,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
GPtrArray  *lh_schema_diff_finish     (GAsyncResult         *result,
                                       GError              **error);
char       *lh_schema_change_describe (const LhSchemaChange *change);
gboolean    lh_sql_has_keyword        (const char           *sql,
                                       const char           *keyword);
void        lh_schema_change_free     (LhSchemaChange       *change);

void        lh_database_copy_async    (LhConnection         *connection,
                                       const char           *path,
                                       LhDatabaseCopyMode    mode,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean    lh_database_copy_finish   (GAsyncResult         *result,
                                       GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhSchemaChange, lh_schema_change_free)

G_END_DECLS
