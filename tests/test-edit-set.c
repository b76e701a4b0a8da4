/* test-edit-set.c — LhEditSet writes edits, new rows and deletions in one transaction and
 * the file then holds exactly them; a constraint violation, a row changed by someone
 * else, or a lock held by another process writes nothing, keeps the changes pending and
 * names the row. Hostile table and column names and composite keys work; generated
 * columns and views cannot be edited. Also LhConnection's batches. */
#include "config.h"

#include "lh-test-util.h"

typedef struct
{
  char              *dir;
  char              *path;
  LhLocalConnection *connection;
} Fixture;

#define PEOPLE_SQL \
  "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT," \
  "  age INTEGER, photo BLOB, age_next INTEGER GENERATED ALWAYS AS (age + 1));" \
  "INSERT INTO people (id, email, name, age) VALUES (1, 'ada@example.org', 'Ada', 36)," \
  "  (2, 'alan@example.org', 'Alan', 41), (3, 'grace@example.org', 'Grace', 85);" \
  "CREATE VIEW adults AS SELECT * FROM people WHERE age >= 18;"

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "edits.db", NULL);
  lh_test_make_db (fixture->path, data);
  fixture->connection = lh_test_open (fixture->path, LH_LOCAL_OPEN_NONE, 300, &error);
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

static char *
dump (Fixture    *fixture,
      const char *sql)
{
  return lh_test_query_text (fixture->path, sql);
}

static void
set_text (LhEditSet  *edits,
          LhPagerRow *row,
          guint       column,
          const char *text)
{
  g_autoptr(LhValue) value = lh_value_new_text (text, -1);

  lh_edit_set_set_value (edits, row, column, value);
}

static void
set_integer (LhEditSet  *edits,
             LhPagerRow *row,
             guint       column,
             gint64      integer)
{
  g_autoptr(LhValue) value = lh_value_new_integer (integer);

  lh_edit_set_set_value (edits, row, column, value);
}

static void
test_write (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "people");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) ada = lh_test_pager_row (pager, 0);
  g_autoptr(LhPagerRow) alan = lh_test_pager_row (pager, 1);
  g_autoptr(LhValue) null = lh_value_new_null ();
  g_autoptr(GBytes) bytes = g_bytes_new_static ("\x89PNG\0\1", 6);
  g_autoptr(LhValue) blob = lh_value_new_blob (bytes);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump (fixture, "SELECT * FROM people ORDER BY id");
  g_autofree char *after = NULL;
  LhPagerRow *added;

  set_text (edits, ada, 2, "Ada Lovelace");
  lh_edit_set_set_value (edits, ada, 3, null);
  lh_edit_set_set_value (edits, ada, 4, blob);
  lh_edit_set_delete_row (edits, alan);
  added = lh_edit_set_insert_row (edits);
  set_text (edits, added, 1, "edsger@example.org");
  set_integer (edits, added, 3, 72);

  g_assert_true (lh_edit_set_is_changed (edits, ada));
  g_assert_true (lh_edit_set_is_deleted (edits, alan));
  g_assert_cmpuint (lh_edit_set_get_n_changed_rows (edits), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (lh_edit_set_get_inserted_rows (edits)), ==, 1);
  g_assert_cmpstr (lh_edit_set_get_value (edits, ada, 2)->v.text.data, ==, "Ada Lovelace");
  g_assert_null (lh_edit_set_get_value (edits, ada, 1));

  /* Nothing reaches the file before the write. */
  after = dump (fixture, "SELECT * FROM people ORDER BY id");
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);

  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lh_edit_set_get_n_changed_rows (edits), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (lh_edit_set_get_inserted_rows (edits)), ==, 0);

  after = dump (fixture, "SELECT id, email, name, age, hex(photo), age_next FROM people ORDER BY id");
  g_assert_cmpstr (after, ==,
                   "1|ada@example.org|Ada Lovelace|NULL|89504E470001|NULL\n"
                   "3|grace@example.org|Grace|85||86\n"
                   "4|edsger@example.org|NULL|72||73\n");
}

static void
test_constraint_failure (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "people");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) grace = lh_test_pager_row (pager, 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump (fixture, "SELECT * FROM people ORDER BY id");
  g_autofree char *after = NULL;
  LhPagerRow *added;

  set_text (edits, grace, 2, "Grace Hopper");
  added = lh_edit_set_insert_row (edits);
  set_text (edits, added, 1, "ada@example.org");

  g_assert_false (lh_test_apply_edits (edits, &error));
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "new row 1"));
  g_assert_nonnull (strstr (error->message, "UNIQUE constraint failed: people.email"));
  g_assert_nonnull (strstr (error->message, "Nothing was written"));
  g_assert_true (lh_edit_set_get_failed_row (edits) == added);

  /* Grace's edit, before the failing insert in the same transaction, was not written. */
  after = dump (fixture, "SELECT * FROM people ORDER BY id");
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (lh_edit_set_get_n_changed_rows (edits), ==, 2);

  /* Fixed, it goes through. */
  set_text (edits, added, 1, "barbara@example.org");
  g_clear_error (&error);
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = dump (fixture, "SELECT name FROM people WHERE id = 3 OR email LIKE 'barbara%' ORDER BY id");
  g_assert_cmpstr (after, ==, "Grace Hopper\nNULL\n");
}

