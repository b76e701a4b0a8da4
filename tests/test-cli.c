/* test-cli.c — litehouse-cli as a script would run it: its table and JSON output, its exit
 * codes, and the one-line message for each kind of bad input, with the file unchanged; and
 * `migrations` listing, applying (up to one, all, a failing one that leaves nothing, a
 * refused folder), rehearsing and creating, on a file and on libSQL. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lh-test-server.h"
#include "lh-test-util.h"

typedef struct
{
  char *dir;
  char *path;
  char *folder;   /* the migrations tests' folder of migration files */
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliRun;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = lh_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "shop.db", NULL);
  lh_test_make_db (fixture->path,
                   "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price REAL, img BLOB);"
                   "INSERT INTO products VALUES (1, 'Tea', 3.5, x'89504e47'),"
                   " (2, 'Crème brûlée', 12, NULL), (10, NULL, NULL, NULL);");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->folder);
}

static void
cli_run_clear (CliRun *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

static void
add_args (GPtrArray  *args,
          const char *first,
          va_list     ap)
{
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
}

/* Runs litehouse-cli with args (the program's name first, NULL-terminated) and waits. */
static CliRun
cli_argv (GPtrArray *args)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CliRun run = { 0 };

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run.out, &run.err, &error);
  g_assert_no_error (error);
  run.status = g_subprocess_get_exit_status (process);
  return run;
}

static CliRun
cli (const char *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("LITEHOUSE_CLI"));
  va_start (ap, first);
  add_args (args, first, ap);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return cli_argv (args);
}

/* Exit status 1 and exactly one line on stderr, which is expected. */
static void
assert_fails_with (const CliRun *run,
                   const char   *expected)
{
  g_autofree char *line = g_strdup_printf ("litehouse-cli: %s\n", expected);

  g_assert_cmpint (run->status, ==, 1);
  g_assert_cmpstr (run->err, ==, line);
}

static void
test_table (Fixture       *fixture,
            gconstpointer  data)
{
  g_auto(CliRun) run = cli ("query", fixture->path, "SELECT * FROM products ORDER BY id", NULL);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==,
                   "id | name         | price | img\n"
                   "---+--------------+-------+---------------\n"
                   " 1 | Tea          |   3.5 | BLOB (4 bytes)\n"
                   " 2 | Crème brûlée |  12.0 | NULL\n"
                   "10 | NULL         | NULL  | NULL\n"
                   "(3 rows)\n");
}

static void
test_control_characters (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(CliRun) run = cli ("query", fixture->path,
                            "SELECT char(27) || '[31mred' AS \"a\nb\", 'tab\there' AS t", NULL);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "a\\nb        | t\n"
                   "------------+----------\n"
                   "\\x1b[31mred | tab\\there\n"
                   "(1 row)\n");
}

static void
test_changes (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(CliRun) run = cli ("query", fixture->path,
                            "UPDATE products SET price = price * 2 WHERE price IS NOT NULL;"
                            " SELECT sum(price) AS total FROM products", NULL);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "(2 rows changed)\n\ntotal\n-----\n 31.0\n(1 row)\n");
}

static void
test_json (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(CliRun) run = cli ("query", "--json", fixture->path,
                            "SELECT id, name, img FROM products WHERE id < 3 ORDER BY id", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *statement;
  JsonArray *rows, *row;

  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);

  statement = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (statement, "columns"), 1),
                   ==, "name");
  rows = json_object_get_array_member (statement, "rows");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  row = json_array_get_array_element (rows, 0);
  g_assert_cmpint (json_array_get_int_element (row, 0), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (row, 1), ==, "Tea");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (row, 2), "base64"),
                   ==, "iVBORw==");
  row = json_array_get_array_element (rows, 1);
  g_assert_true (json_array_get_null_element (row, 2));
}

