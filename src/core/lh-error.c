/* lh-error.c — the connection error domain, an extended GError domain so that an SQL
 * error can carry the byte offset SQLite reported for it. */
#include "config.h"

#include "lh-error.h"

typedef struct
{
  int offset;
  int statement_index;
} LhConnectionErrorPrivate;

static void
lh_connection_error_private_init (LhConnectionErrorPrivate *priv)
{
  priv->offset = -1;
  priv->statement_index = -1;
}

static void
lh_connection_error_private_copy (const LhConnectionErrorPrivate *src,
                                  LhConnectionErrorPrivate       *dest)
{
  dest->offset = src->offset;
  dest->statement_index = src->statement_index;
}

static void
lh_connection_error_private_clear (LhConnectionErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (LhConnectionError, lh_connection_error)

GError *
lh_connection_error_new_sql (LhConnectionError  code,
                             int                offset,
                             const char        *format,
                             ...)
{
  g_autofree char *message = NULL;
  GError *error;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error = g_error_new_literal (LH_CONNECTION_ERROR, code, message);
  lh_connection_error_set_offset (error, offset);
  return error;
}

/* -1 when the error has no position, or is not of this domain. */
int
lh_connection_error_get_offset (const GError *error)
{
  LhConnectionErrorPrivate *priv;

  if (error == NULL || error->domain != LH_CONNECTION_ERROR)
    return -1;
  priv = lh_connection_error_get_private (error);
  return priv != NULL ? priv->offset : -1;
}

/* Errors of other domains (a cancel) carry no position: they are left as they are. */
void
lh_connection_error_set_offset (GError *error,
                                int     offset)
{
  LhConnectionErrorPrivate *priv;

  if (error == NULL || error->domain != LH_CONNECTION_ERROR)
    return;
  priv = lh_connection_error_get_private (error);
  if (priv != NULL)
    priv->offset = offset;
}

/* Which statement of a batch failed: -1 when the error is not about one of them. */
int
lh_connection_error_get_statement_index (const GError *error)
{
  LhConnectionErrorPrivate *priv;

  if (error == NULL || error->domain != LH_CONNECTION_ERROR)
    return -1;
  priv = lh_connection_error_get_private (error);
  return priv != NULL ? priv->statement_index : -1;
}

void
lh_connection_error_set_statement_index (GError *error,
                                         int     index)
{
  LhConnectionErrorPrivate *priv;

  if (error == NULL || error->domain != LH_CONNECTION_ERROR)
    return;
  priv = lh_connection_error_get_private (error);
  if (priv != NULL)
    priv->statement_index = index;
}
