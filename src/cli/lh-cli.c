/* lh-cli.c — litehouse-cli, the headless twin of the app for scripts, cron jobs and
 * tests, on a database that is a file, d1://ACCOUNT/ID or libsql://HOST (tokens from the
 * environment or the keyring): `litehouse-cli query DATABASE SQL` runs SQL and prints the
 * rows; `litehouse-cli migrations list|apply|rehearse|create DATABASE --dir DIR` lists the
 * wrangler-style migrations of a folder, applies the pending ones, rehearses them on a
 * throwaway copy, or creates the next file; `litehouse-cli backup
 * create|list|verify|restore|prune DATABASE` backs up a database file into the catalog the
 * app shares, lists, verifies and restores its backups, and prunes them by a retention
 * policy. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lh-cli-output.h"
#include "lh-core.h"

typedef struct _CliRun CliRun;

/* Called from the main loop once run->connection is open; the command ends with
 * run_close(). */
typedef void (*CliOpenedFunc) (CliRun *run);

/* What every command on a database shares; a command's own run struct starts with it. */
struct _CliRun
{
  GMainLoop        *loop;
  LhLocation       *location;
  LhConnection     *connection;
  CliOpenedFunc     opened;
  LhLocalOpenFlags  flags;
  int               status;
};

typedef struct
{
  CliRun    run;
  LhScript *script;
  gboolean  json;
} QueryRun;

typedef enum
{
  MIGRATIONS_LIST,
  MIGRATIONS_APPLY,
  MIGRATIONS_REHEARSE,
  MIGRATIONS_CREATE,
  N_MIGRATIONS_COMMANDS
} MigrationsCommand;

static const char * const migrations_commands[N_MIGRATIONS_COMMANDS] = {
  "list", "apply", "rehearse", "create",
};

typedef struct
{
  CliRun             run;
  MigrationsCommand  command;
  const char        *folder;
  const char        *table;
  const char        *up_to;
  const char        *name;
  gboolean           json;
  LhMigrations      *migrations;
  GPtrArray         *applied;     /* file names, as the progress callback reports them */
} MigrationsRun;

static void
print_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

/* One line on stderr, so that a script's log shows the whole reason in one place. */
static void
print_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_strdelimit (message, "\n", ' ');
  fprintf (stderr, "litehouse-cli: %s\n", message);
}

/* What went wrong, as print_error() says it; a cancel (SIGINT, SIGTERM), whichever part
 * it stopped, in the same words. */
static void
print_failure (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    print_error ("%s", _("Cancelled."));
  else
    print_error ("%s", error->message);
}

static void
print_statement_error (LhScript          *script,
                       LhStatementResult *statement)
{
  int offset = lh_connection_error_get_offset (statement->error);

  if (offset >= 0)
    {
      guint line, column;

      lh_sql_offset_to_line_column (lh_script_get_text (script), offset, &line, &column);
      print_error (_("error in statement %u at line %u, column %u: %s"),
                   statement->index + 1, line, column, statement->error->message);
    }
  else if (lh_script_get_n_statements (script) > 1)
    print_error (_("error in statement %u: %s"), statement->index + 1,
                 statement->error->message);
  else
    print_error ("%s", statement->error->message);
}

/* Takes json. */
static void
print_json (char *json)
{
  puts (json);
  g_free (json);
}

static void
print_text_results (GPtrArray *statements)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < statements->len; i++)
    {
      LhStatementResult *statement = g_ptr_array_index (statements, i);
      gint64 changes;

      if (statement->error != NULL)
        break;
      if (out->len > 0)
        g_string_append_c (out, '\n');
      if (lh_result_set_get_n_columns (statement->result) > 0)
        {
          lh_cli_print_table (out, statement->result);
          continue;
        }
      changes = lh_result_set_get_changes (statement->result);
      g_string_append_printf (out,
                              g_dngettext (GETTEXT_PACKAGE, "(%lld row changed)\n",
                                           "(%lld rows changed)\n", changes),
                              (long long) changes);
    }
  fputs (out->str, stdout);
}

/* Opening a database, for every command */

static void
run_stop (CliRun *run,
          int     status)
{
  run->status = status;
  g_main_loop_quit (run->loop);
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CliRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!lh_connection_close_finish (LH_CONNECTION (object), result, &error))
    {
      print_failure (error);
      run->status = 1;
    }
  g_main_loop_quit (run->loop);
}

/* Closed before the process ends, so that SQLite finishes with the file. */
static void
run_close (CliRun *run)
{
  lh_connection_close_async (run->connection, NULL, close_cb, run);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CliRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->connection = lh_location_open_finish (result, &error);
  if (run->connection == NULL)
    {
      print_failure (error);
      run_stop (run, 1);
      return;
    }
  run->opened (run);
}

static void
token_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CliRun *run = user_data;
  g_autoptr(GError) error = NULL;
  char *token = lh_location_find_token_finish (result, &error);

  if (error != NULL)
    {
      print_failure (error);
      run_stop (run, 1);
      return;
    }
  if (run->location->kind == LH_LOCATION_D1 && token == NULL)
    {
      print_error (_("no API token for this D1 database: set CLOUDFLARE_API_TOKEN, or connect "
                     "to it once from Litehouse to keep its token in the keyring"));
      run_stop (run, 2);
      return;
    }
  lh_location_open_async (run->location, token, run->flags, NULL, open_cb, run);
  lh_secrets_free (token);
}

/* A libSQL URL with its token in it (?authToken=…, as Turso writes them): refused, since
 * a command line is there for other users of the machine to read; TRUE after saying so. */
static gboolean
refuse_token_in_url (LhLocation *location,
                     const char *database)
{
  g_autofree char *token = location->kind == LH_LOCATION_LIBSQL ? lh_libsql_url_dup_token (database)
                                                                : NULL;

  if (token == NULL)
    return FALSE;
  lh_secrets_free (g_steal_pointer (&token));
  print_error (_("the URL holds a token (authToken=…), which does not belong on a command line: "
                 "set LIBSQL_AUTH_TOKEN, or connect once from Litehouse to keep it in the keyring"));
  return TRUE;
}

/* Parses database, finds its token, opens it with flags and calls opened; returns the exit
 * status once the command has closed it (2 for a database that cannot be parsed). */
