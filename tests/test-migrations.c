/* test-migrations.c — LhMigrations on a local database: the states of a folder and its
 * table (applied, pending, missing, changed, also for rows wrangler wrote), applying all
 * or up to one, a migration that fails halfway leaving nothing behind and pointing at its
 * statement, every problem that keeps a file from being applied, a table of the wrong
 * shape or another name, creating the next file, and the refusals (transaction open,
 * cancel); rehearsals and previews on copies that leave the database as it was, and the
 * copy taken before applying. The D1 and libSQL cases are in test-migrations-remote.c. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-test-util.h"

#define WRANGLER_DDL \
  "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE," \
  " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)"

#define FIRST  "0001_create_users.sql"
#define SECOND "0002_add_posts.sql"
#define THIRD  "0003_add_post_trigger.sql"

#define FIRST_SQL \
  "-- Migration number: 0001 \t 2026-01-05T10:00:00.000Z\n\n" \
  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n" \
  "-- Someone to start with.\n" \
  "INSERT INTO users (name) VALUES ('ada');\n"
#define SECOND_SQL \
  "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id),\n" \
  "  body TEXT, edited INTEGER NOT NULL DEFAULT 0);\n"
#define THIRD_SQL \
  "CREATE TRIGGER posts_edited AFTER UPDATE OF body ON posts BEGIN\n" \
  "  UPDATE posts SET edited = 1 WHERE id = new.id;\n" \
  "END;\n"

/* The second statement of this one is wrong: "oops" is on line 6, column 41. */
#define BROKEN_SQL \
  "-- Migration number: 0002 \t 2026-01-06T10:00:00.000Z\n" \
  "\n" \
  "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n" \
  "\n" \
  "-- The second statement is wrong.\n" \
  "INSERT INTO users (name) VALUES ('two') oops;\n" \
  "UPDATE users SET name = 'three';\n"

typedef struct
{
  char         *dir;
  char         *folder;
  LhConnection *connection;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *db_path = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = lh_test_make_dir ();
  fixture->folder = g_build_filename (fixture->dir, "migrations", NULL);
  g_assert_cmpint (g_mkdir (fixture->folder, 0700), ==, 0);
  db_path = g_build_filename (fixture->dir, "main.db", NULL);
  fixture->connection = LH_CONNECTION (lh_test_open (db_path, LH_LOCAL_OPEN_CREATE, 1000, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_close (&fixture->connection);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->folder);
  g_free (fixture->dir);
}

static LhMigrations *
new_migrations (Fixture    *fixture,
                const char *table)
{
  return lh_migrations_new (fixture->connection, fixture->folder, table);
}

/* How many objects the database has. */
static gint64
count_schema (Fixture *fixture)
{
  return lh_test_query_integer (fixture->connection, "SELECT count(*) FROM sqlite_schema");
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->folder, name, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static void
write_three (Fixture *fixture)
{
  g_free (write_file (fixture, FIRST, FIRST_SQL, -1));
  g_free (write_file (fixture, SECOND, SECOND_SQL, -1));
  g_free (write_file (fixture, THIRD, THIRD_SQL, -1));
}

static GListModel *
load (LhMigrations  *migrations,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_migrations_load_async (migrations, NULL, lh_test_store_result_cb, &result);
  return lh_migrations_load_finish (migrations, lh_test_wait_for_result (&result), error);
}

static GListModel *
load_ok (LhMigrations *migrations)
{
  g_autoptr(GError) error = NULL;
  GListModel *model = load (migrations, &error);

  g_assert_no_error (error);
  return model;
}

static gboolean
apply_with (LhMigrations                 *migrations,
            const char                   *up_to,
            GCancellable                 *cancellable,
            LhMigrationsProgressCallback  progress,
            gpointer                      progress_data,
            guint                        *n_applied,
            GError                      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_migrations_apply_async (migrations, up_to, cancellable, progress, progress_data,
                             lh_test_store_result_cb, &result);
  return lh_migrations_apply_finish (migrations, lh_test_wait_for_result (&result), n_applied,
                                     error);
}

static gboolean
apply (LhMigrations  *migrations,
       const char    *up_to,
       guint         *n_applied,
       GError       **error)
{
  return apply_with (migrations, up_to, NULL, NULL, NULL, n_applied, error);
}

static void
apply_ok (LhMigrations *migrations,
          const char   *up_to,
          guint         expected)
{
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  g_assert_true (apply (migrations, up_to, &n_applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, expected);
}

static char *
create (LhMigrations  *migrations,
        const char    *name,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_migrations_create_async (migrations, name, NULL, lh_test_store_result_cb, &result);
  return lh_migrations_create_finish (migrations, lh_test_wait_for_result (&result), error);
}

/* The item of model named name (model keeps it alive). */
static LhMigration *
find (GListModel *model,
      const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (model, i);

      if (g_str_equal (lh_migration_get_name (migration), name))
        return migration;
    }
  g_error ("no migration %s", name);
}

/* "NAME state, NAME state…" in the model's order. */
static char *
describe (GListModel *model)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (LH_TYPE_MIGRATION_STATE);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (model, i);

      GEnumValue *state = g_enum_get_value (states, lh_migration_get_state (migration));

      g_string_append_printf (text, "%s%s %s", i > 0 ? ", " : "",
                              lh_migration_get_name (migration), state->value_nick);
    }
  return g_string_free (text, FALSE);
}