static void
test_conflict (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "people");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) ada = lh_test_pager_row (pager, 0);
  g_autoptr(LhPagerRow) alan = lh_test_pager_row (pager, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  set_text (edits, ada, 2, "Countess");
  set_text (edits, alan, 2, "Turing");
  /* Someone else deletes Alan meanwhile. */
  lh_test_make_db (fixture->path, "DELETE FROM people WHERE id = 2");

  g_assert_false (lh_test_apply_edits (edits, &error));
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "the row with id 2"));
  after = dump (fixture, "SELECT name FROM people ORDER BY id");
  g_assert_cmpstr (after, ==, "Ada\nGrace\n");
}

static void
test_locked (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "people");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) ada = lh_test_pager_row (pager, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  GSubprocess *locker;

  set_text (edits, ada, 2, "Locked out");
  locker = lh_test_lock_db (fixture->path, "immediate");
  g_assert_false (lh_test_apply_edits (edits, &error));
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "Nothing was written"));
  g_assert_cmpuint (lh_edit_set_get_n_changed_rows (edits), ==, 1);
  lh_test_unlock_db (locker);

  g_clear_error (&error);
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
  after = dump (fixture, "SELECT name FROM people WHERE id = 1");
  g_assert_cmpstr (after, ==, "Locked out\n");
}

static void
test_not_editable (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "people");
  g_autoptr(LhTablePager) view = lh_test_new_pager (LH_CONNECTION (fixture->connection), "adults");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhEditSet) view_edits = lh_edit_set_new (view);

  g_assert_true (lh_edit_set_can_edit_column (edits, 2));
  g_assert_false (lh_edit_set_can_edit_column (edits, 5));   /* generated */
  g_assert_false (lh_edit_set_can_edit_column (view_edits, 0));
}

static void
test_hostile_names (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection),
                                                     "\"; DROP TABLE x; --");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) first = lh_test_pager_row (pager, 0);
  g_autoptr(LhPagerRow) second = lh_test_pager_row (pager, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  LhPagerRow *added;

  set_text (edits, first, 1, "it's \"quoted\"");
  lh_edit_set_delete_row (edits, second);
  added = lh_edit_set_insert_row (edits);
  set_text (edits, added, 0, "k3");
  set_text (edits, added, 2, "[new]");
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);

  after = dump (fixture, "SELECT \"select\", \"a\"\"b\", \"[x]\" FROM \"\"\"; DROP TABLE x; --\""
                         " ORDER BY \"select\"");
  g_assert_cmpstr (after, ==, "k1|it's \"quoted\"|[1]\nk3|NULL|[new]\n");
  g_clear_pointer (&after, g_free);
  after = dump (fixture, "SELECT count(*) FROM x");
  g_assert_cmpstr (after, ==, "0\n");
}

static void
test_composite_key (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "kv");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) row = lh_test_pager_row (pager, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *description = lh_edit_set_describe_row (edits, row);
  g_autofree char *after = NULL;

  g_assert_cmpstr (description, ==, "the row with ns a, k 2");
  set_text (edits, row, 2, "changed");
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
  after = dump (fixture, "SELECT ns, k, v FROM kv ORDER BY ns, k");
  g_assert_cmpstr (after, ==, "a|1|one\na|2|changed\nb|1|three\n");
}

static GPtrArray *
statements (const char *first,
            ...)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  va_list args;

  va_start (args, first);
  for (const char *sql = first; sql != NULL; sql = va_arg (args, const char *))
    g_ptr_array_add (array, lh_batch_statement_new (sql, NULL));
  va_end (args);
  return array;
}

static void
test_batch (Fixture       *fixture,
            gconstpointer  data)
{
  LhConnection *connection = LH_CONNECTION (fixture->connection);
  g_autoptr(GPtrArray) failing = statements ("UPDATE people SET age = 1",
                                             "INSERT INTO people (email) VALUES ('ada@example.org')",
                                             "UPDATE people SET age = 2", NULL);
  g_autoptr(GPtrArray) reads = statements ("SELECT count(*) FROM people", "SELECT 42", NULL);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) result = NULL;
  g_autofree char *after = NULL;

  results = lh_test_batch (connection, failing, LH_BATCH_TRANSACTION, &error);
  g_assert_null (results);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONSTRAINT);
  g_assert_cmpint (lh_connection_error_get_statement_index (error), ==, 1);
  after = dump (fixture, "SELECT group_concat(age) FROM people");
  g_assert_cmpstr (after, ==, "36,41,85\n");
  g_clear_error (&error);

  results = lh_test_batch (connection, reads, LH_BATCH_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (lh_result_set_get_value (g_ptr_array_index (results, 0), 0, 0)->v.integer, ==, 3);

  /* Inside a transaction the user opened, a transactional batch is refused: its changes
   * would go if that transaction were rolled back. The user's own change stays theirs. */
  result = lh_test_execute (connection, "BEGIN", NULL, NULL, &error);
  g_clear_object (&result);
  result = lh_test_execute (connection, "UPDATE people SET name = 'mine'", NULL, NULL, &error);
  g_clear_object (&result);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = lh_test_batch (connection, failing, LH_BATCH_TRANSACTION, &error);
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TRANSACTION_OPEN);
  g_assert_null (results);
  g_clear_error (&error);
  result = lh_test_execute (connection, "COMMIT", NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = dump (fixture, "SELECT group_concat(name || age) FROM people");
  g_assert_cmpstr (after, ==, "mine36,mine41,mine85\n");
}

