/* lh-test-server.c — starts `node tests/servers/SCRIPT ARGS…`, reads its "PORT N" line,
 * and talks to its /__litehouse control endpoints over plain libcurl (LhHttpClient). The
 * server ends when its standard input closes, even if the test dies first. */
#include "config.h"

#include "lh-test-server.h"
#include "lh-test-util.h"

struct _LhTestServer
{
  GSubprocess  *process;
  LhHttpClient *http;
  guint         port;
};

/* Starts tests/servers/script with the NULL-terminated arguments that follow. */
LhTestServer *
lh_test_server_start (const char *script,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *line = NULL;
  LhTestServer *self;
  const char *arg;
  va_list args;

  if (node == NULL)
    g_error ("node is not installed: build-aux/test installs it (Debian's nodejs)");
  g_ptr_array_add (argv, g_steal_pointer (&node));
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_DIST, "servers", script, NULL));
  va_start (args, script);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  self = g_new0 (LhTestServer, 1);
  self->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "PORT "))
    g_error ("%s did not start (it printed “%s”): are tests/servers' npm modules installed?",
             script, line != NULL ? line : "nothing");
  self->port = (guint) g_ascii_strtoull (line + 5, NULL, 10);
  g_assert_cmpuint (self->port, >, 0);
  self->http = lh_http_client_new ();
  return self;
}

guint
lh_test_server_get_port (LhTestServer *self)
{
  return self->port;
}

/* http://127.0.0.1:PORT followed by path ("" for none). */
char *
lh_test_server_url (LhTestServer *self,
                    const char   *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", self->port, path);
}

static LhHttpResponse *
control (LhHttpClient *http,
         const char   *method,
         const char   *url,
         const char   *body)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = body != NULL ? g_bytes_new (body, strlen (body)) : NULL;
  LhHttpResponse *response;

  lh_http_client_request_async (http, method, url, NULL, bytes, LH_HTTP_NONE, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  response = lh_http_client_request_finish (http, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, <, 300);
  return response;
}

/* Queues faults: faults_json is the "faults" array of tests/servers/README.md. */
void
lh_test_server_fault (LhTestServer *self,
                      const char   *faults_json)
{
  g_autofree char *url = lh_test_server_url (self, "/__litehouse/faults");
  g_autofree char *body = g_strdup_printf ("{\"faults\": %s}", faults_json);

  lh_http_response_free (control (self->http, "POST", url, body));
}

void
lh_test_server_clear_faults (LhTestServer *self)
{
  g_autofree char *url = lh_test_server_url (self, "/__litehouse/faults");

  lh_http_response_free (control (self->http, "DELETE", url, NULL));
}

/* The protocol requests since the start or the last clear (owned by the caller). */
JsonArray *
lh_test_server_requests (LhTestServer *self)
{
  g_autofree char *url = lh_test_server_url (self, "/__litehouse/requests");
  g_autoptr(LhHttpResponse) response = control (self->http, "GET", url, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (response->body, &size);

  json_parser_load_from_data (parser, data, size, &error);
  g_assert_no_error (error);
  return json_array_ref (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                       "requests"));
}

/* How many protocol requests went to a path starting with path_prefix. */
guint
lh_test_server_count_requests (LhTestServer *self,
                               const char   *path_prefix)
{
  g_autoptr(JsonArray) requests = lh_test_server_requests (self);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_has_prefix (json_object_get_string_member_with_default (request, "path", ""), path_prefix))
        n++;
    }
  return n;
}

void
lh_test_server_clear_requests (LhTestServer *self)
{
  g_autofree char *url = lh_test_server_url (self, "/__litehouse/requests");

  lh_http_response_free (control (self->http, "DELETE", url, NULL));
}

/* Closes the server's standard input and waits for it to end. */
void
lh_test_server_stop (LhTestServer *self)
{
  if (self == NULL)
    return;
  g_output_stream_close (g_subprocess_get_stdin_pipe (self->process), NULL, NULL);
  if (!g_subprocess_wait (self->process, NULL, NULL))
    g_subprocess_force_exit (self->process);
  g_object_unref (self->process);
  g_clear_object (&self->http);
  g_free (self);
}

/* For each fault: queues it, runs sql on connection, and checks the error's code and
 * words, and that secret (a token) is not in its message; then clears what is left. */
void
lh_test_server_check_faults (LhTestServer      *self,
                             LhConnection      *connection,
                             const char        *sql,
                             const LhTestFault *faults,
                             guint              n_faults,
                             const char        *secret)
{
  for (guint i = 0; i < n_faults; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LhResultSet) rows = NULL;

      lh_test_server_fault (self, faults[i].faults);
      rows = lh_test_execute (connection, sql, NULL, NULL, &error);
      g_assert_null (rows);
      if (!g_error_matches (error, LH_CONNECTION_ERROR, faults[i].code) ||
          strstr (error->message, faults[i].words) == NULL)
        g_error ("fault %s: %s", faults[i].faults, error != NULL ? error->message : "no error");
      g_assert_null (strstr (error->message, secret));
      lh_test_server_clear_faults (self);
    }
}

