/* test-script.c — LhScript: statements split where SQLite would split them (strings,
 * quoted names, comments, triggers), run in order, stopping at the first error with its
 * position in the whole script. Also LhValue's display text and identifier quoting. */
#include "config.h"

#include <sqlite3.h>

#include "lh-test-util.h"

static char **
split (const char *text)
{
  g_autoptr(GArray) spans = lh_sql_split (text, -1);
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  for (guint i = 0; i < spans->len; i++)
    {
      LhStatementSpan *span = &g_array_index (spans, LhStatementSpan, i);
      g_autofree char *sql = g_strndup (text + span->offset, span->length);

      g_strv_builder_add (builder, sql);
    }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

static void
assert_split (const char         *text,
              const char * const *expected)
{
  g_auto(GStrv) got = split (text);

  g_assert_cmpstrv (got, expected);
}

static void
test_split (void)
{
  assert_split ("SELECT 1; SELECT 2;", (const char *[]) { "SELECT 1;", "SELECT 2;", NULL });
  assert_split ("  SELECT 1 ;\n\nSELECT 2", (const char *[]) { "SELECT 1 ;", "SELECT 2", NULL });
  assert_split ("SELECT 'a;b', 'it''s; fine';SELECT 3",
                (const char *[]) { "SELECT 'a;b', 'it''s; fine';", "SELECT 3", NULL });
  assert_split ("SELECT \"we;ird\", [br;acket], `back;tick` FROM t; SELECT 4;",
                (const char *[]) { "SELECT \"we;ird\", [br;acket], `back;tick` FROM t;",
                                   "SELECT 4;", NULL });
  assert_split ("-- a comment; not a statement\nSELECT 1; /* block; comment */ SELECT 2;",
                (const char *[]) { "SELECT 1;", "SELECT 2;", NULL });
  assert_split (";; -- only comments ;\n /* here */ ;", (const char *[]) { NULL });
  assert_split ("", (const char *[]) { NULL });
  assert_split ("CREATE TRIGGER t_audit AFTER UPDATE ON t BEGIN\n"
                "  INSERT INTO log VALUES (1);\n"
                "  UPDATE t SET n = n + 1 WHERE id = new.id;\n"
                "END;\nSELECT 5;",
                (const char *[]) { "CREATE TRIGGER t_audit AFTER UPDATE ON t BEGIN\n"
                                   "  INSERT INTO log VALUES (1);\n"
                                   "  UPDATE t SET n = n + 1 WHERE id = new.id;\n"
                                   "END;", "SELECT 5;", NULL });
  assert_split ("SELECT CASE WHEN 1 THEN 'x;' END; SELECT 6",
                (const char *[]) { "SELECT CASE WHEN 1 THEN 'x;' END;", "SELECT 6", NULL });
  assert_split ("SELECT 'unterminated; string", (const char *[]) { "SELECT 'unterminated; string",
                                                                   NULL });
  assert_split ("SELECT 1 -- trailing; comment", (const char *[]) { "SELECT 1 -- trailing; comment",
                                                                    NULL });
}

/* Where SQLite itself ends each statement: the tails of repeated sqlite3_prepare_v2(). */
static GArray *
sqlite_ends (sqlite3    *db,
             const char *sql)
{
  GArray *ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  const char *p = sql;

  while (*p != '\0')
    {
      sqlite3_stmt *stmt = NULL;
      const char *tail = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, p, -1, &stmt, &tail), ==, SQLITE_OK);
      if (stmt != NULL)
        {
          gsize end = tail - sql;

          g_array_append_val (ends, end);
        }
      sqlite3_finalize (stmt);
      if (tail == p)
        break;
      p = tail;
    }
  return ends;
}

