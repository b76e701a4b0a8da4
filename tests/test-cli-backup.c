/* test-cli-backup.c — `litehouse-cli backup` as a cron job or a person runs it: create
 * (exact, compact, gzip, with a note, with progress) and list, in text and JSON; verify a
 * sound backup and one whose bytes were overwritten; restore of the latest backup (rows
 * deleted since come back, the safety backup is listed and --latest passes over it), by ID,
 * after a yes on the terminal, held off by another program's lock no longer than
 * --lock-timeout, and refused without --yes where nobody can be asked; prune by a retention
 * policy, and its dry run; a bundle of the database and its folder, restored whole; a D1
 * and a libSQL database's dumps, restore, import and D1's Time Travel, against the test
 * servers; a full disk and a read-only backup folder (a tmpfs in a mount namespace); and
 * the refusals: a file that is not SQLite, usage errors.
 * Each test has its own XDG_DATA_HOME, so that catalogs never mix. */
#define _XOPEN_SOURCE 600   /* posix_openpt(), grantpt(), ptsname() under -std=c11 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <unistd.h>

#include "lh-test-cli.h"
#include "lh-test-server.h"
#include "lh-test-util.h"

#define N_ROWS "300"
#define ISO_TIME "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}"
#define SIZE "[0-9.]+ (bytes|kB|MB)"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *data_home = NULL;

  fixture->dir = lh_test_make_dir ();
  data_home = g_build_filename (fixture->dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  fixture->path = g_build_filename (fixture->dir, "shop.db", NULL);
  lh_test_make_db (fixture->path,
                   "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price REAL);"
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                   N_ROWS ") INSERT INTO products SELECT i, printf('product %04d', i) || "
                   "hex(zeroblob(40)), i * 1.5 FROM n;");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static JsonNode *
parse_json (JsonParser *parser,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_parser_get_root (parser);
}

/* `backup create DATABASE --json` with the options from first on; the new backup's ID. */
static gint64
create_backup (Fixture    *fixture,
               const char *first,
               ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  va_list ap;

  g_ptr_array_add (args, "backup");
  g_ptr_array_add (args, "create");
  g_ptr_array_add (args, fixture->path);
  g_ptr_array_add (args, "--json");
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  {
    g_auto(LhTestCliRun) run = lh_test_cli_launch (launcher, (const char * const *) args->pdata);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    return json_object_get_int_member (json_node_get_object (parse_json (parser, run.out)), "id");
  }
}

/* `backup list DATABASE --json`: the backups, newest first, which parser keeps. */
static JsonArray *
list_backups (Fixture    *fixture,
              JsonParser *parser)
{
  g_auto(LhTestCliRun) run = lh_test_cli ("backup", "list", fixture->path, "--json", NULL);
  JsonObject *root;

  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  root = json_node_get_object (parse_json (parser, run.out));
  g_assert_cmpstr (json_object_get_string_member (root, "database"), ==, fixture->path);
  return json_object_get_array_member (root, "backups");
}

static void
assert_matches (const char *text,
                const char *pattern)
{
  if (!g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0))
    g_error ("“%s” does not match /%s/", text, pattern);
}

/* Status 1 or 2 and exactly one line on stderr, starting with expected; nothing on stdout. */
static void
assert_refused (const LhTestCliRun *run,
                int                 status,
                const char         *expected)
{
  g_autofree char *start = g_strdup_printf ("litehouse-cli: %s", expected != NULL ? expected : "");

  g_assert_cmpint (run->status, ==, status);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_str_has_prefix (run->err, start));
  g_assert_true (strchr (run->err, '\n') == run->err + strlen (run->err) - 1);
}

static gint64
count_rows (Fixture *fixture)
{
  g_autofree char *text = lh_test_query_text (fixture->path, "SELECT count(*) FROM products");

  return g_ascii_strtoll (text, NULL, 10);
}

