/* test-branch-diff.c — lh_branch_diff_async() finds the rows added, removed and changed
 * between two databases (rowid, INTEGER PRIMARY KEY and WITHOUT ROWID tables, every kind
 * of value, hostile names), tables added, dropped and redefined, indexes, views, triggers
 * and virtual tables; and in every case its script, applied to a copy of the old
 * database, makes the new one: the same schema and the same rows, value for value. It
 * cancels, and names the file that is missing or no database. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "lh-test-util.h"

typedef struct
{
  char *dir;
  char *old_path;
  char *new_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->old_path = g_build_filename (fixture->dir, "old.db", NULL);
  fixture->new_path = g_build_filename (fixture->dir, "new.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->old_path);
  g_free (fixture->new_path);
}

/* A dump that tells every value apart: its type, reals to the bit, text and blobs to the
 * byte; rows in order of all their columns, so that the order they were written in
 * does not count. */

static void
append_cell (GString      *text,
             sqlite3_stmt *stmt,
             int           column)
{
  const guchar *bytes;
  int size;

  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      g_string_append_printf (text, "%" G_GINT64_FORMAT,
                              (gint64) sqlite3_column_int64 (stmt, column));
      break;
    case SQLITE_FLOAT:
      g_string_append_printf (text, "%a", sqlite3_column_double (stmt, column));
      break;
    case SQLITE_TEXT:
      size = sqlite3_column_bytes (stmt, column);
      bytes = sqlite3_column_text (stmt, column);
      g_string_append_c (text, '\'');
      g_string_append_len (text, (const char *) bytes, size);
      g_string_append_c (text, '\'');
      break;
    case SQLITE_BLOB:
      size = sqlite3_column_bytes (stmt, column);
      bytes = sqlite3_column_blob (stmt, column);
      g_string_append (text, "x'");
      for (int i = 0; i < size; i++)
        g_string_append_printf (text, "%02x", bytes[i]);
      g_string_append_c (text, '\'');
      break;
    default:
      g_string_append (text, "NULL");
      break;
    }
}