static int
run_on_database (CliRun           *run,
                 const char       *database,
                 LhLocalOpenFlags  flags,
                 CliOpenedFunc     opened)
{
  g_autoptr(LhLocation) location = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;

  location = lh_location_parse (database, &error);
  if (location == NULL)
    {
      print_failure (error);
      return 2;
    }
  if (refuse_token_in_url (location, database))
    return 2;
  if ((flags & LH_LOCAL_OPEN_READ_ONLY) != 0 && location->kind != LH_LOCATION_FILE)
    {
      print_error (_("--read-only is for database files"));
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  run->loop = loop;
  run->location = location;
  run->flags = flags;
  run->opened = opened;

  /* A token comes from the environment or the keyring, never from the command line
   * (where other users of the machine can read it). */
  lh_location_find_token_async (location, NULL, token_cb, run);
  g_main_loop_run (loop);
  g_clear_object (&run->connection);
  return run->status;
}

/* query */

static void
script_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  QueryRun *query = user_data;
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(GError) error = NULL;
  LhStatementResult *last;

  statements = lh_script_run_finish (LH_SCRIPT (object), result, &error);
  g_assert (statements != NULL);

  if (query->json)
    print_json (lh_cli_results_json (statements, lh_script_get_text (query->script)));
  else
    print_text_results (statements);

  last = statements->len > 0 ? g_ptr_array_index (statements, statements->len - 1) : NULL;
  if (last != NULL && last->error != NULL)
    {
      print_statement_error (query->script, last);
      query->run.status = 1;
    }
  run_close (&query->run);
}

static void
query_opened (CliRun *run)
{
  QueryRun *query = (QueryRun *) run;

  lh_script_run_async (query->script, run->connection, 0, NULL, script_cb, query);
}

static int
query_main (int    argc,
            char **argv)
{
  gboolean json = FALSE;
  gboolean read_only = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON"), NULL },
    { "read-only", 0, 0, G_OPTION_ARG_NONE, &read_only,
      N_("Open the database read-only"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("DATABASE SQL"));
  g_autoptr(LhScript) script = NULL;
  g_autoptr(GError) error = NULL;
  QueryRun query = { 0 };

  g_option_context_set_summary (context,
                                _("Run SQL on a database and print the rows it returns.\n\n"
                                  "DATABASE is a file, d1://ACCOUNT_ID/DATABASE_ID (token in "
                                  "CLOUDFLARE_API_TOKEN, API at CLOUDFLARE_API_BASE_URL) or "
                                  "libsql://HOST (token in LIBSQL_AUTH_TOKEN). Without the "
                                  "variable, the token Litehouse keeps in the keyring is used."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      print_failure (error);
      return 2;
    }
  if (argc != 3)
    {
      print_error (_("usage: litehouse-cli query [--json] [--read-only] DATABASE SQL"));
      return 2;
    }

  script = lh_script_new (argv[2]);
  if (lh_script_get_n_statements (script) == 0)
    {
      print_error (_("there is no SQL statement to run"));
      return 2;
    }

  query.script = script;
  query.json = json;
  return run_on_database (&query.run, argv[1],
                          read_only ? LH_LOCAL_OPEN_READ_ONLY : LH_LOCAL_OPEN_NONE,
                          query_opened);
}

/* migrations */

static void
progress_cb (LhMigration *migration,
             guint        index,
             guint        n_migrations,
             gpointer     user_data)
{
  MigrationsRun *self = user_data;
  g_autofree char *name = NULL;

  g_ptr_array_add (self->applied, g_strdup (lh_migration_get_name (migration)));
  if (self->json)
    return;
  name = lh_cli_escape (lh_migration_get_name (migration));
  if (self->command == MIGRATIONS_APPLY)
    printf (_("Applying %s…\n"), name);
  else
    printf (_("Rehearsing %s…\n"), name);
  fflush (stdout);
}

/* What refuses a run before anything of it runs. */
static gboolean
is_refusal (const GError *error)
{
  return error->domain == LH_MIGRATIONS_ERROR && error->code != LH_MIGRATIONS_ERROR_STATEMENT;
}

/* The one line on stderr, then, for a run that started, how far it got. */
static void
print_migrations_failure (MigrationsRun *self,
                          const GError  *error,
                          guint          n_applied)
{
  g_autofree char *text = lh_cli_migration_error_text (error);

  print_error ("%s", text);
  self->run.status = 1;
  if (self->json || is_refusal (error))
    return;
  printf (g_dngettext (GETTEXT_PACKAGE, "%u migration applied before the failure\n",
                       "%u migrations applied before the failure\n", n_applied), n_applied);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  MigrationsRun *self = user_data;
  g_autoptr(GListModel) migrations = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  migrations = lh_migrations_load_finish (self->migrations, result, &error);
  if (migrations == NULL)
    {
      print_failure (error);
      self->run.status = 1;
    }
  else if (self->json)
    print_json (lh_cli_migrations_json (self->migrations, migrations));
  else
    {
      lh_cli_print_migrations (out, migrations);
      fputs (out->str, stdout);
    }
  run_close (&self->run);
}

static void
applied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  MigrationsRun *self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_applied = 0;

  lh_migrations_apply_finish (self->migrations, result, &n_applied, &error);
  g_ptr_array_set_size (self->applied, n_applied);
  if (self->json)
    print_json (lh_cli_applied_json (self->applied, error));
  if (error != NULL)
    print_migrations_failure (self, error, n_applied);
  else if (!self->json)
    printf (g_dngettext (GETTEXT_PACKAGE, "%u migration applied\n", "%u migrations applied\n",
                         n_applied), n_applied);
  run_close (&self->run);
}

static void
print_rehearsal (guint      n_applied,
                 GPtrArray *changes)
{
  printf (g_dngettext (GETTEXT_PACKAGE, "%u migration applied to a throwaway copy\n",
                       "%u migrations applied to a throwaway copy\n", n_applied), n_applied);
  if (changes->len == 0)
    {
      puts (_("The schema would not change."));
      return;
    }
  puts (_("The schema would change so:"));
  for (guint i = 0; i < changes->len; i++)
    {
      g_autofree char *line = lh_schema_change_describe (g_ptr_array_index (changes, i));
      g_autofree char *escaped = lh_cli_escape (line);

      printf ("  %s\n", escaped);
    }
}

static void
rehearsed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  MigrationsRun *self = user_data;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  guint n_applied = 0;

  changes = lh_migrations_rehearse_finish (self->migrations, result, &n_applied, &error);
  g_ptr_array_set_size (self->applied, n_applied);
  if (self->json)
    print_json (lh_cli_rehearsed_json (self->applied, changes, error));
  else if (changes != NULL)
    print_rehearsal (n_applied, changes);
  if (error != NULL)
    print_migrations_failure (self, error, n_applied);
  if (!self->json)
    puts (_("The database itself was not touched."));
  run_close (&self->run);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  MigrationsRun *self = user_data;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = lh_migrations_create_finish (self->migrations, result, &error);
  if (path == NULL)
    {
      print_failure (error);
      self->run.status = 1;
    }
  else if (self->json)
    print_json (lh_cli_path_json (path));
  else
    puts (path);
  run_close (&self->run);
}

