/* lh-history.c — LhHistory writes each statement run to history.sqlite under Litehouse's
 * data folder, through a connection of its own (so a database being queried never waits
 * on it). The file is made on first use; operations asked for before it is open wait in
 * a queue, in order. It keeps the newest MAX_ENTRIES entries. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lh-history.h"
#include "lh-local-connection.h"

#define MAX_ENTRIES 10000

#define HISTORY_TABLE_SQL \
  "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, database TEXT NOT NULL," \
  "  sql TEXT NOT NULL, started_at TEXT NOT NULL, duration_ms REAL NOT NULL," \
  "  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'cancelled')), message TEXT)"

/* The SQL editor's tabs of each database, to open as they were left. */
#define TABS_TABLE_SQL \
  "CREATE TABLE IF NOT EXISTS editor_tabs (database TEXT NOT NULL, position INTEGER NOT NULL," \
  "  file TEXT, text TEXT NOT NULL, modified INTEGER NOT NULL, PRIMARY KEY (database, position))"

/* Saved snippets: SQL kept under a name, for every database. */
#define SNIPPETS_TABLE_SQL \
  "CREATE TABLE IF NOT EXISTS snippets (name TEXT PRIMARY KEY, sql TEXT NOT NULL," \
  "  saved_at TEXT NOT NULL)"

#define LOAD_TABS_SQL \
  "SELECT position, file, text, modified FROM editor_tabs WHERE database = ? ORDER BY position"

#define INSERT_SQL \
  "INSERT INTO history (database, sql, started_at, duration_ms, outcome, message) " \
  "VALUES (?, ?, ?, ?, ?, ?)"

#define PRUNE_SQL \
  "DELETE FROM history WHERE id <= (SELECT max(id) FROM history) - " G_STRINGIFY (MAX_ENTRIES)

#define SEARCH_SQL \
  "SELECT id, database, sql, started_at, duration_ms, outcome, message FROM history " \
  "WHERE (?1 IS NULL OR database = ?1) AND sql LIKE ?2 ESCAPE '\\' ORDER BY id DESC LIMIT ?3"

struct _LhHistory
{
  GObject parent_instance;

  /* owned */
  char         *path;
  LhConnection *connection;
  GError       *open_error;
  GQueue        waiting;     /* GTask waiting for the connection */

  /* state */
  gboolean opening;
};

G_DEFINE_FINAL_TYPE (LhHistory, lh_history, G_TYPE_OBJECT)

typedef void (*RunFunc) (LhHistory *self,
                         GTask     *task);

static void
lh_history_finalize (GObject *object)
{
  LhHistory *self = LH_HISTORY (object);

  g_free (self->path);
  g_clear_object (&self->connection);
  g_clear_error (&self->open_error);
  G_OBJECT_CLASS (lh_history_parent_class)->finalize (object);
}

static void
lh_history_class_init (LhHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_history_finalize;
}

static void
lh_history_init (LhHistory *self)
{
  g_queue_init (&self->waiting);
}

/* A history kept in the SQLite file path, made (with its folder) when first used. */
LhHistory *
lh_history_new (const char *path)
{
  LhHistory *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (LH_TYPE_HISTORY, NULL);
  self->path = g_strdup (path);
  return self;
}

/* The history of this user: $XDG_DATA_HOME/litehouse/history.sqlite. */
static LhHistory *default_history;

LhHistory *
lh_history_get_default (void)
{
  if (default_history == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_data_dir (), "litehouse",
                                                "history.sqlite", NULL);

      default_history = lh_history_new (path);
    }
  return default_history;
}

/* The default history if something has used it, without opening it otherwise. */
LhHistory *
lh_history_peek_default (void)
{
  return default_history;
}

const char *
lh_history_get_path (LhHistory *self)
{
  g_return_val_if_fail (LH_IS_HISTORY (self), NULL);
  return self->path;
}

/* Opening */

static void
run_task (LhHistory *self,
          GTask     *task)
{
  RunFunc func = g_object_get_data (G_OBJECT (task), "lh-run");

  if (self->open_error != NULL)
    g_task_return_error (task, g_error_copy (self->open_error));
  else
    func (self, task);
  g_object_unref (task);
}

static void
opened (LhHistory *self,
        GError    *error)
{
  GTask *task;

  self->opening = FALSE;
  if (error != NULL)
    self->open_error = error;
  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    run_task (self, task);
}

static void
schema_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhHistory) self = user_data;
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  opened (self, error);
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LhHistory) self = user_data;
  g_autoptr(GPtrArray) statements = NULL;
  GError *error = NULL;
  LhLocalConnection *connection = lh_local_connection_open_finish (result, &error);

  if (connection == NULL)
    {
      opened (self, error);
      return;
    }
  self->connection = LH_CONNECTION (connection);
  statements = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  g_ptr_array_add (statements, lh_batch_statement_new (HISTORY_TABLE_SQL, NULL));
  g_ptr_array_add (statements, lh_batch_statement_new (TABS_TABLE_SQL, NULL));
  g_ptr_array_add (statements, lh_batch_statement_new (SNIPPETS_TABLE_SQL, NULL));
  lh_connection_batch_async (self->connection, statements, LH_BATCH_TRANSACTION, NULL, schema_cb,
                             g_object_ref (self));
}