static void
assert_states (LhMigrations *migrations,
               const char   *expected)
{
  g_autoptr(GListModel) model = load_ok (migrations);
  g_autofree char *states = describe (model);

  g_assert_cmpstr (states, ==, expected);
}

static char *
query_text (LhConnection *connection,
            const char   *sql)
{
  GString *text = g_string_new (NULL);

  lh_test_append_rows (text, connection, sql);
  return g_string_free (text, FALSE);
}

static void
assert_query (LhConnection *connection,
              const char   *sql,
              const char   *expected)
{
  g_autofree char *text = query_text (connection, sql);

  g_assert_cmpstr (text, ==, expected);
}

static char *
catalog_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "litehouse", "catalog.sqlite", NULL);
}

static void
test_states (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *second_path = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *states = NULL;
  LhMigration *migration;

  write_three (fixture);
  first_path = g_build_filename (fixture->folder, FIRST, NULL);
  second_path = g_build_filename (fixture->folder, SECOND, NULL);
  g_assert_true (lh_migrations_get_connection (migrations) == fixture->connection);
  g_assert_cmpstr (lh_migrations_get_folder (migrations), ==, fixture->folder);
  g_assert_cmpstr (lh_migrations_get_table (migrations), ==, "d1_migrations");

  model = load_ok (migrations);
  g_assert_true (g_list_model_get_item_type (model) == LH_TYPE_MIGRATION);
  states = describe (model);
  g_assert_cmpstr (states, ==, FIRST " pending, " SECOND " pending, " THIRD " pending");
  migration = find (model, FIRST);
  g_assert_cmpuint (lh_migration_get_number (migration), ==, 1);
  g_assert_cmpstr (lh_migration_get_title (migration), ==, "create users");
  g_assert_cmpstr (lh_migration_get_path (migration), ==, first_path);
  g_assert_cmpstr (lh_migration_get_sql (migration), ==, FIRST_SQL);
  g_assert_null (lh_migration_get_applied_at (migration));
  g_assert_null (lh_migration_get_problem (migration));
  checksum = lh_test_checksum (first_path);
  g_assert_cmpstr (lh_migration_get_checksum (migration), ==, checksum);
  /* Loading made no table. */
  g_assert_cmpint (count_schema (fixture), ==, 0);

  apply_ok (migrations, SECOND, 2);
  g_clear_object (&model);
  model = load_ok (migrations);
  g_clear_pointer (&states, g_free);
  states = describe (model);
  g_assert_cmpstr (states, ==, FIRST " applied, " SECOND " applied, " THIRD " pending");
  migration = find (model, SECOND);
  g_assert_nonnull (lh_migration_get_applied_at (migration));
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$",
                                       lh_migration_get_applied_at (migration), 0, 0));
  g_assert_null (lh_migration_get_problem (migration));

  /* The file of an applied migration removed, another one's edited. */
  g_assert_cmpint (g_unlink (first_path), ==, 0);
  g_free (write_file (fixture, SECOND, SECOND_SQL "-- and a comment\n", -1));
  g_clear_object (&model);
  model = load_ok (migrations);
  g_clear_pointer (&states, g_free);
  states = describe (model);
  g_assert_cmpstr (states, ==, FIRST " missing, " SECOND " changed, " THIRD " pending");
  migration = find (model, FIRST);
  g_assert_null (lh_migration_get_path (migration));
  g_assert_null (lh_migration_get_sql (migration));
  g_assert_null (lh_migration_get_checksum (migration));
  g_assert_nonnull (lh_migration_get_applied_at (migration));
  g_assert_cmpstr (lh_migration_get_title (migration), ==, "create users");
  g_assert_cmpuint (lh_migration_get_number (migration), ==, 1);

  /* As it was when applied: applied again. */
  g_free (write_file (fixture, SECOND, SECOND_SQL, -1));
  assert_states (migrations, FIRST " missing, " SECOND " applied, " THIRD " pending");
}

