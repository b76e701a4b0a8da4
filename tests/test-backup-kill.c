/* test-backup-kill.c — a backup or a restore killed (SIGKILL) at any moment leaves the
 * database whole, as it was before or as it was to be after, and the catalog listing only
 * sound backups. Trials alternate `backup create` (exact, gzip, compact) and `backup restore
 * --latest --yes` (after a change, so that before and after differ), each killed after a
 * random delay of up to a little more than an unhindered run takes, so that kills land in
 * every phase: starting up, copying, checking, renaming, entering the catalog, after the
 * end. After each one: PRAGMA integrity_check, the content (a checksum of every row) is one
 * of the two expected, and every listed backup's file is there and passes `backup verify`
 * (whatever temporary files a kill left are not listed). At the end, one more create that
 * runs to its end leaves no temporary file in the backup folder: it removed those the
 * killed processes left. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>

#include "lh-test-cli.h"
#include "lh-test-util.h"

#define N_TRIALS 60

/* About 4 MB: a backup takes tens of milliseconds, long enough to be killed in the middle. */
#define MAKE_SQL \
  "CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT, n INTEGER);" \
  "CREATE INDEX items_n ON items (n);" \
  "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 30000)" \
  " INSERT INTO items SELECT i, hex(randomblob(50)), i % 977 FROM s;"

typedef enum
{
  CREATE_EXACT,
  CREATE_GZIP,
  CREATE_COMPACT,
  RESTORE_LATEST,
  N_OPERATIONS
} Operation;

static const char * const operation_names[N_OPERATIONS] = {
  "create exact", "create gzip", "create compact", "restore --latest",
};

typedef struct
{
  char       *dir;
  char       *path;
  char       *latest_state;   /* the content of the newest backup that is not a safety one */
  GHashTable *sound;          /* IDs of the listed backups verified already */
  char       *folder;         /* where the backups of path go */
  guint       max_delay_ms[N_OPERATIONS];
  guint       killed[N_OPERATIONS];
  guint       finished[N_OPERATIONS];
} Trials;

/* The database's schema and rows as a checksum, after PRAGMA integrity_check says "ok". A
 * read-write connection, so that a hot journal a killed restore left is rolled back first,
 * as any program opening the file would. */
static char *
checked_state (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLocalConnection) connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 2000, &error);
  g_autoptr(LhResultSet) check = NULL;
  g_autofree char *dump = NULL;

  g_assert_no_error (error);
  check = lh_test_execute (LH_CONNECTION (connection), "PRAGMA integrity_check", NULL, NULL,
                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (check), ==, 1);
  g_assert_cmpstr (lh_result_set_get_value (check, 0, 0)->v.text.data, ==, "ok");
  dump = lh_test_dump (LH_CONNECTION (connection));
  lh_test_close ((LhConnection **) &connection);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, dump, -1);
}

/* backup create|restore DATABASE with the operation's options, NULL-terminated. */
static GPtrArray *
operation_args (Trials    *trials,
                Operation  operation)
{
  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, "backup");
  g_ptr_array_add (args, operation == RESTORE_LATEST ? "restore" : "create");
  g_ptr_array_add (args, trials->path);
  if (operation == CREATE_GZIP)
    g_ptr_array_add (args, "--gzip");
  else if (operation == CREATE_COMPACT)
    g_ptr_array_add (args, "--compact");
  else if (operation == RESTORE_LATEST)
    {
      g_ptr_array_add (args, "--latest");
      g_ptr_array_add (args, "--yes");
    }
  g_ptr_array_add (args, NULL);
  return args;
}

static GSubprocess *
spawn_operation (Trials    *trials,
                 Operation  operation)
{
  g_autoptr(GPtrArray) args = operation_args (trials, operation);

  return lh_test_cli_spawn ((const char * const *) args->pdata);
}

/* How long operation takes when nothing stops it, in ms, from the spawn to the exit. */
static double
time_operation (Trials    *trials,
                Operation  operation)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  process = spawn_operation (trials, operation);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* Every listed backup has its file and, unless checked before, passes `backup verify`;
 * returns the listed IDs of backups that are not safety backups and were not listed
 * before. */
static GArray *
check_catalog (Trials *trials)
{
  g_auto(LhTestCliRun) run = lh_test_cli ("backup", "list", trials->path, "--json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GArray *new_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *backups;

  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  backups = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "backups");
  for (guint i = 0; i < json_array_get_length (backups); i++)
    {
      JsonObject *backup = json_array_get_object_element (backups, i);
      gint64 id = json_object_get_int_member (backup, "id");
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_assert_true (g_file_test (json_object_get_string_member (backup, "path"),
                                  G_FILE_TEST_IS_REGULAR));
      if (trials->folder == NULL)
        trials->folder = g_path_get_dirname (json_object_get_string_member (backup, "path"));
      if (g_hash_table_contains (trials->sound, &id))
        continue;
      {
        g_auto(LhTestCliRun) verify = lh_test_cli ("backup", "verify", trials->path, id_text,
                                                   NULL);

        if (verify.status != 0)
          g_error ("backup %s (%s) is listed but not sound: %s", id_text,
                   json_object_get_string_member (backup, "path"), verify.err);
      }
      g_hash_table_add (trials->sound, g_memdup2 (&id, sizeof id));
      if (!json_object_get_boolean_member (backup, "safety"))
        g_array_append_val (new_ids, id);
    }
  return new_ids;
}

