/* lh-cli.c — litehouse-cli, the headless twin of the app for scripts, cron jobs and
 * tests: `litehouse-cli query DATABASE SQL` runs SQL on a database (a file, d1://ACCOUNT/ID
 * or libsql://HOST, tokens from the environment) and prints the rows. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>

#include "lh-cli-output.h"
#include "lh-core.h"

typedef struct
{
  GMainLoop    *loop;
  LhScript     *script;
  LhConnection *connection;
  LhLocation   *location;
  gboolean      json;
  gboolean      read_only;
  int           status;
} QueryRun;

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

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  QueryRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!lh_connection_close_finish (LH_CONNECTION (object), result, &error))
    {
      print_error ("%s", error->message);
      run->status = 1;
    }
  g_main_loop_quit (run->loop);
}

static void
script_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  QueryRun *run = user_data;
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(GError) error = NULL;
  LhStatementResult *last;

  statements = lh_script_run_finish (LH_SCRIPT (object), result, &error);
  g_assert (statements != NULL);

  if (run->json)
    {
      g_autofree char *json = lh_cli_results_json (statements, lh_script_get_text (run->script));

      puts (json);
    }
  else
    print_text_results (statements);

  last = statements->len > 0 ? g_ptr_array_index (statements, statements->len - 1) : NULL;
  if (last != NULL && last->error != NULL)
    {
      print_statement_error (run->script, last);
      run->status = 1;
    }

  /* Closed before the process ends, so that SQLite finishes with the file. */
  lh_connection_close_async (run->connection, NULL, close_cb, run);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  QueryRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->connection = lh_location_open_finish (result, &error);
  if (run->connection == NULL)
    {
      print_error ("%s", error->message);
      run->status = 1;
      g_main_loop_quit (run->loop);
      return;
    }

  lh_script_run_async (run->script, run->connection, 0, NULL, script_cb, run);
}

static void
token_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  QueryRun *run = user_data;
  g_autoptr(GError) error = NULL;
  char *token = lh_location_find_token_finish (result, &error);

  if (error != NULL)
    {
      print_error ("%s", error->message);
      run->status = 1;
      g_main_loop_quit (run->loop);
      return;
    }
  if (run->location->kind == LH_LOCATION_D1 && token == NULL)
    {
      print_error (_("no API token for this D1 database: set CLOUDFLARE_API_TOKEN, or connect "
                     "to it once from Litehouse to keep its token in the keyring"));
      run->status = 2;
      g_main_loop_quit (run->loop);
      return;
    }
  lh_location_open_async (run->location, token,
                          run->read_only ? LH_LOCAL_OPEN_READ_ONLY : LH_LOCAL_OPEN_NONE,
                          NULL, open_cb, run);
  lh_secrets_free (token);
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
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(LhScript) script = NULL;
  g_autoptr(LhLocation) location = NULL;
  g_autoptr(GError) error = NULL;
  QueryRun run = { 0 };

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

  location = lh_location_parse (argv[1], &error);
  if (location == NULL)
    {
      print_error ("%s", error->message);
      return 2;
    }
  if (read_only && location->kind != LH_LOCATION_FILE)
    {
      print_error (_("--read-only is for database files"));
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.script = script;
  run.location = location;
  run.json = json;
  run.read_only = read_only;

  /* A token comes from the environment or the keyring, never from the command line
   * (where other users of the machine can read it). */
  lh_location_find_token_async (location, NULL, token_cb, &run);
  g_main_loop_run (loop);
  g_clear_object (&run.connection);
  return run.status;
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n%s\n  %s\n\n%s\n",
           _("Usage: litehouse-cli COMMAND [OPTIONS…]"),
           _("Commands:"),
           _("query DATABASE SQL    Run SQL on a database (a file, d1://ACCOUNT/ID or "
             "libsql://HOST) and print the result"),
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

  print_error (_("unknown command “%s”; try “litehouse-cli --help”"), argv[1]);
  return 2;
}