static void
test_malformed_sql (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *before = lh_test_checksum (fixture->path);
  g_autofree char *after = NULL;

  {
    g_auto(CliRun) run = cli ("query", fixture->path,
                              "SELECT name FROM products ORDER BYE id", NULL);

    assert_fails_with (&run, "error in statement 1 at line 1, column 33: near \"BYE\": "
                       "syntax error");
    g_assert_cmpstr (run.out, ==, "");
  }
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);

  {
    g_auto(CliRun) run = cli ("query", fixture->path,
                              "DELETE FROM products WHERE id = 1;\nSELEC name FROM products",
                              NULL);

    /* The statement before the failing one ran, and says so. */
    assert_fails_with (&run, "error in statement 2 at line 2, column 1: near \"SELEC\": "
                       "syntax error");
    g_assert_cmpstr (run.out, ==, "(1 row changed)\n");
  }
}

static void
assert_file_refused (const char *path,
                     const char *expected)
{
  g_autofree char *before = g_file_test (path, G_FILE_TEST_IS_REGULAR)
    ? lh_test_checksum (path) : NULL;
  g_auto(CliRun) run = cli ("query", path, "SELECT 1", NULL);

  assert_fails_with (&run, expected);
  g_assert_cmpstr (run.out, ==, "");
  if (before != NULL)
    {
      g_autofree char *after = lh_test_checksum (path);

      g_assert_cmpstr (before, ==, after);
    }
}

static void
test_bad_files (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.db", NULL);
  g_autofree char *text = g_build_filename (fixture->dir, "readme.txt", NULL);
  g_autofree char *cut = g_build_filename (fixture->dir, "cut.db", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  gsize length;

  expected = g_strdup_printf ("There is no file “%s”.", missing);
  assert_file_refused (missing, expected);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_free (expected);

  expected = g_strdup_printf ("“%s” is a folder, not a database file.", fixture->dir);
  assert_file_refused (fixture->dir, expected);
  g_free (expected);

  g_assert_true (g_file_set_contents (text, "Just some text, long enough to have a header "
                                      "that SQLite will look at and refuse. ..........", -1, NULL));
  expected = g_strdup_printf ("“%s” is not an SQLite database.", text);
  assert_file_refused (text, expected);
  g_free (expected);

  lh_test_make_db (cut, "CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT);"
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                   " INSERT INTO big SELECT i, printf('%0200d', i) FROM n;");
  g_assert_true (g_file_get_contents (cut, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (cut, contents, length / 3, NULL));
  expected = g_strdup_printf ("“%s” is damaged or truncated (SQLite: database disk image is "
                              "malformed).", cut);
  assert_file_refused (cut, expected);
}

static void
test_locked (Fixture       *fixture,
             gconstpointer  data)
{
  GSubprocess *locker = lh_test_lock_db (fixture->path, "exclusive");
  g_autofree char *expected = NULL;

  /* The CLI waits out its busy timeout (5 s) before it gives up. */
  expected = g_strdup_printf ("“%s” is locked by another program that is writing to it. "
                              "Try again when it has finished.", fixture->path);
  assert_file_refused (fixture->path, expected);
  lh_test_unlock_db (locker);
}

static void
test_read_only (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *before = lh_test_checksum (fixture->path);
  g_autofree char *after = NULL;

  g_assert_cmpint (g_chmod (fixture->path, 0444), ==, 0);
  {
    g_auto(CliRun) run = cli ("query", fixture->path, "SELECT count(*) AS n FROM products", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "n\n-\n3\n(1 row)\n");
  }
  {
    g_auto(CliRun) run = cli ("query", fixture->path, "DELETE FROM products", NULL);

    assert_fails_with (&run, "The database is open read-only, so it cannot be changed "
                       "(SQLite: attempt to write a readonly database).");
  }
  {
    g_auto(CliRun) run = cli ("query", "--read-only", fixture->path, "DELETE FROM products",
                              NULL);

    g_assert_cmpint (run.status, ==, 1);
  }
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_closes_database (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);

  {
    g_auto(CliRun) run = cli ("query", fixture->path, "PRAGMA journal_mode = wal", NULL);

    g_assert_cmpint (run.status, ==, 0);
  }
  /* SQLite removes the WAL file when the last connection closes: the CLI closes the
   * database before it exits, every time. */
  for (guint i = 0; i < 10; i++)
    {
      g_auto(CliRun) run = cli ("query", fixture->path,
                                "INSERT INTO products (name) VALUES ('more')", NULL);

      g_assert_cmpint (run.status, ==, 0);
      g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
    }
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  {
    g_auto(CliRun) run = cli ("query", fixture->path, NULL);

    g_assert_cmpint (run.status, ==, 2);
    g_assert_cmpstr (run.err, ==, "litehouse-cli: usage: litehouse-cli query [--json] "
                     "[--read-only] DATABASE SQL\n");
  }
  {
    g_auto(CliRun) run = cli ("frobnicate", NULL);

    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "unknown command “frobnicate”"));
  }
  {
    g_auto(CliRun) run = cli ("query", fixture->path, "  -- nothing\n ; ", NULL);

    g_assert_cmpint (run.status, ==, 2);
    g_assert_cmpstr (run.err, ==, "litehouse-cli: there is no SQL statement to run\n");
  }
}