static void
migrations_opened (CliRun *run)
{
  MigrationsRun *self = (MigrationsRun *) run;

  self->migrations = lh_migrations_new (run->connection, self->folder, self->table);
  switch (self->command)
    {
    case MIGRATIONS_LIST:
      lh_migrations_load_async (self->migrations, NULL, loaded_cb, self);
      break;
    case MIGRATIONS_APPLY:
      lh_migrations_apply_async (self->migrations, self->up_to, NULL, progress_cb, self,
                                 applied_cb, self);
      break;
    case MIGRATIONS_REHEARSE:
      lh_migrations_rehearse_async (self->migrations, self->up_to, NULL, progress_cb, self,
                                    rehearsed_cb, self);
      break;
    case MIGRATIONS_CREATE:
      lh_migrations_create_async (self->migrations, self->name, NULL, created_cb, self);
      break;
    case N_MIGRATIONS_COMMANDS:
    default:
      g_assert_not_reached ();
    }
}

/* What is wrong with the arguments the options leave (argv[1] the subcommand, then
 * DATABASE, then the name for create), or NULL, command set. */
static char *
migrations_usage_error (int                 argc,
                        char              **argv,
                        const char         *folder,
                        const char         *up_to,
                        MigrationsCommand  *command)
{
  guint found = 0;

  if (argc < 2)
    return g_strdup (_("usage: litehouse-cli migrations list|apply|rehearse|create DATABASE "
                       "--dir DIR [OPTIONS…] [NAME]"));
  while (found < N_MIGRATIONS_COMMANDS && !g_str_equal (argv[1], migrations_commands[found]))
    found++;
  if (found == N_MIGRATIONS_COMMANDS)
    return g_strdup_printf (_("unknown migrations command “%s”; try “litehouse-cli "
                              "migrations --help”"), argv[1]);
  *command = found;
  if (found == MIGRATIONS_CREATE && argc != 4)
    return g_strdup (_("usage: litehouse-cli migrations create DATABASE --dir DIR NAME"));
  if (found != MIGRATIONS_CREATE && argc != 3)
    return g_strdup_printf (_("usage: litehouse-cli migrations %s DATABASE --dir DIR "
                              "[OPTIONS…]"), argv[1]);
  if (folder == NULL)
    return g_strdup (_("--dir DIR is required: the folder of the migration files"));
  if (up_to != NULL && found != MIGRATIONS_APPLY && found != MIGRATIONS_REHEARSE)
    return g_strdup (_("--to is for apply and rehearse"));
  return NULL;
}

static int
migrations_main (int    argc,
                 char **argv)
{
  g_autofree char *folder = NULL;
  g_autofree char *table = NULL;
  g_autofree char *up_to = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &folder,
      N_("The folder of the migration files (required)"), N_("DIR") },
    { "table", 0, 0, G_OPTION_ARG_STRING, &table,
      N_("The table that records the applied migrations (default: d1_migrations)"),
      N_("NAME") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &up_to,
      N_("Apply or rehearse up to this migration file, inclusive"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the outcome as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("list|apply|rehearse|create DATABASE [NAME]"));
  g_autoptr(GPtrArray) applied = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *usage_error = NULL;
  g_autoptr(GError) error = NULL;
  MigrationsRun run = { 0 };
  int status;

  g_option_context_set_summary (context,
                                _("List the migrations of a folder (wrangler’s NNNN_name.sql "
                                  "files) and their state in DATABASE, apply the pending ones, "
                                  "rehearse them on a throwaway copy of DATABASE, or create the "
                                  "next file, named NAME.\n\n"
                                  "DATABASE is given as for “litehouse-cli query”."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      print_failure (error);
      return 2;
    }
  usage_error = migrations_usage_error (argc, argv, folder, up_to, &run.command);
  if (usage_error != NULL)
    {
      print_error ("%s", usage_error);
      return 2;
    }

  run.folder = folder;
  run.table = table;
  run.up_to = up_to;
  run.name = run.command == MIGRATIONS_CREATE ? argv[3] : NULL;
  run.json = json;
  run.applied = applied;
  status = run_on_database (&run.run, argv[2], LH_LOCAL_OPEN_NONE, migrations_opened);
  g_clear_object (&run.migrations);
  return status;
}

/* backup */

/* What `backup prune` keeps unless told otherwise: the newest 10 backups, and the newest
 * of each of the last 7 days and of each of the last 4 weeks. */
#define PRUNE_KEEP_LAST    10
#define PRUNE_DAILY_DAYS   7
#define PRUNE_WEEKLY_WEEKS 4

/* What every backup command shares: the catalog of the database, the cancellable that
 * SIGINT and SIGTERM trigger while a step runs, and the progress last printed. */
typedef struct
{
  const char      *database;   /* as the user wrote it */
  LhLocation      *location;
  LhBackupCatalog *catalog;
  LhConnection    *connection; /* a remote database's, once opened */
  GCancellable    *cancellable;
  int              percent;    /* -1 before the first */
  const char      *then;       /* what follows the measured part, for --progress */
} BackupRun;

static void
backup_run_clear (BackupRun *run)
{
  g_clear_pointer (&run->location, lh_location_free);
  g_clear_object (&run->catalog);
  g_clear_object (&run->connection);
  g_clear_object (&run->cancellable);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BackupRun, backup_run_clear)

/* Sets run up for database (a file, d1://ACCOUNT/ID or a libSQL URL); returns 0, or the
 * exit status after saying why not. A remote database's catalog is keyed as the app keys
 * it: by the location its connection reports. */
static int
backup_run_init (BackupRun  *run,
                 const char *database)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  run->location = lh_location_parse (database, &error);
  if (run->location == NULL)
    {
      print_failure (error);
      return 2;
    }
  if (refuse_token_in_url (run->location, database))
    return 2;
  switch (run->location->kind)
    {
    case LH_LOCATION_D1:
      key = g_strdup_printf ("d1://%s/%s", run->location->account_id, run->location->database_id);
      break;
    case LH_LOCATION_LIBSQL:
      key = g_strdup (run->location->url);
      break;
    case LH_LOCATION_FILE:
    default:
      key = g_strdup (run->location->path);
      break;
    }
  run->database = database;
  run->catalog = lh_backup_catalog_new (key);
  run->cancellable = g_cancellable_new ();
  run->percent = -1;
  return 0;
}

