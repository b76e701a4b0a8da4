/* lh-error.h — the LH_CONNECTION_ERROR domain: what can go wrong opening a database or
 * running a statement, locally or over the network, with the byte offset of an SQL error
 * where SQLite knows it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LH_CONNECTION_ERROR (lh_connection_error_quark ())

typedef enum
{
  LH_CONNECTION_ERROR_FAILED,
  LH_CONNECTION_ERROR_NOT_FOUND,
  LH_CONNECTION_ERROR_IS_DIRECTORY,
  LH_CONNECTION_ERROR_PERMISSION_DENIED,
  LH_CONNECTION_ERROR_NOT_A_DATABASE,
  LH_CONNECTION_ERROR_CORRUPT,
  LH_CONNECTION_ERROR_BUSY,
  LH_CONNECTION_ERROR_READ_ONLY,
  LH_CONNECTION_ERROR_SQL,
  LH_CONNECTION_ERROR_CONSTRAINT,
  LH_CONNECTION_ERROR_CLOSED,
  LH_CONNECTION_ERROR_CONFLICT,
  LH_CONNECTION_ERROR_TRANSACTION_OPEN,
  LH_CONNECTION_ERROR_NETWORK,        /* offline, no such host, connection refused or reset */
  LH_CONNECTION_ERROR_TIMEOUT,
  LH_CONNECTION_ERROR_TLS,
  LH_CONNECTION_ERROR_UNAUTHORIZED,   /* 401: the token is missing, wrong or expired */
  LH_CONNECTION_ERROR_FORBIDDEN,      /* 403: the token may not do this */
  LH_CONNECTION_ERROR_RATE_LIMITED,   /* 429 */
  LH_CONNECTION_ERROR_SERVER,         /* 5xx */
  LH_CONNECTION_ERROR_PROTOCOL,       /* an answer that is cut off, not JSON, or not the protocol */
} LhConnectionError;

GQuark      lh_connection_error_quark       (void);
GError     *lh_connection_error_new_sql     (LhConnectionError  code,
                                             int                offset,
                                             const char        *format,
                                             ...) G_GNUC_PRINTF (3, 4);
int         lh_connection_error_get_offset  (const GError      *error);
void        lh_connection_error_set_offset  (GError            *error,
                                             int                offset);
int         lh_connection_error_get_statement_index (const GError *error);
void        lh_connection_error_set_statement_index (GError       *error,
                                                     int           index);

G_END_DECLS