static void
append_query (GString    *text,
              sqlite3    *db,
              const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    for (int c = 0; c < sqlite3_column_count (stmt); c++)
      {
        append_cell (text, stmt, c);
        g_string_append (text, c + 1 < sqlite3_column_count (stmt) ? "|" : "\n");
      }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static int
count_columns (sqlite3    *db,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int n_columns;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  n_columns = sqlite3_column_count (stmt);
  sqlite3_finalize (stmt);
  return n_columns;
}

/* The rows of a table; with their rowids where nothing else tells them apart. */
static void
append_table (GString    *text,
              sqlite3    *db,
              const char *name,
              gboolean    with_rowid)
{
  g_autofree char *quoted = lh_sql_quote_identifier (name);
  g_autofree char *select = g_strdup_printf ("SELECT %s* FROM %s", with_rowid ? "rowid, " : "",
                                             quoted);
  int n_columns = count_columns (db, select);
  GString *sql = g_string_new (select);

  for (int c = 1; c <= n_columns; c++)
    g_string_append_printf (sql, "%s%d", c == 1 ? " ORDER BY " : ", ", c);
  g_string_append_printf (text, "-- %s\n", name);
  append_query (text, db, sql->str);
  g_string_free (sql, TRUE);
}

#define DUMP_TABLES_SQL \
  "SELECT name, wr = 0 AND NOT EXISTS (SELECT 1 FROM pragma_table_info (l.name) WHERE pk > 0) " \
  "FROM pragma_table_list AS l WHERE schema = 'main' AND type IN ('table', 'shadow') " \
  "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"

static char *
dump (const char *path)
{
  GString *text = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  append_query (text, db, "SELECT type, name, tbl_name, sql FROM sqlite_schema "
                "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name");
  if (sqlite3_table_column_metadata (db, "main", "sqlite_sequence", "seq", NULL, NULL, NULL, NULL,
                                     NULL) == SQLITE_OK)
    append_query (text, db, "SELECT name, seq FROM sqlite_sequence ORDER BY name");
  g_assert_cmpint (sqlite3_prepare_v2 (db, DUMP_TABLES_SQL, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    append_table (text, db, (const char *) sqlite3_column_text (stmt, 0),
                  sqlite3_column_int (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (text, FALSE);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, length, NULL));
}

/* The script of diff, run on a copy of the old database by a connection with foreign keys
 * off (SQLite's default) or on (as Litehouse's SQL editor has them), makes the new one. */
static void
assert_applies_with (Fixture      *fixture,
                     LhBranchDiff *diff,
                     const char   *foreign_keys_sql)
{
  g_autofree char *copy = g_build_filename (fixture->dir, "applied.db", NULL);
  g_autofree char *applied = NULL;
  g_autofree char *expected = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;

  copy_file (fixture->old_path, copy);
  g_assert_cmpint (sqlite3_open (copy, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, foreign_keys_sql, NULL, NULL, NULL), ==, SQLITE_OK);
  if (sqlite3_exec (db, lh_branch_diff_get_sql (diff), NULL, NULL, &message) != SQLITE_OK)
    g_error ("applying the script (%s): %s\n%s", foreign_keys_sql, message,
             lh_branch_diff_get_sql (diff));
  sqlite3_close (db);
  applied = dump (copy);
  expected = dump (fixture->new_path);
  g_assert_cmpstr (applied, ==, expected);
  g_unlink (copy);
}

static void
assert_applies (Fixture      *fixture,
                LhBranchDiff *diff)
{
  assert_applies_with (fixture, diff, "PRAGMA foreign_keys = OFF");
  assert_applies_with (fixture, diff, "PRAGMA foreign_keys = ON");
}

static LhBranchDiff *
diff_files (const char    *old_path,
            const char    *new_path,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_branch_diff_async (old_path, new_path, cancellable, lh_test_store_result_cb, &result);
  return lh_branch_diff_finish (lh_test_wait_for_result (&result), error);
}

/* The diff from a database made of old_sql to one made of new_sql (both made afresh),
 * checked to apply. */
static LhBranchDiff *
diff_sql (Fixture    *fixture,
          const char *old_sql,
          const char *new_sql)
{
  g_autoptr(GError) error = NULL;
  LhBranchDiff *diff;

  g_unlink (fixture->old_path);
  g_unlink (fixture->new_path);
  lh_test_make_db (fixture->old_path, old_sql);
  lh_test_make_db (fixture->new_path, new_sql);
  diff = diff_files (fixture->old_path, fixture->new_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (LH_IS_BRANCH_DIFF (diff));
  assert_applies (fixture, diff);
  return diff;
}

static LhTableDiff *
find_table (LhBranchDiff *diff,
            const char   *name)
{
  GPtrArray *tables = lh_branch_diff_get_tables (diff);

  for (guint i = 0; i < tables->len; i++)
    {
      LhTableDiff *table = g_ptr_array_index (tables, i);

      if (g_str_equal (table->table, name))
        return table;
    }
  g_error ("no summary for table %s", name);
}

static void
assert_table (LhBranchDiff *diff,
              const char   *name,
              guint         added,
              guint         removed,
              guint         changed)
{
  LhTableDiff *table = find_table (diff, name);

  g_assert_true (table->compared);
  g_assert_null (table->reason);
  g_assert_cmpuint (table->added, ==, added);
  g_assert_cmpuint (table->removed, ==, removed);
  g_assert_cmpuint (table->changed, ==, changed);
}

static void
assert_not_compared (LhBranchDiff *diff,
                     const char   *name,
                     const char   *reason_part)
{
  LhTableDiff *table = find_table (diff, name);

  g_assert_false (table->compared);
  g_assert_nonnull (table->reason);
  g_assert_nonnull (strstr (table->reason, reason_part));
}

static void
assert_sql_has (LhBranchDiff *diff,
                const char   *statement)
{
  const char *sql = lh_branch_diff_get_sql (diff);

  if (strstr (sql, statement) == NULL)
    g_error ("the script has no “%s”:\n%s", statement, sql);
}

/* One of each kind of table and object. */
#define MIXED_SQL \
  "CREATE TABLE plain (a, b);" \
  "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER);" \
  "CREATE TABLE stock (shop TEXT, item INTEGER, qty INTEGER, note TEXT," \
  "  PRIMARY KEY (shop, item)) WITHOUT ROWID;" \
  "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT UNIQUE);" \
  "CREATE INDEX items_by_name ON items (name);" \
  "CREATE VIEW low AS SELECT * FROM stock WHERE qty < 5;" \
  "CREATE TRIGGER items_qty AFTER UPDATE OF qty ON items BEGIN" \
  "  UPDATE stock SET qty = new.qty WHERE item = new.id; END;" \
  "CREATE VIRTUAL TABLE notes USING fts5 (title, body);" \
  "INSERT INTO plain VALUES (1, 'one'), (2, 'two'), (3, 'three');" \
  "INSERT INTO items VALUES (1, 'pen', 10), (2, 'ink', 5), (3, 'pad', NULL);" \
  "INSERT INTO stock VALUES ('north', 1, 4, NULL), ('north', 2, 0, 'x'), ('south', 1, 9, 'y');" \
  "INSERT INTO users (email) VALUES ('a@example.org'), ('b@example.org');" \
  "INSERT INTO notes VALUES ('hello', 'world'), ('second', 'note');"

static void
test_identical (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, MIXED_SQL, MIXED_SQL);
  g_autoptr(LhBranchDiff) with_itself = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (lh_branch_diff_get_schema_changes (diff)->len, ==, 0);
  g_assert_cmpstr (lh_branch_diff_get_sql (diff), ==, "");
  assert_table (diff, "plain", 0, 0, 0);
  assert_table (diff, "items", 0, 0, 0);
  assert_table (diff, "stock", 0, 0, 0);
  assert_table (diff, "users", 0, 0, 0);
  assert_table (diff, "notes_content", 0, 0, 0);
  assert_not_compared (diff, "notes", "virtual table");

  with_itself = diff_files (fixture->old_path, fixture->old_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lh_branch_diff_get_sql (with_itself), ==, "");
}

/* Rows matched by rowid, by INTEGER PRIMARY KEY and by a composite key; an UPDATE sets
 * only the columns that changed. The triggers of a changed table do not fire. */
static void
test_rows (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, MIXED_SQL,
    MIXED_SQL
    "DELETE FROM plain WHERE a = 1; UPDATE plain SET b = 'TWO' WHERE a = 2;"
    "INSERT INTO plain VALUES (4, 'four');"
    "DELETE FROM items WHERE id = 2; UPDATE items SET qty = 7 WHERE id = 3;"
    "INSERT INTO items VALUES (9, 'cap', 1);"
    "DELETE FROM stock WHERE shop = 'north' AND item = 2;"
    "UPDATE stock SET note = NULL WHERE shop = 'south';"
    "INSERT INTO stock VALUES ('west', 1, 1, 'z');");

  g_assert_cmpuint (lh_branch_diff_get_schema_changes (diff)->len, ==, 0);
  assert_table (diff, "plain", 1, 1, 1);
  assert_table (diff, "items", 1, 1, 1);
  assert_table (diff, "stock", 1, 1, 1);
  assert_table (diff, "users", 0, 0, 0);
  g_assert_cmpstr (lh_branch_diff_get_sql (diff), ==,
                   "PRAGMA foreign_keys = OFF;\n"
                   "BEGIN;\n"
                   "DROP TRIGGER \"items_qty\";\n"
                   "DELETE FROM \"items\" WHERE \"id\" = 2;\n"
                   "UPDATE \"items\" SET \"qty\" = 7 WHERE \"id\" = 3;\n"
                   "INSERT INTO \"items\" (\"id\", \"name\", \"qty\") VALUES (9, 'cap', 1);\n"
                   "DELETE FROM \"plain\" WHERE \"rowid\" = 1;\n"
                   "UPDATE \"plain\" SET \"b\" = 'TWO' WHERE \"rowid\" = 2;\n"
                   "INSERT INTO \"plain\" (\"rowid\", \"a\", \"b\") VALUES (4, 4, 'four');\n"
                   "DELETE FROM \"stock\" WHERE \"shop\" = 'north' AND \"item\" = 2;\n"
                   "UPDATE \"stock\" SET \"note\" = NULL "
                   "WHERE \"shop\" = 'south' AND \"item\" = 1;\n"
                   "INSERT INTO \"stock\" (\"shop\", \"item\", \"qty\", \"note\") "
                   "VALUES ('west', 1, 1, 'z');\n"
                   "CREATE TRIGGER items_qty AFTER UPDATE OF qty ON items BEGIN"
                   "  UPDATE stock SET qty = new.qty WHERE item = new.id; END;\n"
                   "COMMIT;\n"
                   "PRAGMA foreign_keys = ON;\n");
}

/* Values are the same only when of the same type and equal to the bit or byte. */
static void
test_values (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE TABLE v (id INTEGER PRIMARY KEY, x);"
    "CREATE TABLE nocase (k TEXT PRIMARY KEY COLLATE NOCASE, v TEXT COLLATE NOCASE);"
    "CREATE TABLE typed (id INTEGER PRIMARY KEY, r REAL, t TEXT, b BLOB);"
    "INSERT INTO v VALUES (1, NULL), (2, 0.1), (3, 1e300), (4, -0.0), (5, 'it''s'),"
    "  (6, 'héllo ✓ 🏠'), (7, x'00ff10'), (8, 1), (9, ''), (10, x'00'), (11, 5),"
    "  (12, CAST(x'610062' AS TEXT)), (13, 0.30000000000000004);"
    "INSERT INTO nocase VALUES ('a', 'x'), ('b', 'y'), ('c', 'z');"
    "INSERT INTO typed VALUES (1, 1.5, 'a', x'01'), (2, 2.0, NULL, NULL);",
    "CREATE TABLE v (id INTEGER PRIMARY KEY, x);"
    "CREATE TABLE nocase (k TEXT PRIMARY KEY COLLATE NOCASE, v TEXT COLLATE NOCASE);"
    "CREATE TABLE typed (id INTEGER PRIMARY KEY, r REAL, t TEXT, b BLOB);"
    "INSERT INTO v VALUES (1, 0), (2, 0.1), (3, 1e300), (4, -0.0), (5, 'it''s \"quoted\"'),"
    "  (6, 'héllo ✓ 🏠'), (7, x'00ff11'), (8, 1.0), (9, NULL), (10, x'0000'), (11, '5'),"
    "  (12, CAST(x'610063' AS TEXT)), (13, 0.3),"
    "  (14, 1e-300), (15, -1.5e-7), (16, 9223372036854775807), (17, -9223372036854775808),"
    "  (18, x''), (19, 'line\nbreak'), (20, CAST(x'ff00fe' AS TEXT)), (21, 1.7976931348623157e308),"
    "  (22, 4.9e-324), (23, 1e16), (24, 123456789.125);"
    "INSERT INTO nocase VALUES ('A', 'x'), ('b', 'Y'), ('c', 'z');"
    "INSERT INTO typed VALUES (1, 1.5, 'a', x'01'), (2, 2.5, 'b', x'');");

  assert_table (diff, "v", 11, 0, 9);
  assert_table (diff, "nocase", 1, 1, 1);
  assert_table (diff, "typed", 0, 0, 1);
  assert_sql_has (diff, "UPDATE \"v\" SET \"x\" = 1.0 WHERE \"id\" = 8;\n");
  assert_sql_has (diff, "UPDATE \"v\" SET \"x\" = '5' WHERE \"id\" = 11;\n");
  assert_sql_has (diff, "UPDATE \"v\" SET \"x\" = 'it''s \"quoted\"' WHERE \"id\" = 5;\n");
  assert_sql_has (diff, "DELETE FROM \"nocase\" WHERE \"k\" = 'a';\n");
  assert_sql_has (diff, "UPDATE \"typed\" SET \"r\" = 2.5, \"t\" = 'b', \"b\" = X'' "
                  "WHERE \"id\" = 2;\n");
}

/* A table added (with rows whose rowids have gaps) and one dropped; AUTOINCREMENT's
 * numbers follow. */
static void
test_tables_added_and_dropped (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE TABLE keep (a);"
    "CREATE TABLE gone (a, b);"
    "CREATE INDEX gone_by_b ON gone (b);"
    "INSERT INTO keep VALUES (1);"
    "INSERT INTO gone VALUES (1, 'x'), (2, 'y');",
    "CREATE TABLE keep (a);"
    "CREATE TABLE fresh (x, y);"
    "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT);"
    "INSERT INTO keep VALUES (1);"
    "INSERT INTO fresh VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4);"
    "DELETE FROM fresh WHERE x IN ('a', 'c');"
    "INSERT INTO users (email) VALUES ('a@example.org'), ('b@example.org'), ('c@example.org');"
    "DELETE FROM users WHERE id = 3;");
  GPtrArray *changes = lh_branch_diff_get_schema_changes (diff);
  LhTableDiff *table;

  g_assert_cmpuint (changes->len, ==, 4);
  assert_table (diff, "keep", 0, 0, 0);
  assert_not_compared (diff, "gone", "removed");
  assert_not_compared (diff, "fresh", "new");
  assert_not_compared (diff, "users", "new");
  g_assert_cmpuint (find_table (diff, "gone")->removed, ==, 2);
  table = find_table (diff, "fresh");
  g_assert_cmpuint (table->added, ==, 2);
  g_assert_cmpuint (table->removed, ==, 0);
  g_assert_cmpuint (find_table (diff, "users")->added, ==, 2);
  assert_sql_has (diff, "DROP INDEX \"gone_by_b\";\nDROP TABLE \"gone\";\n");
  assert_sql_has (diff, "INSERT INTO \"fresh\" (\"rowid\", \"x\", \"y\") VALUES (2, 'b', 2);\n");
}

