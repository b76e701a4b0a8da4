/* test-schema-diff.c — lh_schema_diff_async() reports tables, columns, views, indexes and
 * triggers added, removed or changed, in order, hostile names included, and not a mere
 * reformat; lh_database_copy_async() writes a full copy or a schema-only one (an FTS5
 * table included) to a new file, never over an existing one, and leaves nothing behind
 * when it fails. Built a second time as test-schema-diff-remote for the "remote" suite:
 * a schema-only copy from the libSQL test server. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-test-server.h"
#include "lh-test-util.h"

#define TOKEN "test-token-0123"

/* A database with one object of each kind, a virtual table, and rows. */
#define SOURCE_SQL \
  "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE);" \
  "CREATE TABLE tasks (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id)," \
  "  title TEXT, due TEXT DEFAULT (date('now')));" \
  "CREATE INDEX tasks_by_user ON tasks (user_id);" \
  "CREATE VIEW open_tasks AS SELECT * FROM tasks WHERE due IS NOT NULL;" \
  "CREATE TRIGGER users_bye AFTER DELETE ON users BEGIN" \
  "  DELETE FROM tasks WHERE user_id = old.id; END;" \
  "CREATE VIRTUAL TABLE notes USING fts5 (title, body);" \
  "INSERT INTO users (email) VALUES ('a@example.org'), ('b@example.org');" \
  "INSERT INTO tasks (user_id, title, due) VALUES (1, 'one', '2024-01-01'), (2, 'two', NULL);" \
  "INSERT INTO notes VALUES ('hello', 'world'), ('second', 'note');"

static LhConnection *
open_db (const char *path)
{
  g_autoptr(GError) error = NULL;
  LhLocalConnection *connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);

  g_assert_no_error (error);
  return LH_CONNECTION (connection);
}

static GPtrArray *
diff_connections (LhConnection *old_db,
                  LhConnection *new_db)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *changes;

  lh_schema_diff_async (old_db, new_db, NULL, lh_test_store_result_cb, &result);
  changes = lh_schema_diff_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (changes);
  return changes;
}

/* The changes from a database made of old_sql to one made of new_sql, in dir. */
static GPtrArray *
diff_sql (const char *dir,
          const char *old_sql,
          const char *new_sql)
{
  g_autofree char *old_path = g_build_filename (dir, "old.db", NULL);
  g_autofree char *new_path = g_build_filename (dir, "new.db", NULL);
  g_autoptr(LhConnection) old_db = NULL;
  g_autoptr(LhConnection) new_db = NULL;

  g_unlink (old_path);
  g_unlink (new_path);
  lh_test_make_db (old_path, old_sql);
  lh_test_make_db (new_path, new_sql);
  old_db = open_db (old_path);
  new_db = open_db (new_path);
  return diff_connections (old_db, new_db);
}

static void
assert_change (GPtrArray          *changes,
               guint               index,
               LhSchemaChangeKind  kind,
               const char         *type,
               const char         *table,
               const char         *name,
               const char         *description)
{
  LhSchemaChange *change;
  g_autofree char *text = NULL;

  g_assert_cmpuint (index, <, changes->len);
  change = g_ptr_array_index (changes, index);
  text = lh_schema_change_describe (change);
  g_assert_cmpstr (text, ==, description);
  g_assert_cmpint (change->kind, ==, kind);
  g_assert_cmpstr (change->type, ==, type);
  g_assert_cmpstr (change->table, ==, table);
  g_assert_cmpstr (change->name, ==, name);
  g_assert_true ((change->old_sql == NULL) == (kind == LH_SCHEMA_ADDED));
  g_assert_true ((change->new_sql == NULL) == (kind == LH_SCHEMA_REMOVED));
}

static void
test_equal (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "source.db", NULL);
  g_autoptr(GPtrArray) changes = diff_sql (dir, SOURCE_SQL, SOURCE_SQL);
  g_autoptr(GPtrArray) with_itself = NULL;
  g_autoptr(LhConnection) connection = NULL;

  g_assert_cmpuint (changes->len, ==, 0);

  lh_test_make_db (path, SOURCE_SQL);
  connection = open_db (path);
  with_itself = diff_connections (connection, connection);
  g_assert_cmpuint (with_itself->len, ==, 0);

  g_clear_object (&connection);
  lh_test_remove_dir (dir);
}

