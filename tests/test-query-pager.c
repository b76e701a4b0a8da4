/* test-query-pager.c — a statement with more rows than its first result keeps is read on
 * through its cursor: LhQueryPager gives the right row at every position whichever order
 * they are visited in (the statement running again from the start for rows behind it),
 * counts them, keeps its cache bounded, and the kept statement never gets in the way: a
 * DROP runs, other programs can write once the connection is idle, a write statement is
 * never run twice. */
#include "config.h"

#include "lh-test-util.h"

#define N_ROWS 30500

typedef struct
{
  char              *dir;
  char              *path;
  LhLocalConnection *connection;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf (
    "PRAGMA journal_mode = DELETE;"
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, half REAL, raw BLOB);"
    "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %d) "
    "INSERT INTO t SELECT n, 'row ' || n, n / 2.0, CASE WHEN n %% 3 = 0 THEN x'00ff' END "
    "FROM seq;", N_ROWS);

  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "query.db", NULL);
  lh_test_make_db (fixture->path, sql);
  fixture->connection = lh_test_open (fixture->path, LH_LOCAL_OPEN_NONE, 0, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->connection);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static LhQueryPager *
run_paged (Fixture    *fixture,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) first = lh_test_execute_limited (LH_CONNECTION (fixture->connection),
                                                          sql, LH_QUERY_PAGER_PAGE_SIZE, &error);

  g_assert_no_error (error);
  return lh_query_pager_new (first);
}

static void
test_rows_in_any_order (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LhQueryPager) pager = run_paged (fixture, "SELECT * FROM t ORDER BY id DESC");
  const guint positions[] = { 0, 999, 1000, 1001, 30499, 15000, 2999, 1000, 29000, 5432, 5431,
                              7000, 1999 };
  g_autoptr(LhResultRow) placeholder = NULL;

  g_assert_true (lh_query_pager_get_paged (pager));
  g_assert_cmpint (lh_query_pager_get_row_count (pager), ==, -1);
  g_assert_true (lh_query_pager_get_counting (pager));
  /* Until the count is done, the rows known so far. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), >=, LH_QUERY_PAGER_PAGE_SIZE);

  lh_test_query_pager_wait_counted (pager);
  g_assert_cmpint (lh_query_pager_get_row_count (pager), ==, N_ROWS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, N_ROWS);

  /* A row not read yet has no values until its page is in. */
  placeholder = g_list_model_get_item (G_LIST_MODEL (pager), 20005);
  g_assert_null (lh_result_row_get_value (placeholder, 0));
  g_assert_false (lh_query_pager_is_loaded (pager, 20005));

  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    g_assert_cmpint (lh_test_query_pager_integer (pager, positions[i], 0), ==, N_ROWS - positions[i]);

  /* Every page once: the cache keeps at most twenty of them. */
  for (guint position = 0; position < N_ROWS; position += 997)
    g_assert_cmpint (lh_test_query_pager_integer (pager, position, 0), ==, N_ROWS - position);
  g_assert_cmpuint (lh_query_pager_get_n_cached_pages (pager), <=, 20);
  g_assert_cmpint (lh_test_query_pager_integer (pager, N_ROWS - 1, 0), ==, 1);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (pager), N_ROWS));

  /* Other columns and kinds come through as they are. */
  {
    const LhValue *name = lh_query_pager_get_value (pager, N_ROWS - 1, 1);
    const LhValue *half = lh_query_pager_get_value (pager, N_ROWS - 1, 2);
    const LhValue *raw = lh_query_pager_get_value (pager, N_ROWS - 3, 3);

    g_assert_cmpstr (name->v.text.data, ==, "row 1");
    g_assert_cmpfloat (half->v.real, ==, 0.5);
    g_assert_cmpint (raw->kind, ==, LH_VALUE_BLOB);
    g_assert_cmpuint (g_bytes_get_size (raw->v.blob), ==, 2);
  }
}

/* The statement runs again with the same values bound, for reading and for counting. */
static void
test_parameters_kept (Fixture       *fixture,
                      gconstpointer  data)
{
  LhConnection *connection = LH_CONNECTION (fixture->connection);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhResultSet) first = NULL;
  g_autoptr(LhQueryPager) pager = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (params, lh_value_new_integer (20000));
  g_ptr_array_add (params, lh_value_new_text ("row 2%", -1));
  lh_connection_execute_async (connection,
                               "SELECT id FROM t WHERE id > ? AND name LIKE ? ORDER BY id",
                               params, 100, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  first = lh_connection_execute_finish (connection, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lh_result_set_get_cursor (first));
  pager = lh_query_pager_new (first);

  /* ids 20001 … 29999: 9999 rows, all starting with "row 2". */
  lh_test_query_pager_wait_counted (pager);
  g_assert_cmpint (lh_query_pager_get_row_count (pager), ==, 9999);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 5000, 0), ==, 25001);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 100, 0), ==, 20101);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 9998, 0), ==, 29999);
}