static void
test_autoincrement (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT);"
    "INSERT INTO users (email) VALUES ('a'), ('b'), ('c');"
    "DELETE FROM users WHERE id = 3;",
    "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT);"
    "INSERT INTO users (email) VALUES ('a'), ('b'), ('c'), ('d'), ('e');"
    "DELETE FROM users WHERE id IN (3, 5);");

  assert_table (diff, "users", 1, 0, 0);
  assert_sql_has (diff, "DELETE FROM sqlite_sequence;\n"
                  "INSERT INTO \"sqlite_sequence\" (\"name\", \"seq\") VALUES ('users', 5);\n");
}

/* An index, a trigger and a view added, a view changed: made after the rows, so that the
 * new trigger does not fire on them. */
static void
test_objects_added (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);"
    "CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);"
    "CREATE VIEW short AS SELECT * FROM t WHERE length (a) < 3;"
    "INSERT INTO t VALUES (1, 'one');",
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);"
    "CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);"
    "CREATE VIEW short AS SELECT * FROM t WHERE length (a) < 4;"
    "CREATE VIEW longer AS SELECT * FROM short;"
    "CREATE INDEX t_by_a ON t (a);"
    "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN"
    "  INSERT INTO log (msg) VALUES ('added ' || new.a); END;"
    "INSERT INTO t VALUES (1, 'one'), (2, 'two');");
  const char *sql = lh_branch_diff_get_sql (diff);

  g_assert_cmpuint (lh_branch_diff_get_schema_changes (diff)->len, ==, 4);
  assert_table (diff, "t", 1, 0, 0);
  assert_table (diff, "log", 2, 0, 0);
  assert_sql_has (diff, "BEGIN;\nDROP VIEW \"short\";\n");
  g_assert_true (g_str_has_suffix (sql,
                                   "CREATE INDEX t_by_a ON t (a);\n"
                                   "CREATE VIEW short AS SELECT * FROM t WHERE length (a) < 4;\n"
                                   "CREATE VIEW longer AS SELECT * FROM short;\n"
                                   "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN"
                                   "  INSERT INTO log (msg) VALUES ('added ' || new.a); END;\n"
                                   "COMMIT;\n"
                                   "PRAGMA foreign_keys = ON;\n"));
}

/* A trigger both databases have is dropped around the changes of its table, or it would
 * log the rows the script inserts a second time. */
static void
test_existing_trigger (Fixture       *fixture,
                       gconstpointer  data)
{
#define LOGGED_SQL \
  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);" \
  "CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);" \
  "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN" \
  "  INSERT INTO log (msg) VALUES ('added ' || new.a); END;" \
  "INSERT INTO t VALUES (1, 'one');"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, LOGGED_SQL,
                                           LOGGED_SQL "INSERT INTO t VALUES (2, 'two');");
#undef LOGGED_SQL

  assert_table (diff, "t", 1, 0, 0);
  assert_table (diff, "log", 1, 0, 0);
  assert_sql_has (diff, "DROP TRIGGER \"t_log\";\nINSERT INTO \"t\"");
}

