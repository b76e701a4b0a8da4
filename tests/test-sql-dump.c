/* test-sql-dump.c — SQL dumps of a local database: written through its connection, loaded
 * into a new file and into another database, compared value for value (awkward names and
 * values, WITHOUT ROWID, generated columns, AUTOINCREMENT, an FTS5 table, indexes, views,
 * triggers, more rows than a page); a failing statement names its line and changes nothing;
 * gzip dumps load; a cancel stops. The same against libSQL is in test-remote-backup.c. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-test-util.h"

#define SOURCE_SQL \
  "PRAGMA foreign_keys = ON;" \
  "CREATE TABLE \"we\"\"ird ta'ble\" (id INTEGER PRIMARY KEY AUTOINCREMENT, \"sp ace\" TEXT," \
  " r REAL, b BLOB, n, big INTEGER);" \
  "INSERT INTO \"we\"\"ird ta'ble\" (\"sp ace\", r, b, n, big) VALUES" \
  " ('it''s\nmulti\r\nline; -- not a comment', 0.1, x'00ff10', NULL, 9223372036854775807)," \
  " ('ünïcödé ☃', 1e308, x'', 3.5, -9223372036854775808)," \
  " ('', -0.0, NULL, 'text', 0);" \
  "CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID;" \
  "INSERT INTO kv VALUES ('b', 2), ('a', 'one'), ('c', x'01');" \
  "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);" \
  "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id)," \
  " total INTEGER GENERATED ALWAYS AS (id * 2) STORED, half REAL AS (id / 2.0));" \
  "INSERT INTO parent (name) VALUES ('p1'), ('p2');" \
  "INSERT INTO child (parent_id) VALUES (2), (1), (2);" \
  "CREATE TABLE odd (rowid TEXT, oid TEXT, x);" \
  "INSERT INTO odd VALUES ('r', 'o', 1), ('r2', 'o2', 2);" \
  "CREATE TABLE many (id INTEGER PRIMARY KEY, v TEXT);" \
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)" \
  " INSERT INTO many SELECT i * 3, 'row ' || i FROM n;" \
  "CREATE INDEX child_parent ON child (parent_id);" \
  "CREATE VIEW child_names AS SELECT child.id, parent.name FROM child JOIN parent ON parent.id = child.parent_id;" \
  "CREATE TRIGGER parent_rename AFTER UPDATE OF name ON parent BEGIN" \
  " INSERT INTO kv VALUES ('renamed ' || new.name, old.name); END;"

#define FTS_SQL \
  "CREATE VIRTUAL TABLE docs USING fts5 (title, body);" \
  "INSERT INTO docs (rowid, title, body) VALUES (7, 'lighthouse', 'a tall tower by the sea')," \
  " (9, 'harbour', 'boats come in');"

typedef struct
{
  char *dir;
  char *source;
  char *dump;
  char *copy;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->source = g_build_filename (fixture->dir, "source.db", NULL);
  fixture->dump = g_build_filename (fixture->dir, "dump.sql", NULL);
  fixture->copy = g_build_filename (fixture->dir, "copy.db", NULL);
  lh_test_make_db (fixture->source, SOURCE_SQL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->source);
  g_free (fixture->dump);
  g_free (fixture->copy);
  g_free (fixture->dir);
}

static LhConnection *
open_db (const char *path)
{
  g_autoptr(GError) error = NULL;
  LhLocalConnection *connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 0, &error);

  g_assert_no_error (error);
  return LH_CONNECTION (connection);
}

static void
count_progress_cb (goffset  current,
                   goffset  total,
                   gpointer data)
{
  goffset *last = data;

  g_assert_cmpint (current, <=, total);
  g_assert_cmpint (current, >=, *last);
  *last = current;
}

static gboolean
write_dump (const char    *database,
            const char    *dump,
            GCancellable  *cancellable,
            goffset       *rows,
            GError       **error)
{
  g_autoptr(LhConnection) connection = open_db (database);
  g_autoptr(GAsyncResult) result = NULL;
  goffset last = 0;
  gboolean ok;

  lh_sql_dump_write_async (connection, dump, cancellable, count_progress_cb, &last,
                           lh_test_store_result_cb, &result);
  ok = lh_sql_dump_write_finish (lh_test_wait_for_result (&result), error);
  /* The last progress report comes before the callback. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (rows != NULL)
    *rows = last;
  lh_test_close (&connection);
  return ok;
}

static char *
dump_of (const char *path)
{
  g_autoptr(LhConnection) connection = open_db (path);
  char *text = lh_test_dump (connection);

  lh_test_close (&connection);
  return text;
}

static void
check_same (const char *a,
            const char *b)
{
  g_autofree char *dump_a = dump_of (a);
  g_autofree char *dump_b = dump_of (b);

  g_assert_cmpstr (dump_a, ==, dump_b);
}

/* Every table, value and object comes back the same; rows go in pages. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *check = NULL;
  goffset rows = 0;

  g_assert_true (write_dump (fixture->source, fixture->dump, NULL, &rows, &error));
  g_assert_no_error (error);
  /* 3 + 3 + 2 + 3 + 2 + 2500 rows. */
  g_assert_cmpint (rows, ==, 2513);
  g_assert_true (g_file_get_contents (fixture->dump, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "PRAGMA defer_foreign_keys=TRUE;\n"));
  /* Generated columns are made again, not inserted. */
  g_assert_nonnull (strstr (text, "INSERT INTO \"child\" (\"id\",\"parent_id\") VALUES(1,2);"));
  g_assert_nonnull (strstr (text, "DELETE FROM sqlite_sequence;"));

  g_assert_true (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, NULL, &error));
  g_assert_no_error (error);
  check_same (fixture->source, fixture->copy);
  check = lh_test_query_text (fixture->copy, "PRAGMA integrity_check");
  g_assert_cmpstr (g_strstrip (check), ==, "ok");
}