static void
test_split_matches_sqlite (void)
{
  static const char * const inputs[] = {
    "SELECT 1; SELECT 2;",
    "SELECT 1 -- c ; \n ; SELECT 2",
    "SELECT 1; --",
    "SELECT 1; -- c\n SELECT 2; /* c */",
    "SELECT 1 /* nested /* c */ ; SELECT 2;",
    "SELECT 1 /*/ ; SELECT 3; */ ; SELECT 2",
    "SELECT 'a;b' AS \"x;y\"; SELECT 2",
    "SELECT 'it''s;'; SELECT 2",
    "SELECT 1 AS \"a\"\"b;\"; SELECT 2",
    "SELECT [a;'b] FROM (SELECT 1 AS [a;'b]); SELECT 2;",
    "SELECT `a;\"b` FROM (SELECT 1 AS `a;\"b`); SELECT 2",
    "SELECT 1 -/* c */- 1; SELECT 2",
    "SELECT 1;;; ; SELECT 2",
    "SELECT CASE 1 WHEN 1 THEN 'x' END; SELECT 2;",
    "CREATE TRIGGER tr1 AFTER INSERT ON t BEGIN SELECT 'END;'; "
    "UPDATE t SET a = CASE WHEN 1 THEN 2 END; END; SELECT 1;",
    "CREATE TRIGGER tr2 AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN 1 END\n; END; SELECT 1",
    "CREATE TRIGGER tr3 AFTER INSERT ON t BEGIN SELECT 1; END /* x */ ; SELECT 2",
    "CREATE TRIGGER tr4 AFTER INSERT ON t BEGIN SELECT 1; end -- x\n ; SELECT 2",
    "CREATE TRIGGER tr5 BEFORE DELETE ON t FOR EACH ROW WHEN old.a = 'END;' "
    "BEGIN DELETE FROM u; END; SELECT 2",
    "CREATE TRIGGER IF NOT EXISTS tr6 AFTER INSERT ON t BEGIN INSERT INTO u VALUES (';'); END;"
    " SELECT 1",
    "CREATE TEMP TRIGGER tr7 AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2",
    "CREATE TEMPORARY TRIGGER tr8 AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2",
    "EXPLAIN CREATE TRIGGER tr9 AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2",
    "EXPLAIN QUERY PLAN CREATE TRIGGER tr10 AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2",
    "CREATE /* c */ TRIGGER tr11 AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2",
    "CREATE TRIGGER \"tr;12\" AFTER INSERT ON [t] BEGIN SELECT 1; END; SELECT 2",
    "CREATE TRIGGER tr13 AFTER INSERT ON t BEGIN SELECT 1 AS end; END; SELECT 2",
    "CREATE TRIGGER tr14 INSTEAD OF INSERT ON v BEGIN SELECT 1; END; SELECT 2",
    "BEGIN TRANSACTION; SELECT 1; END TRANSACTION;",
    "BEGIN; SELECT 1; END; SELECT 2",
    "CREATE TEMP VIEW v1 AS SELECT 1 AS \"trigger\"; SELECT 2",
    "CREATE TABLE t2 (\"end\" TEXT DEFAULT 'a;b'); SELECT 2",
    "WITH x AS (SELECT 1) SELECT * FROM x; SELECT 2",
    "SELECT 1;\fSELECT 2\r\n",
    "SELECT $a(;); SELECT 2;",
    "SELECT $a(x;y) ; SELECT 2",
    "SELECT $a('); SELECT 2;",
    "SELECT :a::b(x;y); SELECT 2",
    "SELECT @a(\"); SELECT 2;",
    "SELECT $a(--); SELECT 2;",
    "SELECT x'41'; SELECT 2",
    "/* only */ ; -- comments ;",
    "SELECT 1 --;\n; SELECT 2;",
    "SELECT ?1; SELECT ?; SELECT :x; SELECT @y; SELECT $z",
    "SELECT 1 AS \"é;\"; SELECT 'ü'",
    "PRAGMA user_version; SELECT 2",
  };
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (a, b); CREATE TABLE u (x);"
                                 "CREATE VIEW v AS SELECT * FROM t;", NULL, NULL, NULL),
                   ==, SQLITE_OK);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GArray) spans = lh_sql_split (inputs[i], -1);
      g_autoptr(GArray) ends = sqlite_ends (db, inputs[i]);

      g_test_message ("input: %s", inputs[i]);
      g_assert_cmpuint (spans->len, ==, ends->len);
      for (guint j = 0; j < spans->len; j++)
        {
          LhStatementSpan *span = &g_array_index (spans, LhStatementSpan, j);

          g_assert_cmpuint (span->offset + span->length, ==, g_array_index (ends, gsize, j));
        }
    }
  sqlite3_close (db);
}