/* The hidden files of folder, the temporary ones (a backup's name never starts with a
 * dot), comma-separated; "" if none. */
static char *
hidden_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  GString *names = g_string_new (NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "", name);
  return g_string_free (names, FALSE);
}

/* Changes some rows, so that the database differs from every backup taken so far. */
static void
change_database (Trials *trials,
                 guint   trial)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE items SET n = n + 1000 WHERE id %% 50 = %u;"
                                          "INSERT INTO items (body, n) VALUES ('trial %u', %u)",
                                          trial % 50, trial, trial);

  lh_test_make_db (trials->path, sql);
}

static void
run_trial (Trials *trials,
           guint   trial)
{
  Operation operation = trial % 2 == 1 ? RESTORE_LATEST : (trial / 2) % 3;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GArray) new_ids = NULL;
  g_autofree char *before = NULL;
  g_autofree char *state = NULL;
  const char *after;
  guint delay_ms = g_test_rand_int_range (0, trials->max_delay_ms[operation] + 1);
  gboolean finished;

  if (operation == RESTORE_LATEST)
    change_database (trials, trial);
  before = checked_state (trials->path);
  after = operation == RESTORE_LATEST ? trials->latest_state : before;
  if (operation == RESTORE_LATEST)
    g_assert_cmpstr (before, !=, after);

  process = spawn_operation (trials, operation);
  g_usleep (delay_ms * 1000);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, NULL);
  finished = g_subprocess_get_if_exited (process);
  if (finished)
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  (finished ? trials->finished : trials->killed)[operation]++;

  state = checked_state (trials->path);
  if (g_strcmp0 (state, before) != 0 && g_strcmp0 (state, after) != 0)
    g_error ("trial %u (%s, killed after %u ms): the database is neither as before nor as "
             "after", trial, operation_names[operation], delay_ms);
  if (finished)
    g_assert_cmpstr (state, ==, after);

  new_ids = check_catalog (trials);
  g_assert_cmpuint (new_ids->len, <=, operation == RESTORE_LATEST ? 0 : 1);
  if (new_ids->len > 0)
    {
      g_free (trials->latest_state);
      trials->latest_state = g_steal_pointer (&before);
    }
}

static void
test_kill (void)
{
  Trials trials = { 0 };
  g_autoptr(GArray) first = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *left_by_kills = NULL;
  g_autofree char *left = NULL;

  trials.dir = lh_test_make_dir ();
  data_home = g_build_filename (trials.dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  trials.path = g_build_filename (trials.dir, "items.db", NULL);
  trials.sound = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  lh_test_make_db (trials.path, MAKE_SQL);

  /* Backups to restore from the start, and how long each operation takes unhindered: a
   * trial kills it up to a fifth later than that, so that some runs finish. */
  for (Operation operation = 0; operation < N_OPERATIONS; operation++)
    {
      double duration = time_operation (&trials, operation);

      trials.max_delay_ms[operation] = (guint) (duration * 1.2) + 1;
      g_test_message ("%s: %.0f ms", operation_names[operation], duration);
    }
  trials.latest_state = checked_state (trials.path);
  first = check_catalog (&trials);
  g_assert_cmpuint (first->len, ==, 3);

  for (guint trial = 0; trial < N_TRIALS; trial++)
    run_trial (&trials, trial);

  for (Operation operation = 0; operation < N_OPERATIONS; operation++)
    {
      g_test_message ("%s: %u killed, %u finished", operation_names[operation],
                      trials.killed[operation], trials.finished[operation]);
      g_assert_cmpuint (trials.killed[operation], >, 0);
    }
  left_by_kills = hidden_files (trials.folder);
  g_test_message ("%u backups listed, all sound; temporary files left: %s",
                  g_hash_table_size (trials.sound), left_by_kills);

  /* The temporary files the kills left go at the next create. */
  time_operation (&trials, CREATE_EXACT);
  g_array_unref (check_catalog (&trials));
  left = hidden_files (trials.folder);
  g_assert_cmpstr (left, ==, "");

  g_hash_table_unref (trials.sound);
  g_free (trials.latest_state);
  g_free (trials.folder);
  g_free (trials.path);
  lh_test_remove_dir (trials.dir);
  g_free (trials.dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reliability/backup-kill", test_kill);
  return g_test_run ();
}