#define REMOTE_SQL \
  "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);" \
  "INSERT INTO notes (body) VALUES ('first'), ('second');" \
  "SELECT id, body FROM notes ORDER BY id"

#define REMOTE_OUT \
  "(0 rows changed)\n\n(2 rows changed)\n\nid | body\n---+-------\n 1 | first\n 2 | second\n(2 rows)\n"

/* libsql://, https:// or http:// to this computer: Hrana, the token from LIBSQL_AUTH_TOKEN. */
static void
test_libsql (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhTestServer) server = lh_test_server_start ("hrana-server.mjs", "--db", fixture->path,
                                                         "--token", "cli-secret", NULL);
  g_autofree char *url = lh_test_server_url (server, "");

  g_setenv ("LIBSQL_AUTH_TOKEN", "cli-secret", TRUE);
  {
    g_auto(CliRun) run = cli ("query", url, REMOTE_SQL, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, REMOTE_OUT);
  }
  g_setenv ("LIBSQL_AUTH_TOKEN", "tok-zzz-other", TRUE);
  {
    g_auto(CliRun) run = cli ("query", url, "SELECT 1", NULL);

    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "did not accept the token"));
    g_assert_null (strstr (run.err, "tok-zzz"));
  }
  {
    g_autofree char *with_token = g_strconcat (url, "?authToken=cli-secret", NULL);
    g_auto(CliRun) run = cli ("query", with_token, "SELECT 1", NULL);

    g_assert_cmpint (run.status, ==, 2);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_true (g_str_has_prefix (run.err, "litehouse-cli: the URL holds a token"));
    g_assert_null (strstr (run.err, "cli-secret"));
  }
  g_unsetenv ("LIBSQL_AUTH_TOKEN");
}

/* d1://ACCOUNT/ID: D1's REST API at CLOUDFLARE_API_BASE_URL, the token from
 * CLOUDFLARE_API_TOKEN; without a token it says which variable to set. */
static void
test_d1 (Fixture       *fixture,
         gconstpointer  data)
{
  g_autoptr(LhTestServer) server = lh_test_server_start ("d1-server.mjs", "--state", fixture->dir,
                                                         "--token", "cli-secret",
                                                         "--account", "acc1",
                                                         "--database", "notes=db-1", NULL);
  g_autofree char *base = lh_test_server_url (server, "/client/v4");

  g_setenv ("CLOUDFLARE_API_BASE_URL", base, TRUE);
  g_unsetenv ("CLOUDFLARE_API_TOKEN");
  {
    g_auto(CliRun) run = cli ("query", "d1://acc1/db-1", "SELECT 1", NULL);

    g_assert_cmpint (run.status, ==, 2);
    g_assert_cmpstr (run.err, ==, "litehouse-cli: no API token for this D1 database: set "
                     "CLOUDFLARE_API_TOKEN, or connect to it once from Litehouse to keep its token "
                     "in the keyring\n");
  }
  g_setenv ("CLOUDFLARE_API_TOKEN", "cli-secret", TRUE);
  {
    g_auto(CliRun) run = cli ("query", "d1://acc1/db-1", REMOTE_SQL, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, REMOTE_OUT);
  }
  {
    g_auto(CliRun) run = cli ("query", "d1://acc1/db-1", "SELEC 1", NULL);

    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "at line 1, column 1: D1_ERROR: near \"SELEC\""));
  }
  {
    g_auto(CliRun) run = cli ("query", "d1://acc1", "SELECT 1", NULL);

    g_assert_cmpint (run.status, ==, 2);
    g_assert_cmpstr (run.err, ==, "litehouse-cli: “d1://acc1” is not a D1 database: write "
                     "d1://ACCOUNT_ID/DATABASE_ID.\n");
  }
  g_unsetenv ("CLOUDFLARE_API_TOKEN");
  g_unsetenv ("CLOUDFLARE_API_BASE_URL");
}