static void
test_create_list (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *backups;
  gint64 noted, compact;

  noted = create_backup (fixture, "--note", "before the import", NULL);
  compact = create_backup (fixture, "--compact", "--gzip", NULL);
  g_assert_cmpint (compact, >, noted);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", fixture->path, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.out, "\\ABackup [0-9]+ taken: /.+ \\(" SIZE "\\)\n\\z");
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "list", fixture->path, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.out, "\\A *id  time +kind +gzip +size  verified +note\n"
                    " *[0-9]+  " ISO_TIME "  exact +no +" SIZE "  no\n"
                    " *[0-9]+  " ISO_TIME "  compact  yes +" SIZE "  no\n"
                    " *[0-9]+  " ISO_TIME "  exact +no +" SIZE "  no +before the import\n"
                    "3 backups, " SIZE "\n\\z");
  }

  backups = list_backups (fixture, parser);
  g_assert_cmpuint (json_array_get_length (backups), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *backup = json_array_get_object_element (backups, i);
      g_autoptr(GDateTime) created = NULL;

      g_assert_true (g_file_test (json_object_get_string_member (backup, "path"),
                                  G_FILE_TEST_IS_REGULAR));
      g_assert_cmpint (json_object_get_int_member (backup, "size"), >, 0);
      g_assert_false (json_object_get_boolean_member (backup, "safety"));
      g_assert_true (json_object_get_null_member (backup, "verified_at"));
      created = g_date_time_new_from_iso8601 (json_object_get_string_member (backup,
                                                                             "created_at"),
                                              NULL);
      g_assert_nonnull (created);
    }
  {
    JsonObject *newest = json_array_get_object_element (backups, 0);
    JsonObject *second = json_array_get_object_element (backups, 1);
    JsonObject *oldest = json_array_get_object_element (backups, 2);

    g_assert_cmpint (json_object_get_int_member (newest, "id"), >, compact);
    g_assert_cmpint (json_object_get_int_member (second, "id"), ==, compact);
    g_assert_cmpstr (json_object_get_string_member (second, "kind"), ==, "compact");
    g_assert_true (json_object_get_boolean_member (second, "gzip"));
    g_assert_true (json_object_get_null_member (second, "note"));
    g_assert_cmpint (json_object_get_int_member (oldest, "id"), ==, noted);
    g_assert_cmpstr (json_object_get_string_member (oldest, "kind"), ==, "exact");
    g_assert_false (json_object_get_boolean_member (oldest, "gzip"));
    g_assert_cmpstr (json_object_get_string_member (oldest, "note"), ==, "before the import");
  }
}

static void
test_progress (Fixture       *fixture,
               gconstpointer  data)
{
  /* What is measured, its percentages, then what follows, each on a line of its own. */
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", fixture->path, "--progress", NULL);

    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.err, "\\ACopying the database…\n([0-9]+%\n)*100%\nChecking the copy…\n\\z");
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", fixture->path, "--gzip",
                                            "--compact", "--progress", NULL);

    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.err, "\\AWriting a compact copy…\n([0-9]+%\n)*100%\n"
                    "Compressing and checking the copy…\n\\z");
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", fixture->path, "--latest", "--yes",
                                            "--progress", NULL);

    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.err, "\\AChecking the backup, then taking a safety backup…\n"
                    "([0-9]+%\n)*100%\nRestoring…\n\\z");
  }
}

/* SIGINT (Ctrl+C) in the middle of a backup: a one-line message, nothing listed, no file
 * left in the backup folder. */
static void
test_interrupt (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const argv[] = { g_getenv ("LITEHOUSE_CLI"), "backup", "create", fixture->path,
                                "--progress", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *folder = g_build_filename (fixture->dir, "data", "litehouse", "backups", NULL);
  g_autoptr(GDir) dir = NULL;
  char *line;

  /* About 100 MB, with an index for integrity_check to compare row by row. */
  lh_test_make_db (fixture->path, "CREATE TABLE big (k TEXT, v BLOB);"
                                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
                                  " INSERT INTO big SELECT hex(randomblob(16)), randomblob(1000) FROM n;"
                                  "CREATE INDEX big_k ON big (k);");
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  /* Its label, then its first percentage: the copy is under way. */
  while ((line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error)) != NULL &&
         !g_str_has_suffix (line, "%"))
    g_free (line);
  g_assert_nonnull (line);
  g_free (line);
  g_subprocess_send_signal (process, SIGINT);
  rest = g_data_input_stream_read_upto (err, "", 0, NULL, NULL, &error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_true (g_str_has_suffix (rest, "litehouse-cli: Cancelled.\n"));
  g_assert_cmpuint (json_array_get_length (list_backups (fixture, parser)), ==, 0);
  dir = g_dir_open (folder, 0, NULL);
  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *inside = g_build_filename (folder, name, NULL);
      g_autoptr(GDir) files = g_dir_open (inside, 0, NULL);

      g_assert_null (files != NULL ? g_dir_read_name (files) : NULL);
    }
}