static void
test_wrangler_applied (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *catalog = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *sql = NULL;

  write_three (fixture);
  first_path = g_build_filename (fixture->folder, FIRST, NULL);
  lh_test_run_ok (fixture->connection, WRANGLER_DDL);
  lh_test_run_ok (fixture->connection, "INSERT INTO d1_migrations (name, applied_at) VALUES "
                  "('" FIRST "', '2026-01-05 10:00:00')");

  model = load_ok (migrations);
  g_assert_cmpstr (lh_migration_get_applied_at (find (model, FIRST)), ==, "2026-01-05 10:00:00");
  g_assert_cmpint (lh_migration_get_state (find (model, FIRST)), ==, LH_MIGRATION_APPLIED);
  g_assert_cmpint (lh_migration_get_state (find (model, SECOND)), ==, LH_MIGRATION_PENDING);

  /* Its checksum is now in Litehouse's catalog (in the tests' XDG_DATA_HOME), never in
   * the database. */
  catalog = catalog_path ();
  checksum = lh_test_checksum (first_path);
  sql = g_strdup_printf ("SELECT migrations_table, name, sha256 FROM migration_files "
                         "WHERE database = '%s'", lh_connection_get_location (fixture->connection));
  kept = lh_test_query_text (catalog, sql);
  expected = g_strdup_printf ("d1_migrations|" FIRST "|%s\n", checksum);
  g_assert_cmpstr (kept, ==, expected);
  assert_query (fixture->connection,
                "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
                "d1_migrations\nsqlite_sequence\n");

  assert_states (migrations, FIRST " applied, " SECOND " pending, " THIRD " pending");
  g_free (write_file (fixture, FIRST, FIRST_SQL "CREATE INDEX users_name ON users (name);\n", -1));
  assert_states (migrations, FIRST " changed, " SECOND " pending, " THIRD " pending");

  /* Rolled back by hand, then applied again by wrangler as it is now: applied, not
   * changed (the old checksum was let go while it was pending). */
  lh_test_run_ok (fixture->connection, "DELETE FROM d1_migrations");
  assert_states (migrations, FIRST " pending, " SECOND " pending, " THIRD " pending");
  lh_test_run_ok (fixture->connection, "INSERT INTO d1_migrations (name) VALUES ('" FIRST "')");
  assert_states (migrations, FIRST " applied, " SECOND " pending, " THIRD " pending");
}

static void
note_progress (LhMigration *migration,
               guint        index,
               guint        n_migrations,
               gpointer     user_data)
{
  g_string_append_printf (user_data, "%u/%u %s;", index, n_migrations,
                          lh_migration_get_name (migration));
}

static void
test_apply_all (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GString) progress = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint n_applied = 0;

  write_three (fixture);
  g_assert_true (apply_with (migrations, NULL, NULL, note_progress, progress, &n_applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 3);
  g_assert_cmpstr (progress->str, ==, "0/3 " FIRST ";1/3 " SECOND ";2/3 " THIRD ";");

  /* wrangler's table, its rows in order, and what the files made. */
  assert_query (fixture->connection, "SELECT sql FROM sqlite_schema WHERE name = 'd1_migrations'",
                WRANGLER_DDL "\n");
  assert_query (fixture->connection, "SELECT id, name FROM d1_migrations ORDER BY id",
                "1|" FIRST "\n2|" SECOND "\n3|" THIRD "\n");
  assert_query (fixture->connection, "SELECT name FROM users", "ada\n");
  lh_test_run_ok (fixture->connection, "INSERT INTO posts (id, user_id, body) VALUES (1, 1, 'hi')");
  lh_test_run_ok (fixture->connection, "UPDATE posts SET body = 'hello'");
  assert_query (fixture->connection, "SELECT edited FROM posts", "1\n");
  assert_states (migrations, FIRST " applied, " SECOND " applied, " THIRD " applied");

  /* Nothing left to do. */
  g_string_truncate (progress, 0);
  g_assert_true (apply_with (migrations, NULL, NULL, note_progress, progress, &n_applied, &error));
  g_assert_cmpuint (n_applied, ==, 0);
  g_assert_cmpstr (progress->str, ==, "");
}

