/* lh-cli.c — litehouse-cli, the headless twin of the app for scripts, cron jobs and
 * tests, on a database that is a file, d1://ACCOUNT/ID or libsql://HOST (tokens from the
 * environment or the keyring): `litehouse-cli query DATABASE SQL` runs SQL and prints the
 * rows; `litehouse-cli migrations list|apply|rehearse|create DATABASE --dir DIR` lists the
 * wrangler-style migrations of a folder, applies the pending ones, rehearses them on a
 * throwaway copy, or creates the next file. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>

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
      print_error ("%s", error->message);
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
      print_error ("%s", error->message);
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
      print_error ("%s", error->message);
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
      print_error ("%s", error->message);
      return 2;
    }
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
      print_error ("%s", error->message);
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
      print_error ("%s", error->message);
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
      print_error ("%s", error->message);
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
      print_error ("%s", error->message);
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

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n%s\n  %s\n  %s\n\n%s\n",
           _("Usage: litehouse-cli COMMAND [OPTIONS…]"),
           _("Commands:"),
           _("query DATABASE SQL    Run SQL on a database (a file, d1://ACCOUNT/ID or "
             "libsql://HOST) and print the result"),
           _("migrations list|apply|rehearse|create DATABASE --dir DIR\n"
             "                        List a folder’s migrations and their state in the "
             "database, apply or rehearse the pending ones, or create the next file"),
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

  print_error (_("unknown command “%s”; try “litehouse-cli --help”"), argv[1]);
  return 2;
}
