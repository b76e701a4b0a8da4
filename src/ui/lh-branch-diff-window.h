/* lh-branch-diff-window.h — LhBranchDiffWindow: a branch compared with its parent, schema
 * and rows, and the SQL that turns the parent into the branch. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_BRANCH_DIFF_WINDOW (lh_branch_diff_window_get_type ())

G_DECLARE_FINAL_TYPE (LhBranchDiffWindow, lh_branch_diff_window, LH, BRANCH_DIFF_WINDOW, AdwWindow)

GtkWidget    *lh_branch_diff_window_new      (GtkWindow          *parent,
                                              const char         *name,
                                              const char         *parent_path,
                                              const char         *branch_path);
LhBranchDiff *lh_branch_diff_window_get_diff (LhBranchDiffWindow *self);
gboolean      lh_branch_diff_window_save_sql (LhBranchDiffWindow *self,
                                              GFile              *file);
/* Selects and scrolls to the first statement of the SQL on table's rows; FALSE if none. */
gboolean      lh_branch_diff_window_show_table (LhBranchDiffWindow *self,
                                                const char         *table);

G_END_DECLS
