/* lh-history.h — LhHistory: every statement run from the SQL editor (which database, when,
 * how long, how it ended), kept in an SQLite file of Litehouse's own, searchable. */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

typedef enum
{
  LH_HISTORY_OK,
  LH_HISTORY_FAILED,
  LH_HISTORY_CANCELLED,
} LhHistoryOutcome;

/* One SQL editor tab as it was left: its file (a path, or NULL) and its text. */
typedef struct
{
  char     *file;
  char     *text;
  gboolean  modified;
} LhEditorTab;

#define LH_TYPE_HISTORY (lh_history_get_type ())

G_DECLARE_FINAL_TYPE (LhHistory, lh_history, LH, HISTORY, GObject)

LhHistory   *lh_history_new            (const char          *path);
LhHistory   *lh_history_peek_default   (void);
LhHistory   *lh_history_get_default    (void);
const char  *lh_history_get_path       (LhHistory           *self);
void         lh_history_add            (LhHistory           *self,
                                        const char          *database,
                                        const char          *sql,
                                        gint64               started_at_usec,
                                        gint64               duration_usec,
                                        LhHistoryOutcome     outcome,
                                        const char          *message);
void         lh_history_search_async   (LhHistory           *self,
                                        const char          *text,
                                        const char          *database,
                                        guint                limit,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
LhResultSet *lh_history_search_finish  (LhHistory           *self,
                                        GAsyncResult        *result,
                                        GError             **error);
void         lh_history_save_tabs      (LhHistory           *self,
                                        const char          *database,
                                        GPtrArray           *tabs);
void         lh_history_load_tabs_async (LhHistory          *self,
                                        const char          *database,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
LhResultSet *lh_history_load_tabs_finish (LhHistory        *self,
                                        GAsyncResult        *result,
                                        GError             **error);
void         lh_editor_tab_free        (LhEditorTab         *tab);
void         lh_history_save_snippet_async (LhHistory       *self,
                                        const char          *name,
                                        const char          *sql,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
void         lh_history_delete_snippet_async (LhHistory     *self,
                                        const char          *name,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
void         lh_history_list_snippets_async (LhHistory      *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
LhResultSet *lh_history_snippets_finish (LhHistory          *self,
                                        GAsyncResult        *result,
                                        GError             **error);
void         lh_history_flush_async    (LhHistory           *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean     lh_history_flush_finish   (LhHistory           *self,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