/* A column added: the table is made anew with its rows, its index and trigger again. */
static void
test_column_added (Fixture       *fixture,
                   gconstpointer  data)
{
#define PEOPLE_SQL \
  "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);" \
  "CREATE TABLE other (x);" \
  "CREATE INDEX people_by_name ON people (name);" \
  "CREATE TRIGGER people_bye AFTER DELETE ON people BEGIN DELETE FROM other; END;" \
  "INSERT INTO people VALUES (1, 'Ann'), (2, 'Bob');" \
  "INSERT INTO other VALUES (1);"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, PEOPLE_SQL,
                                           PEOPLE_SQL
                                           "ALTER TABLE people ADD COLUMN age INTEGER DEFAULT 0;"
                                           "UPDATE people SET age = 40 WHERE id = 2;"
                                           "INSERT INTO people VALUES (3, 'Cy', 7);");
#undef PEOPLE_SQL
  GPtrArray *changes = lh_branch_diff_get_schema_changes (diff);
  LhSchemaChange *change;
  g_autofree char *description = NULL;
  LhTableDiff *table;

  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  description = lh_schema_change_describe (change);
  g_assert_cmpstr (description, ==, "Column “people.age” added: INTEGER DEFAULT 0");
  assert_not_compared (diff, "people", "definition changed");
  table = find_table (diff, "people");
  g_assert_cmpuint (table->removed, ==, 2);
  g_assert_cmpuint (table->added, ==, 3);
  assert_table (diff, "other", 0, 0, 0);
  assert_sql_has (diff, "DROP TABLE \"people\";\n"
                  "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, "
                  "age INTEGER DEFAULT 0);\n");
}

/* Names with quotes, spaces, keywords, comment markers and line breaks. */
static void
test_hostile_names (Fixture       *fixture,
                    gconstpointer  data)
{
#define HOSTILE_SQL \
  "CREATE TABLE \"a\"\"b c\" (\"k\"\"1\" TEXT, \"select\" INTEGER, \"-- note\" TEXT," \
  "  \"x;y\" BLOB, PRIMARY KEY (\"k\"\"1\", \"select\")) WITHOUT ROWID;" \
  "CREATE INDEX \"i\"\"x\" ON \"a\"\"b c\" (\"-- note\");" \
  "CREATE TABLE \"line\nbreak\" (\"'v'\");" \
  "CREATE TABLE \"gone \"\"x\"\"\" (a);" \
  "INSERT INTO \"a\"\"b c\" VALUES ('k''1', 1, 'n', x'00'), ('k\"2', 2, NULL, NULL)," \
  "  ('k3', 3, '*/', x'ff');" \
  "INSERT INTO \"line\nbreak\" VALUES ('a'), ('b');"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, HOSTILE_SQL,
    HOSTILE_SQL
    "DROP TABLE \"gone \"\"x\"\"\";"
    "DELETE FROM \"a\"\"b c\" WHERE \"select\" = 1;"
    "UPDATE \"a\"\"b c\" SET \"-- note\" = 'changed', \"x;y\" = x'0102' WHERE \"select\" = 2;"
    "INSERT INTO \"a\"\"b c\" VALUES ('k''4', 4, ';', NULL);"
    "UPDATE \"line\nbreak\" SET \"'v'\" = 'c' WHERE rowid = 2;"
    "CREATE TABLE \"new\"\"one\" (\"a\"\"\" PRIMARY KEY);"
    "INSERT INTO \"new\"\"one\" VALUES ('x');");
#undef HOSTILE_SQL

  assert_table (diff, "a\"b c", 1, 1, 1);
  assert_table (diff, "line\nbreak", 0, 0, 1);
  assert_not_compared (diff, "gone \"x\"", "removed");
  assert_not_compared (diff, "new\"one", "new");
  assert_sql_has (diff, "DROP TABLE \"gone \"\"x\"\"\";\n");
  assert_sql_has (diff, "DELETE FROM \"a\"\"b c\" WHERE \"k\"\"1\" = 'k''1' AND \"select\" = 1;\n");
}

/* A virtual table: its rows are compared, and copied, in the tables that store them. */
static void
test_virtual_tables (Fixture       *fixture,
                     gconstpointer  data)
{
#define NOTES_SQL \
  "CREATE VIRTUAL TABLE notes USING fts5 (title, body);" \
  "CREATE VIRTUAL TABLE boxes USING rtree (id, x0, x1);" \
  "INSERT INTO notes VALUES ('hello', 'world'), ('second', 'note'), ('third', 'one');" \
  "INSERT INTO boxes VALUES (1, 0, 10), (2, 5, 6);"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, NOTES_SQL,
    NOTES_SQL
    "DELETE FROM notes WHERE title = 'second';"
    "UPDATE notes SET body = 'changed words' WHERE title = 'hello';"
    "INSERT INTO notes VALUES ('fourth', 'new words');"
    "UPDATE boxes SET x1 = 7 WHERE id = 2;"
    "CREATE VIRTUAL TABLE docs USING fts5 (text);"
    "INSERT INTO docs VALUES ('alpha beta'), ('gamma');");
#undef NOTES_SQL
  g_autofree char *copy = g_build_filename (fixture->dir, "checked.db", NULL);
  g_autofree char *found = NULL;

  assert_not_compared (diff, "notes", "virtual table");
  assert_not_compared (diff, "docs", "new");
  assert_table (diff, "notes_content", 1, 1, 1);
  assert_not_compared (diff, "boxes", "virtual table");
  assert_table (diff, "boxes_node", 0, 0, 1);

  /* The index works on the result: it was copied, not rebuilt by hand. */
  copy_file (fixture->old_path, copy);
  lh_test_make_db (copy, lh_branch_diff_get_sql (diff));
  lh_test_make_db (copy, "INSERT INTO notes (notes) VALUES ('integrity-check');"
                   "INSERT INTO docs (docs) VALUES ('integrity-check');");
  found = lh_test_query_text (copy, "SELECT group_concat (title) FROM notes "
                              "WHERE notes MATCH 'words'");
  g_assert_cmpstr (found, ==, "hello,fourth\n");
}

/* A rowid table whose PRIMARY KEY holds NULLs is matched by rowid; one with no usable key
 * at all is reported and left alone. */
static void
test_keys (Fixture       *fixture,
           gconstpointer  data)
{
#define KEYS_SQL \
  "CREATE TABLE loose (a TEXT, b TEXT, v, PRIMARY KEY (a, b));" \
  "CREATE TABLE odd (rowid, _rowid_, oid);" \
  "INSERT INTO loose VALUES ('x', NULL, 1), ('x', NULL, 2), ('y', 'z', 3);" \
  "INSERT INTO odd VALUES (1, 2, 3);"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, KEYS_SQL,
                                           KEYS_SQL
                                           "UPDATE loose SET v = 20 WHERE v = 2;"
                                           "INSERT INTO loose VALUES (NULL, NULL, 4);");
