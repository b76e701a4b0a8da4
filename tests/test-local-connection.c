/* test-local-connection.c — LhLocalConnection on real files: values of every kind,
 * parameters, order of queued statements, cancelling, and each kind of bad input with
 * the message a user reads and the file left as it was. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-test-server.h"
#include "lh-test-util.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "app.db", NULL);
  lh_test_make_db (fixture->path,
                   "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                   " price REAL, data BLOB);"
                   "INSERT INTO items VALUES (1, 'apple', 1.25, x'00ff10'),"
                   " (2, 'pear', NULL, NULL), (3, 'fig ☺', 0.1, x'');");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static LhConnection *
open_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  LhLocalConnection *connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);

  g_assert_no_error (error);
  return LH_CONNECTION (connection);
}

static void
test_values (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;
  const LhValue *value;

  g_assert_cmpint (lh_connection_get_kind (connection), ==, LH_CONNECTION_KIND_LOCAL);
  g_assert_cmpstr (lh_connection_get_title (connection), ==, "app.db");
  g_assert_cmpstr (lh_connection_get_location (connection), ==, fixture->path);
  g_assert_false (lh_connection_get_read_only (connection));

  result = lh_test_execute (connection, "SELECT id, name, price, data, 1 + 1 AS two "
                            "FROM items ORDER BY id", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_columns (result), ==, 5);
  g_assert_cmpuint (lh_result_set_get_n_rows (result), ==, 3);
  g_assert_cmpstr (lh_result_set_get_column_name (result, 1), ==, "name");
  g_assert_cmpstr (lh_result_set_get_declared_type (result, 2), ==, "REAL");
  g_assert_cmpstr (lh_result_set_get_declared_type (result, 4), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (result)), ==, 3);

  value = lh_result_set_get_value (result, 0, 0);
  g_assert_cmpint (value->kind, ==, LH_VALUE_INTEGER);
  g_assert_cmpint (value->v.integer, ==, 1);
  value = lh_result_set_get_value (result, 2, 1);
  g_assert_cmpint (value->kind, ==, LH_VALUE_TEXT);
  g_assert_cmpstr (value->v.text.data, ==, "fig ☺");
  value = lh_result_set_get_value (result, 0, 2);
  g_assert_cmpint (value->kind, ==, LH_VALUE_REAL);
  g_assert_cmpfloat (value->v.real, ==, 1.25);
  value = lh_result_set_get_value (result, 1, 2);
  g_assert_cmpint (value->kind, ==, LH_VALUE_NULL);
  value = lh_result_set_get_value (result, 0, 3);
  g_assert_cmpint (value->kind, ==, LH_VALUE_BLOB);
  g_assert_cmpuint (g_bytes_get_size (value->v.blob), ==, 3);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (value->v.blob, NULL))[1], ==, 0xff);

  g_clear_object (&result);
  result = lh_test_execute (connection, "INSERT INTO items (name) VALUES ('kiwi'), ('lime')",
                            NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_changes (result), ==, 2);
  g_assert_cmpint (lh_result_set_get_last_insert_rowid (result), ==, 5);
  g_assert_cmpuint (lh_result_set_get_n_columns (result), ==, 0);

  g_clear_object (&result);
  result = lh_test_execute (connection, "CREATE TABLE other (x)", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_changes (result), ==, 0);
}

static void
test_params (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_autoptr(GBytes) blob = g_bytes_new_static ("\0\1\2", 3);
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (params, lh_value_new_integer (10));
  g_ptr_array_add (params, lh_value_new_text ("it's; \"quoted\"", -1));
  g_ptr_array_add (params, lh_value_new_null ());
  g_ptr_array_add (params, lh_value_new_blob (blob));
  result = lh_test_execute (connection, "INSERT INTO items VALUES (?, ?, ?, ?)", params, NULL,
                            &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  result = lh_test_execute (connection, "SELECT name, length(data) FROM items WHERE id = 10",
                            NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lh_result_set_get_value (result, 0, 0)->v.text.data, ==, "it's; \"quoted\"");
  g_assert_cmpint (lh_result_set_get_value (result, 0, 1)->v.integer, ==, 3);
  g_clear_object (&result);

  result = lh_test_execute (connection, "SELECT ?, ?", params, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_cmpstr (error->message, ==, "The statement has 2 parameters. 4 values were given.");
}

typedef struct
{
  guint next;
  guint done;
  gboolean in_order;
} OrderData;

static void
order_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  OrderData *order = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (object), result, &error);
  g_assert_no_error (error);
  if (lh_result_set_get_value (rows, 0, 0)->v.integer != order->next)
    order->in_order = FALSE;
  order->next++;
  order->done++;
}

static gboolean
order_done (gpointer data)
{
  return ((OrderData *) data)->done == 50;
}

static void
test_queue_order (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  OrderData order = { 0, 0, TRUE };

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %u", i);

      lh_connection_execute_async (connection, sql, NULL, 0, NULL, order_cb, &order);
    }
  g_assert_true (lh_test_wait_until (order_done, &order, 10000));
  g_assert_true (order.in_order);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* Runs for minutes unless interrupted. */
  g_timeout_add (150, cancel_cb, cancellable);
  result = lh_test_execute (connection,
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                            "SELECT count(*) FROM n WHERE i < 0",
                            NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "The statement was cancelled.");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* The connection goes on working; a cancellable cancelled before the job starts
   * stops it from running at all. */
  g_clear_error (&error);
  result = lh_test_execute (connection, "SELECT count(*) FROM items", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_value (result, 0, 0)->v.integer, ==, 3);
  g_clear_object (&result);

  result = lh_test_execute (connection, "DELETE FROM items", NULL, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  result = lh_test_execute (connection, "SELECT count(*) FROM items", NULL, NULL, &error);
  g_assert_cmpint (lh_result_set_get_value (result, 0, 0)->v.integer, ==, 3);
}