/* An FTS5 table comes back searchable, without its shadow tables in the dump. */
static void
test_virtual_table (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *found = NULL;

  lh_test_make_db (fixture->source, FTS_SQL);
  g_assert_true (write_dump (fixture->source, fixture->dump, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (fixture->dump, &text, NULL, NULL));
  g_assert_null (strstr (text, "docs_data"));
  g_assert_true (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, NULL, &error));
  g_assert_no_error (error);
  found = lh_test_query_text (fixture->copy,
                              "SELECT group_concat(rowid || ':' || title) FROM docs WHERE docs MATCH 'tower OR boats'");
  g_assert_cmpstr (found, ==, "7:lighthouse,9:harbour\n");
}

/* A failing statement names its line, and the file keeps nothing of the dump. */
static void
test_load_error (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tables = NULL;
  const char *bad = "PRAGMA defer_foreign_keys=TRUE;\n"
                    "CREATE TABLE t (a);\n"
                    "INSERT INTO t VALUES('line\nbreak');\n"
                    "\n"
                    "INSERT INTO nowhere VALUES(1);\n"
                    "INSERT INTO t VALUES(2);\n";

  g_assert_true (g_file_set_contents (fixture->dump, bad, -1, NULL));
  lh_test_make_db (fixture->copy, "CREATE TABLE existing (x); INSERT INTO existing VALUES (1);");
  g_assert_false (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, NULL, &error));
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "line 6"));
  g_assert_nonnull (strstr (error->message, "nowhere"));
  tables = lh_test_query_text (fixture->copy, "SELECT group_concat(name) FROM sqlite_schema");
  g_assert_cmpstr (tables, ==, "existing\n");

  /* A dump cut off in the middle of a statement. */
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (fixture->dump, "CREATE TABLE t (a);\nINSERT INTO t VALUES('cut", -1, NULL));
  g_assert_false (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, NULL, &error));
  g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_free (tables);
  tables = lh_test_query_text (fixture->copy, "SELECT group_concat(name) FROM sqlite_schema");
  g_assert_cmpstr (tables, ==, "existing\n");
}

/* A dump may not reach past its own database: ATTACH (and with it VACUUM INTO) and
 * PRAGMAs other than foreign-key ones are refused, and nothing is made. sqlite3's .dump,
 * with its BEGIN TRANSACTION and COMMIT, loads; one that ends in ROLLBACK is refused. */
static void
test_hostile_and_foreign_dumps (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *elsewhere = g_build_filename (fixture->dir, "elsewhere.db", NULL);
  g_autofree char *attach = g_strdup_printf ("CREATE TABLE t (a);\nATTACH '%s' AS other;\n"
                                             "CREATE TABLE other.stolen (x);\n", elsewhere);
  g_autofree char *vacuum = g_strdup_printf ("CREATE TABLE t (a);\nVACUUM INTO '%s';\n", elsewhere);
  const char *pragma = "CREATE TABLE t (a);\nPRAGMA writable_schema = ON;\n";
  const char *shell_dump = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t (a);\n"
                           "INSERT INTO t VALUES(1);\nCOMMIT;\n";
  const char *given_up = "BEGIN TRANSACTION;\nCREATE TABLE t (a);\nROLLBACK; -- due to errors\n";
  const char *hostile[] = { attach, vacuum, pragma };
  g_autofree char *rows = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (fixture->dump, hostile[i], -1, NULL));
      g_assert_false (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, NULL, &error));
      g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
      g_assert_false (g_file_test (elsewhere, G_FILE_TEST_EXISTS));
    }
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_set_contents (fixture->dump, given_up, -1, NULL));
    g_assert_false (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, NULL, &error));
    g_assert_nonnull (strstr (error->message, "ROLLBACK on line 3"));
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_set_contents (fixture->dump, shell_dump, -1, NULL));
    g_assert_true (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, NULL, &error));
    g_assert_no_error (error);
    rows = lh_test_query_text (fixture->copy, "SELECT count(*) FROM t");
    g_assert_cmpstr (rows, ==, "1\n");
  }
}

