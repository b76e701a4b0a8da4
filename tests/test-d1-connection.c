/* test-d1-connection.c — LhD1Connection against tests/servers/d1-server.mjs, Cloudflare's
 * D1 REST API over Miniflare's D1: values both ways, the database list, D1's own errors
 * (BEGIN refused, SQL errors with their place), batches that apply all or nothing (a
 * statement that changes the wrong number of rows undoes them too), each fault of the
 * network and the server; the official `cloudflare` SDK passes against the same server. */
#include "config.h"

#include "lh-test-server.h"
#include "lh-test-util.h"

#define TOKEN    "d1-test-token-4567"
#define ACCOUNT  "0123456789abcdef0123456789abcdef"
#define MAIN_ID  "4d4b5b7e-0000-4000-8000-000000000001"
#define OTHER_ID "4d4b5b7e-0000-4000-8000-000000000002"

typedef struct
{
  char         *dir;
  LhTestServer *server;
  char         *base;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->server = lh_test_server_start ("d1-server.mjs", "--state", fixture->dir,
                                          "--token", TOKEN, "--account", ACCOUNT,
                                          "--database", "main-db=" MAIN_ID,
                                          "--database", "other-db=" OTHER_ID, NULL);
  fixture->base = lh_test_server_url (fixture->server, "/client/v4");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, lh_test_server_stop);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->base);
  g_free (fixture->dir);
}