static void
test_blank (void)
{
  g_assert_true (lh_sql_is_blank ("  -- x\n /* y */ ; ", -1));
  g_assert_false (lh_sql_is_blank (" -- x\n DELETE FROM t", -1));
  g_assert_false (lh_sql_is_blank ("'--'", -1));
}

static void
test_line_column (void)
{
  const char *text = "SELECT 1;\n  SELECT 'é', bad";
  guint line, column;

  lh_sql_offset_to_line_column (text, 0, &line, &column);
  g_assert_cmpuint (line, ==, 1);
  g_assert_cmpuint (column, ==, 1);
  lh_sql_offset_to_line_column (text, strstr (text, "bad") - text, &line, &column);
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, 15);
}

static void
test_changes_schema (void)
{
  g_assert_true (lh_sql_changes_schema ("CREATE TABLE t (x)"));
  g_assert_true (lh_sql_changes_schema (" -- note\n drop view v;"));
  g_assert_true (lh_sql_changes_schema ("/* x */ Alter TABLE t ADD y"));
  g_assert_false (lh_sql_changes_schema ("SELECT 'create'"));
  g_assert_false (lh_sql_changes_schema ("INSERT INTO created VALUES (1)"));
  g_assert_false (lh_sql_changes_schema ("EXPLAIN CREATE TABLE t (x)"));
  g_assert_false (lh_sql_changes_schema ("-- create"));
}

static void
test_quote_identifier (void)
{
  g_autofree char *plain = lh_sql_quote_identifier ("users");
  g_autofree char *hostile = lh_sql_quote_identifier ("\"; DROP TABLE x; --");

  g_assert_cmpstr (plain, ==, "\"users\"");
  g_assert_cmpstr (hostile, ==, "\"\"\"; DROP TABLE x; --\"");
}

static void
test_value_display (void)
{
  g_autoptr(LhValue) real = lh_value_new_real (0.1);
  g_autoptr(LhValue) third = lh_value_new_real (1.0 / 3.0);
  g_autoptr(LhValue) big = lh_value_new_integer (G_MININT64);
  g_autoptr(LhValue) text = lh_value_new_text ("héllo wörld", -1);
  g_autoptr(GBytes) bytes = g_bytes_new ("abc", 3);
  g_autoptr(LhValue) blob = lh_value_new_blob (bytes);
  g_autoptr(LhValue) null = lh_value_new_null ();
  g_autoptr(LhValue) copy = lh_value_copy (text);
  g_autofree char *s1 = lh_value_to_display_string (real, 0);
  g_autofree char *s2 = lh_value_to_display_string (third, 0);
  g_autofree char *s3 = lh_value_to_display_string (big, 0);
  g_autofree char *s4 = lh_value_to_display_string (text, 5);
  g_autofree char *s5 = lh_value_to_display_string (blob, 0);
  g_autofree char *s6 = lh_value_to_display_string (null, 0);
  g_autofree char *s7 = lh_value_to_display_string (copy, 0);

  g_assert_cmpstr (s1, ==, "0.1");
  g_assert_cmpstr (s2, ==, "0.33333333333333331");
  g_assert_cmpstr (s3, ==, "-9223372036854775808");
  g_assert_cmpstr (s4, ==, "héllo…");
  g_assert_cmpstr (s5, ==, "BLOB (3 bytes)");
  g_assert_cmpstr (s6, ==, "NULL");
  g_assert_cmpstr (s7, ==, "héllo wörld");
}

