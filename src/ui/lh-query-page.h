/* lh-query-page.h — LhQueryPage: an SQL editor, completing from the live schema, over a
 * results grid; Ctrl+Enter runs the statement at the cursor (or the selection),
 * Ctrl+Shift+Enter every statement, and shows the rows, their count and time, or the error. */
#pragma once

#include <adwaita.h>

#include "lh-completion-provider.h"
#include "lh-core.h"
#include "lh-result-view.h"

G_BEGIN_DECLS

/* The rows a run reads at once: more are read a page at a time as the grid shows them. */
#define LH_QUERY_PAGE_MAX_ROWS LH_QUERY_PAGER_PAGE_SIZE

#define LH_TYPE_QUERY_PAGE (lh_query_page_get_type ())

G_DECLARE_FINAL_TYPE (LhQueryPage, lh_query_page, LH, QUERY_PAGE, GtkWidget)

void          lh_query_page_set_connection (LhQueryPage  *self,
                                            LhConnection *connection);
void          lh_query_page_set_text       (LhQueryPage  *self,
                                            const char   *text);
gboolean      lh_query_page_get_running    (LhQueryPage  *self);
LhResultView *lh_query_page_get_result_view (LhQueryPage *self);
const char   *lh_query_page_get_status     (LhQueryPage  *self);
const char   *lh_query_page_get_error_text (LhQueryPage  *self);
void          lh_query_page_focus_editor   (LhQueryPage  *self);
void          lh_query_page_set_schema     (LhQueryPage  *self,
                                            LhSchema     *schema);
LhCompletionProvider *lh_query_page_get_completion (LhQueryPage *self);
char         *lh_query_page_dup_history_text (LhQueryPage *self);
char         *lh_query_page_dup_statements_text (LhQueryPage *self);
char         *lh_query_page_dup_snippets_text (LhQueryPage *self);
GtkMenuButton *lh_query_page_get_snippets_button (LhQueryPage *self);
void          lh_query_page_activate_snippet_row (LhQueryPage *self,
                                                  guint        index);
GtkWidget    *lh_query_page_get_snippet_delete_button (LhQueryPage *self,
                                                       guint        index);
void          lh_query_page_activate_statement_row (LhQueryPage *self,
                                                    guint        index);
char         *lh_query_page_dup_title      (LhQueryPage  *self);
char         *lh_query_page_dup_text       (LhQueryPage  *self);
void          lh_query_page_restore        (LhQueryPage  *self,
                                            GFile        *file,
                                            const char   *text,
                                            gboolean      modified);
gboolean      lh_query_page_get_modified   (LhQueryPage  *self);
GFile        *lh_query_page_get_file       (LhQueryPage  *self);
void          lh_query_page_open_file      (LhQueryPage  *self,
                                            GFile        *file);
void          lh_query_page_save_to_file   (LhQueryPage  *self,
                                            GFile        *file);
char         *lh_query_page_dup_results_text (LhQueryPage *self,
                                              const char  *format);
gboolean      lh_query_page_export_to_file   (LhQueryPage *self,
                                              GFile       *file,
                                              const char  *format);
void          lh_query_page_activate_history_row (LhQueryPage *self,
                                                  guint        index);

G_END_DECLS
