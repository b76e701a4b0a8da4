/* lh-test-cli.c — running litehouse-cli from a test; see lh-test-cli.h. */
#include "config.h"

#include "lh-test-cli.h"

void
lh_test_cli_run_clear (LhTestCliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/* $LITEHOUSE_CLI, then args, then NULL: an argv. */
static GPtrArray *
cli_argv (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) g_getenv ("LITEHOUSE_CLI"));
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* The NULL-terminated arguments from first on, NULL-terminated. */
static GPtrArray *
collect_args (const char *first,
              va_list     ap)
{
  GPtrArray *args = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);
  return args;
}

/* Runs litehouse-cli with args (NULL-terminated, after the program's name) as launcher
 * sets it up, which must pipe its standard output and error, and waits. */
LhTestCliRun
lh_test_cli_launch (GSubprocessLauncher *launcher,
                    const char * const  *args)
{
  g_autoptr(GPtrArray) argv = cli_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  LhTestCliRun run = { 0 };

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run.out, &run.err, &error);
  g_assert_no_error (error);
  run.status = g_subprocess_get_exit_status (process);
  return run;
}

/* Runs litehouse-cli with the arguments from first on, NULL-terminated, and waits. */
LhTestCliRun
lh_test_cli (const char *first,
             ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = NULL;
  va_list ap;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  va_start (ap, first);
  args = collect_args (first, ap);
  va_end (ap);
  return lh_test_cli_launch (launcher, (const char * const *) args->pdata);
}

/* Starts litehouse-cli with args (NULL-terminated, after the program's name), its output
 * thrown away, and returns at once. */
GSubprocess *
lh_test_cli_spawn (const char * const *args)
{
  g_autoptr(GPtrArray) argv = cli_argv (args);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  return process;
}