/* "--" ends the options: a database whose name starts with "-". */
static void
test_dash_name (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *dash = g_build_filename (fixture->dir, "-dash.db", NULL);
  g_autofree char *cwd = g_get_current_dir ();

  lh_test_make_db (dash, "CREATE TABLE t (a)");
  g_assert_cmpint (g_chdir (fixture->dir), ==, 0);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", "--", "-dash.db", NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "list", "--json", "--", "-dash.db", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "-dash.db"));
  }
  g_assert_cmpint (g_chdir (cwd), ==, 0);
}

static void
test_verify (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 id = create_backup (fixture, "--gzip", NULL);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *sound = g_strdup_printf ("Backup %" G_GINT64_FORMAT " is sound\n", id);
  g_autofree char *missing = NULL;
  g_autoptr(GDateTime) verified = NULL;
  JsonObject *backup;

  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "verify", fixture->path, id_text, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, sound);
  }
  backup = json_array_get_object_element (list_backups (fixture, parser), 0);
  verified = g_date_time_new_from_iso8601 (json_object_get_string_member (backup, "verified_at"),
                                           NULL);
  g_assert_nonnull (verified);

  missing = g_strdup_printf ("“%s” has no backup 999; “litehouse-cli backup list” lists its "
                             "backups", fixture->path);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "verify", fixture->path, "999", NULL);

    assert_refused (&run, 1, missing);
  }
}

/* Overwrites a run of bytes in the middle of the file at path, leaving its size. */
static void
overwrite_middle (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 3 * 4096);
  memset (contents + length / 3, 0x5a, 4096);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static void
test_verify_corrupt (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 id = create_backup (fixture, NULL);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *unsound = g_strdup_printf ("backup %" G_GINT64_FORMAT " is not sound: ", id);
  JsonObject *backup = json_array_get_object_element (list_backups (fixture, parser), 0);

  overwrite_middle (json_object_get_string_member (backup, "path"));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "verify", fixture->path, id_text, NULL);

    assert_refused (&run, 1, unsound);
    g_test_message ("verify said: %s", run.err);
  }
  g_unlink (json_object_get_string_member (backup, "path"));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "verify", fixture->path, id_text, NULL);

    assert_refused (&run, 1, unsound);
    g_test_message ("verify said: %s", run.err);
  }
}

/* The safety backup's ID from restore's message, which names backup restored. */
static gint64
restored_safety (const LhTestCliRun *run,
                 gint64              restored)
{
  g_autofree char *start = g_strdup_printf ("Restored backup %" G_GINT64_FORMAT " of ", restored);
  const char *safety;

  g_assert_cmpstr (run->err, ==, "");
  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_str_has_prefix (run->out, start));
  assert_matches (run->out, "\\ARestored backup [0-9]+ of " ISO_TIME "; the database as it was "
                  "before is safety backup [0-9]+\n\\z");
  safety = strrchr (run->out, ' ');
  return g_ascii_strtoll (safety + 1, NULL, 10);
}

static void
test_restore_latest (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 good = create_backup (fixture, "--note", "good", NULL);
  g_autofree char *after_delete = NULL;
  g_autofree char *safety_text = NULL;
  JsonArray *backups;
  JsonObject *newest;
  gint64 safety;

  lh_test_make_db (fixture->path, "DELETE FROM products WHERE id > 100");
  g_assert_cmpint (count_rows (fixture), ==, 100);
  after_delete = lh_test_checksum (fixture->path);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", fixture->path, "--latest", "--yes",
                                            NULL);

    safety = restored_safety (&run, good);
  }
  g_assert_cmpint (count_rows (fixture), ==, atoi (N_ROWS));

  backups = list_backups (fixture, parser);
  g_assert_cmpuint (json_array_get_length (backups), ==, 2);
  newest = json_array_get_object_element (backups, 0);
  g_assert_cmpint (json_object_get_int_member (newest, "id"), ==, safety);
  g_assert_true (json_object_get_boolean_member (newest, "safety"));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "list", fixture->path, NULL);

    assert_matches (run.out, "^ *[0-9]+  " ISO_TIME "  exact +no +" SIZE "  no +safety");
  }

  /* --latest passes over the safety backup, newer as it is. */
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", fixture->path, "--latest", "--yes",
                                            NULL);

    restored_safety (&run, good);
  }
  /* The first safety backup holds the database as it was after the delete. */
  safety_text = g_strdup_printf ("%" G_GINT64_FORMAT, safety);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", fixture->path, safety_text,
                                            "--yes", NULL);

    restored_safety (&run, safety);
  }
  g_assert_cmpint (count_rows (fixture), ==, 100);

  /* A database file deleted comes back: nothing to keep first. */
  g_assert_cmpint (g_unlink (fixture->path), ==, 0);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", fixture->path, "--latest", "--yes",
                                            NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.out, "\\ARestored backup [0-9]+ of " ISO_TIME "; there was no database "
                    "file to keep first\n\\z");
  }
  g_assert_cmpint (count_rows (fixture), ==, atoi (N_ROWS));
}