static void
test_apply_up_to (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  write_three (fixture);
  apply_ok (migrations, SECOND, 2);
  assert_states (migrations, FIRST " applied, " SECOND " applied, " THIRD " pending");

  g_assert_false (apply (migrations, "0009_nothing.sql", &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "0009_nothing.sql"));
  g_assert_cmpuint (n_applied, ==, 0);

  apply_ok (migrations, FIRST, 0);
  apply_ok (migrations, THIRD, 1);
  assert_states (migrations, FIRST " applied, " SECOND " applied, " THIRD " applied");
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

  if (index == 1)
    dump_before->before_second = lh_test_dump (dump_before->connection);
}

static void
test_failure (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  DumpBefore before = { fixture->connection, NULL };
  const char *file = NULL;
  guint n_applied = G_MAXUINT, statement = 0, line = 0, column = 0;

  g_free (write_file (fixture, FIRST, FIRST_SQL, -1));
  g_free (write_file (fixture, SECOND, BROKEN_SQL, -1));
  g_free (write_file (fixture, THIRD, THIRD_SQL, -1));

  g_assert_false (apply_with (migrations, NULL, NULL, dump_before_second, &before, &n_applied,
                              &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_STATEMENT);
  g_assert_cmpuint (n_applied, ==, 1);
  g_assert_nonnull (strstr (error->message, SECOND));
  g_assert_nonnull (strstr (error->message, "statement 2, line 6, column 41"));
  g_assert_nonnull (strstr (error->message, "near \"oops\": syntax error"));
  g_assert_true (lh_migrations_error_get_location (error, &file, &statement, &line, &column));
  g_assert_cmpstr (file, ==, SECOND);
  g_assert_cmpuint (statement, ==, 2);
  g_assert_cmpuint (line, ==, 6);
  g_assert_cmpuint (column, ==, 41);

  /* The first one stays applied; the second left nothing, not even its first statement. */
  after = lh_test_dump (fixture->connection);
  g_assert_nonnull (before.before_second);
  g_assert_cmpstr (after, ==, before.before_second);
  assert_query (fixture->connection, "SELECT name FROM d1_migrations", FIRST "\n");
  assert_states (migrations, FIRST " applied, " SECOND " pending, " THIRD " pending");

  /* Mended, it goes through with the one after it. */
  g_free (write_file (fixture, SECOND, SECOND_SQL, -1));
  apply_ok (migrations, NULL, 2);
  assert_states (migrations, FIRST " applied, " SECOND " applied, " THIRD " applied");
  g_free (before.before_second);
}

static GPtrArray *
rehearse (LhMigrations  *migrations,
          const char    *up_to,
          guint         *n_applied,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_migrations_rehearse_async (migrations, up_to, NULL, NULL, NULL, lh_test_store_result_cb, &result);
  return lh_migrations_rehearse_finish (migrations, lh_test_wait_for_result (&result), n_applied, error);
}

/* The changes, described, a line each. */
static char *
describe_changes (GPtrArray *changes)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < changes->len; i++)
    {
      g_autofree char *line = lh_schema_change_describe (g_ptr_array_index (changes, i));

      g_string_append_printf (text, "%s\n", line);
    }
  return g_string_free (text, FALSE);
}

/* How many rehearsal folders are left in the temporary folder. */
static guint
count_rehearsal_dirs (void)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, "litehouse-rehearsal-");
  return n;
}

/* A rehearsal applies to a copy: it reports the schema change, and the database, the
 * catalog and the temporary folder are as they were. */
static void
test_rehearse (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  guint n_applied = 0;
  guint leftovers = count_rehearsal_dirs ();

  write_three (fixture);
  apply_ok (migrations, FIRST, 1);
  before = lh_test_dump (fixture->connection);

  changes = rehearse (migrations, NULL, &n_applied, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 2);
  text = describe_changes (changes);
  g_assert_cmpstr (text, ==, "Table “posts” added\nTrigger “posts_edited” on “posts” added\n");
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
  assert_states (migrations, FIRST " applied, " SECOND " pending, " THIRD " pending");
  g_assert_cmpuint (count_rehearsal_dirs (), ==, leftovers);

  /* Up to one of them. */
  g_clear_pointer (&changes, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);
  changes = rehearse (migrations, SECOND, &n_applied, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 1);
  text = describe_changes (changes);
  g_assert_cmpstr (text, ==, "Table “posts” added\n");
}