#undef KEYS_SQL

  assert_table (diff, "loose", 1, 0, 1);
  assert_sql_has (diff, "UPDATE \"loose\" SET \"v\" = 20 WHERE \"rowid\" = 2;\n");
  assert_not_compared (diff, "odd", "neither a primary key nor a rowid");
}

/* Rows that trade values of a UNIQUE column, and a primary key that two rows trade. */
static void
test_unique_swap (Fixture       *fixture,
                  gconstpointer  data)
{
#define SWAP_SQL \
  "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);" \
  "CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT UNIQUE) WITHOUT ROWID;"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
                                           SWAP_SQL
                                           "INSERT INTO users VALUES (1, 'a@x', 'Ann'), (2, 'b@x', 'Bob');"
                                           "INSERT INTO codes VALUES ('A', 'one'), ('B', 'two');",
                                           SWAP_SQL
                                           "INSERT INTO users VALUES (1, 'b@x', 'Ann'), (2, 'a@x', 'Bob');"
                                           "INSERT INTO codes VALUES ('A', 'two'), ('B', 'one');");
#undef SWAP_SQL

  assert_table (diff, "users", 0, 0, 2);
  assert_table (diff, "codes", 0, 0, 2);
}

/* Foreign keys with actions: the script does not let them fire, whether the connection that
 * runs it has foreign keys on or off, nor fail on the order of its statements. */
static void
test_foreign_keys (Fixture       *fixture,
                   gconstpointer  data)
{
#define FK_SQL \
  "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT%s);" \
  "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT," \
  "  author_id INTEGER REFERENCES authors (id) ON DELETE CASCADE ON UPDATE CASCADE);" \
  "CREATE TABLE reviews (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL" \
  "  REFERENCES books (id) ON DELETE SET NULL, stars INTEGER);"
  g_autofree char *old_sql = g_strdup_printf (FK_SQL
                                              "INSERT INTO authors VALUES (1, 'Ann'), (2, 'Bob');"
                                              "INSERT INTO books VALUES (10, 'First', 1), (11, 'Second', 2);"
                                              "INSERT INTO reviews VALUES (100, 10, 5), (101, 11, 3);",
                                              "");
  /* authors is made anew (a column added): dropping it must not delete the books. A
   * review moves to a book the script inserts after it; a book moves to an author made
   * by the script; an author is deleted whose book went to another. */
  g_autofree char *new_sql = g_strdup_printf (FK_SQL
                                              "INSERT INTO authors VALUES (1, 'Ann', 'x'), (3, 'Cy', 'y');"
                                              "INSERT INTO books VALUES (10, 'First', 3), (11, 'Second', 1),"
                                              "  (12, 'Third', 3);"
                                              "INSERT INTO reviews VALUES (100, 12, 5), (101, 11, 3);",
                                              ", born TEXT");
  g_autoptr(LhBranchDiff) diff = NULL;
#undef FK_SQL

  diff = diff_sql (fixture, old_sql, new_sql);
  assert_not_compared (diff, "authors", "");
  assert_table (diff, "books", 1, 0, 2);
  assert_table (diff, "reviews", 0, 0, 1);
}

/* Columns that a UNIQUE index holds only through a generated column: a swap still
 * applies, and with ON CONFLICT REPLACE loses no row. */
static void
test_generated_unique (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *conflicts[] = { "", " ON CONFLICT REPLACE" };

  for (guint i = 0; i < G_N_ELEMENTS (conflicts); i++)
    {
      g_autofree char *table = g_strdup_printf ("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT,"
                                                " g TEXT AS (lower (a)) UNIQUE%s);"
                                                "CREATE TABLE s (id INTEGER PRIMARY KEY, a TEXT,"
                                                " g TEXT AS (upper (a)) STORED);"
                                                "CREATE UNIQUE INDEX s_g ON s (g);", conflicts[i]);
      g_autofree char *old_sql = g_strconcat (table, "INSERT INTO t (id, a) VALUES (1, 'x'), (2, 'y');"
                                              "INSERT INTO s (id, a) VALUES (1, 'x'), (2, 'y');", NULL);
      g_autofree char *new_sql = g_strconcat (table, "INSERT INTO t (id, a) VALUES (1, 'y'), (2, 'x');"
                                              "INSERT INTO s (id, a) VALUES (1, 'y'), (2, 'x');", NULL);
      g_autoptr(LhBranchDiff) diff = NULL;

      diff = diff_sql (fixture, old_sql, new_sql);
      assert_table (diff, "t", 0, 0, 2);
      assert_table (diff, "s", 0, 0, 2);
    }
}

/* Rowids: "INTEGER PRIMARY KEY DESC" is no rowid (it may hold NULL); a table with another
 * primary key keeps the new database's rowids, which an external-content FTS index refers
 * to. */
static void
test_rowids (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *copy = g_build_filename (fixture->dir, "checked.db", NULL);
  g_autofree char *found = NULL;
  g_autoptr(LhBranchDiff) desc = diff_sql (fixture,
    "CREATE TABLE t (x INTEGER PRIMARY KEY DESC, y);"
    "INSERT INTO t VALUES (NULL, 'a'), (NULL, 'b'), (1, 'c');",
    "CREATE TABLE t (x INTEGER PRIMARY KEY DESC, y);"
    "INSERT INTO t VALUES (NULL, 'a'), (1, 'c');");
  g_autoptr(LhBranchDiff) diff = NULL;

  assert_table (desc, "t", 0, 1, 1);   /* matched by rowid: 2 changed, 3 removed */
#define DOCS_SQL \
  "CREATE TABLE docs (name TEXT PRIMARY KEY, body TEXT);" \
  "CREATE VIRTUAL TABLE f USING fts5 (body, content = 'docs');" \
  "INSERT INTO docs VALUES ('a', 'apple pie'), ('b', 'banana split');"
  diff = diff_sql (fixture, DOCS_SQL "INSERT INTO f (f) VALUES ('rebuild');",
                   DOCS_SQL "INSERT INTO docs VALUES ('c', 'cherry tart'), ('d', 'durian cake');"
                   "DELETE FROM docs WHERE name = 'c';"
                   "INSERT INTO f (f) VALUES ('rebuild');");
#undef DOCS_SQL
  assert_table (diff, "docs", 1, 0, 0);
  copy_file (fixture->old_path, copy);
  lh_test_make_db (copy, lh_branch_diff_get_sql (diff));
  lh_test_make_db (copy, "INSERT INTO f (f) VALUES ('integrity-check');");
  found = lh_test_query_text (copy, "SELECT name FROM docs WHERE rowid IN "
                              "(SELECT rowid FROM f WHERE f MATCH 'durian')");
  g_assert_cmpstr (found, ==, "d\n");
  g_unlink (copy);

  /* A rowid that a row the script deletes held is free: the last row deleted, two added,
   * the first of them taking its rowid, as SQLite gives them. */
  g_clear_object (&diff);
#define KEYED_SQL \
  "CREATE TABLE t (k TEXT PRIMARY KEY, v);" \
  "CREATE VIRTUAL TABLE f USING fts5 (v, content = 't', content_rowid = 'rowid');" \
  "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN" \
  "  INSERT INTO f (rowid, v) VALUES (new.rowid, new.v); END;" \
  "CREATE TRIGGER t_ad AFTER DELETE ON t BEGIN" \
  "  INSERT INTO f (f, rowid, v) VALUES ('delete', old.rowid, old.v); END;" \
  "INSERT INTO t VALUES ('c', 'gamma'), ('a', 'alpha');"
  diff = diff_sql (fixture, KEYED_SQL,
                   KEYED_SQL "DELETE FROM t WHERE k = 'a'; INSERT INTO t VALUES ('b', 'beta'), ('d', 'delta');");
#undef KEYED_SQL
  assert_table (diff, "t", 2, 1, 0);
  copy_file (fixture->old_path, copy);
  lh_test_make_db (copy, lh_branch_diff_get_sql (diff));
  lh_test_make_db (copy, "INSERT INTO f (f) VALUES ('integrity-check');");
  g_free (found);
  found = lh_test_query_text (copy, "SELECT group_concat (k || rowid) FROM "
                              "(SELECT k, rowid FROM t WHERE rowid IN "
                              "(SELECT rowid FROM f WHERE f MATCH 'beta OR delta') ORDER BY k)");
  g_assert_cmpstr (found, ==, "b2,d3\n");
}

