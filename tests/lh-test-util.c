/* lh-test-util.c — helpers shared by the tests; see lh-test-util.h. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "lh-test-util.h"

char *
lh_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("litehouse-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
lh_test_remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        lh_test_remove_dir (child);
      else
        {
          g_chmod (child, 0600);
          g_unlink (child);
        }
    }
  g_rmdir (path);
}

void
lh_test_make_db (const char *path,
                 const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* A window of the test may be reading the same file. */
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("making %s: %s", path, message);
  sqlite3_close (db);
}

char *
lh_test_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult * user_data points to. */
void
lh_test_store_result_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs the main context until lh_test_store_result_cb() has filled slot. */
GAsyncResult *
lh_test_wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* A batch of LhBatchStatement without parameters, from NULL-terminated SQL texts. */
GPtrArray *
lh_test_statements (const char *first,
                    ...)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  va_list args;

  va_start (args, first);
  for (const char *sql = first; sql != NULL; sql = va_arg (args, const char *))
    g_ptr_array_add (list, lh_batch_statement_new (sql, NULL));
  va_end (args);
  return list;
}

/* Runs sql, which must succeed. */
void
lh_test_run_ok (LhConnection *connection,
                const char   *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) done = lh_test_execute (connection, sql, NULL, NULL, &error);

  if (error != NULL)
    g_error ("%s: %s", sql, error->message);
}

/* The integer sql returns in its first row and column. */
gint64
lh_test_query_integer (LhConnection *connection,
                       const char   *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = lh_test_execute (connection, sql, NULL, NULL, &error);

  if (error != NULL)
    g_error ("%s: %s", sql, error->message);
  g_assert_cmpuint (lh_result_set_get_n_rows (rows), >=, 1);
  g_assert_cmpint (lh_result_set_get_value (rows, 0, 0)->kind, ==, LH_VALUE_INTEGER);
  return lh_result_set_get_value (rows, 0, 0)->v.integer;
}

/* Closes *connection (a remote one ends its open stream) and drops it. */
void
lh_test_close (LhConnection **connection)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lh_connection_close_async (*connection, NULL, lh_test_store_result_cb, &result);
  g_assert_true (lh_connection_close_finish (*connection, lh_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (connection);
}

LhLocalConnection *
lh_test_open (const char        *path,
              LhLocalOpenFlags   flags,
              guint              busy_timeout_ms,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_local_connection_open_async (path, flags, busy_timeout_ms, NULL, lh_test_store_result_cb, &result);
  return lh_local_connection_open_finish (lh_test_wait_for_result (&result), error);
}

LhResultSet *
lh_test_execute (LhConnection  *connection,
                 const char    *sql,
                 GPtrArray     *params,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_connection_execute_async (connection, sql, params, 0, cancellable, lh_test_store_result_cb, &result);
  return lh_connection_execute_finish (connection, lh_test_wait_for_result (&result), error);
}

LhResultSet *
lh_test_execute_limited (LhConnection  *connection,
                         const char    *sql,
                         guint          max_rows,
                         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_connection_execute_async (connection, sql, NULL, max_rows, NULL, lh_test_store_result_cb, &result);
  return lh_connection_execute_finish (connection, lh_test_wait_for_result (&result), error);
}

static GPtrArray *
run_script (LhConnection *connection,
            LhScript     *script,
            GCancellable *cancellable)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *statements;

  lh_script_run_async (script, connection, 0, cancellable, lh_test_store_result_cb, &result);
  statements = lh_script_run_finish (script, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return statements;
}

GPtrArray *
lh_test_run_script (LhConnection *connection,
                    const char   *text,
                    GCancellable *cancellable)
{
  g_autoptr(LhScript) script = lh_script_new (text);

  return run_script (connection, script, cancellable);
}

GPtrArray *
lh_test_run_script_object (LhConnection *connection,
                           LhScript     *script)
{
  return run_script (connection, script, NULL);
}

GSubprocess *
lh_test_lock_db (const char *path,
                 const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *locker = g_getenv ("LH_TEST_LOCKER");
  GSubprocess *process;

  g_assert_nonnull (locker);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              &error, locker, path, mode, NULL);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "locked");
  return process;
}

void
lh_test_unlock_db (GSubprocess *locker)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_close (g_subprocess_get_stdin_pipe (locker), NULL, NULL);
  g_subprocess_wait_check (locker, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (locker);
}

LhSchema *
lh_test_load_schema (LhConnection *connection)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LhSchema *schema;

  lh_schema_load_async (connection, NULL, lh_test_store_result_cb, &result);
  schema = lh_schema_load_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return schema;
}

/* A pager over the table or view name, its first page and row count read. */
LhTablePager *
lh_test_new_pager (LhConnection *connection,
                   const char   *name)
{
  g_autoptr(LhSchema) schema = lh_test_load_schema (connection);
  LhSchemaObject *object = lh_schema_lookup (schema, name);
  LhTablePager *pager;

  g_assert_nonnull (object);
  pager = lh_table_pager_new (connection, object);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  return pager;
}

static gboolean
pager_settled (gpointer data)
{
  return !lh_table_pager_get_loading (data);
}

/* Until the pager has nothing left to fetch or count. */
void
lh_test_pager_wait (LhTablePager *pager)
{
  g_assert_true (lh_test_wait_until (pager_settled, pager, 30000));
}