/* A rehearsal that fails names the file, statement and line, and touches nothing. */
static void
test_rehearse_failure (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint n_applied = G_MAXUINT;
  guint leftovers = count_rehearsal_dirs ();

  g_free (write_file (fixture, FIRST, FIRST_SQL, -1));
  g_free (write_file (fixture, SECOND, BROKEN_SQL, -1));
  before = lh_test_dump (fixture->connection);
  changes = rehearse (migrations, NULL, &n_applied, &error);
  g_assert_null (changes);
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_STATEMENT);
  g_assert_nonnull (strstr (error->message, SECOND " failed at statement 2, line 6, column 41"));
  g_assert_cmpuint (n_applied, ==, 1);
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (count_rehearsal_dirs (), ==, leftovers);
}

static GPtrArray *
preview (LhMigrations  *migrations,
         LhMigration   *migration,
         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_migrations_preview_async (migrations, migration, NULL, lh_test_store_result_cb, &result);
  return lh_migrations_preview_finish (migrations, lh_test_wait_for_result (&result), error);
}

/* A pending migration's own change, after those pending before it. */
static void
test_preview (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  write_three (fixture);
  before = lh_test_dump (fixture->connection);
  model = load_ok (migrations);
  changes = preview (migrations, find (model, THIRD), &error);
  g_assert_no_error (error);
  text = describe_changes (changes);
  g_assert_cmpstr (text, ==, "Trigger “posts_edited” on “posts” added\n");

  g_clear_pointer (&changes, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);
  changes = preview (migrations, find (model, FIRST), &error);
  g_assert_no_error (error);
  text = describe_changes (changes);
  g_assert_cmpstr (text, ==, "Table “users” added\n");
  after = lh_test_dump (fixture->connection);
  g_assert_cmpstr (after, ==, before);
}