static void
test_tables (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autoptr(GPtrArray) changes = NULL;
  LhSchemaChange *change;

  changes = diff_sql (dir,
                      "CREATE TABLE keep (a); CREATE TABLE gone (a, b);",
                      "CREATE TABLE keep (a); CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);");
  g_assert_cmpuint (changes->len, ==, 2);
  assert_change (changes, 0, LH_SCHEMA_REMOVED, "table", NULL, "gone", "Table “gone” removed");
  assert_change (changes, 1, LH_SCHEMA_ADDED, "table", NULL, "users", "Table “users” added");
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (change->old_sql, ==, "CREATE TABLE gone (a, b)");
  change = g_ptr_array_index (changes, 1);
  g_assert_cmpstr (change->new_sql, ==, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)");

  lh_test_remove_dir (dir);
}

/* Columns added (with ALTER TABLE, as a migration does), removed and retyped stand for
 * their table; a table is reported when more than its columns' definitions changed. */
static void
test_columns (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autoptr(GPtrArray) changes = NULL;
  LhSchemaChange *change;

  changes = diff_sql (dir,
                      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER, note TEXT);"
                      "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT);"
                      "CREATE TABLE scores (n INTEGER CHECK (n > 0));",
                      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age REAL, note TEXT);"
                      "ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT 'x';"
                      "ALTER TABLE users DROP COLUMN note;"
                      "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT, due TEXT, UNIQUE (title));"
                      "CREATE TABLE scores (n INTEGER CHECK (n >= 0));");
  g_assert_cmpuint (changes->len, ==, 6);
  assert_change (changes, 0, LH_SCHEMA_CHANGED, "table", NULL, "scores", "Table “scores” changed");
  assert_change (changes, 1, LH_SCHEMA_CHANGED, "table", NULL, "tasks", "Table “tasks” changed");
  assert_change (changes, 2, LH_SCHEMA_ADDED, "column", "tasks", "due", "Column “tasks.due” added: TEXT");
  assert_change (changes, 3, LH_SCHEMA_CHANGED, "column", "users", "age",
                 "Column “users.age” changed: INTEGER → REAL");
  assert_change (changes, 4, LH_SCHEMA_ADDED, "column", "users", "email",
                 "Column “users.email” added: TEXT NOT NULL DEFAULT 'x'");
  assert_change (changes, 5, LH_SCHEMA_REMOVED, "column", "users", "note", "Column “users.note” removed");
  change = g_ptr_array_index (changes, 4);
  g_assert_cmpstr (change->new_sql, ==, "TEXT NOT NULL DEFAULT 'x'");
  change = g_ptr_array_index (changes, 5);
  g_assert_cmpstr (change->old_sql, ==, "TEXT");

  lh_test_remove_dir (dir);
}

static void
test_indexes (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autoptr(GPtrArray) changes = NULL;
  LhSchemaChange *change;

  changes = diff_sql (dir,
                      "CREATE TABLE tasks (id INTEGER PRIMARY KEY, due TEXT, done INTEGER);"
                      "CREATE TABLE tags (name TEXT UNIQUE);"
                      "CREATE INDEX idx_tasks_due ON tasks (due);",
                      "CREATE TABLE tasks (id INTEGER PRIMARY KEY, due TEXT, done INTEGER);"
                      "CREATE TABLE tags (name TEXT UNIQUE);"
                      "CREATE INDEX idx_tasks_due ON tasks (due, done);"
                      "CREATE INDEX idx_tasks_done ON tasks (done) WHERE done = 0;");
  g_assert_cmpuint (changes->len, ==, 2);
  assert_change (changes, 0, LH_SCHEMA_ADDED, "index", "tasks", "idx_tasks_done",
                 "Index “idx_tasks_done” on “tasks” added");
  assert_change (changes, 1, LH_SCHEMA_CHANGED, "index", "tasks", "idx_tasks_due",
                 "Index “idx_tasks_due” on “tasks” changed");
  change = g_ptr_array_index (changes, 1);
  g_assert_cmpstr (change->old_sql, ==, "CREATE INDEX idx_tasks_due ON tasks (due)");
  g_assert_cmpstr (change->new_sql, ==, "CREATE INDEX idx_tasks_due ON tasks (due, done)");

  lh_test_remove_dir (dir);
}