static void
test_restore_needs_yes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;

  create_backup (fixture, NULL);
  lh_test_make_db (fixture->path, "DELETE FROM products WHERE id > 100");
  before = lh_test_checksum (fixture->path);
  expected = g_strdup_printf ("restoring replaces %s, and there is no terminal to ask on: pass "
                              "--yes to restore\n", fixture->path);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", fixture->path, "--latest", NULL);

    assert_refused (&run, 2, expected);
  }
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (json_array_get_length (list_backups (fixture, parser)), ==, 1);
}

/* `backup restore DATABASE --latest` with a terminal on standard input, answered with
 * answer. */
static LhTestCliRun
restore_asking (Fixture    *fixture,
                const char *answer)
{
  const char * const args[] = { "backup", "restore", fixture->path, "--latest", NULL };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  int terminal = posix_openpt (O_RDWR | O_NOCTTY);
  int replica;

  g_assert_cmpint (terminal, >=, 0);
  g_assert_cmpint (grantpt (terminal), ==, 0);
  g_assert_cmpint (unlockpt (terminal), ==, 0);
  replica = g_open (ptsname (terminal), O_RDWR | O_NOCTTY, 0);
  g_assert_cmpint (replica, >=, 0);
  g_assert_cmpint (write (terminal, answer, strlen (answer)), ==, (gssize) strlen (answer));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, replica);
  {
    LhTestCliRun run = lh_test_cli_launch (launcher, args);

    close (terminal);
    return run;
  }
}

static void
test_restore_asks (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *question = NULL;
  g_autofree char *path = g_regex_escape_string (fixture->path, -1);
  gint64 id = create_backup (fixture, NULL);

  lh_test_make_db (fixture->path, "DELETE FROM products WHERE id > 100");
  before = lh_test_checksum (fixture->path);
  question = g_strdup_printf ("\\AReplace %s with backup %" G_GINT64_FORMAT " of " ISO_TIME
                              "\\? \\[y/N\\] ", path, id);
  {
    g_auto(LhTestCliRun) run = restore_asking (fixture, "n\n");

    g_assert_cmpint (run.status, ==, 1);
    g_assert_cmpstr (run.out, ==, "");
    assert_matches (run.err, question);
    g_assert_true (g_str_has_suffix (run.err, "litehouse-cli: nothing was restored\n"));
  }
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
  {
    g_auto(LhTestCliRun) run = restore_asking (fixture, "y\n");

    g_assert_cmpint (run.status, ==, 0);
    assert_matches (run.err, question);
    assert_matches (run.out, "\\ARestored backup ");
  }
  g_assert_cmpint (count_rows (fixture), ==, atoi (N_ROWS));
}

/* Another program's write transaction holds the restore off for --lock-timeout, no longer,
 * and the database stays as that program left it. */
