/* lh-cli-output.h — how litehouse-cli prints statement results: aligned tables for people,
 * JSON for scripts. */
#pragma once

#include "lh-core.h"

G_BEGIN_DECLS

void  lh_cli_print_table  (GString     *out,
                           LhResultSet *result);
char *lh_cli_results_json (GPtrArray   *statements,
                           const char  *script_text);

G_END_DECLS