typedef struct
{
  char *dir;
  LhConnection *connection;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = lh_test_make_dir ();
  path = g_build_filename (fixture->dir, "script.db", NULL);
  lh_test_make_db (path, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 0);");
  fixture->connection = LH_CONNECTION (lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->connection);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static gint64
count_rows (LhConnection *connection,
            const char   *sql)
{
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;

  result = lh_test_execute (connection, sql, NULL, NULL, &error);
  g_assert_no_error (error);
  return lh_result_set_get_value (result, 0, 0)->v.integer;
}

static void
test_run (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  LhStatementResult *statement;

  results = lh_test_run_script (fixture->connection,
                                "INSERT INTO t (id) VALUES (1), (2);\n"
                                "CREATE TRIGGER bump AFTER INSERT ON t BEGIN\n"
                                "  UPDATE t SET n = n + 1 WHERE id = new.id;\n"
                                "END;\n"
                                "INSERT INTO t (id) VALUES (3);\n"
                                "SELECT id, n FROM t ORDER BY id;",
                                NULL);
  g_assert_cmpuint (results->len, ==, 4);

  statement = g_ptr_array_index (results, 0);
  g_assert_no_error (statement->error);
  g_assert_cmpint (lh_result_set_get_changes (statement->result), ==, 2);
  g_assert_cmpuint (statement->offset, ==, 0);

  statement = g_ptr_array_index (results, 1);
  g_assert_true (g_str_has_prefix (statement->sql, "CREATE TRIGGER"));
  g_assert_true (g_str_has_suffix (statement->sql, "END;"));

  statement = g_ptr_array_index (results, 3);
  g_assert_no_error (statement->error);
  g_assert_cmpuint (lh_result_set_get_n_rows (statement->result), ==, 3);
  g_assert_cmpint (lh_result_set_get_value (statement->result, 2, 1)->v.integer, ==, 1);
}

static void
test_run_error (Fixture       *fixture,
                gconstpointer  data)
{
  const char *text = "INSERT INTO t (id) VALUES (1);\n"
                     "UPDATE t SET n = 5 WHER id = 1;\n"
                     "INSERT INTO t (id) VALUES (2);";
  g_autoptr(GPtrArray) results = lh_test_run_script (fixture->connection, text, NULL);
  LhStatementResult *failed;
  guint line, column;

  /* The first statement ran, the second failed, the third never ran. */
  g_assert_cmpuint (results->len, ==, 2);
  failed = g_ptr_array_index (results, 1);
  g_assert_error (failed->error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL);
  g_assert_cmpstr (failed->error->message, ==, "near \"WHER\": syntax error");
  g_assert_cmpint (lh_connection_error_get_offset (failed->error), ==, strstr (text, "WHER") - text);
  lh_sql_offset_to_line_column (text, lh_connection_error_get_offset (failed->error),
                                &line, &column);
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, 20);
  g_assert_cmpint (count_rows (fixture->connection, "SELECT count(*) FROM t"), ==, 1);
}

static void
test_run_cancel (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) results = NULL;
  LhStatementResult *last;

  g_cancellable_cancel (cancellable);
  results = lh_test_run_script (fixture->connection, "INSERT INTO t (id) VALUES (1); SELECT 2;",
                                cancellable);
  g_assert_cmpuint (results->len, ==, 1);
  last = g_ptr_array_index (results, 0);
  g_assert_error (last->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (count_rows (fixture->connection, "SELECT count(*) FROM t"), ==, 0);
}

static void
assert_ref (GPtrArray  *refs,
            guint       index,
            const char *database,
            const char *table,
            const char *alias)
{
  LhTableRef *ref;

  g_assert_cmpuint (index, <, refs->len);
  ref = g_ptr_array_index (refs, index);
  g_assert_cmpstr (ref->database, ==, database);
  g_assert_cmpstr (ref->table, ==, table);
  g_assert_cmpstr (ref->alias, ==, alias);
}

