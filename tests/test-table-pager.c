/* test-table-pager.c — LhTablePager gives the same row at every position as a plain
 * ORDER BY … LIMIT 1 OFFSET n would, whichever way it got there (from the start, from the
 * end, from an anchor before or after), with sorts that have NULLs and ties in both
 * directions, with filters, on rowid tables, WITHOUT ROWID tables, views and tables with
 * hostile names; its cache stays bounded however many pages are visited. */
#include "config.h"

#include "lh-test-util.h"

typedef struct
{
  char              *dir;
  char              *path;
  LhLocalConnection *connection;
} Fixture;

#define ITEMS_SQL \
  "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score INTEGER, note TEXT);" \
  "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 5000) " \
  "INSERT INTO items SELECT n * 3, 'item ' || n, " \
  "  CASE WHEN n % 7 = 0 THEN NULL ELSE (n * 37) % 101 END, " \
  "  CASE WHEN n % 2 = 0 THEN 'even' END FROM seq;" \
  "CREATE VIEW good_items AS SELECT name, score FROM items WHERE score > 50;" \
  "CREATE TABLE kv (ns TEXT, k TEXT, v, PRIMARY KEY (ns, k)) WITHOUT ROWID;" \
  "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000) " \
  "INSERT INTO kv SELECT 'ns' || (n % 4), printf('key-%05d', n), " \
  "  CASE WHEN n % 5 = 0 THEN NULL ELSE n % 13 END FROM seq;"

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "pager.db", NULL);
  lh_test_make_db (fixture->path, data != NULL ? data : ITEMS_SQL);
  fixture->connection = lh_test_open (fixture->path, LH_LOCAL_OPEN_NONE, 500, &error);
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

/* The first column of every row of sql, as display strings. */
static GPtrArray *
reference (Fixture    *fixture,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) result = lh_test_execute (LH_CONNECTION (fixture->connection), sql,
                                                   NULL, NULL, &error);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < lh_result_set_get_n_rows (result); i++)
    g_ptr_array_add (values, lh_value_to_display_string (lh_result_set_get_value (result, i, 0), 0));
  return values;
}

static char *
row_text (LhTablePager *pager,
          guint         position,
          guint         column)
{
  g_autoptr(LhPagerRow) row = lh_test_pager_row (pager, position);

  return lh_value_to_display_string (lh_pager_row_get_value (row, column), 0);
}

/* Visits positions in an order that makes the pager use every way of getting there,
 * and checks each against the reference list. */
static void
check_positions (LhTablePager *pager,
                 GPtrArray    *expected,
                 guint         column)
{
  guint n = expected->len;
  guint jumps[] = { 0, n - 1, n / 2, n / 2 - 1, n / 2 + 200, n / 2 - 201, 1234, n - 201,
                    n - 200, 199, 200, 4000, 3999, 401, 2 };

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, n);
  g_assert_cmpint (lh_table_pager_get_row_count (pager), ==, n);
  for (guint i = 0; i < G_N_ELEMENTS (jumps); i++)
    {
      g_autofree char *text = NULL;

      if (jumps[i] >= n)
        continue;
      text = row_text (pager, jumps[i], column);
      g_assert_cmpstr (text, ==, g_ptr_array_index (expected, jumps[i]));
    }
  /* Every page, from the end backwards, checking both ends of each. */
  for (guint page = (n - 1) / LH_TABLE_PAGER_PAGE_SIZE + 1; page > 0; page--)
    {
      guint first = (page - 1) * LH_TABLE_PAGER_PAGE_SIZE;
      guint last = MIN (first + LH_TABLE_PAGER_PAGE_SIZE - 1, n - 1);
      g_autofree char *a = row_text (pager, first, column);
      g_autofree char *b = row_text (pager, last, column);

      g_assert_cmpstr (a, ==, g_ptr_array_index (expected, first));
      g_assert_cmpstr (b, ==, g_ptr_array_index (expected, last));
    }
}

static void
test_rowid_order (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "items");
  g_autoptr(GPtrArray) expected = reference (fixture, "SELECT id FROM items ORDER BY id");
  g_autoptr(LhPagerRow) first = lh_test_pager_row (pager, 0);

  g_assert_true (lh_table_pager_get_keyed (pager));
  g_assert_cmpuint (lh_table_pager_get_n_columns (pager), ==, 4);
  g_assert_cmpstr (lh_table_pager_get_column_name (pager, 2), ==, "score");
  g_assert_cmpuint (lh_pager_row_get_n_key_values (first), ==, 1);
  g_assert_cmpint (lh_pager_row_get_key_value (first, 0)->v.integer, ==, 3);
  check_positions (pager, expected, 0);
}