static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "nope.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autofree char *expected = g_strdup_printf ("There is no file “%s”.", path);

  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_directory (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autofree char *expected = g_strdup_printf ("“%s” is a folder, not a database file.",
                                               fixture->dir);

  connection = lh_test_open (fixture->dir, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_IS_DIRECTORY);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_not_a_database (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "notes.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < 200; i++)
    g_string_append (text, "These are my notes, not a database.\n");
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  before = lh_test_checksum (path);

  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_A_DATABASE);
  expected = g_strdup_printf ("“%s” is not an SQLite database.", path);
  g_assert_cmpstr (error->message, ==, expected);

  after = lh_test_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
make_big_db (const char *path)
{
  lh_test_make_db (path,
                   "CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT);"
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                   " INSERT INTO big SELECT i, printf('%0200d', i) FROM n;"
                   "CREATE INDEX big_body ON big (body);");
}

static void
test_truncated (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "cut.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize length;

  make_big_db (path);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, length / 2, NULL));
  before = lh_test_checksum (path);

  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CORRUPT);
  g_assert_true (g_str_has_suffix (error->message,
                                   "is damaged or truncated (SQLite: database disk image "
                                   "is malformed)."));

  after = lh_test_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "bad.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  make_big_db (path);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* Scribble over the schema table's b-tree page (page 1, after the 100-byte header). */
  memset (contents + 100, 0xA5, 3000);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "is damaged or truncated"));
}