static void
test_restore_locked (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GSubprocess *locker;
  gint64 start;

  create_backup (fixture, NULL);
  lh_test_make_db (fixture->path, "DELETE FROM products WHERE id > 100");
  before = lh_test_checksum (fixture->path);
  locker = lh_test_lock_db (fixture->path, "immediate");
  start = g_get_monotonic_time ();
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", fixture->path, "--latest",
                                            "--yes", "--lock-timeout", "300", NULL);

    assert_refused (&run, 1, "");
    g_test_message ("restore said: %s", run.err);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  lh_test_unlock_db (locker);
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_prune (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  gint64 ids[5];
  JsonArray *backups;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    ids[i] = create_backup (fixture, NULL);
  backups = list_backups (fixture, parser);
  for (guint i = 0; i < json_array_get_length (backups); i++)
    g_ptr_array_add (paths, g_strdup (json_object_get_string_member (
      json_array_get_object_element (backups, i), "path")));

  /* The defaults (the newest 10, a day's for 7 days, a week's for 4 weeks) keep them all. */
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "prune", fixture->path, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "0 backups removed\n");
  }
  /* A dry run names the three oldest and removes nothing. */
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "prune", fixture->path, "--keep-last", "2",
                                            "--daily", "0", "--weekly", "0", "--dry-run", NULL);
    g_autofree char *expected = NULL;

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    expected = g_strdup_printf ("\\AA prune would remove these \\(a dry run: nothing was "
                                "removed\\):\n *id  time .*\n"
                                " *%" G_GINT64_FORMAT "  .*\n *%" G_GINT64_FORMAT "  .*\n"
                                " *%" G_GINT64_FORMAT "  .*\n3 backups, " SIZE "\n\\z",
                                ids[2], ids[1], ids[0]);
    assert_matches (run.out, expected);
  }
  backups = list_backups (fixture, parser);
  g_assert_cmpuint (json_array_get_length (backups), ==, 5);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "prune", fixture->path, "--keep-last", "2",
                                            "--daily", "0", "--weekly", "0", NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "3 backups removed\n");
  }
  backups = list_backups (fixture, parser);
  g_assert_cmpuint (json_array_get_length (backups), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (backups, 0), "id"),
                   ==, ids[4]);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (backups, 1), "id"),
                   ==, ids[3]);
  for (guint i = 0; i < paths->len; i++)
    g_assert_true (g_file_test (g_ptr_array_index (paths, i), G_FILE_TEST_EXISTS) == (i < 2));

  /* The newest of today is the one backup a day's rule keeps. */
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "prune", fixture->path, "--keep-last", "0",
                                            "--daily", "1", "--weekly", "0", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "1 backup removed\n");
  }
  backups = list_backups (fixture, parser);
  g_assert_cmpuint (json_array_get_length (backups), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (backups, 0), "id"),
                   ==, ids[4]);
}

static void
test_not_sqlite (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = g_build_filename (fixture->dir, "readme.txt", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (text, "Just some text, long enough to have a header "
                                      "that SQLite will look at and refuse. ..........", -1, NULL));
  before = lh_test_checksum (text);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", text, NULL);

    assert_refused (&run, 1, "");
    g_assert_nonnull (strstr (run.err, "not an SQLite database"));
  }
  after = lh_test_checksum (text);
  g_assert_cmpstr (before, ==, after);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", missing, NULL);

    assert_refused (&run, 1, "");
  }
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

/* The rows of table t, through `litehouse-cli query` on database. */
static char *
remote_rows (const char *database)
{
  g_auto(LhTestCliRun) run = lh_test_cli ("query", database, "SELECT coalesce(group_concat(v), '(none)') AS v FROM t", NULL);

  g_assert_cmpint (run.status, ==, 0);
  return g_strdup (run.out);
}

static void
remote_run_ok (const char *database,
               const char *sql)
{
  g_auto(LhTestCliRun) run = lh_test_cli ("query", database, sql, NULL);

  g_assert_cmpint (run.status, ==, 0);
}

/* A remote database: a dump taken and listed, the latest restored after a safety dump,
 * verified; a local database file imported; the refusals of what is for files. */
static void
check_remote (Fixture    *fixture,
              const char *database)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *local = g_build_filename (fixture->dir, "laptop.sqlite", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *backups;

  remote_run_ok (database, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                           "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
  before = remote_rows (database);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", database, "--gzip", "--note", "nightly", "--json", NULL);
    JsonObject *backup;

    g_assert_cmpint (run.status, ==, 0);
    backup = json_node_get_object (parse_json (parser, run.out));
    g_assert_cmpstr (json_object_get_string_member (backup, "kind"), ==, "dump");
    g_assert_true (json_object_get_boolean_member (backup, "gzip"));
    g_assert_true (g_str_has_suffix (json_object_get_string_member (backup, "path"), ".sql.gz"));
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "create", database, "--compact", NULL);

    assert_refused (&run, 2, "--compact is for database files: a remote database’s backup is an SQL dump\n");
  }
  remote_run_ok (database, "DELETE FROM t WHERE v <> 'a'");
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore", database, "--latest", "--yes", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_regex_match_simple ("^Restored backup 1 of .*; the database as it was before is "
                                         "safety backup 2\n$", run.out, 0, 0));
  }
  after = remote_rows (database);
  g_assert_cmpstr (after, ==, before);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "list", database, "--json", NULL);

    g_assert_cmpint (run.status, ==, 0);
    backups = json_object_get_array_member (json_node_get_object (parse_json (parser, run.out)), "backups");
    g_assert_cmpuint (json_array_get_length (backups), ==, 2);
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (backups, 0), "safety"));
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "verify", database, "1", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "Backup 1 is sound\n");
  }

  lh_test_make_db (local, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                          "INSERT INTO t (v) VALUES ('from'), ('the'), ('laptop');");
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "import", database, local, NULL);

    assert_refused (&run, 2, NULL);
    g_assert_nonnull (strstr (run.err, "pass --yes to import"));
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "import", database, local, "--yes",
                                            "--progress", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "the database as it was before is safety backup 3"));
    /* The safety dump's percentages, then the load's, each run under its own line. */
    assert_matches (run.err, "\\AChecking the file, then taking a safety dump…\n([0-9]+%\n)*100%\n"
                    "Replacing the database’s tables…\n([0-9]+%\n)+\\z");
  }
  g_free (after);
  after = remote_rows (database);
  g_assert_nonnull (strstr (after, "\nfrom,the,laptop\n"));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "bundle", database, fixture->dir, local, NULL);

    assert_refused (&run, 2, "bundles are of database files: this database is remote\n");
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "import", fixture->path, local, "--yes", NULL);

    assert_refused (&run, 2, NULL);
    g_assert_nonnull (strstr (run.err, "import is for remote databases"));
  }
}