/* Runs `node tests/servers/SCRIPT ARGS…` (an official client's check) and fails the test,
 * showing its output, unless it succeeds. */
void
lh_test_run_node_check (const char *script,
                        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, g_find_program_in_path ("node"));
  g_assert_nonnull (g_ptr_array_index (argv, 0));
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_DIST, "servers", script, NULL));
  va_start (args, script);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  check = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (check, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  if (!g_subprocess_get_successful (check))
    g_error ("%s failed:\n%s", script, out);
}

/* What the schema browser and the data grid do with a database, done on connection: the
 * schema (tables, columns, keys, indexes, a view), 450 rows read a page at a time in both
 * orders and filtered, and an edit set (a change, a new row, a deleted row) written as one
 * unit, then a failing one that writes nothing. The same whether the database is a file,
 * D1 or libSQL. */
void
lh_test_check_browse_and_edit (LhConnection *connection)
{
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(LhTablePager) pager = NULL;
  g_autoptr(LhEditSet) edits = NULL;
  g_autoptr(LhPagerRow) first = NULL;
  g_autoptr(LhPagerRow) last = NULL;
  g_autoptr(LhPagerRow) second = NULL;
  g_autoptr(LhValue) renamed = lh_value_new_text ("renamed", -1);
  g_autoptr(LhValue) null = lh_value_new_null ();
  g_autoptr(GError) error = NULL;
  LhSchemaObject *tasks;
  LhPagerRow *added;

  lh_test_run_ok (connection, "CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  lh_test_run_ok (connection, "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL, "
                              "score INTEGER, owner INTEGER REFERENCES owners (id))");
  lh_test_run_ok (connection, "CREATE INDEX tasks_score ON tasks (score)");
  lh_test_run_ok (connection, "CREATE VIEW good_tasks AS SELECT id, title FROM tasks WHERE score > 40");
  lh_test_run_ok (connection, "INSERT INTO owners VALUES (1, 'ada'), (2, 'bob')");
  lh_test_run_ok (connection, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450) "
                              "INSERT INTO tasks SELECT i, 'task ' || i, i % 50, 1 + i % 2 FROM n");

  schema = lh_test_load_schema (connection);
  tasks = lh_schema_lookup (schema, "tasks");
  g_assert_nonnull (tasks);
  g_assert_nonnull (lh_schema_lookup (schema, "owners"));
  g_assert_nonnull (lh_schema_lookup (schema, "good_tasks"));
  g_assert_nonnull (lh_schema_lookup (schema, "tasks_score"));
  g_assert_null (lh_schema_object_get_columns_error (tasks));
  g_assert_cmpuint (g_list_model_get_n_items (lh_schema_object_get_columns (tasks)), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (lh_schema_object_get_foreign_keys (tasks)), ==, 1);

  pager = lh_table_pager_new (connection, tasks);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  g_assert_cmpint (lh_table_pager_get_row_count (pager), ==, 450);
  first = lh_test_pager_row (pager, 0);
  last = lh_test_pager_row (pager, 449);
  g_assert_cmpint (lh_pager_row_get_value (first, 0)->v.integer, ==, 1);
  g_assert_cmpint (lh_pager_row_get_value (last, 0)->v.integer, ==, 450);

  /* Sorted down by score, filtered to owner 2. */
  lh_table_pager_set_sort (pager, 2, TRUE);
  {
    g_autoptr(LhValue) two = lh_value_new_integer (2);

    lh_table_pager_add_filter (pager, 3, LH_FILTER_EQUAL, two);
  }
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  g_assert_cmpint (lh_table_pager_get_row_count (pager), ==, 225);
  g_clear_object (&first);
  first = lh_test_pager_row (pager, 0);
  g_assert_cmpint (lh_pager_row_get_value (first, 2)->v.integer, ==, 49);

  /* Back to the table's order; a change, a new row and a deletion, written together. */
  lh_table_pager_clear_filters (pager);
  lh_table_pager_set_sort (pager, -1, FALSE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  g_clear_object (&first);
  first = lh_test_pager_row (pager, 0);
  second = lh_test_pager_row (pager, 1);
  edits = lh_edit_set_new (pager);
  lh_edit_set_set_value (edits, first, 1, renamed);
  lh_edit_set_set_value (edits, first, 2, null);
  lh_edit_set_delete_row (edits, second);
  added = lh_edit_set_insert_row (edits);
  {
    g_autoptr(LhValue) title = lh_value_new_text ("new task", -1);

    lh_edit_set_set_value (edits, added, 1, title);
  }
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lh_test_query_integer (connection, "SELECT count(*) FROM tasks"), ==, 450);
  g_assert_cmpint (lh_test_query_integer (connection,
                                          "SELECT count(*) FROM tasks WHERE id = 1 AND title = 'renamed' "
                                          "AND score IS NULL"), ==, 1);
  g_assert_cmpint (lh_test_query_integer (connection, "SELECT count(*) FROM tasks WHERE id = 2"), ==, 0);
  g_assert_cmpint (lh_test_query_integer (connection, "SELECT count(*) FROM tasks WHERE title = 'new task'"), ==, 1);

  /* A new row that breaks NOT NULL, with a change before it: nothing is written. */
  lh_table_pager_refresh (pager);
  lh_test_pager_wait (pager);
  g_clear_object (&last);
  last = lh_test_pager_row (pager, 5);
  g_clear_object (&edits);
  edits = lh_edit_set_new (pager);
  lh_edit_set_set_value (edits, last, 1, renamed);
  lh_edit_set_insert_row (edits);
  g_assert_false (lh_test_apply_edits (edits, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (lh_test_query_integer (connection, "SELECT count(*) FROM tasks WHERE title = 'renamed'"), ==, 1);
  g_assert_cmpint (lh_test_query_integer (connection, "SELECT count(*) FROM tasks"), ==, 450);
}

static LhQueryPager *
run_paged (LhConnection *connection,
           const char   *sql,
           GPtrArray    *params)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhResultSet) first = NULL;
  g_autoptr(GError) error = NULL;

  lh_connection_execute_async (connection, sql, params, LH_QUERY_PAGER_PAGE_SIZE, NULL,
                               lh_test_store_result_cb, &result);
  first = lh_connection_execute_finish (connection, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return lh_query_pager_new (first);
}