/* The row at position, loaded: asks for it as a list widget would, then waits. */
LhPagerRow *
lh_test_pager_row (LhTablePager *pager,
                   guint          position)
{
  LhPagerRow *row = g_list_model_get_item (G_LIST_MODEL (pager), position);

  g_assert_nonnull (row);
  if (lh_pager_row_get_loaded (row))
    return row;
  g_object_unref (row);
  lh_test_pager_wait (pager);
  if (lh_table_pager_get_error (pager) != NULL)
    g_error ("row %u: %s", position, lh_table_pager_get_error (pager)->message);
  row = g_list_model_get_item (G_LIST_MODEL (pager), position);
  g_assert_true (lh_pager_row_get_loaded (row));
  return row;
}

GPtrArray *
lh_test_batch (LhConnection  *connection,
               GPtrArray     *statements,
               LhBatchFlags   flags,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_connection_batch_async (connection, statements, flags, NULL, lh_test_store_result_cb, &result);
  return lh_connection_batch_finish (connection, lh_test_wait_for_result (&result), error);
}

gboolean
lh_test_apply_edits (LhEditSet  *edits,
                     GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_edit_set_apply_async (edits, NULL, lh_test_store_result_cb, &result);
  return lh_edit_set_apply_finish (edits, lh_test_wait_for_result (&result), error);
}

/* Every row of sql run on path through a read-only connection of its own (what is in the
 * file, not what a connection under test sees), "a|b" a row, each row ending in "\n". */
char *
lh_test_query_text (const char *path,
                    const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) reader = lh_test_open (path, LH_LOCAL_OPEN_READ_ONLY, 300, &error);
  g_autoptr(LhResultSet) result = NULL;
  GString *text = g_string_new (NULL);

  g_assert_no_error (error);
  result = lh_test_execute (LH_CONNECTION (reader), sql, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < lh_result_set_get_n_rows (result); r++)
    for (guint c = 0; c < lh_result_set_get_n_columns (result); c++)
      {
        g_autofree char *value = lh_value_to_display_string (lh_result_set_get_value (result, r, c), 0);

        g_string_append_printf (text, "%s%s", value,
                                c + 1 < lh_result_set_get_n_columns (result) ? "|" : "\n");
      }
  return g_string_free (text, FALSE);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until done (data) holds or timeout_ms pass; returns done. */
gboolean
lh_test_wait_until (gboolean (*done) (gpointer),
                    gpointer   data,
                    guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return done (data);
}

static gboolean
pager_counted (gpointer data)
{
  return !lh_query_pager_get_counting (data);
}

/* Waits until pager has counted its rows. */
void
lh_test_query_pager_wait_counted (LhQueryPager *pager)
{
  g_assert_true (lh_test_wait_until (pager_counted, pager, 30000));
}

typedef struct
{
  LhQueryPager *pager;
  guint         position;
} WantedRow;

static gboolean
row_loaded_or_failed (gpointer data)
{
  WantedRow *wanted = data;

  return lh_query_pager_is_loaded (wanted->pager, wanted->position) ||
         lh_query_pager_get_error (wanted->pager) != NULL;
}

/* Asks for the row at position as a list widget would, and waits until its page is in
 * or the pager failed. */
void
lh_test_query_pager_wait_row (LhQueryPager *pager,
                              guint         position)
{
  g_autoptr(LhResultRow) row = g_list_model_get_item (G_LIST_MODEL (pager), position);
  WantedRow wanted = { pager, position };

  g_assert_nonnull (row);
  g_assert_true (lh_test_wait_until (row_loaded_or_failed, &wanted, 30000));
}

/* The integer in column at position, its page read as the grid reads it. */
gint64
lh_test_query_pager_integer (LhQueryPager *pager,
                             guint         position,
                             guint         column)
{
  const LhValue *value;

  lh_test_query_pager_wait_row (pager, position);
  if (lh_query_pager_get_error (pager) != NULL)
    g_error ("row %u: %s", position, lh_query_pager_get_error (pager)->message);
  value = lh_query_pager_get_value (pager, position, column);
  g_assert_cmpint (value->kind, ==, LH_VALUE_INTEGER);
  return value->v.integer;
}

/* The rows sql returns, a line each, their values between |. */
void
lh_test_append_rows (GString      *text,
                     LhConnection *connection,
                     const char   *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = lh_test_execute (connection, sql, NULL, NULL, &error);

  g_assert_no_error (error);
  for (guint r = 0; r < lh_result_set_get_n_rows (rows); r++)
    for (guint c = 0; c < lh_result_set_get_n_columns (rows); c++)
      {
        const LhValue *cell = lh_result_set_get_value (rows, r, c);
        g_autofree char *value = lh_value_to_display_string (cell, 0);

        g_string_append_printf (text, "%s%s", value,
                                c + 1 < lh_result_set_get_n_columns (rows) ? "|" : "\n");
      }
}

/* The whole database as text: its schema, then every table's rows (D1's own _cf_ tables,
 * which no statement may read, left out). */
char *
lh_test_dump (LhConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) tables = NULL;
  GString *text = g_string_new (NULL);

  lh_test_append_rows (text, connection, "SELECT type, name, tbl_name, sql FROM sqlite_schema "
               "WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name");
  tables = lh_test_execute (connection, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                            "AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name",
                            NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < lh_result_set_get_n_rows (tables); i++)
    {
      const LhValue *table = lh_result_set_get_value (tables, i, 0);
      g_autofree char *name = lh_sql_quote_identifier (table->v.text.data);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s", name);

      g_string_append_printf (text, "-- %s\n", name);
      lh_test_append_rows (text, connection, sql);
    }
  return g_string_free (text, FALSE);
}