static void
make_folder_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autofree char *folder = g_path_get_dirname (task_data);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Cannot make the folder “%s” for the query history: %s"),
                               folder, g_strerror (saved_errno));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
folder_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LhHistory *self = LH_HISTORY (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      opened (self, error);
      return;
    }
  lh_local_connection_open_async (self->path, LH_LOCAL_OPEN_CREATE,
                                  LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS, NULL, open_cb,
                                  g_object_ref (self));
}

/* Runs func with task once the connection is open (now, if it is). */
static void
when_open (LhHistory *self,
           GTask     *task,
           RunFunc    func)
{
  g_object_set_data (G_OBJECT (task), "lh-run", func);
  if (self->connection != NULL || self->open_error != NULL)
    {
      run_task (self, task);
      return;
    }
  g_queue_push_tail (&self->waiting, task);
  if (!self->opening)
    {
      GTask *folder = g_task_new (self, NULL, folder_cb, NULL);

      self->opening = TRUE;
      g_task_set_task_data (folder, g_strdup (self->path), g_free);
      g_task_run_in_thread (folder, make_folder_thread);
      g_object_unref (folder);
    }
}

/* Adding */

static void
statement_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LhResultSet) rows = lh_connection_execute_finish (LH_CONNECTION (source), result, NULL);
}

static void
run_add (LhHistory *self,
         GTask     *task)
{
  lh_connection_execute_async (self->connection, INSERT_SQL, g_task_get_task_data (task), 0,
                               NULL, statement_done_cb, NULL);
  lh_connection_execute_async (self->connection, PRUNE_SQL, NULL, 0, NULL, statement_done_cb, NULL);
  g_task_return_boolean (task, TRUE);
}

static const char *
outcome_name (LhHistoryOutcome outcome)
{
  static const char * const names[] = { "ok", "failed", "cancelled" };

  return names[outcome];
}

/* Records one statement; the write happens in the background, in order. */
void
lh_history_add (LhHistory        *self,
                const char       *database,
                const char       *sql,
                gint64            started_at_usec,
                gint64            duration_usec,
                LhHistoryOutcome  outcome,
                const char       *message)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (started_at_usec / G_USEC_PER_SEC);
  g_autofree char *when = g_date_time_format_iso8601 (time);
  GPtrArray *params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  GTask *task;

  g_return_if_fail (LH_IS_HISTORY (self));
  g_return_if_fail (database != NULL && sql != NULL);

  g_ptr_array_add (params, lh_value_new_text (database, -1));
  g_ptr_array_add (params, lh_value_new_text (sql, -1));
  g_ptr_array_add (params, lh_value_new_text (when, -1));
  g_ptr_array_add (params, lh_value_new_real (duration_usec / 1000.0));
  g_ptr_array_add (params, lh_value_new_text (outcome_name (outcome), -1));
  g_ptr_array_add (params, message != NULL ? lh_value_new_text (message, -1) : lh_value_new_null ());

  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, params, (GDestroyNotify) g_ptr_array_unref);
  when_open (self, task, run_add);
}

/* Searching */

static void
rows_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  LhResultSet *rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);

  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, g_object_unref);
}

typedef struct
{
  const char *sql;
  GPtrArray  *params;
} Statement;

static void
statement_free (Statement *statement)
{
  g_ptr_array_unref (statement->params);
  g_free (statement);
}

static void
run_statement (LhHistory *self,
               GTask     *task)
{
  Statement *statement = g_task_get_task_data (task);

  lh_connection_execute_async (self->connection, statement->sql, statement->params, 0,
                               g_task_get_cancellable (task), rows_cb, g_object_ref (task));
}

/* Runs sql (a constant) with params (taken) once the history is open; the task returns
 * the rows, or the error. */
static void
execute (LhHistory           *self,
         const char          *sql,
         GPtrArray           *params,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  Statement *statement = g_new0 (Statement, 1);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  statement->sql = sql;
  statement->params = params;
  g_task_set_source_tag (task, lh_history_search_async);
  g_task_set_task_data (task, statement, (GDestroyNotify) statement_free);
  when_open (self, task, run_statement);
}

static char *
like_pattern (const char *text)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/* The newest entries (id, database, sql, started_at, duration_ms, outcome, message) whose
 * SQL holds text, of database or of all when it is NULL. */
void
lh_history_search_async (LhHistory           *self,
                         const char          *text,
                         const char          *database,
                         guint                limit,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autofree char *pattern = like_pattern (text);
  GPtrArray *params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);

  g_return_if_fail (LH_IS_HISTORY (self));

  g_ptr_array_add (params, database != NULL ? lh_value_new_text (database, -1) : lh_value_new_null ());
  g_ptr_array_add (params, lh_value_new_text (pattern, -1));
  g_ptr_array_add (params, lh_value_new_integer (limit));
  execute (self, SEARCH_SQL, params, cancellable, callback, user_data);
}