static void
test_table_refs (void)
{
  g_autoptr(GPtrArray) refs = lh_sql_table_refs (
    "SELECT t.id, u.name FROM tasks AS t\n"
    "  LEFT JOIN \"the users\" u ON u.id = t.owner, archive.notes n, [odd name]\n"
    " WHERE t.x IN (SELECT y FROM tags) ORDER BY 1");
  g_autoptr(GPtrArray) update = lh_sql_table_refs ("UPDATE \"a\"\"b\" SET c = 1 WHERE d = 2");
  g_autoptr(GPtrArray) insert = lh_sql_table_refs ("INSERT INTO log (msg) VALUES ('from x')");
  g_autoptr(GPtrArray) none = lh_sql_table_refs ("SELECT 1");
  g_autofree char *word = NULL;
  g_autofree char *qualifier = NULL;

  g_assert_cmpuint (refs->len, ==, 5);
  assert_ref (refs, 0, NULL, "tasks", "t");
  assert_ref (refs, 1, NULL, "the users", "u");
  assert_ref (refs, 2, "archive", "notes", "n");
  assert_ref (refs, 3, NULL, "odd name", NULL);
  assert_ref (refs, 4, NULL, "tags", NULL);
  g_assert_cmpuint (update->len, ==, 1);
  assert_ref (update, 0, NULL, "a\"b", NULL);
  g_assert_cmpuint (insert->len, ==, 1);
  assert_ref (insert, 0, NULL, "log", NULL);
  g_assert_cmpuint (none->len, ==, 0);

  word = lh_sql_word_before ("SELECT t.na", 11, &qualifier);
  g_assert_cmpstr (word, ==, "na");
  g_assert_cmpstr (qualifier, ==, "t");
  g_clear_pointer (&word, g_free);
  g_clear_pointer (&qualifier, g_free);
  word = lh_sql_word_before ("SELECT \"the users\".", 19, &qualifier);
  g_assert_cmpstr (word, ==, "");
  g_assert_cmpstr (qualifier, ==, "the users");
  g_clear_pointer (&word, g_free);
  g_clear_pointer (&qualifier, g_free);
  word = lh_sql_word_before ("SELECT ta", 9, &qualifier);
  g_assert_cmpstr (word, ==, "ta");
  g_assert_null (qualifier);
}

/* A real plan, from SQLite: its steps in order, with depths and the full scan marked. */
static void
test_query_plan (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "plan.db", NULL);
  g_autofree char *sql = lh_query_plan_dup_sql ("SELECT * FROM a JOIN b ON b.a_id = a.id "
                                                "WHERE a.id IN (SELECT a_id FROM c) ORDER BY b.v;\n");
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(GError) error = NULL;
  GString *text = g_string_new (NULL);
  g_autofree char *plan = NULL;

  g_assert_cmpstr (sql, ==, "EXPLAIN QUERY PLAN SELECT * FROM a JOIN b ON b.a_id = a.id "
                            "WHERE a.id IN (SELECT a_id FROM c) ORDER BY b.v");
  lh_test_make_db (path, "CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (a_id, v);"
                         "CREATE TABLE c (a_id); CREATE INDEX c_a ON c (a_id);");
  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);
  rows = lh_test_execute (LH_CONNECTION (connection), sql, NULL, NULL, &error);
  g_assert_no_error (error);
  steps = lh_query_plan_from_rows (rows);
  g_assert_nonnull (steps);
  for (guint i = 0; i < steps->len; i++)
    {
      LhPlanStep *step = g_ptr_array_index (steps, i);

      g_string_append_printf (text, "%u%s %s\n", step->depth, step->full_scan ? "!" : "", step->detail);
    }
  plan = g_string_free (text, FALSE);
  g_assert_nonnull (strstr (plan, "0! SCAN b\n"));
  g_assert_nonnull (strstr (plan, "0 LIST SUBQUERY 1\n1! SCAN c\n"));
  g_assert_nonnull (strstr (plan, "0 SEARCH a USING INTEGER PRIMARY KEY (rowid=?)\n"));
  g_assert_nonnull (strstr (plan, "0 USE TEMP B-TREE FOR ORDER BY\n"));
  g_clear_object (&connection);
  lh_test_remove_dir (dir);
}

static char *
joined_parameters (const char *sql)
{
  g_autoptr(GPtrArray) keys = lh_sql_parameters (sql);

  g_ptr_array_add (keys, NULL);
  return g_strjoinv (",", (char **) keys->pdata);
}