/* Deleting a row and taking the deletion back leaves nothing to write. */
static void
test_undelete (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "people");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) ada = lh_test_pager_row (pager, 0);
  g_autoptr(GError) error = NULL;

  lh_edit_set_delete_row (edits, ada);
  g_assert_cmpuint (lh_edit_set_get_n_changed_rows (edits), ==, 1);
  lh_edit_set_delete_row (edits, ada);
  g_assert_false (lh_edit_set_is_deleted (edits, ada));
  g_assert_cmpuint (lh_edit_set_get_n_changed_rows (edits), ==, 0);
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
}

typedef struct
{
  LhPagerRow *failed_in_callback;
  gboolean    done;
} FailedData;

static void
apply_failed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FailedData *data = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_false (lh_edit_set_apply_finish (LH_EDIT_SET (source), result, &error));
  data->failed_in_callback = lh_edit_set_get_failed_row (LH_EDIT_SET (source));
  data->done = TRUE;
}

static gboolean
failed_done (gpointer data)
{
  return ((FailedData *) data)->done;
}

/* The row a write failed on is known when the caller hears of the failure. */
static void
test_failed_row_in_callback (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "people");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) grace = lh_test_pager_row (pager, 2);
  FailedData failed = { NULL, FALSE };

  set_text (edits, grace, 1, "ada@example.org");
  lh_edit_set_apply_async (edits, NULL, apply_failed_cb, &failed);
  g_assert_true (lh_test_wait_until (failed_done, &failed, 10000));
  g_assert_nonnull (failed.failed_in_callback);
  g_assert_cmpint (lh_pager_row_get_key_value (failed.failed_in_callback, 0)->v.integer, ==, 3);
}

/* Keys that differ only after a NUL byte are two rows, not one. */
static void
test_nul_in_key (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(LhTablePager) pager = lh_test_new_pager (LH_CONNECTION (fixture->connection), "k");
  g_autoptr(LhEditSet) edits = lh_edit_set_new (pager);
  g_autoptr(LhPagerRow) first = lh_test_pager_row (pager, 0);
  g_autoptr(LhPagerRow) second = lh_test_pager_row (pager, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  set_text (edits, first, 1, "first");
  set_text (edits, second, 1, "second");
  g_assert_cmpuint (lh_edit_set_get_n_changed_rows (edits), ==, 2);
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
  after = dump (fixture, "SELECT hex(id), v FROM k ORDER BY id");
  g_assert_cmpstr (after, ==, "610062|first\n610063|second\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func, sql) \
  g_test_add ("/edit-set/" name, Fixture, sql, fixture_set_up, func, fixture_tear_down)

  ADD ("write", test_write, PEOPLE_SQL);
  ADD ("constraint-failure", test_constraint_failure, PEOPLE_SQL);
  ADD ("conflict", test_conflict, PEOPLE_SQL);
  ADD ("locked", test_locked, PEOPLE_SQL);
  ADD ("not-editable", test_not_editable, PEOPLE_SQL);
  ADD ("hostile-names", test_hostile_names,
       "CREATE TABLE \"\"\"; DROP TABLE x; --\" (\"select\" TEXT PRIMARY KEY, \"a\"\"b\" TEXT,"
       " \"[x]\" TEXT) WITHOUT ROWID;"
       "INSERT INTO \"\"\"; DROP TABLE x; --\" VALUES ('k1', 'one', '[1]'), ('k2', 'two', '[2]');"
       "CREATE TABLE x (a);");
  ADD ("composite-key", test_composite_key,
       "CREATE TABLE kv (ns TEXT, k INTEGER, v TEXT, PRIMARY KEY (ns, k)) WITHOUT ROWID;"
       "INSERT INTO kv VALUES ('a', 1, 'one'), ('a', 2, 'two'), ('b', 1, 'three');");
  ADD ("batch", test_batch, PEOPLE_SQL);
  ADD ("undelete", test_undelete, PEOPLE_SQL);
  ADD ("failed-row-in-callback", test_failed_row_in_callback, PEOPLE_SQL);
  ADD ("nul-in-key", test_nul_in_key,
       "CREATE TABLE k (id TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;"
       "INSERT INTO k VALUES (CAST(X'610062' AS TEXT), 'x'), (CAST(X'610063' AS TEXT), 'y');");

#undef ADD

  return g_test_run ();
}