static void
test_views_and_triggers (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autoptr(GPtrArray) changes = NULL;

  changes = diff_sql (dir,
                      "CREATE TABLE t (a, b);"
                      "CREATE VIEW v AS SELECT a FROM t;"
                      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;"
                      "CREATE TRIGGER gone AFTER DELETE ON t BEGIN SELECT 1; END;",
                      "CREATE TABLE t (a, b);"
                      "CREATE VIEW v AS SELECT a, b FROM t;"
                      "CREATE TRIGGER tr AFTER UPDATE ON t BEGIN SELECT 1; END;");
  g_assert_cmpuint (changes->len, ==, 3);
  assert_change (changes, 0, LH_SCHEMA_CHANGED, "view", NULL, "v", "View “v” changed");
  assert_change (changes, 1, LH_SCHEMA_REMOVED, "trigger", "t", "gone", "Trigger “gone” on “t” removed");
  assert_change (changes, 2, LH_SCHEMA_CHANGED, "trigger", "t", "tr", "Trigger “tr” on “t” changed");

  lh_test_remove_dir (dir);
}

/* Tables, columns, views, indexes, triggers, whatever their names' order. */
static void
test_order (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autoptr(GPtrArray) changes = NULL;

  changes = diff_sql (dir,
                      "CREATE TABLE keep (a);",
                      "CREATE TABLE keep (a, d);"
                      "CREATE TRIGGER a_trigger AFTER INSERT ON keep BEGIN SELECT 1; END;"
                      "CREATE INDEX b_index ON keep (a);"
                      "CREATE VIEW c_view AS SELECT 1;"
                      "CREATE TABLE e_table (x);"
                      "CREATE TABLE E_second (x);");
  g_assert_cmpuint (changes->len, ==, 6);
  assert_change (changes, 0, LH_SCHEMA_ADDED, "table", NULL, "E_second", "Table “E_second” added");
  assert_change (changes, 1, LH_SCHEMA_ADDED, "table", NULL, "e_table", "Table “e_table” added");
  assert_change (changes, 2, LH_SCHEMA_ADDED, "column", "keep", "d", "Column “keep.d” added: any type");
  assert_change (changes, 3, LH_SCHEMA_ADDED, "view", NULL, "c_view", "View “c_view” added");
  assert_change (changes, 4, LH_SCHEMA_ADDED, "index", "keep", "b_index", "Index “b_index” on “keep” added");
  assert_change (changes, 5, LH_SCHEMA_ADDED, "trigger", "keep", "a_trigger",
                 "Trigger “a_trigger” on “keep” added");

  lh_test_remove_dir (dir);
}

/* Whitespace and comments are no change; a space inside a string is one. */
static void
test_reformat (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  const char *compact =
    "CREATE TABLE t (a INTEGER, b TEXT DEFAULT 'x  y', c VARCHAR(10));"
    "CREATE VIEW v AS SELECT a, b FROM t WHERE b = 'p  q';"
    "CREATE INDEX i ON t (a, b);"
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 'r' WHERE a = new.a; END;";
  const char *reformatted =
    "CREATE TABLE t(\n  a   INTEGER, -- the key\n\tb TEXT  DEFAULT 'x  y' ,\n  c VARCHAR (10)\n);"
    "CREATE VIEW v AS\n  SELECT a,b\n  FROM t /* filtered */\n  WHERE b='p  q';"
    "CREATE INDEX i ON t(a,b);"
    "CREATE TRIGGER tr AFTER INSERT ON t\nBEGIN\n  UPDATE t SET b = 'r'\n  WHERE a = new.a;\nEND;";
  const char *literal_changed =
    "CREATE TABLE t (a INTEGER, b TEXT DEFAULT 'x  y', c VARCHAR(10));"
    "CREATE VIEW v AS SELECT a, b FROM t WHERE b = 'p q';"
    "CREATE INDEX i ON t (a, b);"
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 'r' WHERE a = new.a; END;";
  g_autoptr(GPtrArray) same = diff_sql (dir, compact, reformatted);
  g_autoptr(GPtrArray) changed = diff_sql (dir, compact, literal_changed);

  g_assert_cmpuint (same->len, ==, 0);
  g_assert_cmpuint (changed->len, ==, 1);
  assert_change (changed, 0, LH_SCHEMA_CHANGED, "view", NULL, "v", "View “v” changed");

  lh_test_remove_dir (dir);
}