static LhConnection *
open_with (Fixture       *fixture,
           const char    *account,
           const char    *database,
           const char    *token,
           LhHttpClient  *http,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_d1_connection_open_async (fixture->base, account, database, token, http, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  return LH_CONNECTION (lh_d1_connection_open_finish (result, error));
}

static LhConnection *
open_ok (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  LhConnection *connection = open_with (fixture, ACCOUNT, MAIN_ID, TOKEN, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static gint64
count_items (LhConnection *connection)
{
  return lh_test_query_integer (connection, "SELECT count(*) FROM items");
}

static LhConnection *
open_with_items (Fixture *fixture)
{
  LhConnection *connection = open_ok (fixture);

  lh_test_run_ok (connection, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, raw BLOB)");
  lh_test_run_ok (connection, "INSERT INTO items VALUES (1, 'one', 1.5, NULL), (2, 'two', NULL, NULL)");
  return connection;
}

static void
test_values (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_with_items (fixture);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_autoptr(LhResultSet) inserted = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 bytes[] = { 0, 1, 2, 255 };
  const LhValue *value;

  g_assert_cmpint (lh_connection_get_kind (connection), ==, LH_CONNECTION_KIND_D1);
  g_assert_cmpstr (lh_connection_get_title (connection), ==, "main-db");
  g_assert_cmpstr (lh_connection_get_location (connection), ==, "d1://" ACCOUNT "/" MAIN_ID);

  g_ptr_array_add (params, lh_value_new_integer (42));
  g_ptr_array_add (params, lh_value_new_text ("héllo 🌍 'quoted'", -1));
  g_ptr_array_add (params, lh_value_new_real (-0.125));
  g_ptr_array_add (params, lh_value_new_blob (g_bytes_new_static (bytes, sizeof bytes)));
  inserted = lh_test_execute (connection, "INSERT INTO items VALUES (?, ?, ?, ?)", params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_changes (inserted), ==, 1);
  g_assert_cmpint (lh_result_set_get_last_insert_rowid (inserted), ==, 42);

  rows = lh_test_execute (connection, "SELECT id, name, score, raw FROM items ORDER BY id", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (rows), ==, 3);
  g_assert_cmpstr (lh_result_set_get_column_name (rows, 1), ==, "name");
  value = lh_result_set_get_value (rows, 2, 0);
  g_assert_cmpint (value->kind, ==, LH_VALUE_INTEGER);
  g_assert_cmpint (value->v.integer, ==, 42);
  g_assert_cmpstr (lh_result_set_get_value (rows, 2, 1)->v.text.data, ==, "héllo 🌍 'quoted'");
  g_assert_cmpfloat (lh_result_set_get_value (rows, 2, 2)->v.real, ==, -0.125);
  value = lh_result_set_get_value (rows, 2, 3);
  g_assert_cmpint (value->kind, ==, LH_VALUE_BLOB);
  g_assert_cmpmem (g_bytes_get_data (value->v.blob, NULL), g_bytes_get_size (value->v.blob),
                   bytes, sizeof bytes);
  g_assert_cmpint (lh_result_set_get_value (rows, 1, 2)->kind, ==, LH_VALUE_NULL);

  /* D1's own errors, with the place SQLite points at. */
  g_clear_object (&rows);
  rows = lh_test_execute (connection, "SELECT * FROM items WHERE SELEC", NULL, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_clear_error (&error);
  rows = lh_test_execute (connection, "SELEC 1", NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "D1_ERROR"));
  g_assert_cmpint (lh_connection_error_get_offset (error), ==, 0);
  g_clear_error (&error);
  rows = lh_test_execute (connection, "BEGIN", NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "transaction"));
}

static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) databases = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  lh_d1_list_databases_async (fixture->base, ACCOUNT, TOKEN, NULL, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  databases = lh_d1_list_databases_finish (result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < databases->len; i++)
    {
      LhD1Database *database = g_ptr_array_index (databases, i);

      g_string_append_printf (names, "%s=%s;", database->name, database->uuid);
    }
  g_assert_nonnull (strstr (names->str, "main-db=" MAIN_ID ";"));
  g_assert_nonnull (strstr (names->str, "other-db=" OTHER_ID ";"));
  g_assert_cmpuint (databases->len, ==, 2);

  /* A wrong token. */
  g_clear_object (&result);
  lh_d1_list_databases_async (fixture->base, ACCOUNT, "nope", NULL, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  g_assert_null (lh_d1_list_databases_finish (result, &error));
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_UNAUTHORIZED);
}

static void
test_batch (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_with_items (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ok = lh_test_statements ("UPDATE items SET name = 'uno' WHERE id = 1",
                                        "INSERT INTO items (name) VALUES ('three')", NULL);
  g_autoptr(GPtrArray) failing = lh_test_statements ("DELETE FROM items WHERE id = 2",
                                             "INSERT INTO items (name) VALUES (NULL)",
                                             "INSERT INTO items (name) VALUES ('never')", NULL);
  g_autoptr(GPtrArray) conflicting = lh_test_statements ("DELETE FROM items WHERE id = 2",
                                                 "UPDATE items SET name = 'x' WHERE id = 99", NULL);
  g_autoptr(GPtrArray) results = NULL;

  ((LhBatchStatement *) g_ptr_array_index (ok, 0))->expected_changes = 1;
  results = lh_test_batch (connection, ok, LH_BATCH_TRANSACTION, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (lh_result_set_get_changes (g_ptr_array_index (results, 0)), ==, 1);
  g_assert_cmpint (lh_result_set_get_changes (g_ptr_array_index (results, 1)), ==, 1);
  g_assert_cmpint (count_items (connection), ==, 3);

  g_clear_pointer (&results, g_ptr_array_unref);
  results = lh_test_batch (connection, failing, LH_BATCH_TRANSACTION, &error);
  g_assert_null (results);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (count_items (connection), ==, 3);

  ((LhBatchStatement *) g_ptr_array_index (conflicting, 0))->expected_changes = 1;
  ((LhBatchStatement *) g_ptr_array_index (conflicting, 1))->expected_changes = 1;
  results = lh_test_batch (connection, conflicting, LH_BATCH_TRANSACTION, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONFLICT);
  g_assert_cmpint (lh_connection_error_get_statement_index (error), ==, 1);
  g_clear_error (&error);
  /* The DELETE before the conflict was undone with it. */
  g_assert_cmpint (count_items (connection), ==, 3);
}

static void
test_faults (Fixture       *fixture,
             gconstpointer  data)
{
  const LhTestFault faults[] = {
    { "[{\"status\": 403}]", LH_CONNECTION_ERROR_FORBIDDEN, "not allowed" },
    { "[{\"status\": 404}]", LH_CONNECTION_ERROR_NOT_FOUND, "no such database" },
    { "[{\"status\": 500}]", LH_CONNECTION_ERROR_SERVER, "(500)" },
    { "[{\"status\": 429, \"retry_after\": 60}]", LH_CONNECTION_ERROR_RATE_LIMITED, "wait 60 s" },
    { "[{\"invalid_json\": true}]", LH_CONNECTION_ERROR_PROTOCOL, "not valid JSON" },
    { "[{\"truncate\": true}]", LH_CONNECTION_ERROR_NETWORK, "broke off" },
    { "[{\"close\": true}]", LH_CONNECTION_ERROR_NETWORK, "without answering" },
    { "[{\"delay_ms\": 3000}]", LH_CONNECTION_ERROR_TIMEOUT, "did not answer in time" },
  };
  g_autoptr(LhHttpClient) http = lh_http_client_new ();
  g_autoptr(LhConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  lh_http_client_set_timeouts (http, 2000, 2000);
  connection = open_with (fixture, ACCOUNT, MAIN_ID, TOKEN, http, &error);
  g_assert_no_error (error);
  lh_test_run_ok (connection, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");

  lh_test_server_check_faults (fixture->server, connection,
                               "INSERT INTO items (name) VALUES ('faulty')",
                               faults, G_N_ELEMENTS (faults), TOKEN);

  /* A read is sent again after a 429's wait. */
  lh_test_server_clear_requests (fixture->server);
  lh_test_server_fault (fixture->server, "[{\"status\": 429, \"retry_after\": 1}]");
  g_assert_cmpint (count_items (connection), ==, 2);
  g_assert_cmpuint (lh_test_server_count_requests (fixture->server, "/client/v4/"), ==, 2);
}

/* A 50 MB answer comes through whole; past the client's limit it is an error; a server
 * that has gone away refuses the connection. */
static void
test_big_response_and_refused (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(LhHttpClient) http = lh_http_client_new ();
  g_autoptr(LhConnection) connection = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  connection = open_with (fixture, ACCOUNT, MAIN_ID, TOKEN, http, &error);
  g_assert_no_error (error);
  lh_test_run_ok (connection, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
  lh_test_run_ok (connection, "INSERT INTO items VALUES (1, 'one'), (2, 'two')");

  lh_test_server_fault (fixture->server, "[{\"big_bytes\": 52428800}]");
  rows = lh_test_execute (connection, "SELECT name FROM items ORDER BY id", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lh_result_set_get_value (rows, 1, 0)->v.text.data, ==, "two");

  lh_http_client_set_max_response (http, 10 * 1024 * 1024);
  lh_test_server_fault (fixture->server, "[{\"big_bytes\": 52428800}]");
  g_clear_object (&rows);
  rows = lh_test_execute (connection, "SELECT name FROM items", NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "larger than 10 MB"));
  g_clear_error (&error);

  g_clear_pointer (&fixture->server, lh_test_server_stop);
  rows = lh_test_execute (connection, "SELECT name FROM items", NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_assert_null (strstr (error->message, TOKEN));
}

static void
test_open_errors (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhConnection) connection = NULL;

  connection = open_with (fixture, ACCOUNT, MAIN_ID, "wrong-token", NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_UNAUTHORIZED);
  g_assert_null (strstr (error->message, "wrong-token"));
  g_clear_error (&error);

  connection = open_with (fixture, "ffffffffffffffffffffffffffffffff", MAIN_ID, TOKEN, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FORBIDDEN);
  g_clear_error (&error);

  connection = open_with (fixture, ACCOUNT, "4d4b5b7e-0000-4000-8000-00000000dead", TOKEN, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_official_sdk (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_run_node_check ("check-d1.mjs", fixture->base, TOKEN, ACCOUNT, OTHER_ID, NULL);
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/d1/values", test_values);
  ADD ("/d1/browse-and-edit", test_browse_and_edit);
  ADD ("/d1/paged-query", test_paged_query);
  ADD ("/d1/list", test_list);
  ADD ("/d1/batch", test_batch);
  ADD ("/d1/faults", test_faults);
  ADD ("/d1/big-response-and-refused", test_big_response_and_refused);
  ADD ("/d1/open-errors", test_open_errors);
  ADD ("/d1/official-sdk", test_official_sdk);

#undef ADD

  return g_test_run ();
}