/* The SQL editor's work: a statement with more rows than one run keeps is read on a page
 * at a time and counted, with its parameters, columns of the same name keeping their
 * names, a trailing comment and semicolon; a statement that writes is never read twice.
 * The same whether the database is a file, D1 or libSQL. */
void
lh_test_check_paged_query (LhConnection *connection)
{
  g_autoptr(LhQueryPager) pager = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_autoptr(LhResultSet) returning = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lh_test_run_ok (connection, "CREATE TABLE numbers (id INTEGER PRIMARY KEY, label TEXT)");
  lh_test_run_ok (connection, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) "
                              "INSERT INTO numbers SELECT i, 'n' || i FROM n");

  pager = run_paged (connection, "SELECT id, label, id * 2 AS id FROM numbers ORDER BY id -- all of them\n;", NULL);
  g_assert_true (lh_query_pager_get_paged (pager));
  g_assert_cmpuint (lh_query_pager_get_n_columns (pager), ==, 3);
  g_assert_cmpstr (lh_query_pager_get_column_name (pager, 0), ==, "id");
  g_assert_cmpstr (lh_query_pager_get_column_name (pager, 2), ==, "id");
  lh_test_query_pager_wait_counted (pager);
  g_assert_cmpint (lh_query_pager_get_row_count (pager), ==, 2500);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 2499, 0), ==, 2500);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 1500, 2), ==, 3002);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 999, 0), ==, 1000);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 0, 0), ==, 1);

  g_clear_object (&pager);
  g_ptr_array_add (params, lh_value_new_integer (100));
  pager = run_paged (connection, "SELECT id FROM numbers WHERE id > ? ORDER BY id DESC", params);
  lh_test_query_pager_wait_counted (pager);
  g_assert_cmpint (lh_query_pager_get_row_count (pager), ==, 2400);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 2399, 0), ==, 101);

  /* Fewer rows than a page: all there, nothing to read on. */
  g_clear_object (&pager);
  pager = run_paged (connection, "SELECT id FROM numbers WHERE id <= 10", NULL);
  g_assert_false (lh_query_pager_get_paged (pager));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, 10);

  /* Rows a write returns: its first page only, and it ran once. */
  lh_connection_execute_async (connection, "UPDATE numbers SET label = label || '+' RETURNING id",
                               NULL, LH_QUERY_PAGER_PAGE_SIZE, NULL, lh_test_store_result_cb, &result);
  returning = lh_connection_execute_finish (connection, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (returning), ==, LH_QUERY_PAGER_PAGE_SIZE);
  g_assert_null (lh_result_set_get_cursor (returning));
  g_assert_cmpint (lh_test_query_integer (connection, "SELECT count(*) FROM numbers WHERE label LIKE '%+'"),
                   ==, 2500);
  g_assert_cmpint (lh_test_query_integer (connection, "SELECT count(*) FROM numbers WHERE label LIKE '%++'"),
                   ==, 0);
}
