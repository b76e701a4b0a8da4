/* lh-sqlite-private.h — what the local backend and the script runner share about sqlite3:
 * turning its result codes into LhConnectionError, and running one statement. */
#pragma once

#include <sqlite3.h>

#include "lh-result-set.h"

G_BEGIN_DECLS

GError      *lh_sqlite_error   (sqlite3     *db,
                                int          rc,
                                const char  *path);
LhResultSet *lh_sqlite_execute (sqlite3     *db,
                                const char  *sql,
                                GPtrArray   *params,
                                guint        max_rows,
                                GError     **error);

G_END_DECLS