/* The copy taken before applying: a whole database, in the data folder. */
static void
test_backup (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *db_path = g_build_filename (fixture->dir, "main.db", NULL);
  g_autoptr(LhBackupCatalog) catalog = lh_backup_catalog_new (db_path);
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autofree char *names = NULL;

  write_three (fixture);
  apply_ok (migrations, FIRST, 1);
  lh_migrations_backup_async (migrations, NULL, lh_test_store_result_cb, &result);
  path = lh_migrations_backup_finish (migrations, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  names = lh_test_query_text (path, "SELECT name FROM users");
  g_assert_cmpstr (names, ==, "ada\n");

  /* Listed with the database's other backups, noted as taken before migrations. */
  g_clear_object (&result);
  lh_backup_catalog_list_async (catalog, NULL, lh_test_store_result_cb, &result);
  backups = lh_backup_catalog_list_finish (catalog, lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (backups), ==, 1);
  backup = g_list_model_get_item (backups, 0);
  g_assert_cmpstr (lh_backup_get_path (backup), ==, path);
  g_assert_cmpstr (lh_backup_get_note (backup), ==, "Before applying migrations");
  g_clear_object (&result);
  lh_backup_catalog_delete_async (catalog, backup, NULL, lh_test_store_result_cb, &result);
  g_assert_true (lh_backup_catalog_delete_finish (catalog, lh_test_wait_for_result (&result), &error));
}

/* A first migration that fails leaves no table of migrations behind either. */
static void
test_first_fails (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  g_free (write_file (fixture, FIRST,
                      "CREATE TABLE users (id);\nINSERT INTO nowhere VALUES (1);\n", -1));
  g_assert_false (apply (migrations, NULL, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_STATEMENT);
  g_assert_nonnull (strstr (error->message, "statement 2, line 2"));
  g_assert_nonnull (strstr (error->message, "no such table: nowhere"));
  g_assert_cmpuint (n_applied, ==, 0);
  g_assert_cmpint (count_schema (fixture), ==, 0);
}

static void
test_duplicate_numbers (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;
  const char *expected = "0002 is used by 2 files: 0002_add_comments.sql, " SECOND ".";

  write_three (fixture);
  g_free (write_file (fixture, "0002_add_comments.sql", "CREATE TABLE comments (id);", -1));
  model = load_ok (migrations);
  g_assert_null (lh_migration_get_problem (find (model, FIRST)));
  g_assert_cmpstr (lh_migration_get_problem (find (model, SECOND)), ==, expected);
  g_assert_cmpstr (lh_migration_get_problem (find (model, "0002_add_comments.sql")), ==, expected);

  /* Refused before anything ran, even the first one. */
  g_assert_false (apply (migrations, NULL, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_PROBLEM);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Cannot apply 0002_add_comments.sql: 0002 is used"));
  g_assert_cmpuint (n_applied, ==, 0);
  g_assert_cmpint (count_schema (fixture), ==, 0);

  /* What comes before the problem can be applied. */
  apply_ok (migrations, FIRST, 1);
}

static void
test_out_of_order (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  g_free (write_file (fixture, FIRST, FIRST_SQL, -1));
  g_free (write_file (fixture, THIRD, "CREATE TABLE later (id);", -1));
  apply_ok (migrations, NULL, 2);

  g_free (write_file (fixture, SECOND, SECOND_SQL, -1));
  model = load_ok (migrations);
  g_assert_cmpint (lh_migration_get_state (find (model, SECOND)), ==, LH_MIGRATION_PENDING);
  g_assert_nonnull (strstr (lh_migration_get_problem (find (model, SECOND)), THIRD));
  g_assert_false (apply (migrations, NULL, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_PROBLEM);
  g_assert_nonnull (strstr (error->message, SECOND));
  g_assert_cmpuint (n_applied, ==, 0);
  assert_query (fixture->connection, "SELECT count(*) FROM d1_migrations", "2\n");
}

static void
test_not_utf8 (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_file (fixture, FIRST, "CREATE TABLE a (x);\n-- caf\xe9\n", -1);
  guint n_applied = G_MAXUINT;
  LhMigration *migration;

  model = load_ok (migrations);
  migration = find (model, FIRST);
  g_assert_cmpstr (lh_migration_get_problem (migration), ==,
                   "The file is not valid UTF-8 text: the byte at offset 26, on line 2, is not "
                   "part of a character.");
  g_assert_null (lh_migration_get_sql (migration));
  g_assert_nonnull (lh_migration_get_checksum (migration));
  g_assert_false (apply (migrations, NULL, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_PROBLEM);
  g_assert_nonnull (strstr (error->message, FIRST));
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;
  const char *empty = "The file holds no SQL statement.";

  g_free (write_file (fixture, FIRST, "", 0));
  g_free (write_file (fixture, SECOND, "-- Migration number: 0002\n\n  ;\n/* nothing */\n", -1));
  model = load_ok (migrations);
  g_assert_cmpstr (lh_migration_get_problem (find (model, FIRST)), ==, empty);
  g_assert_cmpstr (lh_migration_get_problem (find (model, SECOND)), ==, empty);
  g_assert_cmpstr (lh_migration_get_sql (find (model, FIRST)), ==, "");
  g_assert_false (apply (migrations, SECOND, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_PROBLEM);
  g_assert_nonnull (strstr (error->message, FIRST));
}

static void
test_names (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder_path = g_build_filename (fixture->folder, "0005_folder.sql", NULL);
  g_autofree char *states = NULL;
  guint n_applied = G_MAXUINT;
  const char *layout = "The file name is not in wrangler’s NNNN_name.sql layout: a number of "
                       "four digits, an underscore, a name.";

  g_free (write_file (fixture, "init.sql", "CREATE TABLE a (x);", -1));
  g_free (write_file (fixture, "12_short.sql", "CREATE TABLE b (x);", -1));
  g_free (write_file (fixture, "0001_.sql", "CREATE TABLE c (x);", -1));
  g_free (write_file (fixture, "0002_fine.sql", "CREATE TABLE d (x);", -1));
  /* Not migrations: wrangler takes only *.sql files. */
  g_free (write_file (fixture, "README.md", "# Migrations", -1));
  g_free (write_file (fixture, "0003_upper.SQL", "CREATE TABLE e (x);", -1));
  g_assert_cmpint (g_mkdir (folder_path, 0700), ==, 0);

  model = load_ok (migrations);
  states = describe (model);
  g_assert_cmpstr (states, ==, "init.sql pending, 0001_.sql pending, 0002_fine.sql pending, "
                   "12_short.sql pending");
  g_assert_cmpstr (lh_migration_get_problem (find (model, "init.sql")), ==, layout);
  g_assert_cmpstr (lh_migration_get_title (find (model, "init.sql")), ==, "init");
  g_assert_cmpuint (lh_migration_get_number (find (model, "init.sql")), ==, 0);
  g_assert_cmpstr (lh_migration_get_problem (find (model, "0001_.sql")), ==, layout);
  g_assert_cmpstr (lh_migration_get_problem (find (model, "12_short.sql")), ==, layout);
  g_assert_cmpuint (lh_migration_get_number (find (model, "12_short.sql")), ==, 12);
  g_assert_null (lh_migration_get_problem (find (model, "0002_fine.sql")));
  g_assert_cmpstr (lh_migration_get_title (find (model, "0002_fine.sql")), ==, "fine");

  g_assert_false (apply (migrations, "0002_fine.sql", &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_PROBLEM);
  g_assert_nonnull (strstr (error->message, "init.sql"));
}

static void
test_table_shape (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(LhMigrations) history = new_migrations (fixture, "history");
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  write_three (fixture);
  lh_test_run_ok (fixture->connection, "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY,"
                  " label TEXT, applied_at TEXT)");
  lh_test_run_ok (fixture->connection, "CREATE TABLE history (NAME TEXT, installed TEXT)");

  model = load (migrations, &error);
  g_assert_null (model);
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TABLE_SHAPE);
  g_assert_cmpstr (error->message, ==, "The table “d1_migrations” has no “name” column: it is "
                   "not a migrations table as wrangler makes it.");
  g_clear_error (&error);

  model = load (history, &error);
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TABLE_SHAPE);
  g_assert_nonnull (strstr (error->message, "“history” has no “applied_at” column"));
  g_clear_error (&error);

  g_assert_false (apply (migrations, NULL, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TABLE_SHAPE);
  g_assert_cmpuint (n_applied, ==, 0);
  g_assert_cmpint (count_schema (fixture), ==, 2);
}

static void
test_custom_table (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LhMigrations) custom = new_migrations (fixture, "schema_history");
  g_autoptr(LhMigrations) spaced = new_migrations (fixture, "my migrations");
  g_autoptr(LhMigrations) standard = new_migrations (fixture, NULL);

  write_three (fixture);
  apply_ok (custom, SECOND, 2);
  assert_query (fixture->connection, "SELECT sql FROM sqlite_schema WHERE name = 'schema_history'",
                "CREATE TABLE schema_history(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)\n");
  assert_query (fixture->connection, "SELECT name FROM schema_history ORDER BY id",
                FIRST "\n" SECOND "\n");
  assert_states (custom, FIRST " applied, " SECOND " applied, " THIRD " pending");
  /* The other tables know nothing of it. */
  assert_states (standard, FIRST " pending, " SECOND " pending, " THIRD " pending");
  assert_query (fixture->connection,
                "SELECT count(*) FROM sqlite_schema WHERE name = 'd1_migrations'", "0\n");

  /* A name that SQL must quote. */
  g_free (write_file (fixture, FIRST, "SELECT 1;", -1));
  g_free (write_file (fixture, SECOND, "SELECT 2;", -1));
  g_free (write_file (fixture, THIRD, "SELECT 3;", -1));
  apply_ok (spaced, NULL, 3);
  assert_query (fixture->connection, "SELECT count(*) FROM \"my migrations\"", "3\n");
  assert_states (custom, FIRST " changed, " SECOND " changed, " THIRD " pending");
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names in folder, sorted, separated by spaces. */
static void
assert_folder (const char *folder,
               const char *expected)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  joined = g_strjoinv (" ", (char **) names->pdata);
  g_assert_cmpstr (joined, ==, expected);
}

#define CREATED "0008_add_users___rôles_.sql"

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *taken = g_build_filename (fixture->folder, "0010_third.sql", NULL);
  g_autofree char *expected = NULL;
  LhMigration *migration;

  g_free (write_file (fixture, FIRST, FIRST_SQL, -1));
  g_free (write_file (fixture, "0007_later.sql", "SELECT 7;", -1));
  g_free (write_file (fixture, "0042_notes.txt", "not a migration", -1));

  path = create (migrations, "Add Users & Rôles!", &error);
  g_assert_no_error (error);
  expected = g_build_filename (fixture->folder, CREATED, NULL);
  g_assert_cmpstr (path, ==, expected);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_regex_match_simple ("^-- Migration number: 0008 \t "
                                       "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\n\n$",
                                       contents, 0, 0));
  model = load_ok (migrations);
  migration = find (model, CREATED);
  g_assert_cmpint (lh_migration_get_state (migration), ==, LH_MIGRATION_PENDING);
  g_assert_cmpstr (lh_migration_get_title (migration), ==, "add users   rôles ");

  g_clear_pointer (&path, g_free);
  path = create (migrations, "  second\tone  ", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path, "/0009_second_one.sql"));

  g_clear_pointer (&path, g_free);
  path = create (migrations, " \n ", &error);
  g_assert_null (path);
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_INVALID_NAME);
  g_clear_error (&error);

  /* Something is in the way (not a file, so not counted): it stays as it is. */
  g_assert_cmpint (g_mkdir (taken, 0700), ==, 0);
  path = create (migrations, "third", &error);
  g_assert_null (path);
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "0010_third.sql"));
  g_clear_error (&error);
  g_assert_true (g_file_test (taken, G_FILE_TEST_IS_DIR));
  assert_folder (fixture->folder, FIRST " 0007_later.sql " CREATED " 0009_second_one.sql "
                 "0010_third.sql 0042_notes.txt");
}