static gboolean
is_remote (BackupRun *run)
{
  return run->location->kind != LH_LOCATION_FILE;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
cancel_on_signal (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* A backup command is a few steps in a row, each waited for here on the default main
 * context (where progress arrives too), so that they read in order. SIGINT and SIGTERM
 * (Ctrl+C, systemd stopping the unit) cancel the step under way, which then cleans up after
 * itself; between steps, at a prompt for instance, they end the program as usual. */
static GAsyncResult *
wait_for_step (BackupRun     *run,
               GAsyncResult **slot)
{
  guint interrupt = g_unix_signal_add (SIGINT, cancel_on_signal, run->cancellable);
  guint terminate = g_unix_signal_add (SIGTERM, cancel_on_signal, run->cancellable);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (interrupt);
  g_source_remove (terminate);
  return *slot;
}

/* Opens the remote database of run (its token from the environment or the keyring, never
 * the command line) into run->connection; FALSE after saying why not. */
static gboolean
open_remote (BackupRun *run)
{
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  lh_location_find_token_async (run->location, run->cancellable, store_result_cb, &found);
  token = lh_location_find_token_finish (wait_for_step (run, &found), &error);
  if (error != NULL)
    {
      print_failure (error);
      return FALSE;
    }
  if (run->location->kind == LH_LOCATION_D1 && token == NULL)
    {
      print_error (_("no API token for this D1 database: set CLOUDFLARE_API_TOKEN, or connect "
                     "to it once from Litehouse to keep its token in the keyring"));
      return FALSE;
    }
  lh_location_open_async (run->location, token, LH_LOCAL_OPEN_NONE, run->cancellable,
                          store_result_cb, &opened);
  lh_secrets_free (token);
  run->connection = lh_location_open_finish (wait_for_step (run, &opened), &error);
  if (run->connection == NULL)
    {
      print_failure (error);
      return FALSE;
    }
  return TRUE;
}

/* A line on stderr each time the whole percentage changes; once the measured part is
 * done, what follows it (run->then) on a line of its own, and a part measured after that
 * counts from 0 again. */
static void
backup_progress_cb (goffset  current,
                    goffset  total,
                    gpointer user_data)
{
  BackupRun *run = user_data;
  int percent;

  if (total <= 0)
    return;
  percent = (int) (CLAMP (current, 0, total) * 100 / total);
  if (percent != run->percent)
    fprintf (stderr, "%d%%\n", percent);
  run->percent = percent;
  if (percent == 100 && run->then != NULL)
    {
      fprintf (stderr, "%s\n", run->then);
      run->then = NULL;
      run->percent = -1;
    }
}

/* For --progress (wanted): says on stderr what is measured first (label) and keeps what
 * follows (then, or NULL); the progress callback to pass, NULL when not wanted. */
static GFileProgressCallback
backup_progress (BackupRun  *run,
                 gboolean    wanted,
                 const char *label,
                 const char *then)
{
  if (!wanted)
    return NULL;
  fprintf (stderr, "%s\n", label);
  run->percent = -1;
  run->then = then;
  return backup_progress_cb;
}

static GListModel *
list_backups (BackupRun  *run,
              GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_backup_catalog_list_async (run->catalog, run->cancellable, store_result_cb, &result);
  return lh_backup_catalog_list_finish (run->catalog, wait_for_step (run, &result), error);
}

static gboolean
is_safety_backup (LhBackup *backup)
{
  return (lh_backup_get_flags (backup) & (LH_BACKUP_SAFETY | LH_BACKUP_BRANCH)) != 0;
}

/* The backup numbered id or, for id 0, the newest that is neither a safety backup nor a
 * branch; NULL after saying why there is none. */
static LhBackup *
find_backup (BackupRun *run,
             gint64     id)
{
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(GError) error = NULL;

  backups = list_backups (run, &error);
  if (backups == NULL)
    {
      print_failure (error);
      return NULL;
    }
  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      if (id == 0 ? !is_safety_backup (backup) : lh_backup_get_id (backup) == id)
        return g_steal_pointer (&backup);
    }
  if (id == 0)
    print_error (_("“%s” has no backup to restore (safety backups aside)"), run->database);
  else
    print_error (_("“%s” has no backup %lld; “litehouse-cli backup list” lists its backups"),
                 run->database, (long long) id);
  return NULL;
}

static int
usage_error (const char *usage)
{
  print_error ("%s", usage);
  return 2;
}

/* Parses the options of `backup COMMAND …` (argv[1] the command), leaving the command and
 * its arguments in argv; FALSE after saying what is wrong. */
static gboolean
parse_backup_options (int                 *argc,
                      char              ***argv,
                      const GOptionEntry  *entries,
                      const char          *parameters,
                      const char          *summary)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameters);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_failure (error);
      return FALSE;
    }
  /* "--" ends the options (a database named "-x.db" may follow); GLib leaves it in. */
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--"))
      {
        memmove (*argv + i, *argv + i + 1, (size_t) (*argc - i) * sizeof (char *));
        (*argc)--;
        break;
      }
  return TRUE;
}

/* A backup's ID as `backup list` shows it; FALSE after saying what is wrong. */
static gboolean
parse_backup_id (const char *text,
                 gint64     *id)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &number, NULL))
    {
      print_error (_("“%s” is not a backup ID: give the number “litehouse-cli backup list” "
                     "shows"), text);
      return FALSE;
    }
  *id = (gint64) number;
  return TRUE;
}