/* An external content table named as FTS5 names its own (f_content): SQLite counts it as
 * one of f's tables, yet f does not drop it; a column added to it is there after. */
static void
test_external_content (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *copy = g_build_filename (fixture->dir, "checked.db", NULL);
  g_autofree char *found = NULL;
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE TABLE f_content (id INTEGER PRIMARY KEY, a);"
    "CREATE VIRTUAL TABLE f USING fts5 (a, content = 'f_content', content_rowid = 'id');"
    "INSERT INTO f_content VALUES (1, 'x'); INSERT INTO f (f) VALUES ('rebuild');",
    "CREATE TABLE f_content (id INTEGER PRIMARY KEY, a, b);"
    "CREATE VIRTUAL TABLE f USING fts5 (a, content = 'f_content', content_rowid = 'id');"
    "INSERT INTO f_content VALUES (1, 'x', 2), (2, 'y', 3); INSERT INTO f (f) VALUES ('rebuild');");

  copy_file (fixture->old_path, copy);
  lh_test_make_db (copy, lh_branch_diff_get_sql (diff));
  lh_test_make_db (copy, "INSERT INTO f (f) VALUES ('integrity-check');");
  found = lh_test_query_text (copy, "SELECT b FROM f_content WHERE id IN "
                              "(SELECT rowid FROM f WHERE f MATCH 'y')");
  g_assert_cmpstr (found, ==, "3\n");
}

/* sqlite_sequence: only in the new database (left by a table dropped since), and numbers
 * set lower by hand than the ids of rows the script inserts. */
static void
test_sequences (Fixture       *fixture,
                gconstpointer  data)
{
  const char *cases[][2] = {
    { "CREATE TABLE p (a);",
      "CREATE TABLE p (a); CREATE TABLE z (id INTEGER PRIMARY KEY AUTOINCREMENT);"
      "INSERT INTO z VALUES (5); DROP TABLE z;" },
    { "CREATE TABLE p (a);",
      "CREATE TABLE p (a); INSERT INTO p VALUES (1);"
      "CREATE TABLE z (id INTEGER PRIMARY KEY AUTOINCREMENT); DELETE FROM z; DROP TABLE z;" },
    { "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v);",
      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v);"
      "INSERT INTO t (v) VALUES ('a'), ('b'); DELETE FROM sqlite_sequence;" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LhBranchDiff) diff = NULL;

      diff = diff_sql (fixture, cases[i][0], cases[i][1]);
    }
}

/* sqlite_stat1, ANALYZE's statistics: made, changed, dropped, as the new database has it. */
static void
test_statistics (Fixture       *fixture,
                 gconstpointer  data)
{
#define STATS_SQL \
  "CREATE TABLE t (a, b); CREATE INDEX t_a ON t (a);" \
  "INSERT INTO t VALUES (1, 1), (1, 2), (2, 3);"
  /* Dropped last: the others keep statistics that a table or an index made anew, or a
   * virtual table, would take with it when dropped. */
  const char *cases[][2] = {
    { STATS_SQL, STATS_SQL "ANALYZE;" },
    { STATS_SQL "ANALYZE;", STATS_SQL "INSERT INTO t VALUES (3, 4); ANALYZE;" },
    { STATS_SQL "ANALYZE;", "CREATE TABLE t (a, b CHECK (b > 0)); CREATE INDEX t_a ON t (a);"
                            "INSERT INTO t VALUES (1, 1), (1, 2), (2, 3); ANALYZE;" },
    { STATS_SQL "ANALYZE;", "CREATE TABLE t (a, b); CREATE INDEX t_a ON t (a) WHERE a > 0;"
                            "INSERT INTO t VALUES (1, 1), (1, 2), (2, 3); ANALYZE;"
                            "DELETE FROM sqlite_stat1; INSERT INTO sqlite_stat1 VALUES ('t', 't_a', '3 2');" },
    { STATS_SQL "CREATE VIRTUAL TABLE f USING fts5 (a); INSERT INTO f VALUES ('x'); ANALYZE;",
      STATS_SQL "CREATE VIRTUAL TABLE f USING fts5 (a); INSERT INTO f VALUES ('x'); ANALYZE;"
      "INSERT INTO f VALUES ('y');" },
    { STATS_SQL "ANALYZE;", STATS_SQL "ANALYZE; DROP TABLE sqlite_stat1;" },
  };
  const guint last = G_N_ELEMENTS (cases) - 1;
#undef STATS_SQL

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LhBranchDiff) diff = NULL;
      g_autofree char *copy = g_build_filename (fixture->dir, "applied.db", NULL);
      g_autofree char *stats = NULL;
      g_autofree char *expected = NULL;
      const char *stats_sql = "SELECT group_concat (tbl || ' ' || idx || ' ' || stat, '; ') "
                              "FROM sqlite_stat1 WHERE EXISTS (SELECT 1 FROM sqlite_schema "
                              "WHERE name = 'sqlite_stat1')";

      diff = diff_sql (fixture, cases[i][0], cases[i][1]);
      copy_file (fixture->old_path, copy);
      lh_test_make_db (copy, lh_branch_diff_get_sql (diff));
      if (i < last)
        {
          stats = lh_test_query_text (copy, stats_sql);
          expected = lh_test_query_text (fixture->new_path, stats_sql);
          g_assert_cmpstr (stats, ==, expected);
        }
      g_free (stats);
      stats = lh_test_query_text (copy, "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'");
      g_assert_cmpstr (stats, ==, i < last ? "1\n" : "0\n");
      g_unlink (copy);
    }
}

/* A virtual table whose rows changed is made anew: a connection that read it before the
 * script (FTS5 keeps its index's structure) finds it sound after; one that the module
 * makes only when it needs it (FTS4's _stat) is there too. Tables made get their rows
 * counted. */