static void
test_create_first (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *missing_folder = g_build_filename (fixture->dir, "nowhere", NULL);
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(LhMigrations) missing = lh_migrations_new (fixture->connection, missing_folder, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = create (migrations, "add users", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path, "/0001_add_users.sql"));

  g_clear_pointer (&path, g_free);
  path = create (missing, "add users", &error);
  g_assert_null (path);
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_FOLDER);
  g_assert_false (g_file_test (missing_folder, G_FILE_TEST_EXISTS));
}

static void
test_folder_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *missing_folder = g_build_filename (fixture->dir, "nowhere", NULL);
  g_autoptr(LhMigrations) migrations = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;

  migrations = lh_migrations_new (fixture->connection, missing_folder, NULL);
  model = load (migrations, &error);
  g_assert_null (model);
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_FOLDER);
  g_assert_nonnull (strstr (error->message, missing_folder));
}

static void
test_transaction_open (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  write_three (fixture);
  lh_test_run_ok (fixture->connection, "BEGIN");
  g_assert_true (lh_connection_get_in_transaction (fixture->connection));
  g_assert_false (apply (migrations, NULL, &n_applied, &error));
  g_assert_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TRANSACTION_OPEN);
  g_assert_cmpuint (n_applied, ==, 0);
  lh_test_run_ok (fixture->connection, "ROLLBACK");
  g_assert_cmpint (count_schema (fixture), ==, 0);

  apply_ok (migrations, NULL, 3);
}

