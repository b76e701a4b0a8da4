/* test-libsql-connection.c — LhLibsqlConnection against tests/servers/hrana-server.mjs,
 * real Hrana over HTTP on a real libSQL engine: values of every type both ways, a
 * transaction typed by the user kept across requests, atomic batches, base_url, and each
 * fault of the network and the server with the error the user sees; the official
 * @libsql/client passes against the same server. */
#include "config.h"

#include "lh-test-server.h"
#include "lh-test-util.h"

#define TOKEN "test-token-0123"

typedef struct
{
  char         *dir;
  char         *path;
  LhTestServer *server;
  char         *url;
} Fixture;

static void
start_server (Fixture    *fixture,
              const char *extra)
{
  fixture->server = lh_test_server_start ("hrana-server.mjs", "--db", fixture->path,
                                          "--token", TOKEN, extra, NULL);
  fixture->url = lh_test_server_url (fixture->server, "");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "remote.db", NULL);
  lh_test_make_db (fixture->path,
                   "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, raw BLOB);"
                   "INSERT INTO items VALUES (1, 'one', 1.5, x'00ff'), (2, 'two', NULL, NULL);");
  start_server (fixture, data);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, lh_test_server_stop);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->url);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static LhConnection *
open_with (const char    *url,
           const char    *token,
           LhHttpClient  *http,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_libsql_connection_open_async (url, token, http, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  return LH_CONNECTION (lh_libsql_connection_open_finish (result, error));
}

static LhConnection *
open_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  LhConnection *connection = open_with (fixture->url, TOKEN, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static gint64
count_items (LhConnection *connection)
{
  return lh_test_query_integer (connection, "SELECT count(*) FROM items");
}

static void
test_values (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_autoptr(LhResultSet) inserted = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 bytes[] = { 0, 1, 2, 255 };
  const LhValue *value;

  g_assert_cmpint (lh_connection_get_kind (connection), ==, LH_CONNECTION_KIND_LIBSQL);
  g_assert_cmpstr (lh_connection_get_title (connection), ==, "127.0.0.1");
  g_assert_cmpuint (lh_libsql_connection_get_version (LH_LIBSQL_CONNECTION (connection)), ==, 3);

  g_ptr_array_add (params, lh_value_new_integer (G_MAXINT64));
  g_ptr_array_add (params, lh_value_new_text ("héllo 🌍 'quoted'", -1));
  g_ptr_array_add (params, lh_value_new_real (-0.125));
  g_ptr_array_add (params, lh_value_new_blob (g_bytes_new_static (bytes, sizeof bytes)));
  inserted = lh_test_execute (connection, "INSERT INTO items VALUES (?, ?, ?, ?)", params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_changes (inserted), ==, 1);
  g_assert_cmpint (lh_result_set_get_last_insert_rowid (inserted), ==, G_MAXINT64);

  rows = lh_test_execute (connection, "SELECT id, name, score, raw, NULL AS empty FROM items ORDER BY id",
                          NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (rows), ==, 3);
  g_assert_cmpuint (lh_result_set_get_n_columns (rows), ==, 5);
  g_assert_cmpstr (lh_result_set_get_column_name (rows, 1), ==, "name");
  g_assert_cmpstr (lh_result_set_get_declared_type (rows, 1), ==, "TEXT");
  value = lh_result_set_get_value (rows, 2, 0);
  g_assert_cmpint (value->kind, ==, LH_VALUE_INTEGER);
  g_assert_cmpint (value->v.integer, ==, G_MAXINT64);
  value = lh_result_set_get_value (rows, 2, 1);
  g_assert_cmpint (value->kind, ==, LH_VALUE_TEXT);
  g_assert_cmpstr (value->v.text.data, ==, "héllo 🌍 'quoted'");
  value = lh_result_set_get_value (rows, 2, 2);
  g_assert_cmpint (value->kind, ==, LH_VALUE_REAL);
  g_assert_cmpfloat (value->v.real, ==, -0.125);
  value = lh_result_set_get_value (rows, 2, 3);
  g_assert_cmpint (value->kind, ==, LH_VALUE_BLOB);
  g_assert_cmpmem (g_bytes_get_data (value->v.blob, NULL), g_bytes_get_size (value->v.blob),
                   bytes, sizeof bytes);
  g_assert_cmpint (lh_result_set_get_value (rows, 1, 2)->kind, ==, LH_VALUE_NULL);
  g_assert_cmpint (lh_result_set_get_value (rows, 0, 4)->kind, ==, LH_VALUE_NULL);

  /* An SQL error comes back as SQLite said it, pointing at its place. */
  g_clear_object (&rows);
  rows = lh_test_execute (connection, "SELECT * FROM items WHERE nope = 1", NULL, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "no such column: nope"));
  g_clear_error (&error);
  rows = lh_test_execute (connection, "SELEC 1", NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_cmpint (lh_connection_error_get_offset (error), ==, 0);
  g_clear_error (&error);

  /* Capped results say so. */
  rows = lh_test_execute_limited (connection, "SELECT * FROM items", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (rows), ==, 2);
  g_assert_true (lh_result_set_get_truncated (rows));
}

/* BEGIN typed by the user keeps its stream: another connection does not see the rows
 * until COMMIT; ROLLBACK undoes them. */
static void
test_transaction (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);
  g_autoptr(LhConnection) other = open_ok (fixture);

  lh_test_run_ok (connection, "BEGIN");
  lh_test_run_ok (connection, "INSERT INTO items (name) VALUES ('pending')");
  g_assert_true (lh_connection_get_in_transaction (connection));
  g_assert_cmpint (count_items (connection), ==, 3);
  g_assert_cmpint (count_items (other), ==, 2);
  lh_test_close (&connection);
  connection = open_ok (fixture);

  lh_test_run_ok (connection, "BEGIN");
  lh_test_run_ok (connection, "INSERT INTO items (name) VALUES ('kept')");
  lh_test_run_ok (connection, "COMMIT");
  g_assert_false (lh_connection_get_in_transaction (connection));
  g_assert_cmpint (count_items (other), ==, 3);

  lh_test_run_ok (connection, "BEGIN");
  lh_test_run_ok (connection, "DELETE FROM items");
  lh_test_run_ok (connection, "ROLLBACK");
  g_assert_false (lh_connection_get_in_transaction (connection));
  g_assert_cmpint (count_items (other), ==, 3);
}

/* An edit set's batch: all or nothing, a failure naming its statement. */
static void
test_batch (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ok = lh_test_statements ("UPDATE items SET name = 'uno' WHERE id = 1",
                                        "INSERT INTO items (name) VALUES ('three')", NULL);
  g_autoptr(GPtrArray) failing = lh_test_statements ("DELETE FROM items WHERE id = 2",
                                             "INSERT INTO items (name) VALUES (NULL)",
                                             "INSERT INTO items (name) VALUES ('never')", NULL);
  g_autoptr(GPtrArray) conflicting = lh_test_statements ("DELETE FROM items WHERE id = 2",
                                                 "UPDATE items SET name = 'x' WHERE id = 99", NULL);
  g_autoptr(GPtrArray) results = NULL;

  results = lh_test_batch (connection, ok, LH_BATCH_TRANSACTION, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (lh_result_set_get_changes (g_ptr_array_index (results, 1)), ==, 1);
  g_assert_cmpint (count_items (connection), ==, 3);

  g_clear_pointer (&results, g_ptr_array_unref);
  results = lh_test_batch (connection, failing, LH_BATCH_TRANSACTION, &error);
  g_assert_null (results);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONSTRAINT);
  g_assert_cmpint (lh_connection_error_get_statement_index (error), ==, 1);
  g_clear_error (&error);
  g_assert_cmpint (count_items (connection), ==, 3);
  g_assert_false (lh_connection_get_in_transaction (connection));

  ((LhBatchStatement *) g_ptr_array_index (conflicting, 0))->expected_changes = 1;
  ((LhBatchStatement *) g_ptr_array_index (conflicting, 1))->expected_changes = 1;
  results = lh_test_batch (connection, conflicting, LH_BATCH_TRANSACTION, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONFLICT);
  g_assert_cmpint (lh_connection_error_get_statement_index (error), ==, 1);
  g_clear_error (&error);
  g_assert_cmpint (count_items (connection), ==, 3);
}

/* The server moves the stream elsewhere (base_url): requests follow it. */
static void
test_base_url (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);

  lh_test_run_ok (connection, "BEGIN");
  lh_test_run_ok (connection, "INSERT INTO items (name) VALUES ('moved')");
  lh_test_run_ok (connection, "COMMIT");
  g_assert_cmpint (count_items (connection), ==, 3);
  g_assert_cmpuint (lh_test_server_count_requests (fixture->server, "/moved/"), >=, 2);
}