/* migrations */

#define USERS "0001_create_users.sql"
#define POSTS "0002_add_posts.sql"
#define EMAIL "0003_add_email.sql"

#define USERS_SQL \
  "-- Migration number: 0001 \t 2026-01-05T10:00:00.000Z\n\n" \
  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n" \
  "INSERT INTO users (name) VALUES ('ada');\n"
#define POSTS_SQL \
  "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, body TEXT);\n"
#define EMAIL_SQL \
  "ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';\n"

/* Its second statement is wrong: "oops" is on line 4, column 41. */
#define BROKEN_SQL \
  "-- Migration number: 0003 \t 2026-01-07T10:00:00.000Z\n" \
  "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n" \
  "\n" \
  "INSERT INTO users (name) VALUES ('two') oops;\n"

#define APPLIED_AT "applied [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\n"

#define SCHEMA_SQL "SELECT type, name FROM sqlite_schema ORDER BY name"

static void
migrations_set_up (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture_set_up (fixture, data);
  fixture->folder = g_build_filename (fixture->dir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (fixture->folder, 0700), ==, 0);
}

static void
write_migration (Fixture    *fixture,
                 const char *name,
                 const char *sql)
{
  g_autofree char *path = g_build_filename (fixture->folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, sql, -1, &error);
  g_assert_no_error (error);
}

static void
write_three (Fixture    *fixture,
             const char *third_sql)
{
  write_migration (fixture, USERS, USERS_SQL);
  write_migration (fixture, POSTS, POSTS_SQL);
  write_migration (fixture, EMAIL, third_sql);
}

/* litehouse-cli migrations COMMAND DATABASE --dir FOLDER, then the rest of the arguments. */
static CliRun
cli_migrations (Fixture    *fixture,
                const char *database,
                const char *command,
                ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("LITEHOUSE_CLI"));
  g_ptr_array_add (args, "migrations");
  g_ptr_array_add (args, (gpointer) command);
  g_ptr_array_add (args, (gpointer) database);
  g_ptr_array_add (args, "--dir");
  g_ptr_array_add (args, fixture->folder);
  va_start (ap, command);
  add_args (args, va_arg (ap, const char *), ap);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return cli_argv (args);
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_migration_json (JsonArray  *migrations,
                       guint       index,
                       const char *name,
                       const char *state)
{
  JsonObject *migration = json_array_get_object_element (migrations, index);

  g_assert_cmpint (json_object_get_int_member (migration, "number"), ==, index + 1);
  g_assert_cmpstr (json_object_get_string_member (migration, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (migration, "state"), ==, state);
  g_assert_true (json_object_get_null_member (migration, "problem"));
  if (g_str_equal (state, "pending"))
    g_assert_true (json_object_get_null_member (migration, "applied_at"));
  else
    g_assert_nonnull (json_object_get_string_member (migration, "applied_at"));
}

static void
assert_matches (const char *text,
                const char *pattern)
{
  if (!g_regex_match_simple (pattern, text, G_REGEX_ANCHORED | G_REGEX_DOLLAR_ENDONLY, 0))
    g_error ("“%s” does not match “%s”", text, pattern);
}

static void
test_migrations_list (Fixture       *fixture,
                      gconstpointer  data)
{
  write_three (fixture, EMAIL_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "list", NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==,
                     "1  0001_create_users.sql  pending\n"
                     "2  0002_add_posts.sql     pending\n"
                     "3  0003_add_email.sql     pending\n"
                     "0 applied, 3 pending\n");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "list", "--json", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root = parse_object (parser, run.out);
    JsonArray *migrations = json_object_get_array_member (root, "migrations");

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (json_object_get_string_member (root, "table"), ==, "d1_migrations");
    g_assert_cmpstr (json_object_get_string_member (root, "folder"), ==, fixture->folder);
    g_assert_cmpuint (json_array_get_length (migrations), ==, 3);
    assert_migration_json (migrations, 0, USERS, "pending");
    assert_migration_json (migrations, 1, POSTS, "pending");
    assert_migration_json (migrations, 2, EMAIL, "pending");
  }
}