/* A gzip-compressed dump loads like a plain one. */
static void
test_gzip (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gz = g_strconcat (fixture->dump, ".gz", NULL);
  g_autofree char *command = g_strdup_printf ("gzip -k '%s'", fixture->dump);
  int status = 0;

  g_assert_true (write_dump (fixture->source, fixture->dump, NULL, NULL, &error));
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (lh_sql_dump_load_into_file (gz, fixture->copy, NULL, &error));
  g_assert_no_error (error);
  check_same (fixture->source, fixture->copy);

  /* Cut short: said so, in plain words. */
  {
    g_autofree char *contents = NULL;
    g_autofree char *cut = g_strconcat (fixture->dump, ".cut.gz", NULL);
    g_autofree char *into = g_strconcat (fixture->copy, ".cut", NULL);
    gsize length = 0;

    g_assert_true (g_file_get_contents (gz, &contents, &length, NULL));
    g_assert_true (g_file_set_contents (cut, contents, length - 20, NULL));
    g_assert_false (lh_sql_dump_load_into_file (cut, into, NULL, &error));
    g_assert_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
    g_assert_nonnull (strstr (error->message, "The dump is cut short after line "));
  }
}

/* Loading into a database through its connection replaces what it had, all or nothing. */
static void
test_load_into_connection (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhConnection) target = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  goffset last = 0;

  g_assert_true (write_dump (fixture->source, fixture->dump, NULL, NULL, &error));
  lh_test_make_db (fixture->copy, "PRAGMA foreign_keys = ON;"
                   "CREATE TABLE parent (id INTEGER PRIMARY KEY, other TEXT);"
                   "CREATE TABLE leftover (x REFERENCES parent (id)); INSERT INTO parent VALUES (5, 'x');"
                   "INSERT INTO leftover VALUES (5); CREATE VIEW lv AS SELECT * FROM leftover;");
  target = open_db (fixture->copy);
  lh_sql_dump_load_async (target, fixture->dump, NULL, count_progress_cb, &last,
                          lh_test_store_result_cb, &result);
  g_assert_true (lh_sql_dump_load_finish (lh_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  lh_test_close (&target);
  check_same (fixture->source, fixture->copy);

  /* A dump that fails half way leaves the database as it was. */
  g_clear_object (&result);
  g_assert_true (g_file_set_contents (fixture->dump, "CREATE TABLE x (a);\nINSERT INTO x VALUES (1);\nSELEC 1;\n", -1, NULL));
  before = dump_of (fixture->copy);
  target = open_db (fixture->copy);
  lh_sql_dump_load_async (target, fixture->dump, NULL, NULL, NULL, lh_test_store_result_cb, &result);
  g_assert_false (lh_sql_dump_load_finish (lh_test_wait_for_result (&result), &error));
  g_assert_nonnull (error);
  if (strstr (error->message, "Line 3") == NULL)
    g_error ("unexpected: %s", error->message);
  lh_test_close (&target);
  after = dump_of (fixture->copy);
  g_assert_cmpstr (before, ==, after);
}

/* A cancelled dump stops with G_IO_ERROR_CANCELLED. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (write_dump (fixture->source, fixture->dump, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (write_dump (fixture->source, fixture->dump, NULL, NULL, &error));
  g_assert_false (lh_sql_dump_load_into_file (fixture->dump, fixture->copy, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sql-dump/round-trip", test_round_trip);
  ADD ("/sql-dump/virtual-table", test_virtual_table);
  ADD ("/sql-dump/load-error", test_load_error);
  ADD ("/sql-dump/gzip", test_gzip);
  ADD ("/sql-dump/hostile-and-foreign", test_hostile_and_foreign_dumps);
  ADD ("/sql-dump/load-into-connection", test_load_into_connection);
  ADD ("/sql-dump/cancel", test_cancel);
  return g_test_run ();
}