/* A server without Hrana 3 (its /v3 probe answers 404, as an older sqld's does): the
 * client speaks Hrana 2 to it, transactions and all. */
static void
test_hrana_2 (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LhConnection) connection = NULL;

  lh_test_server_fault (fixture->server, "[{\"status\": 404, \"path\": \"/v3\"}]");
  connection = open_ok (fixture);
  g_assert_cmpuint (lh_libsql_connection_get_version (LH_LIBSQL_CONNECTION (connection)), ==, 2);
  lh_test_server_clear_requests (fixture->server);
  lh_test_run_ok (connection, "BEGIN");
  lh_test_run_ok (connection, "INSERT INTO items (name) VALUES ('over v2')");
  lh_test_run_ok (connection, "COMMIT");
  g_assert_cmpint (count_items (connection), ==, 3);
  g_assert_false (lh_connection_get_in_transaction (connection));
  lh_test_run_ok (connection, "BEGIN");
  lh_test_run_ok (connection, "SAVEPOINT inner");
  lh_test_run_ok (connection, "ROLLBACK TO inner");
  g_assert_true (lh_connection_get_in_transaction (connection));
  lh_test_run_ok (connection, "ROLLBACK");
  g_assert_false (lh_connection_get_in_transaction (connection));

  /* An edit set's atomic batch, as the grid writes it. */
  {
    g_autoptr(GPtrArray) statements = lh_test_statements ("INSERT INTO items (name) VALUES ('batched')",
                                                          "DELETE FROM items WHERE id = 1", NULL);
    g_autoptr(GPtrArray) results = NULL;
    g_autoptr(GError) error = NULL;

    results = lh_test_batch (connection, statements, LH_BATCH_TRANSACTION, &error);
    g_assert_no_error (error);
    g_assert_cmpint (count_items (connection), ==, 3);
  }
  g_assert_cmpuint (lh_test_server_count_requests (fixture->server, "/v2/pipeline"), >=, 3);
  g_assert_cmpuint (lh_test_server_count_requests (fixture->server, "/v3"), ==, 0);
}