static void
cancel_at_second (LhMigration *migration,
                  guint        index,
                  guint        n_migrations,
                  gpointer     user_data)
{
  if (index == 1)
    g_cancellable_cancel (user_data);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LhMigrations) migrations = new_migrations (fixture, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint n_applied = G_MAXUINT;

  write_three (fixture);
  g_assert_false (apply_with (migrations, NULL, cancellable, cancel_at_second, cancellable,
                              &n_applied, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n_applied, ==, 1);
  assert_states (migrations, FIRST " applied, " SECOND " pending, " THIRD " pending");
  assert_query (fixture->connection, "SELECT count(*) FROM sqlite_schema WHERE name = 'posts'",
                "0\n");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/migrations/states", test_states);
  ADD ("/migrations/wrangler-applied", test_wrangler_applied);
  ADD ("/migrations/apply-all", test_apply_all);
  ADD ("/migrations/apply-up-to", test_apply_up_to);
  ADD ("/migrations/failure", test_failure);
  ADD ("/migrations/rehearse", test_rehearse);
  ADD ("/migrations/rehearse-failure", test_rehearse_failure);
  ADD ("/migrations/preview", test_preview);
  ADD ("/migrations/backup", test_backup);
  ADD ("/migrations/first-fails", test_first_fails);
  ADD ("/migrations/duplicate-numbers", test_duplicate_numbers);
  ADD ("/migrations/out-of-order", test_out_of_order);
  ADD ("/migrations/not-utf8", test_not_utf8);
  ADD ("/migrations/empty", test_empty);
  ADD ("/migrations/names", test_names);
  ADD ("/migrations/table-shape", test_table_shape);
  ADD ("/migrations/custom-table", test_custom_table);
  ADD ("/migrations/create", test_create);
  ADD ("/migrations/create-first", test_create_first);
  ADD ("/migrations/folder-missing", test_folder_missing);
  ADD ("/migrations/transaction-open", test_transaction_open);
  ADD ("/migrations/cancel", test_cancel);

#undef ADD

  return g_test_run ();
}