static void
test_remote_d1 (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *state = g_build_filename (fixture->dir, "d1", NULL);
  g_autoptr(LhTestServer) server = lh_test_server_start ("d1-server.mjs", "--state", state,
                                                         "--token", "cli-secret",
                                                         "--account", "acc1",
                                                         "--database", "notes=db-1", NULL);
  g_autofree char *base = lh_test_server_url (server, "/client/v4");
  g_autofree char *bookmark = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *previous = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) bookmark_regex = g_regex_new ("--bookmark ([0-9a-f-]+)", 0, 0, NULL);

  g_setenv ("CLOUDFLARE_API_BASE_URL", base, TRUE);
  g_setenv ("CLOUDFLARE_API_TOKEN", "cli-secret", TRUE);
  check_remote (fixture, "d1://acc1/db-1");

  /* Time Travel: the bookmark of now, a change, a restore to it, an undo. */
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "time-travel", "info", "d1://acc1/db-1", NULL);

    g_assert_cmpint (run.status, ==, 0);
    bookmark = g_strstrip (g_strdup (run.out));
    g_assert_true (g_regex_match_simple ("^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$", bookmark, 0, 0));
  }
  remote_run_ok ("d1://acc1/db-1", "DELETE FROM t");
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "time-travel", "restore", "d1://acc1/db-1",
                                            "--bookmark", bookmark, NULL);

    assert_refused (&run, 2, NULL);
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "time-travel", "restore", "d1://acc1/db-1",
                                            "--bookmark", bookmark, "--yes", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_regex_match_simple ("to undo, restore --bookmark [0-9a-f-]+\n$", run.out, 0, 0));
    g_assert_true (g_regex_match (bookmark_regex, run.out, 0, &match));
    previous = g_match_info_fetch (match, 1);
  }
  rows = remote_rows ("d1://acc1/db-1");
  g_assert_nonnull (strstr (rows, "\nfrom,the,laptop\n"));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "time-travel", "restore", "d1://acc1/db-1",
                                            "--bookmark", previous, "--yes", "--json", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "\"previous_bookmark\""));
  }
  g_free (rows);
  rows = remote_rows ("d1://acc1/db-1");
  g_assert_nonnull (strstr (rows, "\n(none)\n"));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "time-travel", "info", "d1://acc1/db-1",
                                            "--timestamp", "soon", NULL);

    assert_refused (&run, 2, NULL);
    g_assert_nonnull (strstr (run.err, "is not a time"));
  }
  g_unsetenv ("CLOUDFLARE_API_TOKEN");
  g_unsetenv ("CLOUDFLARE_API_BASE_URL");
}

static void
test_remote_libsql (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fixture->dir, "remote.db", NULL);
  g_autoptr(LhTestServer) server = lh_test_server_start ("hrana-server.mjs", "--db", db,
                                                         "--token", "cli-secret", NULL);
  g_autofree char *url = lh_test_server_url (server, "");

  g_setenv ("LIBSQL_AUTH_TOKEN", "cli-secret", TRUE);
  check_remote (fixture, url);
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "time-travel", "info", url, NULL);

    assert_refused (&run, 2, "Time Travel is D1’s: give a d1://ACCOUNT/ID database\n");
  }
  g_unsetenv ("LIBSQL_AUTH_TOKEN");
}

/* A full disk: a backup that cannot be written says so, lists nothing, leaves nothing
 * in the folder and the database as it was. The disk is a small tmpfs mounted in a mount
 * namespace of the test's own (unshare), holding XDG_DATA_HOME; where namespaces are not
 * allowed the test is skipped. */