static void
test_migrations_apply_to (Fixture       *fixture,
                          gconstpointer  data)
{
  write_three (fixture, EMAIL_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", "--to", POSTS, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "Applying " USERS "…\nApplying " POSTS "…\n"
                     "2 migrations applied\n");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "list", NULL);

    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.out,
                    "1  0001_create_users\\.sql  " APPLIED_AT
                    "2  0002_add_posts\\.sql     " APPLIED_AT
                    "3  0003_add_email\\.sql     pending\n"
                    "2 applied, 1 pending\n$");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", "--to", "0009_x.sql",
                                         NULL);

    assert_fails_with (&run, "There is no migration file named “0009_x.sql”.");
    g_assert_cmpstr (run.out, ==, "");
  }
}

static void
test_migrations_apply_all (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *email = g_build_filename (fixture->folder, EMAIL, NULL);
  g_autofree char *recorded = NULL;
  g_autofree char *users = NULL;

  write_three (fixture, EMAIL_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "Applying " USERS "…\nApplying " POSTS "…\nApplying " EMAIL
                     "…\n3 migrations applied\n");
  }
  recorded = lh_test_query_text (fixture->path, "SELECT name FROM d1_migrations ORDER BY id");
  g_assert_cmpstr (recorded, ==, USERS "\n" POSTS "\n" EMAIL "\n");
  users = lh_test_query_text (fixture->path, "SELECT name, email FROM users");
  g_assert_cmpstr (users, ==, "ada|\n");
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", "--json", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root = parse_object (parser, run.out);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "applied")),
                      ==, 0);
    g_assert_true (json_object_get_null_member (root, "error"));
  }
  /* An applied file edited, another deleted: the list says so. */
  write_migration (fixture, USERS, USERS_SQL "-- edited\n");
  g_assert_cmpint (g_unlink (email), ==, 0);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "list", NULL);

    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.out,
                    "1  0001_create_users\\.sql  changed since " APPLIED_AT
                    "2  0002_add_posts\\.sql     " APPLIED_AT
                    "3  0003_add_email\\.sql     file missing, " APPLIED_AT
                    "1 applied, 0 pending, 1 changed, 1 missing\n$");
  }
}

#define BROKEN_ERROR \
  EMAIL ", statement 2, line 4, column 41: near \"oops\": syntax error"

static void
assert_broken_json (const CliRun *run)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root = parse_object (parser, run->out);
  JsonObject *error = json_object_get_object_member (root, "error");

  g_assert_cmpint (run->status, ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "applied")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (error, "file"), ==, EMAIL);
  g_assert_cmpint (json_object_get_int_member (error, "statement"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (error, "line"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (error, "column"), ==, 41);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                   "near \"oops\": syntax error");
}

/* The migrations before the failing one stay applied; the failing one leaves nothing, not
 * even its first statement. */
static void
test_migrations_apply_failure (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *checksum = NULL;
  g_autofree char *after = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *recorded = NULL;

  write_three (fixture, BROKEN_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", NULL);

    assert_fails_with (&run, BROKEN_ERROR);
    g_assert_cmpstr (run.out, ==, "Applying " USERS "…\nApplying " POSTS "…\nApplying " EMAIL
                     "…\n2 migrations applied before the failure\n");
  }
  schema = lh_test_query_text (fixture->path, SCHEMA_SQL);
  g_assert_null (strstr (schema, "tags"));
  g_assert_nonnull (strstr (schema, "table|posts\n"));
  recorded = lh_test_query_text (fixture->path, "SELECT name FROM d1_migrations ORDER BY id");
  g_assert_cmpstr (recorded, ==, USERS "\n" POSTS "\n");

  checksum = lh_test_checksum (fixture->path);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", NULL);

    assert_fails_with (&run, BROKEN_ERROR);
    g_assert_cmpstr (run.out, ==, "Applying " EMAIL "…\n"
                     "0 migrations applied before the failure\n");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", "--json", NULL);

    assert_broken_json (&run);
  }
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (checksum, ==, after);
}