static void
test_sorted (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "items");
  g_autoptr(GPtrArray) ascending = reference (fixture, "SELECT id FROM items ORDER BY score, id");
  g_autoptr(GPtrArray) descending = reference (fixture,
                                               "SELECT id FROM items ORDER BY score DESC, id DESC");

  lh_table_pager_set_sort (pager, 2, FALSE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  check_positions (pager, ascending, 0);

  lh_table_pager_set_sort (pager, 2, TRUE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  check_positions (pager, descending, 0);

  /* A text column with NULLs in half the rows. */
  {
    g_autoptr(GPtrArray) by_note = reference (fixture,
                                              "SELECT id FROM items ORDER BY note DESC, id DESC");

    lh_table_pager_set_sort (pager, 3, TRUE);
    lh_table_pager_apply (pager);
    lh_test_pager_wait (pager);
    check_positions (pager, by_note, 0);
  }
}

static void
test_filtered (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "items");
  g_autoptr(GPtrArray) expected = reference (fixture,
                                             "SELECT id FROM items WHERE score > 20 AND name LIKE "
                                             "'item 1%' ORDER BY score DESC, id DESC");
  g_autoptr(GPtrArray) nulls = reference (fixture,
                                          "SELECT id FROM items WHERE score IS NULL ORDER BY id");
  g_autoptr(LhValue) twenty = lh_value_new_text ("20", -1);
  g_autoptr(LhValue) pattern = lh_value_new_text ("item 1%", -1);

  lh_table_pager_add_filter (pager, 2, LH_FILTER_GREATER, twenty);
  lh_table_pager_add_filter (pager, 1, LH_FILTER_LIKE, pattern);
  lh_table_pager_set_sort (pager, 2, TRUE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  g_assert_cmpuint (lh_table_pager_get_n_filters (pager), ==, 2);
  check_positions (pager, expected, 0);

  lh_table_pager_clear_filters (pager);
  lh_table_pager_add_filter (pager, 2, LH_FILTER_IS_NULL, NULL);
  lh_table_pager_set_sort (pager, -1, FALSE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  check_positions (pager, nulls, 0);
}

static void
test_without_rowid (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "kv");
  g_autoptr(GPtrArray) by_key = reference (fixture, "SELECT k FROM kv ORDER BY ns, k");
  g_autoptr(GPtrArray) by_value = reference (fixture, "SELECT k FROM kv ORDER BY v DESC, ns DESC, k DESC");

  g_assert_cmpuint (lh_table_pager_get_n_key_columns (pager), ==, 2);
  g_assert_cmpstr (lh_table_pager_get_key_column (pager, 0), ==, "ns");
  check_positions (pager, by_key, 1);

  lh_table_pager_set_sort (pager, 2, TRUE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  check_positions (pager, by_value, 1);
}

static void
test_view (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection),
                                                     "good_items");
  g_autoptr(GPtrArray) natural = reference (fixture, "SELECT name FROM good_items");
  g_autoptr(GPtrArray) sorted = reference (fixture,
                                          "SELECT name FROM good_items ORDER BY score DESC, name, score");

  g_assert_false (lh_table_pager_get_keyed (pager));
  check_positions (pager, natural, 0);

  lh_table_pager_set_sort (pager, 1, TRUE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  check_positions (pager, sorted, 0);
}

static void
test_bounded_cache (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = NULL;
  guint n;

  lh_test_make_db (fixture->path,
                   "CREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT);"
                   "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq "
                   "WHERE n < 30000) INSERT INTO big SELECT n, hex(randomblob(16)) FROM seq;");
  pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "big");
  n = g_list_model_get_n_items (G_LIST_MODEL (pager));
  g_assert_cmpuint (n, ==, 30000);
  for (guint position = 0; position < n; position += LH_TABLE_PAGER_PAGE_SIZE)
    {
      g_autoptr(LhPagerRow) row = lh_test_pager_row (pager, position);

      g_assert_cmpint (lh_pager_row_get_key_value (row, 0)->v.integer, ==, position + 1);
      g_assert_cmpuint (lh_table_pager_get_n_cached_pages (pager), <=, 40);
    }
  g_assert_cmpuint (lh_table_pager_get_n_cached_pages (pager), ==, 40);
}