static void
test_virtual_tables_read_before (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *copy = g_build_filename (fixture->dir, "applied.db", NULL);
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE VIRTUAL TABLE ft USING fts5 (a, b);"
    "INSERT INTO ft VALUES ('hello world', 'x'), ('foo bar', 'y');"
    "CREATE VIRTUAL TABLE f3 USING fts4 (a);"
    "INSERT INTO f3 VALUES ('one two');",
    "CREATE VIRTUAL TABLE ft USING fts5 (a, b);"
    "INSERT INTO ft VALUES ('hello world', 'x'), ('baz qux', 'z');"
    "DELETE FROM ft WHERE rowid = 2;"
    "INSERT INTO ft VALUES ('third row', 'w');"
    "CREATE VIRTUAL TABLE f3 USING fts4 (a);"
    "INSERT INTO f3 VALUES ('one two');"
    "INSERT INTO f3 (f3) VALUES ('automerge=4');"
    "INSERT INTO f3 VALUES ('three');"
    "CREATE VIRTUAL TABLE ft2 USING fts5 (c, tokenize = 'porter');"
    "INSERT INTO ft2 VALUES ('running dogs');");
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *message = NULL;

  assert_not_compared (diff, "ft", "virtual table");
  assert_table (diff, "ft_content", 0, 0, 1);   /* rowid 2 taken again */
  assert_not_compared (diff, "ft2_content", "virtual table");
  g_assert_cmpuint (find_table (diff, "ft2_content")->added, ==, 1);

  copy_file (fixture->old_path, copy);
  g_assert_cmpint (sqlite3_open (copy, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM ft WHERE ft MATCH 'hello'", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  sqlite3_finalize (stmt);
  if (sqlite3_exec (db, lh_branch_diff_get_sql (diff), NULL, NULL, &message) != SQLITE_OK ||
      sqlite3_exec (db, "INSERT INTO ft (ft) VALUES ('integrity-check');"
                        "INSERT INTO ft VALUES ('fourth', 'v');"
                        "INSERT INTO ft (ft) VALUES ('integrity-check');", NULL, NULL,
                    &message) != SQLITE_OK)
    g_error ("%s", message);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM ft WHERE ft MATCH 'third OR fourth'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* A view made anew keeps its INSTEAD OF triggers (SQLite drops them with it). */
static void
test_view_triggers (Fixture       *fixture,
                    gconstpointer  data)
{
#define TRIGGER_SQL \
  "CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN INSERT INTO t VALUES (new.a); END;"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t;" TRIGGER_SQL,
    "CREATE TABLE t (a); CREATE VIEW v AS SELECT a, 1 AS one FROM t;" TRIGGER_SQL);
#undef TRIGGER_SQL

  assert_sql_has (diff, "CREATE TRIGGER vi INSTEAD OF INSERT ON v");
}

/* Statements that SQLite keeps with a "--" comment at their end, which would hide the
 * semicolon after them; and words that only look like keywords or literals. */
static void
test_odd_sql (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *copy = g_build_filename (fixture->dir, "checked.db", NULL);
  g_autofree char *found = NULL;
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture,
    "CREATE TABLE t (a); INSERT INTO t VALUES (1); CREATE VIEW v AS SELECT a FROM t;"
    "CREATE VIEW w AS SELECT x '41' FROM (SELECT 1 AS x);",
    "CREATE TABLE t (a); INSERT INTO t VALUES (1); CREATE VIEW v AS SELECT a, 2 FROM t -- note\n;"
    "CREATE VIEW w AS SELECT x'41' FROM (SELECT 1 AS x);"
    /* Not AUTOINCREMENT: the word is in a name and a string; sqlite_sequence is left by a
     * table dropped since. */
    "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT); INSERT INTO x VALUES (5); DELETE FROM x;"
    "DROP TABLE x; DELETE FROM sqlite_sequence;"
    "CREATE TABLE note (autoincrement_flag INT DEFAULT 'autoincrement');");
  g_autoptr(LhBranchDiff) strict = NULL;

  g_assert_nonnull (diff);
  g_unlink (fixture->old_path);
  g_unlink (fixture->new_path);
  /* The text SQLite keeps of these gains a line end before the semicolon: their rows are
   * compared, not their text. */
  lh_test_make_db (fixture->old_path, "CREATE TABLE s (a INT, b INT) STRICT; INSERT INTO s VALUES (1, 2);");
  lh_test_make_db (fixture->new_path, "CREATE TABLE s (a INT, b INT, c INT) STRICT -- eof");
  lh_test_make_db (fixture->new_path, "INSERT INTO s VALUES (1, 2, 3); CREATE INDEX s_a ON s (a) -- eof");
  strict = diff_files (fixture->old_path, fixture->new_path, NULL, NULL);
  g_assert_nonnull (strict);
  copy_file (fixture->old_path, copy);
  lh_test_make_db (copy, lh_branch_diff_get_sql (strict));
  found = lh_test_query_text (copy, "SELECT a || b || c FROM s INDEXED BY s_a");
  g_assert_cmpstr (found, ==, "123\n");
}