/* A number two files share: refused before anything runs, and listed with its problem. */
static void
test_migrations_problem (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *checksum = lh_test_checksum (fixture->path);
  g_autofree char *after = NULL;
  g_autofree char *schema = NULL;

  write_three (fixture, EMAIL_SQL);
  write_migration (fixture, "0002_add_more_posts.sql", POSTS_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", NULL);

    assert_fails_with (&run, "Cannot apply 0002_add_more_posts.sql: 0002 is used by 2 files: "
                       "0002_add_more_posts.sql, 0002_add_posts.sql.");
    g_assert_cmpstr (run.out, ==, "");
  }
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (checksum, ==, after);
  schema = lh_test_query_text (fixture->path, SCHEMA_SQL);
  g_assert_cmpstr (schema, ==, "table|products\n");
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "list", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==,
                     "1  0001_create_users.sql    pending\n"
                     "2  0002_add_more_posts.sql  pending: 0002 is used by 2 files: "
                     "0002_add_more_posts.sql, 0002_add_posts.sql.\n"
                     "2  0002_add_posts.sql       pending: 0002 is used by 2 files: "
                     "0002_add_more_posts.sql, 0002_add_posts.sql.\n"
                     "3  0003_add_email.sql       pending\n"
                     "0 applied, 4 pending\n");
  }
}

static void
test_migrations_rehearse (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *checksum = NULL;
  g_autofree char *after = NULL;

  write_three (fixture, EMAIL_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", "--to", POSTS, NULL);

    g_assert_cmpint (run.status, ==, 0);
  }
  checksum = lh_test_checksum (fixture->path);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "rehearse", NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "Rehearsing " EMAIL "…\n"
                     "1 migration applied to a throwaway copy\n"
                     "The schema would change so:\n"
                     "  Column “users.email” added: TEXT NOT NULL DEFAULT ''\n"
                     "The database itself was not touched.\n");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "rehearse", "--json", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root = parse_object (parser, run.out);
    JsonArray *changes = json_object_get_array_member (root, "changes");

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (root, "applied"),
                                                    0), ==, EMAIL);
    g_assert_cmpuint (json_array_get_length (changes), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (changes, 0), ==,
                     "Column “users.email” added: TEXT NOT NULL DEFAULT ''");
    g_assert_true (json_object_get_null_member (root, "error"));
  }
  write_migration (fixture, EMAIL, BROKEN_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "rehearse", NULL);

    assert_fails_with (&run, BROKEN_ERROR);
    g_assert_cmpstr (run.out, ==, "Rehearsing " EMAIL "…\n"
                     "0 migrations applied before the failure\n"
                     "The database itself was not touched.\n");
  }
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (checksum, ==, after);
}

static void
assert_created (const char *path,
                const char *number)
{
  g_autofree char *contents = NULL;
  g_autofree char *header = g_strdup_printf ("-- Migration number: %s \t ", number);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, header));
}

static void
test_migrations_create (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *expected = g_build_filename (fixture->folder, "0004_add_users.sql", NULL);
  g_autofree char *line = g_strconcat (expected, "\n", NULL);

  write_three (fixture, EMAIL_SQL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "create", "add users", NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, line);
  }
  assert_created (expected, "0004");
  g_free (expected);
  expected = g_build_filename (fixture->folder, "0005_more.sql", NULL);
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "create", "--json", "More",
                                         NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root = parse_object (parser, run.out);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (json_object_get_string_member (root, "path"), ==, expected);
  }
  assert_created (expected, "0005");
}

