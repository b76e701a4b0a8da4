/* lh-offset-cursor.h — LhOffsetCursor: the cursor of a backend that keeps no statement
 * between requests (D1, libSQL): each range of rows is the statement wrapped in
 * SELECT * FROM (…) LIMIT n OFFSET first, each count SELECT count(*) FROM (…), one
 * request each. Only for statements that only read (see lh_sql_is_plain_read()). */
#pragma once

#include "lh-connection.h"
#include "lh-cursor.h"

G_BEGIN_DECLS

#define LH_TYPE_OFFSET_CURSOR (lh_offset_cursor_get_type ())

G_DECLARE_FINAL_TYPE (LhOffsetCursor, lh_offset_cursor, LH, OFFSET_CURSOR, LhCursor)

LhCursor *lh_offset_cursor_new        (LhConnection *connection,
                                       const char   *sql,
                                       GPtrArray    *params);
char     *lh_sql_wrap_as_subquery     (const char   *sql,
                                       const char   *before,
                                       const char   *after);
char     *lh_offset_cursor_first_sql  (const char   *sql,
                                       guint         max_rows);
void      lh_offset_cursor_finish_first (LhResultSet  *result,
                                       LhConnection *connection,
                                       const char   *sql,
                                       GPtrArray    *params,
                                       const char   *sent_sql);

G_END_DECLS