static void
test_locked_exclusive (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *before = lh_test_checksum (fixture->path);
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  GSubprocess *locker = lh_test_lock_db (fixture->path, "exclusive");

  connection = lh_test_open (fixture->path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_null (connection);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY);
  expected = g_strdup_printf ("“%s” is locked by another program that is writing to it. "
                              "Try again when it has finished.", fixture->path);
  g_assert_cmpstr (error->message, ==, expected);

  lh_test_unlock_db (locker);
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_locked_write (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *locker = lh_test_lock_db (fixture->path, "immediate");

  /* Reading goes on while another process writes... */
  result = lh_test_execute (connection, "SELECT count(*) FROM items", NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* ...but a write waits for the busy timeout and then says why it failed. */
  result = lh_test_execute (connection, "DELETE FROM items", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY);
  g_assert_cmpstr (error->message, ==, "The database is busy: another program holds a lock "
                   "this statement needs. Try again when it has finished.");
  lh_test_unlock_db (locker);

  g_clear_error (&error);
  result = lh_test_execute (connection, "SELECT count(*) FROM items", NULL, NULL, &error);
  g_assert_cmpint (lh_result_set_get_value (result, 0, 0)->v.integer, ==, 3);
}

static void
test_close (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  /* A statement asked for before the close still runs; one asked for after fails. */
  lh_connection_execute_async (connection, "DELETE FROM items WHERE id = 1", NULL, 0, NULL,
                               NULL, NULL);
  lh_connection_close_async (connection, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lh_connection_close_finish (connection, result, &error));
  g_assert_no_error (error);

  rows = lh_test_execute (connection, "SELECT 1", NULL, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "The database is closed.");
  g_clear_error (&error);
  g_clear_object (&connection);

  connection = open_ok (fixture->path);
  rows = lh_test_execute (connection, "SELECT count(*) FROM items", NULL, NULL, &error);
  g_assert_cmpint (lh_result_set_get_value (rows, 0, 0)->v.integer, ==, 2);
}

static void
test_locked_cancel (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *locker = lh_test_lock_db (fixture->path, "exclusive");
  gint64 start = g_get_monotonic_time ();

  /* Cancel stops the wait for a lock long before the busy timeout. */
  g_timeout_add (200, cancel_cb, cancellable);
  lh_local_connection_open_async (fixture->path, LH_LOCAL_OPEN_NONE, 60000, cancellable,
                                  store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  connection = lh_local_connection_open_finish (result, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Opening the database was cancelled.");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  lh_test_unlock_db (locker);
}

static void
check_read_only (LhConnection *connection,
                 const char   *path)
{
  g_autofree char *before = lh_test_checksum (path);
  g_autofree char *after = NULL;
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (lh_connection_get_read_only (connection));
  result = lh_test_execute (connection, "SELECT count(*) FROM items", NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  result = lh_test_execute (connection, "UPDATE items SET price = 0", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_READ_ONLY);
  g_assert_cmpstr (error->message, ==, "The database is open read-only, so it cannot be changed "
                   "(SQLite: attempt to write a readonly database).");
  after = lh_test_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_read_only_file (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhConnection) connection = NULL;

  g_assert_cmpint (g_chmod (fixture->path, 0444), ==, 0);
  connection = open_ok (fixture->path);
  check_read_only (connection, fixture->path);
}

static void
test_read_only_flag (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;

  connection = lh_test_open (fixture->path, LH_LOCAL_OPEN_READ_ONLY, 200, &error);
  g_assert_no_error (error);
  check_read_only (LH_CONNECTION (connection), fixture->path);
}

static void
test_malformed_sql (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;

  result = lh_test_execute (connection, "SELECT * FORM items", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_cmpstr (error->message, ==, "near \"FORM\": syntax error");
  g_assert_cmpint (lh_connection_error_get_offset (error), ==, 9);
  g_clear_error (&error);

  result = lh_test_execute (connection, "SELECT nope FROM items", NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_cmpstr (error->message, ==, "no such column: nope");
  g_assert_cmpint (lh_connection_error_get_offset (error), ==, 7);
  g_clear_error (&error);

  result = lh_test_execute (connection, "INSERT INTO items (id, name) VALUES (1, 'dup')", NULL,
                            NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "UNIQUE constraint failed: items.id");
  g_clear_error (&error);

  result = lh_test_execute (connection, "SELECT 1; DELETE FROM items", NULL, NULL, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_cmpint (lh_connection_error_get_offset (error), ==, 10);
  g_clear_error (&error);

  /* Nothing of the refused statements ran. */
  result = lh_test_execute (connection, "SELECT count(*) FROM items -- trailing comment\n;",
                            NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_value (result, 0, 0)->v.integer, ==, 3);
}

static void
test_max_rows (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;

  result = lh_test_execute_limited (connection,
                                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                    "FROM n WHERE i < 100000) SELECT i FROM n", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (result), ==, 10);
  g_assert_true (lh_result_set_get_truncated (result));
  g_clear_object (&result);

  result = lh_test_execute_limited (connection, "SELECT * FROM items", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (result), ==, 3);
  g_assert_false (lh_result_set_get_truncated (result));
}

#define LONG_COUNT_SQL \
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) " \
  "SELECT count(*) FROM c"

typedef struct
{
  GPtrArray *finished;   /* names, in the order the jobs finished */
  gint64     count;
} BackgroundData;

static void
background_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  BackgroundData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = lh_connection_execute_finish (LH_CONNECTION (object), result, &error);

  g_assert_no_error (error);
  data->count = lh_result_set_get_value (rows, 0, 0)->v.integer;
  g_ptr_array_add (data->finished, "background");
}

static void
foreground_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  BackgroundData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = lh_connection_execute_finish (LH_CONNECTION (object), result, &error);

  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_value (rows, 0, 0)->v.integer, ==, 42);
  g_ptr_array_add (data->finished, "foreground");
}

static gboolean
both_finished (gpointer data)
{
  return ((BackgroundData *) data)->finished->len == 2;
}

static gboolean
never_done (gpointer data)
{
  return FALSE;
}

/* A long background read (a row count) gives way to a statement asked for after it, and
 * still finishes, with the right answer, once that is done. */
static void
test_background_yields (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(GPtrArray) finished = g_ptr_array_new ();
  BackgroundData order = { finished, 0 };

  lh_connection_execute_background_async (connection, LONG_COUNT_SQL, NULL, NULL,
                                          background_cb, &order);
  /* Let it start running before the foreground statement arrives. */
  lh_test_wait_until (never_done, NULL, 100);
  g_assert_cmpuint (finished->len, ==, 0);
  lh_connection_execute_async (connection, "SELECT 42", NULL, 0, NULL, foreground_cb, &order);
  g_assert_true (lh_test_wait_until (both_finished, &order, 60000));
  g_assert_cmpstr (g_ptr_array_index (finished, 0), ==, "foreground");
  g_assert_cmpstr (g_ptr_array_index (finished, 1), ==, "background");
  g_assert_cmpint (order.count, ==, 3000000);
}

static void
test_background_cancel (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  lh_connection_execute_background_async (connection, LONG_COUNT_SQL, NULL, cancellable,
                                          store_cb, &result);
  g_timeout_add (50, cancel_cb, cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = lh_connection_execute_finish (connection, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (rows);
}

/* A double-quoted name that is no column is an error, not a string of that name. */
static void
test_double_quotes (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhConnection) connection = open_ok (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) result = lh_test_execute (connection, "SELECT \"nosuch\" FROM items",
                                                   NULL, NULL, &error);

  g_assert_null (result);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "no such column: nosuch"));
}

/* The schema browser's and the data grid's work, the same check the remote backends pass. */
static void
test_browse_and_edit (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = lh_test_open (fixture->path, LH_LOCAL_OPEN_NONE, 500, &error);

  g_assert_no_error (error);
  lh_test_check_browse_and_edit (LH_CONNECTION (connection));
}

/* The SQL editor's paged results, the same check the remote backends pass. */
static void
test_paged_query (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = lh_test_open (fixture->path, LH_LOCAL_OPEN_NONE, 500, &error);

  g_assert_no_error (error);
  lh_test_check_paged_query (LH_CONNECTION (connection));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/local-connection/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("values", test_values);
  ADD ("browse-and-edit", test_browse_and_edit);
  ADD ("paged-query", test_paged_query);
  ADD ("params", test_params);
  ADD ("queue-order", test_queue_order);
  ADD ("cancel", test_cancel);
  ADD ("missing", test_missing);
  ADD ("directory", test_directory);
  ADD ("not-a-database", test_not_a_database);
  ADD ("truncated", test_truncated);
  ADD ("corrupt", test_corrupt);
  ADD ("locked-exclusive", test_locked_exclusive);
  ADD ("locked-write", test_locked_write);
  ADD ("locked-cancel", test_locked_cancel);
  ADD ("close", test_close);
  ADD ("read-only-file", test_read_only_file);
  ADD ("read-only-flag", test_read_only_flag);
  ADD ("malformed-sql", test_malformed_sql);
  ADD ("max-rows", test_max_rows);
  ADD ("background-yields", test_background_yields);
  ADD ("background-cancel", test_background_cancel);
  ADD ("double-quotes", test_double_quotes);
#undef ADD

  return g_test_run ();
}