static int
backup_create_main (int    argc,
                    char **argv)
{
  gboolean compact = FALSE;
  gboolean gzip = FALSE;
  gboolean json = FALSE;
  gboolean progress = FALSE;
  g_autofree char *note = NULL;
  const GOptionEntry entries[] = {
    { "compact", 0, 0, G_OPTION_ARG_NONE, &compact,
      N_("Write a compact copy (VACUUM INTO: no free pages, indexes rebuilt) rather than an "
         "exact one"), NULL },
    { "gzip", 0, 0, G_OPTION_ARG_NONE, &gzip, N_("Compress the backup with gzip"), NULL },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("Keep a note with the backup"), N_("TEXT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the backup as JSON"), NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
      N_("Print the progress in percent on standard error"), NULL },
    { NULL }
  };
  g_auto(BackupRun) run = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("create DATABASE"),
                             _("Back up a database file into Litehouse’s backups (those the app "
                               "lists too) and print the new backup’s ID, file and size. The "
                               "copy is consistent even while other programs write, and it is "
                               "checked before it is listed.")))
    return 2;
  if (argc != 3)
    return usage_error (_("usage: litehouse-cli backup create DATABASE [--compact] [--gzip] "
                          "[--note TEXT] [--json] [--progress]"));
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;

  if (is_remote (&run))
    {
      if (compact)
        return usage_error (_("--compact is for database files: a remote database’s backup is "
                              "an SQL dump"));
      if (!open_remote (&run))
        return 1;
      lh_backup_catalog_create_dump_async (run.catalog, run.connection,
                                           gzip ? LH_BACKUP_GZIP : LH_BACKUP_FLAGS_NONE, note,
                                           run.cancellable,
                                           backup_progress (&run, progress,
                                                            LH_IS_D1_CONNECTION (run.connection)
                                                              ? _("D1 is exporting the database…")
                                                              : _("Dumping the database…"),
                                                            _("Checking the dump…")),
                                           &run, store_result_cb, &result);
      backup = lh_backup_catalog_create_dump_finish (run.catalog, wait_for_step (&run, &result),
                                                     &error);
    }
  else
    {
      lh_backup_catalog_create_async (run.catalog, compact ? LH_BACKUP_COMPACT : LH_BACKUP_EXACT,
                                      gzip ? LH_BACKUP_GZIP : LH_BACKUP_FLAGS_NONE, note,
                                      run.cancellable,
                                      backup_progress (&run, progress,
                                                       compact ? _("Writing a compact copy…")
                                                               : _("Copying the database…"),
                                                       gzip ? _("Compressing and checking the copy…")
                                                            : _("Checking the copy…")),
                                      &run,
                                      store_result_cb, &result);
      backup = lh_backup_catalog_create_finish (run.catalog, wait_for_step (&run, &result), &error);
    }
  if (backup == NULL)
    {
      print_failure (error);
      return 1;
    }
  if (json)
    print_json (lh_cli_backup_json (backup));
  else
    {
      g_autofree char *path = g_filename_display_name (lh_backup_get_path (backup));
      g_autofree char *size = lh_cli_format_size (lh_backup_get_size (backup));

      printf (_("Backup %lld taken: %s (%s)\n"), (long long) lh_backup_get_id (backup), path,
              size);
    }
  return 0;
}

static int
backup_list_main (int    argc,
                  char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the backups as JSON"), NULL },
    { NULL }
  };
  g_auto(BackupRun) run = { 0 };
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("list DATABASE"),
                             _("List the backups of a database file, newest first: ID, local "
                               "time, kind (exact or compact), gzip, size, when last verified "
                               "and note; “safety” marks the backups a restore took of what it "
                               "replaced.")))
    return 2;
  if (argc != 3)
    return usage_error (_("usage: litehouse-cli backup list DATABASE [--json]"));
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;

  backups = list_backups (&run, &error);
  if (backups == NULL)
    {
      print_failure (error);
      return 1;
    }
  if (json)
    print_json (lh_cli_backups_json (lh_backup_catalog_get_database (run.catalog), backups));
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);

      lh_cli_print_backups (out, backups);
      fputs (out->str, stdout);
    }
  return 0;
}

/* Whether the error says the backup itself is unsound, rather than that checking failed. */
static gboolean
is_unsound (const GError *error)
{
  return g_error_matches (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT) ||
         g_error_matches (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE) ||
         g_error_matches (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_MISSING);
}

static int
backup_verify_main (int    argc,
                    char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_auto(BackupRun) run = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("verify DATABASE ID"),
                             _("Check that a backup is sound: that its file is there, whole, "
                               "and passes SQLite’s integrity check.")))
    return 2;
  if (argc != 4)
    return usage_error (_("usage: litehouse-cli backup verify DATABASE ID"));
  if (!parse_backup_id (argv[3], &id))
    return 2;
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;
  backup = find_backup (&run, id);
  if (backup == NULL)
    return 1;

  lh_backup_catalog_verify_async (run.catalog, backup, run.cancellable, store_result_cb,
                                  &result);
  if (!lh_backup_catalog_verify_finish (run.catalog, wait_for_step (&run, &result), &error))
    {
      if (is_unsound (error))
        print_error (_("backup %lld is not sound: %s"), (long long) id, error->message);
      else
        print_failure (error);
      return 1;
    }
  printf (_("Backup %lld is sound\n"), (long long) id);
  return 0;
}

/* Asks on the terminal whether to replace the database; TRUE for yes. */
static gboolean
confirm_restore (BackupRun *run,
                 LhBackup  *backup)
{
  g_autofree char *when = lh_cli_format_time (lh_backup_get_created_at (backup));
  char answer[32];

  fprintf (stderr, _("Replace %s with backup %lld of %s? [y/N] "), run->database,
           (long long) lh_backup_get_id (backup), when);
  fflush (stderr);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  g_strstrip (answer);
  return g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0;
}

/* Replaces the database by backup, after a safety backup of it; returns the exit status. */
static int
restore_backup (BackupRun *run,
                LhBackup  *backup,
                guint      lock_timeout_ms,
                gboolean   progress)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *when = lh_cli_format_time (lh_backup_get_created_at (backup));

  if (is_remote (run))
    {
      if (!open_remote (run))
        return 1;
      lh_backup_catalog_restore_dump_async (run->catalog, backup, run->connection, run->cancellable,
                                            backup_progress (run, progress,
                                                             _("Checking the backup, then taking a "
                                                               "safety dump…"),
                                                             _("Replacing the database’s tables…")),
                                            run,
                                            store_result_cb, &result);
      safety = lh_backup_catalog_import_finish (run->catalog, wait_for_step (run, &result), &error);
    }
  else
    {
      lh_backup_catalog_restore_async (run->catalog, backup, lock_timeout_ms, run->cancellable,
                                       backup_progress (run, progress,
                                                        _("Checking the backup, then taking a "
                                                          "safety backup…"),
                                                        _("Restoring…")),
                                       run, store_result_cb,
                                       &result);
      safety = lh_backup_catalog_restore_finish (run->catalog, wait_for_step (run, &result), &error);
    }
  if (safety == NULL && error != NULL)
    {
      print_failure (error);
      return 1;
    }
  if (safety == NULL)
    printf (_("Restored backup %lld of %s; there was no database file to keep first\n"),
            (long long) lh_backup_get_id (backup), when);
  else
    printf (_("Restored backup %lld of %s; the database as it was before is safety backup "
              "%lld\n"), (long long) lh_backup_get_id (backup), when,
            (long long) lh_backup_get_id (safety));
  return 0;
}

