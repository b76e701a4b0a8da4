/* bench-query.c — the SQL editor's core path as a benchmark: `SELECT * FROM tasks` run on
 * an LhLocalConnection over the benchmark database until every row is in the LhResultSet.
 * `bench-query query-all-rows DB` runs it once in a process of its own (so that its peak
 * memory is its own) and prints, on one line, the ms from lh_connection_execute_async() to
 * lh_connection_execute_finish() returning the result, and the process's peak resident
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

/* max_rows 0 keeps every row, as the SQL editor asks when it must show them all. */
static LhResultSet *
execute (LhConnection *connection,
         const char   *sql)
{
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  LhResultSet *result;

  lh_connection_execute_async (connection, sql, NULL, 0, NULL, lh_bench_store_result_cb, &done);
  result = lh_connection_execute_finish (connection, lh_bench_wait_for_result (&done), &error);
  if (result == NULL)
    lh_bench_die ("%s: %s", sql, error->message);
  return result;
}

static int
measure_query_all_rows (const char *path)
{
  g_autoptr(LhConnection) connection = open_connection (path);
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(LhResultSet) count = NULL;
  gint64 start, worker_usec, expected;
  double elapsed, peak;
  guint n_rows, n_columns;

  start = g_get_monotonic_time ();
  rows = execute (connection, "SELECT * FROM " TABLE);
  elapsed = (g_get_monotonic_time () - start) / 1000.0;

  /* Read before the rows are freed, so that the peak is the full result's. */
  peak = lh_bench_peak_memory_mb ();
  n_rows = lh_result_set_get_n_rows (rows);
  n_columns = lh_result_set_get_n_columns (rows);
  worker_usec = lh_result_set_get_elapsed (rows);
  if (lh_result_set_get_truncated (rows))
    lh_bench_die ("the result was truncated at %u rows", n_rows);
  g_clear_object (&rows);

  /* Counted afterwards, so that this read warms nothing for the timed one. */
  count = execute (connection, "SELECT count(*) FROM " TABLE);
  expected = lh_result_set_get_value (count, 0, 0)->v.integer;
  if (n_rows != expected)
    lh_bench_die ("%u rows in the result, %" G_GINT64_FORMAT " in %s", n_rows, expected, TABLE);

  g_printerr ("query-all-rows: %u rows of %u columns in %.1f ms, %.1f ms of it in the "
              "worker's lh_sqlite_execute(); peak %.0f MB\n",
              n_rows, n_columns, elapsed, worker_usec / 1000.0, peak);
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