static void
test_hostile_names (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autoptr(GPtrArray) changes = NULL;

  changes = diff_sql (dir,
                      "CREATE TABLE \"order \"\"items\"\"\" (\"naïve ☃\" TEXT, `a``b` INTEGER,"
                      "  'single''s' TEXT);"
                      "CREATE INDEX \"by naïve ☃\" ON \"order \"\"items\"\"\" (\"naïve ☃\");",
                      "CREATE TABLE \"order \"\"items\"\"\" (\"naïve ☃\" BLOB, `a``b` INTEGER,"
                      "  [e mail] TEXT);"
                      "CREATE INDEX \"by naïve ☃\" ON \"order \"\"items\"\"\" (\"naïve ☃\" DESC);"
                      "CREATE TABLE \"\"\"; DROP TABLE x; --\" (a);");
  g_assert_cmpuint (changes->len, ==, 5);
  assert_change (changes, 0, LH_SCHEMA_ADDED, "table", NULL, "\"; DROP TABLE x; --",
                 "Table “\"; DROP TABLE x; --” added");
  assert_change (changes, 1, LH_SCHEMA_ADDED, "column", "order \"items\"", "e mail",
                 "Column “order \"items\".e mail” added: TEXT");
  assert_change (changes, 2, LH_SCHEMA_CHANGED, "column", "order \"items\"", "naïve ☃",
                 "Column “order \"items\".naïve ☃” changed: TEXT → BLOB");
  assert_change (changes, 3, LH_SCHEMA_REMOVED, "column", "order \"items\"", "single's",
                 "Column “order \"items\".single's” removed");
  assert_change (changes, 4, LH_SCHEMA_CHANGED, "index", "order \"items\"", "by naïve ☃",
                 "Index “by naïve ☃” on “order \"items\"” changed");

  lh_test_remove_dir (dir);
}

/* Copying. */

static gboolean
copy_database (LhConnection        *connection,
               const char          *path,
               LhDatabaseCopyMode   mode,
               GCancellable        *cancellable,
               GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_database_copy_async (connection, path, mode, cancellable, lh_test_store_result_cb, &result);
  return lh_database_copy_finish (lh_test_wait_for_result (&result), error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names in dir, sorted and joined by spaces: to see that nothing was left behind. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* A checksum of the rows of every table of the database at path. */
static char *
rows_checksum (const char *path)
{
  static const char * const queries[] = {
    "SELECT * FROM users ORDER BY id",
    "SELECT * FROM tasks ORDER BY id",
    "SELECT rowid, * FROM notes ORDER BY rowid",
    "SELECT * FROM sqlite_sequence ORDER BY name",
  };
  g_autoptr(GString) rows = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *text = lh_test_query_text (path, queries[i]);

      g_string_append_printf (rows, "%s\n--\n", text);
    }
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, rows->str, rows->len);
}

static void
assert_integrity (LhConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = lh_test_execute (connection, "PRAGMA integrity_check", NULL, NULL, &error);
  g_autofree char *verdict = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (rows), ==, 1);
  verdict = lh_value_to_display_string (lh_result_set_get_value (rows, 0, 0), 0);
  g_assert_cmpstr (verdict, ==, "ok");
}

