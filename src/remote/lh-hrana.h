/* lh-hrana.h — the JSON of sqld's Hrana protocol (versions 2 and 3 over HTTP): statements
 * and values going out, results and errors coming back, as LhResultSet and GError. */
#pragma once

#include <json-glib/json-glib.h>

#include "lh-result-set.h"

G_BEGIN_DECLS

void         lh_hrana_add_value        (JsonBuilder    *builder,
                                        const LhValue  *value);
void         lh_hrana_add_stmt         (JsonBuilder    *builder,
                                        const char     *sql,
                                        GPtrArray      *params,
                                        gboolean        want_rows);
gboolean     lh_hrana_read_value       (JsonNode       *node,
                                        LhValue        *value,
                                        GError        **error);
LhResultSet *lh_hrana_read_result      (JsonObject     *result,
                                        guint           max_rows,
                                        GError        **error);
GError      *lh_hrana_read_error       (JsonObject     *error,
                                        const char     *sql);
int          lh_sql_error_offset       (const char     *sql,
                                        const char     *message);

G_END_DECLS