static LhResultSet *
execute_once (LhConnection  *connection,
              const char    *sql,
              GError       **error)
{
  return lh_test_execute (connection, sql, NULL, NULL, error);
}

/* Each fault gives its own error, in words a user can act on; nothing is half done. */
static void
test_faults (Fixture       *fixture,
             gconstpointer  data)
{
  const LhTestFault faults[] = {
    { "[{\"status\": 403}]", LH_CONNECTION_ERROR_FORBIDDEN, "not allowed" },
    { "[{\"status\": 404}]", LH_CONNECTION_ERROR_NOT_FOUND, "no such database" },
    { "[{\"status\": 500}]", LH_CONNECTION_ERROR_SERVER, "(500)" },
    { "[{\"status\": 503, \"count\": 9}]", LH_CONNECTION_ERROR_SERVER, "(503)" },
    { "[{\"invalid_json\": true}]", LH_CONNECTION_ERROR_PROTOCOL, "not valid JSON" },
    { "[{\"truncate\": true}]", LH_CONNECTION_ERROR_NETWORK, "broke off before the whole answer came. The server may have run" },
    { "[{\"close\": true}]", LH_CONNECTION_ERROR_NETWORK, "without answering. The server may have run" },
    { "[{\"delay_ms\": 3000}]", LH_CONNECTION_ERROR_TIMEOUT, "did not answer in time (2 s). The server may have run" },
  };
  g_autoptr(LhHttpClient) http = lh_http_client_new ();
  g_autoptr(LhConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  lh_http_client_set_timeouts (http, 2000, 1500);
  lh_http_client_set_max_retries (http, 1);
  connection = open_with (fixture->url, TOKEN, http, &error);
  g_assert_no_error (error);

  lh_test_server_check_faults (fixture->server, connection,
                               "INSERT INTO items (name) VALUES ('faulty')",
                               faults, G_N_ELEMENTS (faults), TOKEN);
  /* The connection still works once the faults are gone. Faults that answer instead of
   * the server ran nothing; the cut-off and late answers came after the insert ran, as
   * their errors warn. */
  g_assert_cmpint (count_items (connection), ==, 4);
}

/* 429 with Retry-After: a read is sent again after the wait and succeeds; a write is
 * never sent twice, and says how long to wait. */
static void
test_rate_limited (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  gint64 start;

  lh_test_server_clear_requests (fixture->server);
  lh_test_server_fault (fixture->server, "[{\"status\": 429, \"retry_after\": 1, \"path\": \"/v3/pipeline\"}]");
  start = g_get_monotonic_time ();
  rows = execute_once (connection, "SELECT count(*) FROM items", &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_value (rows, 0, 0)->v.integer, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  g_assert_cmpuint (lh_test_server_count_requests (fixture->server, "/v3/pipeline"), ==, 2);

  lh_test_server_clear_requests (fixture->server);
  lh_test_server_fault (fixture->server, "[{\"status\": 429, \"retry_after\": 7, \"path\": \"/v3/pipeline\"}]");
  g_clear_object (&rows);
  rows = execute_once (connection, "INSERT INTO items (name) VALUES ('once')", &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "wait 7 s"));
  g_assert_cmpuint (lh_test_server_count_requests (fixture->server, "/v3/pipeline"), ==, 1);
  g_assert_cmpint (count_items (connection), ==, 2);
}

static void
test_bad_token (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhConnection) connection = open_with (fixture->url, "wrong-token", NULL, &error);

  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_UNAUTHORIZED);
  g_assert_null (strstr (error->message, "wrong-token"));
  g_clear_error (&error);

  connection = open_with (fixture->url, NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_UNAUTHORIZED);
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhConnection) connection = NULL;

  g_clear_pointer (&fixture->server, lh_test_server_stop);
  connection = open_with (fixture->url, TOKEN, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_clear_error (&error);

  /* Plain http to another computer is refused before anything is sent. */
  connection = open_with ("http://example.com", TOKEN, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TLS);
}