/* The copy at copy_path opens, is sound, has the schema of source, and a working FTS5 table. */
static void
check_schema_copy (LhConnection *source,
                   const char   *copy_path)
{
  g_autoptr(LhConnection) copy = open_db (copy_path);
  g_autoptr(GPtrArray) changes = diff_connections (source, copy);

  assert_integrity (copy);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpint (lh_test_query_integer (copy, "SELECT count(*) FROM sqlite_master "
                                                "WHERE name LIKE 'notes%'"), ==, 6);
  g_assert_cmpint (lh_test_query_integer (copy, "SELECT count(*) FROM sqlite_master "
                                                "WHERE type IN ('index', 'view', 'trigger') "
                                                "AND sql IS NOT NULL"), ==, 3);
  g_assert_cmpint (lh_test_query_integer (copy, "SELECT count(*) FROM users"), ==, 0);
  g_assert_cmpint (lh_test_query_integer (copy, "SELECT count(*) FROM tasks"), ==, 0);
  g_assert_cmpint (lh_test_query_integer (copy, "SELECT count(*) FROM notes"), ==, 0);
  lh_test_run_ok (copy, "INSERT INTO notes VALUES ('copied', 'searchable')");
  g_assert_cmpint (lh_test_query_integer (copy, "SELECT count(*) FROM notes WHERE notes MATCH 'searchable'"),
                   ==, 1);
  lh_test_close (&copy);
}

static void
test_copy_schema_only (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *source_path = g_build_filename (dir, "source.db", NULL);
  g_autofree char *copy_path = g_build_filename (dir, "copy.db", NULL);
  g_autoptr(LhConnection) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  lh_test_make_db (source_path, SOURCE_SQL);
  source = open_db (source_path);
  g_assert_true (copy_database (source, copy_path, LH_DATABASE_COPY_SCHEMA_ONLY, NULL, &error));
  g_assert_no_error (error);

  check_schema_copy (source, copy_path);
  names = list_dir (dir);
  g_assert_cmpstr (names, ==, "copy.db source.db");

  g_clear_object (&source);
  lh_test_remove_dir (dir);
}

static void
test_copy_rows (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *source_path = g_build_filename (dir, "source.db", NULL);
  g_autofree char *copy_path = g_build_filename (dir, "copy.db", NULL);
  g_autoptr(LhConnection) source = NULL;
  g_autoptr(LhConnection) copy = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source_rows = NULL;
  g_autofree char *copy_rows = NULL;
  g_autofree char *names = NULL;

  lh_test_make_db (source_path, SOURCE_SQL);
  source = open_db (source_path);
  g_assert_true (copy_database (source, copy_path, LH_DATABASE_COPY_ROWS, NULL, &error));
  g_assert_no_error (error);

  copy = open_db (copy_path);
  assert_integrity (copy);
  changes = diff_connections (source, copy);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpint (lh_test_query_integer (copy, "SELECT count(*) FROM notes WHERE notes MATCH 'world'"),
                   ==, 1);
  lh_test_close (&copy);
  source_rows = rows_checksum (source_path);
  copy_rows = rows_checksum (copy_path);
  g_assert_cmpstr (copy_rows, ==, source_rows);
  names = list_dir (dir);
  g_assert_cmpstr (names, ==, "copy.db source.db");

  g_clear_object (&source);
  lh_test_remove_dir (dir);
}

