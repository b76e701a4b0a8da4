/* test-migrations-remote.c — LhMigrations on the remote backends, against the protocol
 * servers of tests/servers (D1's REST API over Miniflare, Hrana over real libSQL): apply
 * one, then a failing one that must leave the database exactly as it was and point at its
 * statement, a rehearsal on a copy of the schema, then the rest; wrangler's table as it
 * comes out; an edit after applying; and
 * on libSQL, the refusal while the user's transaction is open. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-test-server.h"
#include "lh-test-util.h"

#define D1_TOKEN    "d1-test-token-4567"
#define D1_ACCOUNT  "0123456789abcdef0123456789abcdef"
#define D1_ID       "4d4b5b7e-0000-4000-8000-000000000001"
#define LIBSQL_TOKEN "test-token-0123"

#define FIRST  "0001_create_users.sql"
#define SECOND "0002_add_posts.sql"
#define THIRD  "0003_add_post_index.sql"

#define FIRST_SQL \
  "-- Migration number: 0001 \t 2026-01-05T10:00:00.000Z\n\n" \
  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n" \
  "INSERT INTO users (name) VALUES ('ada');\n"
#define SECOND_SQL \
  "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, body TEXT);\n" \
  "INSERT INTO users (name) VALUES ('two');\n"
#define THIRD_SQL \
  "CREATE INDEX posts_user ON posts (user_id);\n"

/* The second statement of this one is wrong: "oops" is on line 6, column 41. */
#define BROKEN_SQL \
  "-- Migration number: 0002 \t 2026-01-06T10:00:00.000Z\n" \
  "\n" \
  "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n" \
  "\n" \
  "-- The second statement is wrong.\n" \
  "INSERT INTO users (name) VALUES ('two') oops;\n"

typedef struct
{
  char         *dir;
  char         *folder;
  LhTestServer *server;
  LhConnection *connection;
} Fixture;

static void
make_folder (Fixture *fixture)
{
  fixture->dir = lh_test_make_dir ();
  fixture->folder = g_build_filename (fixture->dir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (fixture->folder, 0700), ==, 0);
}