#define DISK_FULL_SCRIPT \
  "mount -t tmpfs -o size=160k tmpfs \"$1\" || exit 77\n" \
  "export XDG_DATA_HOME=\"$1\"\n" \
  "\"$LITEHOUSE_CLI\" backup create \"$2\" --note full\n" \
  "echo \"status $?\"\n" \
  "\"$LITEHOUSE_CLI\" backup list \"$2\" --json\n" \
  "ls -A \"$1\"/litehouse/backups/*/\n"

/* Runs script with sh in a mount namespace of its own ($1: a folder of fixture's to mount
 * on, $2: the database); FALSE (the test skipped) where such namespaces are not allowed. */
static gboolean
run_in_namespace (Fixture     *fixture,
                  const char  *script,
                  char       **out,
                  char       **err)
{
  g_autofree char *mount_point = g_build_filename (fixture->dir, "small", NULL);
  const char *argv[] = { "unshare", "--map-root-user", "--mount", "sh", "-c", script, "sh",
                         mount_point, fixture->path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_cmpint (g_mkdir (mount_point, 0700), ==, 0);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *why = g_strdup_printf ("no private tmpfs here (%s)",
                                              error != NULL ? error->message : g_strstrip (*err));

      g_test_skip (why);
      return FALSE;
    }
  return TRUE;
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  lh_test_make_db (fixture->path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                  "WHERE i < 3000) INSERT INTO products (name, price) "
                                  "SELECT hex(randomblob(100)), i FROM n;");
  before = lh_test_checksum (fixture->path);
  if (!run_in_namespace (fixture, DISK_FULL_SCRIPT, &out, &err))
    return;
  g_assert_nonnull (strstr (err, "litehouse-cli: The disk is full"));
  g_assert_nonnull (strstr (out, "status 1\n"));
  g_assert_nonnull (strstr (out, "\"backups\" : []"));
  /* The folder holds nothing: the last thing printed is the JSON's end. */
  g_assert_true (g_str_has_suffix (out, "}") || g_str_has_suffix (out, "}\n"));
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (after, ==, before);
}

/* A backup folder that cannot be written (a read-only file system here, which binds root
 * too): the backup says so, and nothing changes. */
#define READ_ONLY_SCRIPT \
  "mount -t tmpfs -o size=1m tmpfs \"$1\" || exit 77\n" \
  "export XDG_DATA_HOME=\"$1\"\n" \
  "\"$LITEHOUSE_CLI\" backup list \"$2\" >/dev/null || exit 78\n" \
  "mount -o remount,ro \"$1\" || exit 77\n" \
  "\"$LITEHOUSE_CLI\" backup create \"$2\"\n" \
  "echo \"status $?\"\n"

static void
test_folder_read_only (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *before = lh_test_checksum (fixture->path);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!run_in_namespace (fixture, READ_ONLY_SCRIPT, &out, &err))
    return;
  g_assert_cmpstr (out, ==, "status 1\n");
  g_assert_true (g_str_has_prefix (err, "litehouse-cli: "));
  g_assert_nonnull (strstr (err, "may not write in the backup folder"));
  after = lh_test_checksum (fixture->path);
  g_assert_cmpstr (after, ==, before);
}

/* bundle, then restore-bundle: the database and its folder come back as they were; an
 * archive that is no bundle is refused and changes nothing; restoring asks for --yes. */