/* A file at the path stays as it was, in either mode. */
static void
test_copy_to_existing (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *source_path = g_build_filename (dir, "source.db", NULL);
  g_autofree char *taken_path = g_build_filename (dir, "taken.db", NULL);
  g_autoptr(LhConnection) source = NULL;
  g_autofree char *before = NULL;

  lh_test_make_db (source_path, SOURCE_SQL);
  g_assert_true (g_file_set_contents (taken_path, "someone else's file", -1, NULL));
  before = lh_test_checksum (taken_path);
  source = open_db (source_path);

  for (LhDatabaseCopyMode mode = LH_DATABASE_COPY_ROWS; mode <= LH_DATABASE_COPY_SCHEMA_ONLY; mode++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;
      g_autofree char *names = NULL;

      g_assert_false (copy_database (source, taken_path, mode, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
      g_assert_nonnull (strstr (error->message, "taken.db"));
      after = lh_test_checksum (taken_path);
      g_assert_cmpstr (after, ==, before);
      names = list_dir (dir);
      g_assert_cmpstr (names, ==, "source.db taken.db");
    }

  g_clear_object (&source);
  lh_test_remove_dir (dir);
}

/* A cancelled copy, or one into a folder that is not there, leaves no file. */
static void
test_copy_fails_cleanly (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *source_path = g_build_filename (dir, "source.db", NULL);
  g_autofree char *copy_path = g_build_filename (dir, "copy.db", NULL);
  g_autofree char *nowhere = g_build_filename (dir, "missing", "copy.db", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LhConnection) source = NULL;

  lh_test_make_db (source_path, SOURCE_SQL);
  source = open_db (source_path);
  g_cancellable_cancel (cancellable);

  for (LhDatabaseCopyMode mode = LH_DATABASE_COPY_ROWS; mode <= LH_DATABASE_COPY_SCHEMA_ONLY; mode++)
    {
      g_autoptr(GError) cancelled = NULL;
      g_autoptr(GError) missing = NULL;
      g_autofree char *names = NULL;

      g_assert_false (copy_database (source, copy_path, mode, cancellable, &cancelled));
      g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_false (copy_database (source, nowhere, mode, NULL, &missing));
      g_assert_error (missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      names = list_dir (dir);
      g_assert_cmpstr (names, ==, "source.db");
    }

  g_clear_object (&source);
  lh_test_remove_dir (dir);
}

/* Remote: the libSQL test server over the source database. */

static LhConnection *
open_libsql (LhTestServer *server)
{
  g_autofree char *url = lh_test_server_url (server, "");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LhLibsqlConnection *connection;

  lh_libsql_connection_open_async (url, TOKEN, NULL, NULL, lh_test_store_result_cb, &result);
  connection = lh_libsql_connection_open_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return LH_CONNECTION (connection);
}

static void
test_copy_libsql (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *source_path = g_build_filename (dir, "remote.db", NULL);
  g_autofree char *copy_path = g_build_filename (dir, "copy.db", NULL);
  g_autoptr(LhTestServer) server = NULL;
  g_autoptr(LhConnection) remote = NULL;
  g_autoptr(GError) rows_error = NULL;
  g_autoptr(GError) error = NULL;

  lh_test_make_db (source_path, SOURCE_SQL);
  server = lh_test_server_start ("hrana-server.mjs", "--db", source_path, "--token", TOKEN, NULL);
  remote = open_libsql (server);

  g_assert_false (copy_database (remote, copy_path, LH_DATABASE_COPY_ROWS, NULL, &rows_error));
  g_assert_error (rows_error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED);
  g_assert_nonnull (strstr (rows_error->message, "local database"));
  g_assert_false (g_file_test (copy_path, G_FILE_TEST_EXISTS));

  g_assert_true (copy_database (remote, copy_path, LH_DATABASE_COPY_SCHEMA_ONLY, NULL, &error));
  g_assert_no_error (error);
  check_schema_copy (remote, copy_path);

  g_clear_object (&remote);
  g_clear_pointer (&server, lh_test_server_stop);
  lh_test_remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* The "remote" suite's build of this file runs what needs a protocol server. */
  if (g_str_has_suffix (g_get_prgname (), "-remote"))
    {
      g_test_add_func ("/database-copy/libsql", test_copy_libsql);
      return g_test_run ();
    }

  g_test_add_func ("/schema-diff/equal", test_equal);
  g_test_add_func ("/schema-diff/tables", test_tables);
  g_test_add_func ("/schema-diff/columns", test_columns);
  g_test_add_func ("/schema-diff/indexes", test_indexes);
  g_test_add_func ("/schema-diff/views-and-triggers", test_views_and_triggers);
  g_test_add_func ("/schema-diff/order", test_order);
  g_test_add_func ("/schema-diff/reformat", test_reformat);
  g_test_add_func ("/schema-diff/hostile-names", test_hostile_names);
  g_test_add_func ("/database-copy/schema-only", test_copy_schema_only);
  g_test_add_func ("/database-copy/rows", test_copy_rows);
  g_test_add_func ("/database-copy/existing-file", test_copy_to_existing);
  g_test_add_func ("/database-copy/fails-cleanly", test_copy_fails_cleanly);
  return g_test_run ();
}
