/* lh-test-cli.h — litehouse-cli ($LITEHOUSE_CLI) run as a script runs it: waited for, with
 * its exit status and output, standard input closed so that it never finds a terminal; or
 * started and left running, for a test that stops it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  int   status;
  char *out;
  char *err;
} LhTestCliRun;

void          lh_test_cli_run_clear (LhTestCliRun         *run);
LhTestCliRun  lh_test_cli           (const char           *first,
                                     ...) G_GNUC_NULL_TERMINATED;
LhTestCliRun  lh_test_cli_launch    (GSubprocessLauncher  *launcher,
                                     const char * const   *args);
GSubprocess  *lh_test_cli_spawn     (const char * const   *args);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LhTestCliRun, lh_test_cli_run_clear)

G_END_DECLS