static void
test_bundle (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (fixture->dir, "uploads", NULL);
  g_autofree char *upload = g_build_filename (folder, "logo.png", NULL);
  g_autofree char *archive = g_build_filename (fixture->dir, "shop.tar.gz", NULL);
  g_autofree char *bogus = g_build_filename (fixture->dir, "bogus.tar.gz", NULL);
  g_autofree char *count = NULL;
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (upload, "\x89PNG first", -1, NULL));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "bundle", fixture->path, folder, archive, NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_file_test (archive, G_FILE_TEST_IS_REGULAR));
  }

  lh_test_make_db (fixture->path, "DELETE FROM products");
  g_assert_true (g_file_set_contents (upload, "changed", -1, NULL));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore-bundle", fixture->path, folder, archive, NULL);

    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--yes"));
  }
  g_assert_true (g_file_set_contents (bogus, "not a bundle", -1, NULL));
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore-bundle", fixture->path, folder, bogus,
                                            "--yes", NULL);

    g_assert_cmpint (run.status, ==, 1);
    g_assert_true (g_str_has_prefix (run.err, "litehouse-cli: "));
  }
  count = lh_test_query_text (fixture->path, "SELECT count(*) FROM products");
  g_assert_cmpstr (count, ==, "0\n");
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "restore-bundle", fixture->path, folder, archive,
                                            "--yes", NULL);

    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  g_clear_pointer (&count, g_free);
  count = lh_test_query_text (fixture->path, "SELECT count(*) FROM products");
  g_assert_cmpstr (count, ==, N_ROWS "\n");
  g_assert_true (g_file_get_contents (upload, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "\x89PNG first");
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  const char *path = fixture->path;
  const struct
  {
    const char *args[10];
    const char *expected;
  } cases[] = {
    { { "backup" }, "usage: litehouse-cli backup create|list|verify|restore|prune|bundle|"
                    "restore-bundle|import|time-travel DATABASE [OPTIONS…]\n" },
    { { "backup", "undo", path }, "unknown backup command “undo”; try “litehouse-cli backup "
                                  "--help”\n" },
    { { "backup", "create" }, "usage: litehouse-cli backup create DATABASE [--compact] [--gzip] "
                              "[--note TEXT] [--json] [--progress]\n" },
    { { "backup", "list", path, "--gzip" }, "Unknown option --gzip\n" },
    { { "backup", "verify", path }, "usage: litehouse-cli backup verify DATABASE ID\n" },
    { { "backup", "verify", path, "first" }, "“first” is not a backup ID: give the number "
                                             "“litehouse-cli backup list” shows\n" },
    { { "backup", "restore", path, "--yes" }, "usage: litehouse-cli backup restore DATABASE "
                                              "ID|--latest [--yes] [--lock-timeout MS] "
                                              "[--progress]\n" },
    { { "backup", "restore", path, "1", "--latest", "--yes" },
      "usage: litehouse-cli backup restore DATABASE ID|--latest [--yes] [--lock-timeout MS] "
      "[--progress]\n" },
    { { "backup", "restore", path, "1", "--yes", "--lock-timeout", "-5" },
      "--lock-timeout takes a number of milliseconds, 0 or more\n" },
    { { "backup", "prune", path, "--keep-last", "-1" },
      "--keep-last, --daily and --weekly take a count, 0 or more\n" },
    { { "backup", "prune", path, "--keep-last", "0", "--daily", "0", "--weekly", "0" },
      "--keep-last, --daily and --weekly are all 0, a policy that keeps nothing: give one of "
      "them a count above 0\n" },
    { { "backup", "prune", path, "extra" }, "usage: litehouse-cli backup prune DATABASE "
                                            "[--keep-last N] [--daily D] [--weekly W] "
                                            "[--dry-run]\n" },
  };
  g_autofree char *before = lh_test_checksum (path);
  g_autofree char *after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_auto(LhTestCliRun) run = { 0 };

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                            G_SUBPROCESS_FLAGS_STDERR_PIPE);
      run = lh_test_cli_launch (launcher, cases[i].args);
      assert_refused (&run, 2, cases[i].expected);
    }
  after = lh_test_checksum (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (g_getenv ("XDG_DATA_HOME"), G_FILE_TEST_EXISTS));

  {
    g_auto(LhTestCliRun) run = lh_test_cli ("backup", "--help", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "restore DATABASE ID|--latest"));
  }
  {
    g_auto(LhTestCliRun) run = lh_test_cli ("--help", NULL);

    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "backup create|list|verify|restore|prune|bundle|restore-bundle|"
                                       "import|time-travel DATABASE"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/cli/backup/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("create-list", test_create_list);
  ADD ("progress", test_progress);
  ADD ("interrupt", test_interrupt);
  ADD ("dash-name", test_dash_name);
  ADD ("verify", test_verify);
  ADD ("verify-corrupt", test_verify_corrupt);
  ADD ("restore-latest", test_restore_latest);
  ADD ("restore-needs-yes", test_restore_needs_yes);
  ADD ("restore-asks", test_restore_asks);
  ADD ("restore-locked", test_restore_locked);
  ADD ("prune", test_prune);
  ADD ("not-sqlite", test_not_sqlite);
  ADD ("disk-full", test_disk_full);
  ADD ("folder-read-only", test_folder_read_only);
  ADD ("remote-d1", test_remote_d1);
  ADD ("remote-libsql", test_remote_libsql);
  ADD ("usage", test_usage);
  ADD ("bundle", test_bundle);
#undef ADD

  return g_test_run ();
}
