/* lh-connection.c — the LhConnection interface's dispatch functions. */
#include "config.h"

#include "lh-connection.h"

G_DEFINE_INTERFACE (LhConnection, lh_connection, G_TYPE_OBJECT)

static void
lh_connection_default_init (LhConnectionInterface *iface)
{
}

LhConnectionKind
lh_connection_get_kind (LhConnection *self)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), LH_CONNECTION_KIND_LOCAL);
  return LH_CONNECTION_GET_IFACE (self)->get_kind (self);
}

LhCapabilities
lh_connection_get_capabilities (LhConnection *self)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), LH_CAPABILITY_NONE);
  return LH_CONNECTION_GET_IFACE (self)->get_capabilities (self);
}

/* A short name for window titles: a file's basename, a remote database's name. */
const char *
lh_connection_get_title (LhConnection *self)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), NULL);
  return LH_CONNECTION_GET_IFACE (self)->get_title (self);
}

/* Where the database lives: a file's absolute path, a remote database's URL. */
const char *
lh_connection_get_location (LhConnection *self)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), NULL);
  return LH_CONNECTION_GET_IFACE (self)->get_location (self);
}

gboolean
lh_connection_get_read_only (LhConnection *self)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), TRUE);
  return LH_CONNECTION_GET_IFACE (self)->get_read_only (self);
}

/* TRUE after a statement left a transaction open (a BEGIN the user typed), until one ends
 * it. As of the last statement whose result was delivered. */
gboolean
lh_connection_get_in_transaction (LhConnection *self)
{
  LhConnectionInterface *iface;

  g_return_val_if_fail (LH_IS_CONNECTION (self), FALSE);
  iface = LH_CONNECTION_GET_IFACE (self);
  return iface->get_in_transaction != NULL && iface->get_in_transaction (self);
}

/* Runs one statement. params holds LhValue pointers bound positionally (or NULL);
 * max_rows caps the rows kept (0 keeps all) and marks the result truncated. */
void
lh_connection_execute_async (LhConnection        *self,
                             const char          *sql,
                             GPtrArray           *params,
                             guint                max_rows,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (LH_IS_CONNECTION (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  LH_CONNECTION_GET_IFACE (self)->execute_async (self, sql, params, max_rows, cancellable,
                                                 callback, user_data);
}

LhResultSet *
lh_connection_execute_finish (LhConnection  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), NULL);
  return LH_CONNECTION_GET_IFACE (self)->execute_finish (self, result, error);
}

/* Runs a read that may take long and matters less than what the user waits for (a row
 * count): backends that can let other work go first and finish it later. Its result is
 * read with lh_connection_execute_finish(). */
void
lh_connection_execute_background_async (LhConnection        *self,
                                        const char          *sql,
                                        GPtrArray           *params,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  LhConnectionInterface *iface;

  g_return_if_fail (LH_IS_CONNECTION (self));
  g_return_if_fail (sql != NULL);

  iface = LH_CONNECTION_GET_IFACE (self);
  if (iface->execute_background_async != NULL)
    iface->execute_background_async (self, sql, params, cancellable, callback, user_data);
  else
    iface->execute_async (self, sql, params, 0, cancellable, callback, user_data);
}

/* Runs statements (LhBatchStatement) in order, as one unit where the backend can: with
 * LH_BATCH_TRANSACTION all of them or none take effect. The result is a GPtrArray of
 * LhResultSet, one per statement. On failure the error's statement index
 * (lh_connection_error_get_statement_index()) says which statement failed. */
void
lh_connection_batch_async (LhConnection        *self,
                           GPtrArray           *statements,
                           LhBatchFlags         flags,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (LH_IS_CONNECTION (self));
  g_return_if_fail (statements != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  LH_CONNECTION_GET_IFACE (self)->batch_async (self, statements, flags, cancellable,
                                               callback, user_data);
}

GPtrArray *
lh_connection_batch_finish (LhConnection  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), NULL);
  return LH_CONNECTION_GET_IFACE (self)->batch_finish (self, result, error);
}

/* params (LhValue pointers) is referenced, not copied. */
LhBatchStatement *
lh_batch_statement_new (const char *sql,
                        GPtrArray  *params)
{
  LhBatchStatement *statement = g_new0 (LhBatchStatement, 1);

  statement->sql = g_strdup (sql);
  statement->params = params != NULL ? g_ptr_array_ref (params) : NULL;
  statement->expected_changes = -1;
  return statement;
}

void
lh_batch_statement_free (LhBatchStatement *statement)
{
  if (statement == NULL)
    return;
  g_free (statement->sql);
  g_clear_pointer (&statement->params, g_ptr_array_unref);
  g_free (statement);
}

/* Closes the database once the statements asked for before have run; statements asked
 * for later fail with LH_CONNECTION_ERROR_CLOSED. Waiting for it before a process exits
 * makes SQLite finish its work on the file (a WAL checkpoint, say). */
void
lh_connection_close_async (LhConnection        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (LH_IS_CONNECTION (self));
  LH_CONNECTION_GET_IFACE (self)->close_async (self, cancellable, callback, user_data);
}

gboolean
lh_connection_close_finish (LhConnection  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LH_IS_CONNECTION (self), FALSE);
  return LH_CONNECTION_GET_IFACE (self)->close_finish (self, result, error);
}
