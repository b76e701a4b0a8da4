/* bench-table-pager.c — the data grid's benchmark: LhTablePager on an LhLocalConnection
 * over the `tasks` table of the benchmark database. `bench-table-pager FIGURE DB` measures
 * one figure in a process of its own (so that each starts with empty caches and its peak
 * memory is its own) and prints its value alone on a line: first-page (ms from apply to
 * row 0 loaded), last-page (ms from apply, through the row count, to the last row loaded),
 * middle-page (the same for the middle row of tasks sorted by updated_at descending and
 * filtered on priority > 2) and memory (VmHWM in MB after visiting the start of every
 * page in order, each loaded before the next), sorted-deep-pages (the median ms of 50 steps
 * back one page at a time from the last page of tasks sorted by updated_at descending,
 * each page loaded before the next step) and sorted-deep-pages-nullable (the same sorted
 * by the column given after DB, which must be nullable and should have an index).
 * `bench-table-pager peer CMD…` runs the peer
 * (the sqlite3 CLI) with its output thrown away and prints its wall time in ms and its
 * peak resident memory in MB, so that both sides are timed by the same clock. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lh-bench-util.h"
#include "lh-core.h"

#define TABLE         "tasks"
#define SORT_COLUMN   "updated_at"
#define FILTER_COLUMN "priority"
#define FILTER_ABOVE  2
#define N_DEEP_STEPS  50

/* The column sorted-deep-pages sorts by: SORT_COLUMN, or the one named after DB. */
static const char *deep_sort_column = SORT_COLUMN;

typedef double (*MeasureFunc) (LhTablePager *pager);

static LhTablePager *
open_pager (const char *path,
            const char *table)
{
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  LhSchemaObject *object;

  lh_local_connection_open_async (path, LH_LOCAL_OPEN_READ_ONLY,
                                  LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS, NULL,
                                  lh_bench_store_result_cb, &opened);
  connection = lh_local_connection_open_finish (lh_bench_wait_for_result (&opened), &error);
  if (connection == NULL)
    lh_bench_die ("%s", error->message);

  lh_schema_load_async (LH_CONNECTION (connection), NULL, lh_bench_store_result_cb, &loaded);
  schema = lh_schema_load_finish (lh_bench_wait_for_result (&loaded), &error);
  if (schema == NULL)
    lh_bench_die ("%s", error->message);

  object = lh_schema_lookup (schema, table);
  if (object == NULL)
    lh_bench_die ("%s has no table %s", path, table);
  return lh_table_pager_new (LH_CONNECTION (connection), object);
}

static guint
find_column (LhTablePager *pager,
             const char   *name)
{
  for (guint i = 0; i < lh_table_pager_get_n_columns (pager); i++)
    if (g_str_equal (lh_table_pager_get_column_name (pager, i), name))
      return i;
  lh_bench_die ("table %s has no column %s", TABLE, name);
}

/* One turn of the main loop, or the end of the program if the pager failed or stopped
 * with nothing under way. */
static void
iterate (LhTablePager *pager,
         const char   *waiting_for)
{
  const GError *error = lh_table_pager_get_error (pager);

  if (error != NULL)
    lh_bench_die ("%s", error->message);
  if (!lh_table_pager_get_loading (pager))
    lh_bench_die ("the pager stopped before %s", waiting_for);
  g_main_context_iteration (NULL, TRUE);
}

static void
wait_for_count (LhTablePager *pager)
{
  while (lh_table_pager_get_row_count (pager) < 0)
    iterate (pager, "the row count");
}

/* Asks for the row as a list widget would, then waits for its page. Until the first page
 * arrives the pager has no items to ask for, but apply() has asked for that page already. */
static void
load_row (LhTablePager *pager,
          guint         position)
{
  if (position < g_list_model_get_n_items (G_LIST_MODEL (pager)))
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (pager), position));
  while (!lh_table_pager_is_loaded (pager, position))
    iterate (pager, "the row was loaded");
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
measure_first_page (LhTablePager *pager)
{
  gint64 start = g_get_monotonic_time ();

  lh_table_pager_apply (pager);
  load_row (pager, 0);
  return ms_since (start);
}

static double
measure_last_page (LhTablePager *pager)
{
  gint64 start = g_get_monotonic_time ();

  lh_table_pager_apply (pager);
  wait_for_count (pager);
  load_row (pager, g_list_model_get_n_items (G_LIST_MODEL (pager)) - 1);
  return ms_since (start);
}