static void
test_parameters (void)
{
  static const char * const cases[][2] = {
    { "SELECT ?, ?, ?", "?1,?2,?3" },
    { "SELECT ?2, ?", "?1,?2,?3" },
    { "SELECT :a, @b, $c, :a, ?", ":a,@b,$c,?4" },
    { "SELECT ?3", "?1,?2,?3" },
    { "SELECT ':not', \"?\" -- ?\n FROM t /* :x */", "" },
    { "SELECT $a::b, :x", "$a::b,:x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *keys = joined_parameters (cases[i][0]);

      g_assert_cmpstr (keys, ==, cases[i][1]);
    }
}

/* A script with values runs each statement with its own parameters bound. */
static void
test_script_values (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "p.db", NULL);
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(LhScript) script = lh_script_new ("CREATE TABLE t (a, b); INSERT INTO t VALUES (:name, ?2);"
                                              "SELECT a || ':' || b || ':' || typeof (?1) FROM t WHERE a = :name");
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) lh_value_free);
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(GError) error = NULL;
  LhStatementResult *last;

  lh_test_make_db (path, "");
  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);
  g_hash_table_insert (values, g_strdup (":name"), lh_value_new_text ("ada", -1));
  g_hash_table_insert (values, g_strdup ("?2"), lh_value_new_integer (36));
  lh_script_set_values (script, values);
  statements = lh_test_run_script_object (LH_CONNECTION (connection), script);
  last = g_ptr_array_index (statements, statements->len - 1);
  g_assert_no_error (last->error);
  g_assert_cmpstr (lh_result_set_get_value (last->result, 0, 0)->v.text.data, ==, "ada:36:null");
  g_clear_object (&connection);
  lh_test_remove_dir (dir);
}

static void
test_statement_at (void)
{
  const char *text = "  SELECT 1;\n\nSELECT 2; -- two\n  SELECT 3";
  g_autoptr(GArray) spans = lh_sql_split (text, -1);
  const char *second = strstr (text, "SELECT 2");
  const char *third = strstr (text, "SELECT 3");

  g_assert_cmpuint (spans->len, ==, 3);
  g_assert_cmpint (lh_sql_statement_at (spans, 0), ==, 0);             /* before the first */
  g_assert_cmpint (lh_sql_statement_at (spans, 5), ==, 0);             /* inside it */
  g_assert_cmpint (lh_sql_statement_at (spans, 11), ==, 0);            /* just after its ; */
  g_assert_cmpint (lh_sql_statement_at (spans, 12), ==, 0);            /* the blank line */
  g_assert_cmpint (lh_sql_statement_at (spans, second - text), ==, 1);
  g_assert_cmpint (lh_sql_statement_at (spans, second - text + 15), ==, 1); /* in the comment */
  g_assert_cmpint (lh_sql_statement_at (spans, third - text + 3), ==, 2);
  g_assert_cmpint (lh_sql_statement_at (spans, strlen (text)), ==, 2);

  g_array_set_size (spans, 0);
  g_assert_cmpint (lh_sql_statement_at (spans, 0), ==, -1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/script/split", test_split);
  g_test_add_func ("/script/split-matches-sqlite", test_split_matches_sqlite);
  g_test_add_func ("/script/blank", test_blank);
  g_test_add_func ("/script/line-column", test_line_column);
  g_test_add_func ("/script/quote-identifier", test_quote_identifier);
  g_test_add_func ("/script/changes-schema", test_changes_schema);
  g_test_add_func ("/value/display", test_value_display);
  g_test_add ("/script/run", Fixture, NULL, fixture_set_up, test_run, fixture_tear_down);
  g_test_add ("/script/run-error", Fixture, NULL, fixture_set_up, test_run_error,
              fixture_tear_down);
  g_test_add ("/script/run-cancel", Fixture, NULL, fixture_set_up, test_run_cancel,
              fixture_tear_down);

  g_test_add_func ("/script/statement-at", test_statement_at);
  g_test_add_func ("/script/table-refs", test_table_refs);
  g_test_add_func ("/script/query-plan", test_query_plan);
  g_test_add_func ("/script/parameters", test_parameters);
  g_test_add_func ("/script/values", test_script_values);
  return g_test_run ();
}
