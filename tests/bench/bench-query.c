/* bench-query.c — the SQL editor's core path as a benchmark: `SELECT * FROM tasks` run on
 * an LhLocalConnection over the benchmark database as the editor runs it (the first page
 * read at once, the rest through its cursor), then every row of the result model, an
 * LhQueryPager, read in order as a grid scrolled from top to bottom would read it, while
 * the pager counts. `bench-query query-all-rows DB` runs it once in a process of its own
 * (so that its peak memory is its own) and prints, on one line, the ms from
 * lh_connection_execute_async() to the last row read, and the process's peak resident
 * memory in MB; notes on the run go to standard error. Its peer, the sqlite3 CLI, is run
 * by `bench-table-pager peer`, so that both sides are timed by the same clock. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lh-bench-util.h"
#include "lh-core.h"

#define TABLE "tasks"

static LhConnection *
open_connection (const char *path)
{
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GError) error = NULL;
  LhLocalConnection *connection;

  lh_local_connection_open_async (path, LH_LOCAL_OPEN_READ_ONLY,
                                  LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS, NULL,
                                  lh_bench_store_result_cb, &opened);
  connection = lh_local_connection_open_finish (lh_bench_wait_for_result (&opened), &error);
  if (connection == NULL)
    lh_bench_die ("%s", error->message);
  return LH_CONNECTION (connection);
}

static LhResultSet *
execute (LhConnection *connection,
         const char   *sql,
         guint         max_rows)
{
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  LhResultSet *result;

  lh_connection_execute_async (connection, sql, NULL, max_rows, NULL, lh_bench_store_result_cb,
                               &done);
  result = lh_connection_execute_finish (connection, lh_bench_wait_for_result (&done), &error);
  if (result == NULL)
    lh_bench_die ("%s: %s", sql, error->message);
  return result;
}

/* Every value of the row is there, of a kind SQLite has: the row is materialised. */
static void
check_row (LhQueryPager *pager,
           guint         position,
           guint         n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    {
      const LhValue *value = lh_query_pager_get_value (pager, position, c);

      if (value == NULL || value->kind > LH_VALUE_BLOB)
        lh_bench_die ("row %u, column %u was not read", position, c);
    }
}

/* Reads every row in order: asks for the page of the first row not read yet, as a list
 * widget scrolling down does, and waits for it; stops at the end of the count. */
static guint
read_all_rows (LhQueryPager *pager)
{
  GMainContext *context = g_main_context_default ();
  guint n_columns = lh_query_pager_get_n_columns (pager);
  guint position = 0;

  for (;;)
    {
      guint n_items = g_list_model_get_n_items (G_LIST_MODEL (pager));

      if (lh_query_pager_get_error (pager) != NULL)
        lh_bench_die ("%s", lh_query_pager_get_error (pager)->message);
      if (position < n_items && lh_query_pager_is_loaded (pager, position))
        {
          check_row (pager, position, n_columns);
          position++;
          continue;
        }
      if (position >= n_items && lh_query_pager_get_row_count (pager) >= 0)
        return position;
      lh_query_pager_request (pager, position);
      g_main_context_iteration (context, TRUE);
    }
}

static int
measure_query_all_rows (const char *path)
{
  g_autoptr(LhConnection) connection = open_connection (path);
  g_autoptr(LhResultSet) first = NULL;
  g_autoptr(LhQueryPager) pager = NULL;
  g_autoptr(LhResultSet) count = NULL;
  gint64 start, expected;
  double elapsed, first_ms, peak;
  guint n_rows, n_columns;

  start = g_get_monotonic_time ();
  first = execute (connection, "SELECT * FROM " TABLE, LH_QUERY_PAGER_PAGE_SIZE);
  first_ms = (g_get_monotonic_time () - start) / 1000.0;
  pager = lh_query_pager_new (first);
  n_rows = read_all_rows (pager);
  elapsed = (g_get_monotonic_time () - start) / 1000.0;

  peak = lh_bench_peak_memory_mb ();
  n_columns = lh_query_pager_get_n_columns (pager);
  if (!lh_query_pager_get_paged (pager))
    lh_bench_die ("the result was not paged: %u rows", n_rows);
  g_clear_object (&pager);
  g_clear_object (&first);

  /* Counted afterwards, so that this read warms nothing for the timed one. */
  count = execute (connection, "SELECT count(*) FROM " TABLE, 0);
  expected = lh_result_set_get_value (count, 0, 0)->v.integer;
  if (n_rows != expected)
    lh_bench_die ("%u rows in the result, %" G_GINT64_FORMAT " in %s", n_rows, expected, TABLE);

  g_printerr ("query-all-rows: %u rows of %u columns in %.1f ms, the first page in %.1f ms; "
              "peak %.0f MB\n", n_rows, n_columns, elapsed, first_ms, peak);
  g_print ("%.3f %.1f\n", elapsed, peak);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_set_prgname ("bench-query");
  if (argc == 3 && g_str_equal (argv[1], "query-all-rows"))
    return measure_query_all_rows (argv[2]);

  g_printerr ("usage: bench-query query-all-rows DB\n");
  return 2;
}