static void
test_hostile_names (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = NULL;
  g_autoptr(LhValue) pick = lh_value_new_text ("x\"y", -1);
  g_autoptr(LhPagerRow) row = NULL;
  g_autofree char *text = NULL;

  lh_test_make_db (fixture->path,
                   "CREATE TABLE \"\"\"; DROP TABLE x; --\" (\"rowid\" TEXT, \"a\"\"b\" INTEGER,"
                   " \"select\" TEXT, \"[x]\" TEXT, \"naïve col\" REAL);"
                   "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 700) "
                   "INSERT INTO \"\"\"; DROP TABLE x; --\" SELECT 'r' || n, n % 10, "
                   "  CASE WHEN n % 3 = 0 THEN 'x\"y' ELSE 'z' END, '[' || n || ']', n / 7.0 FROM seq;"
                   "CREATE TABLE x (a);");
  pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "\"; DROP TABLE x; --");

  /* "rowid" is a column here, so the rows are found by _rowid_. */
  g_assert_cmpstr (lh_table_pager_get_key_column (pager, 0), ==, "_rowid_");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, 700);

  lh_table_pager_add_filter (pager, 2, LH_FILTER_EQUAL, pick);
  lh_table_pager_set_sort (pager, 1, TRUE);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  g_assert_null (lh_table_pager_get_error (pager));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, 233);
  row = lh_test_pager_row (pager, 0);
  text = lh_value_to_display_string (lh_pager_row_get_value (row, 1), 0);
  g_assert_cmpstr (text, ==, "9");
  g_clear_pointer (&text, g_free);
  /* Last: the lowest "a""b" (n % 10 = 0), then the lowest rowid: n = 30. */
  text = row_text (pager, 232, 3);
  g_assert_cmpstr (text, ==, "[30]");

  /* The table x that the name would drop, were it spliced into SQL, is still there. */
  {
    g_autoptr(GPtrArray) tables = reference (fixture, "SELECT count(*) FROM sqlite_master WHERE name = 'x'");

    g_assert_cmpstr (g_ptr_array_index (tables, 0), ==, "1");
  }
}

static void
test_refresh_keeps_rows (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "items");
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) result = NULL;
  g_autofree char *text = NULL;

  result = lh_test_execute (LH_CONNECTION (fixture->connection),
                            "INSERT INTO items (id, name) VALUES (1, 'first')", NULL, NULL, &error);
  g_assert_no_error (error);
  lh_table_pager_refresh (pager);
  lh_test_pager_wait (pager);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, 5001);
  text = row_text (pager, 0, 1);
  g_assert_cmpstr (text, ==, "first");
}

/* Rowids 1…N put row p at rowid p + 1: every page is one seek. After a deletion they are
 * no longer dense, and positions must still be right. */
static void
test_dense_rowids (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;

  lh_test_make_db (fixture->path,
                   "CREATE TABLE d (id INTEGER PRIMARY KEY, label TEXT);"
                   "WITH RECURSIVE seq(n) AS (SELECT 101 UNION ALL SELECT n + 1 FROM seq "
                   "WHERE n < 5100) INSERT INTO d SELECT n, 'row ' || n FROM seq;");
  pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "d");
  expected = reference (fixture, "SELECT label FROM d ORDER BY id");
  check_positions (pager, expected, 1);

  result = lh_test_execute (LH_CONNECTION (fixture->connection),
                            "DELETE FROM d WHERE id IN (150, 2600, 4999)", NULL, NULL, &error);
  g_assert_no_error (error);
  lh_table_pager_refresh (pager);
  lh_test_pager_wait (pager);
  g_clear_pointer (&expected, g_ptr_array_unref);
  expected = reference (fixture, "SELECT label FROM d ORDER BY id");
  check_positions (pager, expected, 1);
}

static void
test_broken_view (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(LhTablePager) pager = NULL;
  LhSchemaObject *view;

  lh_test_make_db (fixture->path, "CREATE TABLE gone (a); CREATE VIEW orphan AS SELECT a FROM gone;"
                                  "DROP TABLE gone;");
  schema = lh_test_load_schema (LH_CONNECTION (fixture->connection));
  view = lh_schema_lookup (schema, "orphan");
  g_assert_nonnull (view);
  g_assert_nonnull (lh_schema_object_get_columns_error (view));
  g_assert_nonnull (strstr (lh_schema_object_get_columns_error (view), "gone"));

  pager = lh_table_pager_new (LH_CONNECTION (fixture->connection), view);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  g_assert_nonnull (lh_table_pager_get_error (pager));
  g_assert_nonnull (strstr (lh_table_pager_get_error (pager)->message, "gone"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func, sql) \
  g_test_add ("/table-pager/" name, Fixture, sql, fixture_set_up, func, fixture_tear_down)

  ADD ("rowid-order", test_rowid_order, NULL);
  ADD ("sorted", test_sorted, NULL);
  ADD ("filtered", test_filtered, NULL);
  ADD ("without-rowid", test_without_rowid, NULL);
  ADD ("view", test_view, NULL);
  ADD ("bounded-cache", test_bounded_cache, "");
  ADD ("hostile-names", test_hostile_names, "");
  ADD ("refresh-keeps-rows", test_refresh_keeps_rows, NULL);
  ADD ("broken-view", test_broken_view, "");
  ADD ("dense-rowids", test_dense_rowids, "");

#undef ADD

  return g_test_run ();
}