static gboolean
cancel_cb (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* Enough rows, all changed, that the diff is still running when it is cancelled. */
#define ROWS_SQL(word) \
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)" \
  "  INSERT INTO t SELECT i, '" word " ' || i FROM n;"

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(LhBranchDiff) diff = NULL;
  g_autoptr(GError) error = NULL;

  lh_test_make_db (fixture->old_path,
                   "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                   ROWS_SQL ("old"));
  lh_test_make_db (fixture->new_path,
                   "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                   ROWS_SQL ("new"));

  g_timeout_add_full (G_PRIORITY_DEFAULT, 50, cancel_cb, g_object_ref (cancellable), g_object_unref);
  diff = diff_files (fixture->old_path, fixture->new_path, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (diff);
  g_clear_error (&error);

  g_cancellable_cancel (cancelled);
  diff = diff_files (fixture->old_path, fixture->new_path, cancelled, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (diff);
}

static void
assert_fails (const char        *old_path,
              const char        *new_path,
              int                code,
              const char        *named)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhBranchDiff) diff = diff_files (old_path, new_path, NULL, &error);

  g_assert_null (diff);
  g_assert_error (error, LH_CONNECTION_ERROR, code);
  g_assert_nonnull (strstr (error->message, named));
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *text = g_build_filename (fixture->dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.db", NULL);
  g_autofree char *filler = g_strnfill (4096, 'x');

  lh_test_make_db (fixture->old_path, "CREATE TABLE t (a);");
  g_assert_true (g_file_set_contents (text, filler, -1, NULL));

  assert_fails (text, fixture->old_path, LH_CONNECTION_ERROR_NOT_A_DATABASE, text);
  assert_fails (fixture->old_path, text, LH_CONNECTION_ERROR_NOT_A_DATABASE, text);
  assert_fails (missing, fixture->old_path, LH_CONNECTION_ERROR_NOT_FOUND, missing);
  assert_fails (fixture->old_path, missing, LH_CONNECTION_ERROR_NOT_FOUND, missing);
}

/* An index and a trigger on the tables of an FTS5 table made anew (its rows changed) go
 * with them, and are made again. */
static void
test_shadow_objects (Fixture       *fixture,
                     gconstpointer  data)
{
#define SHADOW_OBJECTS_SQL \
  "CREATE VIRTUAL TABLE docs USING fts5 (body);" \
  "INSERT INTO docs (body) VALUES ('first'), ('second');" \
  "CREATE INDEX docs_blocks ON docs_data (block);" \
  "CREATE TRIGGER docs_counted AFTER INSERT ON docs_content BEGIN SELECT 1; END;"
  g_autoptr(LhBranchDiff) diff = diff_sql (fixture, SHADOW_OBJECTS_SQL,
                                           SHADOW_OBJECTS_SQL "INSERT INTO docs (body) VALUES ('third');");
#undef SHADOW_OBJECTS_SQL

  g_assert_nonnull (strstr (lh_branch_diff_get_sql (diff),
                            "CREATE INDEX IF NOT EXISTS docs_blocks ON docs_data (block);"));
}

/* A database with virtual table v of a module that no connection here has, and a table
 * named like its shadow table, v_data, holding the rows of values. */
static void
make_unknown_module_db (const char *path,
                        const char *values)
{
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE t (a);"
                                          "PRAGMA writable_schema = ON;"
                                          "INSERT INTO sqlite_schema VALUES ('table', 'v', 'v', 0,"
                                          " 'CREATE VIRTUAL TABLE v USING nosuchmod(a)');"
                                          "PRAGMA writable_schema = OFF;"
                                          "CREATE TABLE v_data (k INTEGER PRIMARY KEY, v);"
                                          "INSERT INTO v_data VALUES %s", values);

  g_unlink (path);
  lh_test_make_db (path, sql);
}

/* The diff of the fixture's files, the new one with v of make_unknown_module_db(): its
 * summary tells of the module; says it cannot be read. */
static LhBranchDiff *
diff_unknown_module (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  LhBranchDiff *diff = diff_files (fixture->old_path, fixture->new_path, NULL, &error);
  LhTableDiff *v;

  g_assert_no_error (error);
  v = find_table (diff, "v");
  g_assert_false (v->compared);
  g_assert_nonnull (strstr (v->reason, "module “nosuchmod”, which is not loaded here: its rows "
                                       "cannot be read."));
  return diff;
}

/* A virtual table whose module is not loaded: its summary says so, new or in both; tables
 * named after it are compared as any. */
static void
test_unknown_module (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(LhBranchDiff) made = NULL;
  g_autoptr(LhBranchDiff) changed = NULL;

  g_unlink (fixture->old_path);
  lh_test_make_db (fixture->old_path, "CREATE TABLE t (a)");
  make_unknown_module_db (fixture->new_path, "(1, 'one')");
  made = diff_unknown_module (fixture);
  g_assert_nonnull (strstr (lh_branch_diff_get_sql (made), "CREATE VIRTUAL TABLE v USING nosuchmod(a);\n"));

  make_unknown_module_db (fixture->old_path, "(1, 'one')");
  make_unknown_module_db (fixture->new_path, "(1, 'one'), (2, 'two')");
  changed = diff_unknown_module (fixture);
  g_assert_nonnull (strstr (find_table (changed, "v")->reason,
                            "Tables named after it are compared as ordinary tables."));
  assert_table (changed, "v_data", 1, 0, 0);
  assert_applies (fixture, changed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/branch-diff/identical", Fixture, NULL, fixture_set_up, test_identical,
              fixture_tear_down);
  g_test_add ("/branch-diff/rows", Fixture, NULL, fixture_set_up, test_rows, fixture_tear_down);
  g_test_add ("/branch-diff/values", Fixture, NULL, fixture_set_up, test_values,
              fixture_tear_down);
  g_test_add ("/branch-diff/tables-added-and-dropped", Fixture, NULL, fixture_set_up,
              test_tables_added_and_dropped, fixture_tear_down);
  g_test_add ("/branch-diff/autoincrement", Fixture, NULL, fixture_set_up, test_autoincrement,
              fixture_tear_down);
  g_test_add ("/branch-diff/objects-added", Fixture, NULL, fixture_set_up, test_objects_added,
              fixture_tear_down);
  g_test_add ("/branch-diff/existing-trigger", Fixture, NULL, fixture_set_up,
              test_existing_trigger, fixture_tear_down);
  g_test_add ("/branch-diff/column-added", Fixture, NULL, fixture_set_up, test_column_added,
              fixture_tear_down);
  g_test_add ("/branch-diff/hostile-names", Fixture, NULL, fixture_set_up, test_hostile_names,
              fixture_tear_down);
  g_test_add ("/branch-diff/virtual-tables", Fixture, NULL, fixture_set_up, test_virtual_tables,
              fixture_tear_down);
  g_test_add ("/branch-diff/keys", Fixture, NULL, fixture_set_up, test_keys, fixture_tear_down);
  g_test_add ("/branch-diff/shadow-objects", Fixture, NULL, fixture_set_up, test_shadow_objects,
              fixture_tear_down);
  g_test_add ("/branch-diff/unknown-module", Fixture, NULL, fixture_set_up, test_unknown_module,
              fixture_tear_down);
  g_test_add ("/branch-diff/unique-swap", Fixture, NULL, fixture_set_up, test_unique_swap,
              fixture_tear_down);
  g_test_add ("/branch-diff/foreign-keys", Fixture, NULL, fixture_set_up, test_foreign_keys,
              fixture_tear_down);
  g_test_add ("/branch-diff/generated-unique", Fixture, NULL, fixture_set_up,
              test_generated_unique, fixture_tear_down);
  g_test_add ("/branch-diff/rowids", Fixture, NULL, fixture_set_up, test_rowids,
              fixture_tear_down);
  g_test_add ("/branch-diff/sequences", Fixture, NULL, fixture_set_up, test_sequences,
              fixture_tear_down);
  g_test_add ("/branch-diff/statistics", Fixture, NULL, fixture_set_up, test_statistics,
              fixture_tear_down);
  g_test_add ("/branch-diff/external-content", Fixture, NULL, fixture_set_up,
              test_external_content, fixture_tear_down);
  g_test_add ("/branch-diff/view-triggers", Fixture, NULL, fixture_set_up, test_view_triggers,
              fixture_tear_down);
  g_test_add ("/branch-diff/odd-sql", Fixture, NULL, fixture_set_up, test_odd_sql,
              fixture_tear_down);
  g_test_add ("/branch-diff/virtual-tables-read-before", Fixture, NULL, fixture_set_up,
              test_virtual_tables_read_before, fixture_tear_down);
  g_test_add ("/branch-diff/cancel", Fixture, NULL, fixture_set_up, test_cancel,
              fixture_tear_down);
  g_test_add ("/branch-diff/errors", Fixture, NULL, fixture_set_up, test_errors,
              fixture_tear_down);

  return g_test_run ();
}