static double
measure_middle_page (LhTablePager *pager)
{
  g_autoptr(LhValue) above = lh_value_new_integer (FILTER_ABOVE);
  g_autoptr(LhPagerRow) row = NULL;
  gint64 start;
  double elapsed;
  guint middle;

  lh_table_pager_set_sort (pager, (int) find_column (pager, SORT_COLUMN), TRUE);
  lh_table_pager_add_filter (pager, find_column (pager, FILTER_COLUMN), LH_FILTER_GREATER, above);

  start = g_get_monotonic_time ();
  lh_table_pager_apply (pager);
  wait_for_count (pager);
  middle = g_list_model_get_n_items (G_LIST_MODEL (pager)) / 2;
  middle -= middle % LH_TABLE_PAGER_PAGE_SIZE;
  load_row (pager, middle);
  elapsed = ms_since (start);

  row = g_list_model_get_item (G_LIST_MODEL (pager), middle);
  g_printerr ("middle-page: %" G_GINT64_FORMAT " rows, page at %u, its first id %"
              G_GINT64_FORMAT "\n", lh_table_pager_get_row_count (pager), middle,
              lh_pager_row_get_key_value (row, 0)->v.integer);
  return elapsed;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* A user who jumped to the end of a long sorted view and scrolls back up: each step
 * reads the page before the one loaded last, whose first row is the nearest anchor, so
 * the figure is what one keyset read costs that deep in the sort order. */
static double
measure_sorted_deep_pages (LhTablePager *pager)
{
  g_autofree double *steps = g_new (double, N_DEEP_STEPS);
  g_autoptr(LhPagerRow) row = NULL;
  gint64 start = g_get_monotonic_time ();
  double to_last, median;
  guint n_items, last, deepest, column;

  column = find_column (pager, deep_sort_column);
  lh_table_pager_set_sort (pager, (int) column, TRUE);
  lh_table_pager_apply (pager);
  wait_for_count (pager);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (pager));
  if (n_items < (N_DEEP_STEPS + 1) * LH_TABLE_PAGER_PAGE_SIZE)
    lh_bench_die ("%u rows are too few for %d steps back from the last page", n_items, N_DEEP_STEPS);
  last = n_items - 1 - (n_items - 1) % LH_TABLE_PAGER_PAGE_SIZE;
  load_row (pager, n_items - 1);
  to_last = ms_since (start);

  for (guint i = 0; i < N_DEEP_STEPS; i++)
    {
      gint64 step = g_get_monotonic_time ();

      load_row (pager, last - (i + 1) * LH_TABLE_PAGER_PAGE_SIZE);
      steps[i] = ms_since (step);
    }
  qsort (steps, N_DEEP_STEPS, sizeof *steps, compare_doubles);
  median = (steps[(N_DEEP_STEPS - 1) / 2] + steps[N_DEEP_STEPS / 2]) / 2;

  deepest = last - N_DEEP_STEPS * LH_TABLE_PAGER_PAGE_SIZE;
  load_row (pager, deepest);
  row = g_list_model_get_item (G_LIST_MODEL (pager), deepest);
  g_printerr ("sorted-deep-pages: by %s%s descending, %u rows, %.1f ms from apply to the "
              "last page; %d steps back from row %u: min %.2f, median %.2f, max %.2f ms; "
              "the last page read is at %u, its first id %" G_GINT64_FORMAT "\n",
              deep_sort_column,
              lh_schema_column_get_not_null (lh_table_pager_get_column (pager, column))
                ? " (NOT NULL)" : " (nullable)",
              n_items, to_last, N_DEEP_STEPS, last, steps[0], median, steps[N_DEEP_STEPS - 1],
              deepest, lh_pager_row_get_key_value (row, 0)->v.integer);
  return median;
}

static double
measure_memory (LhTablePager *pager)
{
  gint64 start = g_get_monotonic_time ();
  guint n_items;

  lh_table_pager_apply (pager);
  wait_for_count (pager);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (pager));
  for (guint position = 0; position < n_items; position += LH_TABLE_PAGER_PAGE_SIZE)
    load_row (pager, position);
  g_printerr ("memory: %u pages visited in %.1f s, %u cached\n",
              (n_items + LH_TABLE_PAGER_PAGE_SIZE - 1) / LH_TABLE_PAGER_PAGE_SIZE,
              ms_since (start) / 1000.0, lh_table_pager_get_n_cached_pages (pager));
  return lh_bench_peak_memory_mb ();
}

/* The peer's figure: its wall time, from spawn to exit, and its peak resident memory
 * (it is this process's only child, so the children's maximum is its own). */
static int
run_peer (char **argv)
{
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  int status;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    lh_bench_die ("%s: %s", argv[0], error->message);
  elapsed = ms_since (start);
  if (getrusage (RUSAGE_CHILDREN, &usage) != 0)
    lh_bench_die ("getrusage: %s", g_strerror (errno));
  g_print ("%.3f %.1f\n", elapsed, usage.ru_maxrss / 1024.0);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  static const struct
  {
    const char  *name;
    MeasureFunc  measure;
  } figures[] = {
    { "first-page", measure_first_page },
    { "last-page", measure_last_page },
    { "middle-page", measure_middle_page },
    { "memory", measure_memory },
    { "sorted-deep-pages", measure_sorted_deep_pages },
    { "sorted-deep-pages-nullable", measure_sorted_deep_pages },
  };
  gboolean nullable = argc >= 2 && g_str_equal (argv[1], "sorted-deep-pages-nullable");

  g_set_prgname ("bench-table-pager");
  if (argc >= 3 && g_str_equal (argv[1], "peer"))
    return run_peer (argv + 2);

  for (guint i = 0; argc == (nullable ? 4 : 3) && i < G_N_ELEMENTS (figures); i++)
    if (g_str_equal (argv[1], figures[i].name))
      {
        g_autoptr(LhTablePager) pager = open_pager (argv[2], TABLE);

        if (nullable)
          {
            deep_sort_column = argv[3];
            if (lh_schema_column_get_not_null (lh_table_pager_get_column (
                  pager, find_column (pager, deep_sort_column))))
              lh_bench_die ("%s is NOT NULL: sorted-deep-pages-nullable needs a nullable column",
                   deep_sort_column);
          }
        g_print ("%.3f\n", figures[i].measure (pager));
        lh_table_pager_stop (pager);
        return 0;
      }

  g_printerr ("usage: bench-table-pager first-page|last-page|middle-page|memory|"
              "sorted-deep-pages DB\n"
              "       bench-table-pager sorted-deep-pages-nullable DB COLUMN\n"
              "       bench-table-pager peer COMMAND [ARGUMENT…]\n");
  return 2;
}