LhResultSet *
lh_history_search_finish (LhHistory     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Editor tabs */

void
lh_editor_tab_free (LhEditorTab *tab)
{
  if (tab == NULL)
    return;
  g_free (tab->file);
  g_free (tab->text);
  g_free (tab);
}

static void
batch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GPtrArray) results = lh_connection_batch_finish (LH_CONNECTION (source), result, NULL);
}

static void
run_save_tabs (LhHistory *self,
               GTask     *task)
{
  lh_connection_batch_async (self->connection, g_task_get_task_data (task), LH_BATCH_TRANSACTION,
                             NULL, batch_done_cb, NULL);
  g_task_return_boolean (task, TRUE);
}

/* Replaces the tabs kept for database with tabs (LhEditorTab), in one transaction. */
void
lh_history_save_tabs (LhHistory  *self,
                      const char *database,
                      GPtrArray  *tabs)
{
  GPtrArray *statements = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  g_autoptr(GPtrArray) where = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  GTask *task;

  g_return_if_fail (LH_IS_HISTORY (self));
  g_return_if_fail (database != NULL && tabs != NULL);

  g_ptr_array_add (where, lh_value_new_text (database, -1));
  g_ptr_array_add (statements, lh_batch_statement_new ("DELETE FROM editor_tabs WHERE database = ?", where));
  for (guint i = 0; i < tabs->len; i++)
    {
      LhEditorTab *tab = g_ptr_array_index (tabs, i);
      g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);

      g_ptr_array_add (params, lh_value_new_text (database, -1));
      g_ptr_array_add (params, lh_value_new_integer (i));
      g_ptr_array_add (params, tab->file != NULL ? lh_value_new_text (tab->file, -1) : lh_value_new_null ());
      g_ptr_array_add (params, lh_value_new_text (tab->text != NULL ? tab->text : "", -1));
      g_ptr_array_add (params, lh_value_new_integer (tab->modified));
      g_ptr_array_add (statements,
                       lh_batch_statement_new ("INSERT INTO editor_tabs (database, position, file, text,"
                                               " modified) VALUES (?, ?, ?, ?, ?)", params));
    }
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, statements, (GDestroyNotify) g_ptr_array_unref);
  when_open (self, task, run_save_tabs);
}

/* The tabs kept for database: rows of (position, file, text, modified), in order. */
void
lh_history_load_tabs_async (LhHistory           *self,
                            const char          *database,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GPtrArray *params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);

  g_return_if_fail (LH_IS_HISTORY (self));

  g_ptr_array_add (params, lh_value_new_text (database, -1));
  execute (self, LOAD_TABS_SQL, params, cancellable, callback, user_data);
}

LhResultSet *
lh_history_load_tabs_finish (LhHistory     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return lh_history_search_finish (self, result, error);
}

/* Snippets */

/* Keeps sql under name, replacing a snippet of that name. */
void
lh_history_save_snippet_async (LhHistory           *self,
                               const char          *name,
                               const char          *sql,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GPtrArray *params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *saved_at = g_date_time_format_iso8601 (now);

  g_return_if_fail (LH_IS_HISTORY (self));
  g_return_if_fail (name != NULL && sql != NULL);

  g_ptr_array_add (params, lh_value_new_text (name, -1));
  g_ptr_array_add (params, lh_value_new_text (sql, -1));
  g_ptr_array_add (params, lh_value_new_text (saved_at, -1));
  execute (self,
           "INSERT INTO snippets (name, sql, saved_at) VALUES (?, ?, ?) "
           "ON CONFLICT (name) DO UPDATE SET sql = excluded.sql, saved_at = excluded.saved_at",
           params, cancellable, callback, user_data);
}

void
lh_history_delete_snippet_async (LhHistory           *self,
                                 const char          *name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GPtrArray *params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);

  g_return_if_fail (LH_IS_HISTORY (self));
  g_return_if_fail (name != NULL);

  g_ptr_array_add (params, lh_value_new_text (name, -1));
  execute (self, "DELETE FROM snippets WHERE name = ?", params, cancellable, callback, user_data);
}

/* The snippets as rows of (name, sql), by name. */
void
lh_history_list_snippets_async (LhHistory           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LH_IS_HISTORY (self));
  execute (self, "SELECT name, sql FROM snippets ORDER BY name COLLATE NOCASE, name",
           g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free),
           cancellable, callback, user_data);
}

/* The rows of a snippet call: the list, or none for a save or a delete. */
LhResultSet *
lh_history_snippets_finish (LhHistory     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return lh_history_search_finish (self, result, error);
}

/* Flushing: done once every entry added before it is written. */

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  GError *error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_flush (LhHistory *self,
           GTask     *task)
{
  lh_connection_execute_async (self->connection, "SELECT 1", NULL, 0, NULL, flush_cb,
                               g_object_ref (task));
}

void
lh_history_flush_async (LhHistory           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (LH_IS_HISTORY (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_history_flush_async);
  when_open (self, task, run_flush);
}

gboolean
lh_history_flush_finish (LhHistory     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