static int
backup_restore_main (int    argc,
                     char **argv)
{
  gboolean latest = FALSE;
  gboolean yes = FALSE;
  gboolean progress = FALSE;
  int lock_timeout_ms = LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS;
  const GOptionEntry entries[] = {
    { "latest", 0, 0, G_OPTION_ARG_NONE, &latest,
      N_("Restore the newest backup that is not a safety backup"), NULL },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("Replace the database without asking"), NULL },
    { "lock-timeout", 0, 0, G_OPTION_ARG_INT, &lock_timeout_ms,
      N_("How long to wait for another program’s write lock (default: 5000)"), N_("MS") },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
      N_("Print the progress in percent on standard error"), NULL },
    { NULL }
  };
  const char *usage = _("usage: litehouse-cli backup restore DATABASE ID|--latest [--yes] "
                        "[--lock-timeout MS] [--progress]");
  g_auto(BackupRun) run = { 0 };
  g_autoptr(LhBackup) backup = NULL;
  gint64 id = 0;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("restore DATABASE ID|--latest"),
                             _("Replace a database file by one of its backups. A safety backup "
                               "of the database as it was is taken first, and the replacement "
                               "is atomic: other programs see the old database or the restored "
                               "one, never a mix. Without --yes, asks on the terminal.")))
    return 2;
  if (argc != (latest ? 3 : 4))
    return usage_error (usage);
  if (!latest && !parse_backup_id (argv[3], &id))
    return 2;
  if (lock_timeout_ms < 0)
    return usage_error (_("--lock-timeout takes a number of milliseconds, 0 or more"));
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;
  if (!yes && !isatty (STDIN_FILENO))
    {
      print_error (_("restoring replaces %s, and there is no terminal to ask on: pass --yes "
                     "to restore"), run.database);
      return 2;
    }
  backup = find_backup (&run, id);
  if (backup == NULL)
    return 1;
  if (!yes && !confirm_restore (&run, backup))
    {
      print_error (_("nothing was restored"));
      return 1;
    }
  return restore_backup (&run, backup, lock_timeout_ms, progress);
}

/* Removes the backups retention does not keep; returns the exit status. */
static int
prune_backups (BackupRun         *run,
               const LhRetention *retention)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint removed;

  lh_backup_catalog_prune_async (run->catalog, retention, run->cancellable, store_result_cb,
                                 &result);
  removed = lh_backup_catalog_prune_finish (run->catalog, wait_for_step (run, &result), &error);
  if (error != NULL)
    {
      print_failure (error);
      return 1;
    }
  printf (g_dngettext (GETTEXT_PACKAGE, "%u backup removed\n", "%u backups removed\n", removed),
          removed);
  return 0;
}

/* Lists the backups a prune by retention would remove; returns the exit status. */
static int
show_pruned (BackupRun         *run,
             const LhRetention *retention)
{
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(GListModel) pruned = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  backups = list_backups (run, &error);
  if (backups == NULL)
    {
      print_failure (error);
      return 1;
    }
  pruned = lh_retention_select_backups (backups, retention, now);
  g_string_append (out, _("A prune would remove these (a dry run: nothing was removed):\n"));
  lh_cli_print_backups (out, pruned);
  fputs (out->str, stdout);
  return 0;
}

static int
backup_prune_main (int    argc,
                   char **argv)
{
  int keep_last = PRUNE_KEEP_LAST;
  int daily = PRUNE_DAILY_DAYS;
  int weekly = PRUNE_WEEKLY_WEEKS;
  gboolean dry_run = FALSE;
  const GOptionEntry entries[] = {
    { "keep-last", 0, 0, G_OPTION_ARG_INT, &keep_last,
      N_("Keep the newest N backups (default: 10)"), N_("N") },
    { "daily", 0, 0, G_OPTION_ARG_INT, &daily,
      N_("Keep the newest backup of each of the last D days (default: 7)"), N_("D") },
    { "weekly", 0, 0, G_OPTION_ARG_INT, &weekly,
      N_("Keep the newest backup of each of the last W weeks (default: 4)"), N_("W") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
      N_("List the backups a prune would remove, and remove none"), NULL },
    { NULL }
  };
  g_auto(BackupRun) run = { 0 };
  LhRetention retention;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("prune DATABASE"),
                             _("Remove the backups of a database file that the retention "
                               "policy does not keep: a backup stays if any rule keeps it, "
                               "and 0 turns a rule off. Days are calendar days in local time, "
                               "weeks ISO weeks, both counting the current one; safety backups "
                               "count like the others.")))
    return 2;
  if (argc != 3)
    return usage_error (_("usage: litehouse-cli backup prune DATABASE [--keep-last N] "
                          "[--daily D] [--weekly W] [--dry-run]"));
  if (keep_last < 0 || daily < 0 || weekly < 0)
    return usage_error (_("--keep-last, --daily and --weekly take a count, 0 or more"));
  if (keep_last == 0 && daily == 0 && weekly == 0)
    return usage_error (_("--keep-last, --daily and --weekly are all 0, a policy that keeps "
                          "nothing: give one of them a count above 0"));
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;

  retention = (LhRetention) { keep_last, daily, weekly };
  return dry_run ? show_pruned (&run, &retention) : prune_backups (&run, &retention);
}

static int
backup_bundle_main (int    argc,
                    char **argv)
{
  gboolean progress = FALSE;
  const GOptionEntry entries[] = {
    { "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
      N_("Print the progress in percent on standard error"), NULL },
    { NULL }
  };
  g_auto(BackupRun) run = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("bundle DATABASE FOLDER ARCHIVE"),
                             _("Roll a database file and its folder of attached files (uploads, "
                               "say) into one archive (.tar.gz): a consistent copy of the "
                               "database, checked, and the folder's files, restorable as a "
                               "whole with “restore-bundle”.")))
    return 2;
  if (argc != 5)
    return usage_error (_("usage: litehouse-cli backup bundle DATABASE FOLDER ARCHIVE [--progress]"));
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;
  if (is_remote (&run))
    return usage_error (_("bundles are of database files: this database is remote"));
  lh_bundle_create_async (argv[2], argv[3], argv[4], run.cancellable,
                          backup_progress (&run, progress, _("Writing the bundle…"),
                                           _("Checking the bundle…")),
                          &run, store_result_cb, &result);
  if (!lh_bundle_create_finish (wait_for_step (&run, &result), &error))
    {
      print_failure (error);
      return 1;
    }
  printf (_("Bundle written: %s\n"), argv[4]);
  return 0;
}

