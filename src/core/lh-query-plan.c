/* lh-query-plan.c — the rows of EXPLAIN QUERY PLAN (id, parent, notused, detail) put in
 * tree order with their depth. A step that reads a whole table ("SCAN t", not through an
 * index and not a constant row) is a full scan: the step worth an index. */
#include "config.h"

#include "lh-query-plan.h"

void
lh_plan_step_free (LhPlanStep *step)
{
  if (step == NULL)
    return;
  g_free (step->detail);
  g_free (step);
}

/* "EXPLAIN QUERY PLAN statement", without the statement's own trailing semicolon. */
char *
lh_query_plan_dup_sql (const char *statement)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (statement));
  gsize length = strlen (trimmed);

  while (length > 0 && (trimmed[length - 1] == ';' || g_ascii_isspace (trimmed[length - 1])))
    trimmed[--length] = '\0';
  return g_strconcat ("EXPLAIN QUERY PLAN ", trimmed, NULL);
}

static gboolean
is_full_scan (const char *detail)
{
  return g_str_has_prefix (detail, "SCAN ") && strstr (detail, " USING ") == NULL &&
         !g_str_has_prefix (detail, "SCAN CONSTANT ROW");
}

static gint64
integer_at (LhResultSet *rows,
            guint        row,
            guint        column)
{
  const LhValue *value = lh_result_set_get_value (rows, row, column);

  return value->kind == LH_VALUE_INTEGER ? value->v.integer : 0;
}

static void
add_children (LhResultSet *rows,
              gint64       parent,
              guint        depth,
              GPtrArray   *steps)
{
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    {
      const LhValue *detail = lh_result_set_get_value (rows, i, 3);
      LhPlanStep *step;

      if (integer_at (rows, i, 1) != parent)
        continue;
      step = g_new0 (LhPlanStep, 1);
      step->depth = depth;
      step->detail = detail->kind == LH_VALUE_TEXT ? g_strdup (detail->v.text.data) : g_strdup ("");
      step->full_scan = is_full_scan (step->detail);
      g_ptr_array_add (steps, step);
      /* A step is never its own parent: ids grow, and 0 is the root's. */
      if (integer_at (rows, i, 0) != parent)
        add_children (rows, integer_at (rows, i, 0), depth + 1, steps);
    }
}

/* The steps in the order the plan reads, each with its depth; NULL when rows are not the
 * four columns of EXPLAIN QUERY PLAN. */
GPtrArray *
lh_query_plan_from_rows (LhResultSet *rows)
{
  GPtrArray *steps;

  g_return_val_if_fail (LH_IS_RESULT_SET (rows), NULL);

  if (lh_result_set_get_n_columns (rows) != 4)
    return NULL;
  steps = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_plan_step_free);
  add_children (rows, 0, 0, steps);
  return steps;
}