static void
test_small_results_are_whole (Fixture       *fixture,
                              gconstpointer  data)
{
  LhConnection *connection = LH_CONNECTION (fixture->connection);
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) small = NULL;
  g_autoptr(LhResultSet) exact = NULL;
  g_autoptr(LhResultSet) returning = NULL;
  g_autoptr(LhResultSet) count = NULL;
  g_autoptr(LhQueryPager) pager = NULL;

  small = lh_test_execute_limited (connection, "SELECT * FROM t LIMIT 10", 1000, &error);
  g_assert_no_error (error);
  g_assert_null (lh_result_set_get_cursor (small));
  pager = lh_query_pager_new (small);
  g_assert_false (lh_query_pager_get_paged (pager));
  g_assert_false (lh_query_pager_get_counting (pager));
  g_assert_cmpint (lh_query_pager_get_row_count (pager), ==, 10);

  exact = lh_test_execute_limited (connection, "SELECT * FROM t LIMIT 1000", 1000, &error);
  g_assert_no_error (error);
  g_assert_null (lh_result_set_get_cursor (exact));
  g_assert_false (lh_result_set_get_truncated (exact));

  /* A statement that writes is never run again: its extra rows are cut, not paged. */
  returning = lh_test_execute_limited (connection,
                                       "UPDATE t SET name = name || '!' RETURNING id", 1000,
                                       &error);
  g_assert_no_error (error);
  g_assert_null (lh_result_set_get_cursor (returning));
  g_assert_true (lh_result_set_get_truncated (returning));
  count = lh_test_execute (connection, "SELECT count(*) FROM t WHERE name LIKE '%!' "
                           "AND name NOT LIKE '%!!'", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_value (count, 0, 0)->v.integer, ==, N_ROWS);
}

/* The kept statement is reset before anything else runs: a DROP of the table it reads
 * works (it would fail with "database table is locked" otherwise), and reading on after
 * it says why it cannot. */
static void
test_drop_while_paged (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LhQueryPager) pager = run_paged (fixture, "SELECT * FROM t");
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) dropped = NULL;

  lh_test_query_pager_wait_counted (pager);
  g_assert_cmpint (lh_test_query_pager_integer (pager, 1500, 0), ==, 1501);
  dropped = lh_test_execute (LH_CONNECTION (fixture->connection), "DROP TABLE t", NULL, NULL,
                             &error);
  g_assert_no_error (error);

  lh_test_query_pager_wait_row (pager, 5000);
  g_assert_nonnull (lh_query_pager_get_error (pager));
  g_assert_nonnull (strstr (lh_query_pager_get_error (pager)->message, "no such table"));
}

static gboolean
elapsed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

/* A statement kept mid-way holds a read lock; once the connection has been idle a moment
 * it lets go, and another program (without any busy timeout) can write. */
static void
test_idle_cursor_lets_writers_in (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(LhQueryPager) pager = run_paged (fixture, "SELECT * FROM t");
  g_autoptr(LhLocalConnection) other = NULL;
  g_autoptr(LhResultSet) written = NULL;
  g_autoptr(GError) error = NULL;
  gint64 until;

  other = lh_test_open (fixture->path, LH_LOCAL_OPEN_NONE, 0, &error);
  g_assert_no_error (error);
  lh_test_query_pager_wait_counted (pager);
  /* The statement is left on row 1200. */
  g_assert_cmpint (lh_test_query_pager_integer (pager, 1200, 0), ==, 1201);

  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  lh_test_wait_until (elapsed, &until, 5000);
  written = lh_test_execute (LH_CONNECTION (other), "INSERT INTO t (name) VALUES ('late')",
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lh_result_set_get_changes (written), ==, 1);

  /* Reading on runs the statement again, and sees the table as it is now. */
  g_assert_cmpint (lh_test_query_pager_integer (pager, 2500, 0), ==, 2501);
}

/* read_async() walks every row in order, past the page cache. */
static void
test_read_everything (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(LhQueryPager) pager = run_paged (fixture, "SELECT id FROM t");
  guint64 next = 0;

  lh_query_pager_stop (pager);
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(LhResultSet) rows = NULL;
      g_autoptr(GError) error = NULL;

      lh_query_pager_read_async (pager, next, 4096, NULL, lh_test_store_result_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      rows = lh_query_pager_read_finish (pager, result, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
        g_assert_cmpint (lh_result_set_get_value (rows, i, 0)->v.integer, ==, next + i + 1);
      next += lh_result_set_get_n_rows (rows);
      if (lh_result_set_get_n_rows (rows) < 4096)
        break;
    }
  g_assert_cmpuint (next, ==, N_ROWS);
  g_assert_cmpuint (lh_query_pager_get_n_cached_pages (pager), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/query-pager/rows-in-any-order", test_rows_in_any_order);
  ADD ("/query-pager/parameters-kept", test_parameters_kept);
  ADD ("/query-pager/small-results-are-whole", test_small_results_are_whole);
  ADD ("/query-pager/drop-while-paged", test_drop_while_paged);
  ADD ("/query-pager/idle-cursor-lets-writers-in", test_idle_cursor_lets_writers_in);
  ADD ("/query-pager/read-everything", test_read_everything);

#undef ADD

  return g_test_run ();
}
