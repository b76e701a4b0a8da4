/* lh-sqlite-private.h — what the local backend and the script runner share about sqlite3:
 * turning its result codes into LhConnectionError, running one statement and reading rows. */
#pragma once

#include <sqlite3.h>

#include "lh-result-set.h"

G_BEGIN_DECLS

GError      *lh_sqlite_error   (sqlite3     *db,
                                int          rc,
                                const char  *path);
LhResultSet *lh_sqlite_execute (sqlite3       *db,
                                const char    *sql,
                                GPtrArray     *params,
                                guint          max_rows,
                                sqlite3_stmt **rest,
                                GError       **error);
LhResultSet *lh_sqlite_new_result_set (sqlite3_stmt *stmt);
int          lh_sqlite_bind_value (sqlite3_stmt  *stmt,
                                   int            index,
                                   const LhValue *value);
void         lh_sqlite_read_row (sqlite3_stmt *stmt,
                                 LhValue      *row);

G_END_DECLS