static int
backup_restore_bundle_main (int    argc,
                            char **argv)
{
  gboolean yes = FALSE;
  gboolean progress = FALSE;
  int lock_timeout_ms = LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS;
  const GOptionEntry entries[] = {
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("Replace the database and the folder without asking"), NULL },
    { "lock-timeout", 0, 0, G_OPTION_ARG_INT, &lock_timeout_ms,
      N_("How long to wait for another program’s write lock (default: 5000)"), N_("MS") },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
      N_("Print the progress in percent on standard error"), NULL },
    { NULL }
  };
  g_auto(BackupRun) run = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("restore-bundle DATABASE FOLDER ARCHIVE"),
                             _("Replace a database file and its folder of attached files by those "
                               "of a bundle, as a whole: the bundle is unpacked and checked "
                               "first, and nothing changes if anything is wrong with it. Back up "
                               "first: the replaced files are not kept.")))
    return 2;
  if (argc != 5)
    return usage_error (_("usage: litehouse-cli backup restore-bundle DATABASE FOLDER ARCHIVE [--yes] "
                          "[--lock-timeout MS] [--progress]"));
  if (lock_timeout_ms < 0)
    return usage_error (_("--lock-timeout takes a number of milliseconds, 0 or more"));
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;
  if (is_remote (&run))
    return usage_error (_("bundles are of database files: this database is remote"));
  if (!yes)
    {
      print_error (_("restoring a bundle replaces %s and %s: pass --yes to restore"), argv[2], argv[3]);
      return 2;
    }
  lh_bundle_restore_async (argv[4], argv[2], argv[3], (guint) lock_timeout_ms, run.cancellable,
                           backup_progress (&run, progress, _("Unpacking the bundle…"),
                                            _("Checking and switching…")),
                           &run, store_result_cb, &result);
  if (!lh_bundle_restore_finish (wait_for_step (&run, &result), &error))
    {
      print_failure (error);
      return 1;
    }
  printf (_("Restored %s and %s from %s\n"), argv[2], argv[3], argv[4]);
  return 0;
}

static int
backup_import_main (int    argc,
                    char **argv)
{
  gboolean yes = FALSE;
  gboolean progress = FALSE;
  const GOptionEntry entries[] = {
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("Replace the database’s tables without asking"), NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
      N_("Print the progress in percent on standard error"), NULL },
    { NULL }
  };
  g_auto(BackupRun) run = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("import DATABASE FILE"),
                             _("Replace the tables, views and triggers of a remote database "
                               "(D1 or libSQL) by those of FILE: a local database file (a "
                               "backup, say) or an SQL dump. FILE is checked first, and a "
                               "safety dump of the database is taken; the replacement is all or "
                               "nothing.")))
    return 2;
  if (argc != 4)
    return usage_error (_("usage: litehouse-cli backup import DATABASE FILE --yes [--progress]"));
  status = backup_run_init (&run, argv[2]);
  if (status != 0)
    return status;
  if (!is_remote (&run))
    return usage_error (_("import is for remote databases; a database file is replaced with "
                          "“backup restore”"));
  if (!yes)
    {
      print_error (_("importing replaces the tables of %s: pass --yes to import"), run.database);
      return 2;
    }
  if (!open_remote (&run))
    return 1;
  lh_backup_catalog_import_async (run.catalog, run.connection, argv[3], run.cancellable,
                                  backup_progress (&run, progress,
                                                   _("Checking the file, then taking a safety "
                                                     "dump…"),
                                                   _("Replacing the database’s tables…")),
                                  &run, store_result_cb, &result);
  safety = lh_backup_catalog_import_finish (run.catalog, wait_for_step (&run, &result), &error);
  if (safety == NULL)
    {
      print_failure (error);
      return 1;
    }
  printf (_("Imported %s; the database as it was before is safety backup %lld\n"), argv[3],
          (long long) lh_backup_get_id (safety));
  return 0;
}

/* {"bookmark": …, "previous_bookmark": …} (previous only when given). */
static char *
bookmarks_json (const char *bookmark,
                const char *previous)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bookmark");
  json_builder_add_string_value (builder, bookmark);
  if (previous != NULL)
    {
      json_builder_set_member_name (builder, "previous_bookmark");
      json_builder_add_string_value (builder, previous);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

/* A time as a user writes it: RFC 3339, or local "YYYY-MM-DD HH:MM[:SS]"; NULL if neither. */
static GDateTime *
parse_cli_time (const char *text)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autofree char *iso = g_strdup (text);
  char *space = strchr (iso, ' ');

  if (space != NULL)
    *space = 'T';
  if (strlen (iso) == 16)
    {
      g_autofree char *with_seconds = g_strconcat (iso, ":00", NULL);

      return g_date_time_new_from_iso8601 (with_seconds, local);
    }
  return g_date_time_new_from_iso8601 (iso, local);
}