static void
d1_set_up (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *base = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  make_folder (fixture);
  state = g_build_filename (fixture->dir, "d1-state", NULL);
  fixture->server = lh_test_server_start ("d1-server.mjs", "--state", state,
                                          "--token", D1_TOKEN, "--account", D1_ACCOUNT,
                                          "--database", "main-db=" D1_ID, NULL);
  base = lh_test_server_url (fixture->server, "/client/v4");
  lh_d1_connection_open_async (base, D1_ACCOUNT, D1_ID, D1_TOKEN, NULL, NULL,
                               lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  fixture->connection = LH_CONNECTION (lh_d1_connection_open_finish (result, &error));
  g_assert_no_error (error);
}

static void
libsql_set_up (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  make_folder (fixture);
  path = g_build_filename (fixture->dir, "remote.db", NULL);
  fixture->server = lh_test_server_start ("hrana-server.mjs", "--db", path,
                                          "--token", LIBSQL_TOKEN, NULL);
  url = lh_test_server_url (fixture->server, "");
  lh_libsql_connection_open_async (url, LIBSQL_TOKEN, NULL, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  fixture->connection = LH_CONNECTION (lh_libsql_connection_open_finish (result, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_close (&fixture->connection);
  g_clear_pointer (&fixture->server, lh_test_server_stop);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->folder);
  g_free (fixture->dir);
}

static void
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static gboolean
apply (LhMigrations                 *migrations,
       const char                   *up_to,
       LhMigrationsProgressCallback  progress,
       gpointer                      progress_data,
       guint                        *n_applied,
       GError                      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_migrations_apply_async (migrations, up_to, NULL, progress, progress_data,
                             lh_test_store_result_cb, &result);
  return lh_migrations_apply_finish (migrations, lh_test_wait_for_result (&result), n_applied,
                                     error);
}

static void
apply_ok (LhMigrations *migrations,
          const char   *up_to,
          guint         expected)
{
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  g_assert_true (apply (migrations, up_to, NULL, NULL, &n_applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, expected);
}

/* "NAME state, NAME state…" in the order loaded. */
static void
assert_states (LhMigrations *migrations,
               const char   *expected)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (LH_TYPE_MIGRATION_STATE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  lh_migrations_load_async (migrations, NULL, lh_test_store_result_cb, &result);
  model = lh_migrations_load_finish (migrations, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (model, i);

      GEnumValue *state = g_enum_get_value (states, lh_migration_get_state (migration));

      g_string_append_printf (text, "%s%s %s", i > 0 ? ", " : "",
                              lh_migration_get_name (migration), state->value_nick);
    }
  g_assert_cmpstr (text->str, ==, expected);
}

static void
assert_query (LhConnection *connection,
              const char   *sql,
              const char   *expected)
{
  g_autoptr(GString) text = g_string_new (NULL);

  lh_test_append_rows (text, connection, sql);
  g_assert_cmpstr (text->str, ==, expected);
}

typedef struct
{
  LhConnection *connection;
  char         *before_second;
} DumpBefore;

static void
dump_before_second (LhMigration *migration,
                    guint        index,
                    guint        n_migrations,
                    gpointer     user_data)
{
  DumpBefore *dump_before = user_data;

  if (index == 0)
    dump_before->before_second = lh_test_dump (dump_before->connection);
}

/* A rehearsal on a copy of the schema (with the table's records, so that the same ones
 * are pending): the change it reports, and the database as it was. */
static void
check_rehearse (Fixture      *fixture,
                LhMigrations *migrations)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = lh_test_dump (fixture->connection);
  g_autofree char *after = NULL;
  GString *text = g_string_new (NULL);
  g_autofree char *described = NULL;
  guint n_applied = 0;

  lh_migrations_rehearse_async (migrations, NULL, NULL, NULL, NULL, lh_test_store_result_cb, &result);
  changes = lh_migrations_rehearse_finish (migrations, lh_test_wait_for_result (&result), &n_applied, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 2);
  for (guint i = 0; i < changes->len; i++)
    {
      g_autofree char *line = lh_schema_change_describe (g_ptr_array_index (changes, i));

      g_string_append_printf (text, "%s\n", line);
    }
  described = g_string_free (text, FALSE);
  g_assert_cmpstr (described, ==, "Table “posts” added\nIndex “posts_user” on “posts” added\n");
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
}

/* What both backends must do alike. */
static void
check_apply (Fixture *fixture)
{
  g_autoptr(LhMigrations) migrations = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  DumpBefore before = { fixture->connection, NULL };
  const char *file = NULL;
  guint n_applied = G_MAXUINT, statement = 0, line = 0, column = 0;

  migrations = lh_migrations_new (fixture->connection, fixture->folder, NULL);
  write_file (fixture, FIRST, FIRST_SQL);
  write_file (fixture, SECOND, BROKEN_SQL);
  write_file (fixture, THIRD, THIRD_SQL);
  assert_states (migrations, FIRST " pending, " SECOND " pending, " THIRD " pending");
  apply_ok (migrations, FIRST, 1);
  assert_query (fixture->connection, "SELECT sql FROM sqlite_schema WHERE name = 'd1_migrations'",
                "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,"
                " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)\n");

  g_assert_false (apply (migrations, NULL, dump_before_second, &before, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_STATEMENT);
  g_assert_cmpuint (n_applied, ==, 0);
  g_assert_nonnull (strstr (error->message, SECOND " failed at statement 2, line 6, column 41"));
  g_assert_nonnull (strstr (error->message, "oops"));
  g_assert_true (lh_migrations_error_get_location (error, &file, &statement, &line, &column));
  g_assert_cmpstr (file, ==, SECOND);
  g_assert_cmpuint (statement, ==, 2);
  g_assert_cmpuint (line, ==, 6);
  g_assert_cmpuint (column, ==, 41);
  after = lh_test_dump (fixture->connection);
  g_assert_nonnull (before.before_second);
  g_assert_cmpstr (after, ==, before.before_second);
  assert_states (migrations, FIRST " applied, " SECOND " pending, " THIRD " pending");

  write_file (fixture, SECOND, SECOND_SQL);
  check_rehearse (fixture, migrations);
  apply_ok (migrations, NULL, 2);
  assert_query (fixture->connection, "SELECT id, name FROM d1_migrations ORDER BY id",
                "1|" FIRST "\n2|" SECOND "\n3|" THIRD "\n");
  assert_query (fixture->connection, "SELECT name FROM users ORDER BY id", "ada\ntwo\n");
  assert_states (migrations, FIRST " applied, " SECOND " applied, " THIRD " applied");

  write_file (fixture, THIRD, THIRD_SQL "-- edited\n");
  assert_states (migrations, FIRST " applied, " SECOND " applied, " THIRD " changed");
  g_free (before.before_second);
}

static void
test_d1 (Fixture       *fixture,
         gconstpointer  data)
{
  check_apply (fixture);
}

static void
test_libsql (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = NULL;
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  check_apply (fixture);

  /* A transaction the user opened holds the stream: nothing is sent into it. */
  migrations = lh_migrations_new (fixture->connection, fixture->folder, NULL);
  write_file (fixture, "0004_add_tags.sql", "CREATE TABLE tags (id);");
  lh_test_run_ok (fixture->connection, "BEGIN");
  g_assert_false (apply (migrations, NULL, NULL, NULL, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TRANSACTION_OPEN);
  g_assert_cmpuint (n_applied, ==, 0);
  lh_test_run_ok (fixture->connection, "ROLLBACK");
  apply_ok (migrations, NULL, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/migrations-remote/d1", Fixture, NULL, d1_set_up, test_d1, fixture_tear_down);
  g_test_add ("/migrations-remote/libsql", Fixture, NULL, libsql_set_up, test_libsql,
              fixture_tear_down);

  return g_test_run ();
}
