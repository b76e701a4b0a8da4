/* lh-offset-cursor.c — LhOffsetCursor: reads and counts by running wrapped statements on
 * its connection. A range far down costs the server an OFFSET; the grid reads few. */
#include "config.h"

#include "lh-offset-cursor.h"
#include "lh-result-set.h"
#include "lh-script.h"

struct _LhOffsetCursor
{
  LhCursor parent_instance;

  /* owned */
  LhConnection *connection;
  char         *sql;
  GPtrArray    *params;
};

G_DEFINE_FINAL_TYPE (LhOffsetCursor, lh_offset_cursor, LH_TYPE_CURSOR)

/* before (sql without its trailing semicolons) after: the statement as a subquery, on
 * lines of its own so that a trailing -- comment ends before the closing parenthesis. */
char *
lh_sql_wrap_as_subquery (const char *sql,
                         const char *before,
                         const char *after)
{
  g_autofree char *inner = g_strchomp (g_strdup (sql));

  while (g_str_has_suffix (inner, ";"))
    {
      inner[strlen (inner) - 1] = '\0';
      g_strchomp (inner);
    }
  return g_strconcat (before, "(\n", inner, "\n)", after, NULL);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  LhResultSet *rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);

  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, g_object_unref);
}

static void
lh_offset_cursor_read_async (LhCursor            *cursor,
                             guint64              first,
                             guint                n_rows,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  LhOffsetCursor *self = LH_OFFSET_CURSOR (cursor);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *after = g_strdup_printf (" LIMIT %u OFFSET %" G_GUINT64_FORMAT, n_rows, first);
  g_autofree char *sql = lh_sql_wrap_as_subquery (self->sql, "SELECT * FROM ", after);

  g_task_set_source_tag (task, lh_offset_cursor_read_async);
  lh_connection_execute_async (self->connection, sql, self->params, 0, cancellable, read_cb, task);
}

static LhResultSet *
lh_offset_cursor_read_finish (LhCursor      *cursor,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
count_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  GError *error = NULL;
  const LhValue *count;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  count = lh_result_set_get_n_rows (rows) == 1 ? lh_result_set_get_value (rows, 0, 0) : NULL;
  g_task_return_int (task, count != NULL && count->kind == LH_VALUE_INTEGER ? count->v.integer : 0);
}

static void
lh_offset_cursor_count_async (LhCursor            *cursor,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  LhOffsetCursor *self = LH_OFFSET_CURSOR (cursor);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *sql = lh_sql_wrap_as_subquery (self->sql, "SELECT count(*) FROM ", "");

  g_task_set_source_tag (task, lh_offset_cursor_count_async);
  lh_connection_execute_async (self->connection, sql, self->params, 0, cancellable, count_cb, task);
}

/* One request counts them all: always complete. */
static gint64
lh_offset_cursor_count_finish (LhCursor      *cursor,
                               GAsyncResult  *result,
                               gboolean      *complete,
                               GError       **error)
{
  gint64 count = g_task_propagate_int (G_TASK (result), error);

  *complete = TRUE;
  return count;
}

static void
lh_offset_cursor_finalize (GObject *object)
{
  LhOffsetCursor *self = LH_OFFSET_CURSOR (object);

  g_clear_object (&self->connection);
  g_free (self->sql);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  G_OBJECT_CLASS (lh_offset_cursor_parent_class)->finalize (object);
}

static void
lh_offset_cursor_class_init (LhOffsetCursorClass *klass)
{
  LhCursorClass *cursor_class = LH_CURSOR_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lh_offset_cursor_finalize;
  cursor_class->read_async = lh_offset_cursor_read_async;
  cursor_class->read_finish = lh_offset_cursor_read_finish;
  cursor_class->count_async = lh_offset_cursor_count_async;
  cursor_class->count_finish = lh_offset_cursor_count_finish;
}

static void
lh_offset_cursor_init (LhOffsetCursor *self)
{
}

/* The rest of sql's rows (with params bound, LhValue pointers or NULL) on connection. */
LhCursor *
lh_offset_cursor_new (LhConnection *connection,
                      const char   *sql,
                      GPtrArray    *params)
{
  LhOffsetCursor *self = g_object_new (LH_TYPE_OFFSET_CURSOR, NULL);

  self->connection = g_object_ref (connection);
  self->sql = g_strdup (sql);
  self->params = params != NULL ? g_ptr_array_ref (params) : NULL;
  return LH_CURSOR (self);
}

/* The SQL to send for the first max_rows rows of sql: sql itself, unless it is a plain
 * SELECT (or VALUES) that can be read on with an LhOffsetCursor, which is then asked for
 * one row more than kept, so that the server sends no more than that. */
char *
lh_offset_cursor_first_sql (const char *sql,
                            guint       max_rows)
{
  g_autofree char *keyword = lh_sql_dup_first_keyword (sql);
  g_autofree char *after = NULL;

  if (max_rows == 0 || (!g_str_equal (keyword, "SELECT") && !g_str_equal (keyword, "VALUES")))
    return g_strdup (sql);
  after = g_strdup_printf (" LIMIT %u", max_rows + 1);
  return lh_sql_wrap_as_subquery (sql, "SELECT * FROM ", after);
}

/* After a first request made with lh_offset_cursor_first_sql(): the names SQLite gave
 * repeated columns of the subquery ("id:1") back as they were written ("id"), and, when
 * the statement had more rows than result keeps, an LhOffsetCursor for the rest. */
void
lh_offset_cursor_finish_first (LhResultSet  *result,
                               LhConnection *connection,
                               const char   *sql,
                               GPtrArray    *params,
                               const char   *sent_sql)
{
  g_autoptr(LhCursor) cursor = NULL;

  if (g_strcmp0 (sql, sent_sql) == 0)
    return;
  for (guint c = 0; c < lh_result_set_get_n_columns (result); c++)
    {
      const char *name = lh_result_set_get_column_name (result, c);
      const char *colon = strrchr (name, ':');
      g_autofree char *base = NULL;

      if (colon == NULL || colon[1] == '\0' || strspn (colon + 1, "0123456789") != strlen (colon + 1))
        continue;
      base = g_strndup (name, colon - name);
      for (guint earlier = 0; earlier < c; earlier++)
        if (g_str_equal (lh_result_set_get_column_name (result, earlier), base))
          {
            lh_result_set_set_column_name (result, c, base);
            break;
          }
    }
  if (!lh_result_set_get_truncated (result))
    return;
  cursor = lh_offset_cursor_new (connection, sql, params);
  lh_result_set_set_cursor (result, cursor);
}