static int
backup_time_travel_main (int    argc,
                         char **argv)
{
  g_autofree char *timestamp = NULL;
  g_autofree char *bookmark = NULL;
  gboolean yes = FALSE;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "timestamp", 0, 0, G_OPTION_ARG_STRING, &timestamp,
      N_("A time: RFC 3339, or local “2026-12-04 14:15”"), N_("TIME") },
    { "bookmark", 0, 0, G_OPTION_ARG_STRING, &bookmark, N_("A bookmark D1 gave (restore)"), N_("BOOKMARK") },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("Restore without asking"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the bookmarks as JSON"), NULL },
    { NULL }
  };
  const char *usage = _("usage: litehouse-cli backup time-travel info DATABASE [--timestamp TIME] | "
                        "restore DATABASE --timestamp TIME|--bookmark BOOKMARK --yes");
  g_auto(BackupRun) run = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  gboolean restore;
  int status;

  if (!parse_backup_options (&argc, &argv, entries, _("time-travel info|restore DATABASE"),
                             _("D1’s Time Travel: “info” prints the bookmark (restore point) of "
                               "the database now or at --timestamp; “restore” puts the whole "
                               "database back, in place, to --bookmark or to the bookmark of "
                               "--timestamp, and prints the bookmark of the state it replaced, "
                               "which restores to undo it.")))
    return 2;
  if (argc != 4 || (!g_str_equal (argv[2], "info") && !g_str_equal (argv[2], "restore")))
    return usage_error (usage);
  restore = g_str_equal (argv[2], "restore");
  if ((restore && (timestamp == NULL) == (bookmark == NULL)) || (!restore && bookmark != NULL))
    return usage_error (usage);
  if (timestamp != NULL && (time = parse_cli_time (timestamp)) == NULL)
    {
      print_error (_("“%s” is not a time: write RFC 3339 (2026-12-04T14:15:00Z) or local "
                     "“2026-12-04 14:15”"), timestamp);
      return 2;
    }
  status = backup_run_init (&run, argv[3]);
  if (status != 0)
    return status;
  if (run.location->kind != LH_LOCATION_D1)
    return usage_error (_("Time Travel is D1’s: give a d1://ACCOUNT/ID database"));
  if (restore && !yes)
    {
      print_error (_("restoring puts all of %s back in time: pass --yes to restore"), run.database);
      return 2;
    }
  if (!open_remote (&run))
    return 1;
  if (bookmark == NULL)
    {
      lh_d1_get_bookmark_async (LH_D1_CONNECTION (run.connection), time, run.cancellable,
                                store_result_cb, &result);
      found = lh_d1_get_bookmark_finish (wait_for_step (&run, &result), &error);
      if (found == NULL)
        {
          print_failure (error);
          return 1;
        }
      g_clear_object (&result);
    }
  if (!restore)
    {
      if (json)
        print_json (bookmarks_json (found, NULL));
      else
        printf ("%s\n", found);
      return 0;
    }
  {
    g_autofree char *previous = NULL;
    g_autofree char *current = NULL;

    lh_d1_restore_bookmark_async (LH_D1_CONNECTION (run.connection), found != NULL ? found : bookmark,
                                  run.cancellable, store_result_cb, &result);
    previous = lh_d1_restore_bookmark_finish (wait_for_step (&run, &result), &current, &error);
    if (previous == NULL)
      {
        print_failure (error);
        return 1;
      }
    if (json)
      print_json (bookmarks_json (current != NULL ? current : "", previous));
    else
      printf (_("Restored %s to %s; to undo, restore --bookmark %s\n"), run.database,
              found != NULL ? found : bookmark, previous);
  }
  return 0;
}

static const struct
{
  const char *name;
  int       (*main) (int argc, char **argv);
} backup_commands[] = {
  { "create", backup_create_main },
  { "list", backup_list_main },
  { "verify", backup_verify_main },
  { "restore", backup_restore_main },
  { "prune", backup_prune_main },
  { "bundle", backup_bundle_main },
  { "restore-bundle", backup_restore_bundle_main },
  { "import", backup_import_main },
  { "time-travel", backup_time_travel_main },
};

static void
print_backup_usage (void)
{
  printf ("%s\n\n%s\n", _("Usage: litehouse-cli backup COMMAND DATABASE [OPTIONS…]"),
          _("Commands:"));
  printf ("  %s\n", _("create DATABASE         Back up a database"));
  printf ("  %s\n", _("list DATABASE           List its backups, newest first"));
  printf ("  %s\n", _("verify DATABASE ID      Check that a backup is sound"));
  printf ("  %s\n", _("restore DATABASE ID|--latest\n"
                      "                          Replace the database by a backup, after a "
                      "safety backup of it"));
  printf ("  %s\n", _("prune DATABASE          Remove the backups the retention policy does "
                      "not keep"));
  printf ("  %s\n", _("bundle DATABASE FOLDER ARCHIVE\n"
                      "                          Roll the database and its folder of attached "
                      "files into one archive"));
  printf ("  %s\n", _("restore-bundle DATABASE FOLDER ARCHIVE\n"
                      "                          Replace the database and the folder by a "
                      "bundle's, as a whole"));
  printf ("  %s\n", _("import DATABASE FILE     Replace a remote database’s tables by a local "
                      "database file’s or an SQL dump’s, after a safety dump"));
  printf ("  %s\n", _("time-travel info|restore DATABASE\n"
                      "                          D1’s restore point for a time, or a restore "
                      "to it"));
  printf ("\n%s\n", _("DATABASE is a local file, d1://ACCOUNT/ID or a libSQL URL (a remote "
                      "database’s backups are SQL dumps); backups are kept under "
                      "$XDG_DATA_HOME/litehouse/backups/, beside those the app takes. Run "
                      "“litehouse-cli backup COMMAND --help” for a command’s options."));
}

/* argv[0] is "backup", argv[1] the command. */
static int
backup_main (int    argc,
             char **argv)
{
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_backup_usage ();
      return 0;
    }
  if (argc < 2 || argv[1][0] == '-')
    return usage_error (_("usage: litehouse-cli backup create|list|verify|restore|prune|bundle|"
                          "restore-bundle|import|time-travel DATABASE [OPTIONS…]"));
  for (guint i = 0; i < G_N_ELEMENTS (backup_commands); i++)
    if (g_str_equal (argv[1], backup_commands[i].name))
      return backup_commands[i].main (argc, argv);
  print_error (_("unknown backup command “%s”; try “litehouse-cli backup --help”"), argv[1]);
  return 2;
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n%s\n  %s\n  %s\n  %s\n\n%s\n",
           _("Usage: litehouse-cli COMMAND [OPTIONS…]"),
           _("Commands:"),
           _("query DATABASE SQL    Run SQL on a database (a file, d1://ACCOUNT/ID or "
             "libsql://HOST) and print the result"),
           _("migrations list|apply|rehearse|create DATABASE --dir DIR\n"
             "                        List a folder’s migrations and their state in the "
             "database, apply or rehearse the pending ones, or create the next file"),
           _("backup create|list|verify|restore|prune|bundle|restore-bundle|import|time-travel "
             "DATABASE\n"
             "                        Back up a database, list, verify or restore its "
             "backups, prune them by a retention policy, bundle it with its folder of files, "
             "import a file into a remote one, or use D1’s Time Travel"),
           _("Run “litehouse-cli COMMAND --help” for a command’s options."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("litehouse-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_str_equal (argv[1], "query"))
    return query_main (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "migrations"))
    return migrations_main (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "backup"))
    return backup_main (argc - 1, argv + 1);

  print_error (_("unknown command “%s”; try “litehouse-cli --help”"), argv[1]);
  return 2;
}
