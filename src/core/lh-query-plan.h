/* lh-query-plan.h — LhQueryPlan: what EXPLAIN QUERY PLAN says of a statement, as a tree of
 * steps, with the full scans of a table marked. */
#pragma once

#include "lh-result-set.h"

G_BEGIN_DECLS

typedef struct
{
  guint    depth;
  char    *detail;
  gboolean full_scan;
} LhPlanStep;

GPtrArray *lh_query_plan_from_rows (LhResultSet *rows);
char      *lh_query_plan_dup_sql   (const char  *statement);
void       lh_plan_step_free       (LhPlanStep  *step);

G_END_DECLS