/* Status 2, one line on stderr, nothing on stdout. */
static void
assert_usage_error (const CliRun *run,
                    const char   *expected)
{
  g_autofree char *line = g_strdup_printf ("litehouse-cli: %s\n", expected);

  g_assert_cmpint (run->status, ==, 2);
  g_assert_cmpstr (run->err, ==, line);
  g_assert_cmpstr (run->out, ==, "");
}

static void
test_migrations_usage (Fixture       *fixture,
                       gconstpointer  data)
{
  {
    g_auto(CliRun) run = cli ("migrations", NULL);

    assert_usage_error (&run, "usage: litehouse-cli migrations list|apply|rehearse|create "
                        "DATABASE --dir DIR [OPTIONS…] [NAME]");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "undo", NULL);

    assert_usage_error (&run, "unknown migrations command “undo”; try “litehouse-cli "
                        "migrations --help”");
  }
  {
    g_auto(CliRun) run = cli ("migrations", "list", fixture->path, NULL);

    assert_usage_error (&run, "--dir DIR is required: the folder of the migration files");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "create", NULL);

    assert_usage_error (&run, "usage: litehouse-cli migrations create DATABASE --dir DIR NAME");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "apply", "extra", NULL);

    assert_usage_error (&run, "usage: litehouse-cli migrations apply DATABASE --dir DIR "
                        "[OPTIONS…]");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, fixture->path, "list", "--to", USERS, NULL);

    assert_usage_error (&run, "--to is for apply and rehearse");
  }
  {
    g_auto(CliRun) run = cli ("--help", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "migrations list|apply|rehearse|create DATABASE --dir"));
  }
}

/* libsql://: the same commands through Hrana, the token from LIBSQL_AUTH_TOKEN. */
static void
test_migrations_libsql (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LhTestServer) server = lh_test_server_start ("hrana-server.mjs", "--db", fixture->path,
                                                         "--token", "cli-secret", NULL);
  g_autofree char *url = lh_test_server_url (server, "");

  write_three (fixture, EMAIL_SQL);
  g_setenv ("LIBSQL_AUTH_TOKEN", "cli-secret", TRUE);
  {
    g_auto(CliRun) run = cli_migrations (fixture, url, "apply", "--to", POSTS, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "Applying " USERS "…\nApplying " POSTS "…\n"
                     "2 migrations applied\n");
  }
  {
    g_auto(CliRun) run = cli_migrations (fixture, url, "list", "--json", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root = parse_object (parser, run.out);
    JsonArray *migrations = json_object_get_array_member (root, "migrations");

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpuint (json_array_get_length (migrations), ==, 3);
    assert_migration_json (migrations, 0, USERS, "applied");
    assert_migration_json (migrations, 1, POSTS, "applied");
    assert_migration_json (migrations, 2, EMAIL, "pending");
  }
  g_unsetenv ("LIBSQL_AUTH_TOKEN");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* No Secret Service here: the token found in the keyring is tested in test-secrets.c. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/litehouse-test-bus", TRUE);

#define ADD(name, func) \
  g_test_add ("/cli/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("table", test_table);
  ADD ("changes", test_changes);
  ADD ("control-characters", test_control_characters);
  ADD ("json", test_json);
  ADD ("malformed-sql", test_malformed_sql);
  ADD ("bad-files", test_bad_files);
  ADD ("locked", test_locked);
  ADD ("read-only", test_read_only);
  ADD ("closes-database", test_closes_database);
  ADD ("usage", test_usage);
  ADD ("libsql", test_libsql);
  ADD ("d1", test_d1);
#undef ADD
#define ADD(name, func) \
  g_test_add ("/cli/migrations/" name, Fixture, NULL, migrations_set_up, func, fixture_tear_down)
  ADD ("list", test_migrations_list);
  ADD ("apply-to", test_migrations_apply_to);
  ADD ("apply-all", test_migrations_apply_all);
  ADD ("apply-failure", test_migrations_apply_failure);
  ADD ("problem", test_migrations_problem);
  ADD ("rehearse", test_migrations_rehearse);
  ADD ("create", test_migrations_create);
  ADD ("usage", test_migrations_usage);
  ADD ("libsql", test_migrations_libsql);
#undef ADD

  return g_test_run ();
}