/* A 50 MB answer comes through whole; past the client's limit it is an error. */
static void
test_big_response (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhHttpClient) http = lh_http_client_new ();
  g_autoptr(LhConnection) connection = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  connection = open_with (fixture->url, TOKEN, http, &error);
  g_assert_no_error (error);
  lh_test_server_fault (fixture->server, "[{\"big_bytes\": 52428800}]");
  rows = execute_once (connection, "SELECT name FROM items ORDER BY id", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lh_result_set_get_value (rows, 1, 0)->v.text.data, ==, "two");

  lh_http_client_set_max_response (http, 10 * 1024 * 1024);
  lh_test_server_fault (fixture->server, "[{\"big_bytes\": 52428800}]");
  g_clear_object (&rows);
  rows = execute_once (connection, "SELECT name FROM items", &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "larger than 10 MB"));
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* A slow answer is given up within a fraction of a second of Cancel. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  lh_test_server_fault (fixture->server, "[{\"delay_ms\": 10000}]");
  g_timeout_add (200, cancel_cb, cancellable);
  start = g_get_monotonic_time ();
  rows = lh_test_execute (connection, "SELECT 1", NULL, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2 + 200000);
}

/* The official client runs queries, batches and transactions against the same server. */
static void
test_official_client (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(LhTestServer) open_server = NULL;
  g_autofree char *url = NULL;

  /* The official client sends no token: a server without one. */
  g_clear_pointer (&fixture->server, lh_test_server_stop);
  open_server = lh_test_server_start ("hrana-server.mjs", "--db", fixture->path, NULL);
  url = lh_test_server_url (open_server, "");
  lh_test_run_node_check ("check-hrana.mjs", url, NULL);
}

/* The schema browser's and the data grid's work, as on a file. */
static void
test_browse_and_edit (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);

  lh_test_check_browse_and_edit (connection);
}

/* The SQL editor's paged results, as on a file: each page and the count one request. */
static void
test_paged_query (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture);

  lh_test_check_paged_query (connection);
}

/* A URL with its token in it (Turso's libsql://HOST?authToken=…): the token is used, and
 * the location the connection gives (kept in the catalog, the recent list) holds none. */
static void
test_token_in_url (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *with_token = g_strdup_printf ("%s/?authToken=%s#frag", fixture->url, TOKEN);
  g_autoptr(LhConnection) connection = open_with (with_token, NULL, NULL, &error);
  g_autofree char *normal = NULL;
  g_autofree char *token = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (count_items (connection), >, 0);
  g_assert_cmpstr (lh_connection_get_location (connection), ==, fixture->url);
  normal = lh_libsql_normalize_url ("libsql://me:secret@db-acme.turso.io/?authToken=eyJ.x.y", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normal, ==, "https://db-acme.turso.io");
  token = lh_libsql_url_dup_token ("libsql://db-acme.turso.io?x=1&authToken=eyJ.x.y");
  g_assert_cmpstr (token, ==, "eyJ.x.y");
  g_assert_null (lh_libsql_url_dup_token ("libsql://db-acme.turso.io"));
  lh_test_close (&connection);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, extra) \
  g_test_add (path, Fixture, extra, fixture_set_up, func, fixture_tear_down)

  ADD ("/libsql/values", test_values, NULL);
  ADD ("/libsql/browse-and-edit", test_browse_and_edit, NULL);
  ADD ("/libsql/paged-query", test_paged_query, NULL);
  ADD ("/libsql/transaction", test_transaction, NULL);
  ADD ("/libsql/batch", test_batch, NULL);
  ADD ("/libsql/base-url", test_base_url, "--redirect");
  ADD ("/libsql/hrana-2", test_hrana_2, NULL);
  ADD ("/libsql/faults", test_faults, NULL);
  ADD ("/libsql/rate-limited", test_rate_limited, NULL);
  ADD ("/libsql/bad-token", test_bad_token, NULL);
  ADD ("/libsql/refused", test_refused, NULL);
  ADD ("/libsql/big-response", test_big_response, NULL);
  ADD ("/libsql/cancel", test_cancel, NULL);
  ADD ("/libsql/official-client", test_official_client, NULL);
  ADD ("/libsql/token-in-url", test_token_in_url, NULL);

#undef ADD

  return g_test_run ();
}
