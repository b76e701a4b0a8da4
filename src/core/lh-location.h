/* lh-location.h — where a database is, as a user writes it: a file path, d1://ACCOUNT/ID
 * for Cloudflare D1, or libsql://HOST (https://HOST, http://127.0.0.1:PORT) for libSQL;
 * and opening the connection that goes with it. */
#pragma once

#include "lh-connection.h"
#include "lh-local-connection.h"

G_BEGIN_DECLS

typedef enum
{
  LH_LOCATION_FILE,
  LH_LOCATION_D1,
  LH_LOCATION_LIBSQL,
} LhLocationKind;

typedef struct
{
  LhLocationKind  kind;
  char           *path;         /* FILE */
  char           *account_id;   /* D1 */
  char           *database_id;  /* D1 */
  char           *url;          /* LIBSQL: normalised */
} LhLocation;

LhLocation   *lh_location_parse       (const char          *text,
                                       GError             **error);
void          lh_location_free        (LhLocation          *location);
const char   *lh_location_get_token_variable (LhLocation   *location);
void          lh_location_find_token_async  (LhLocation   *location,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char         *lh_location_find_token_finish (GAsyncResult *result,
                                       GError             **error);
void          lh_location_open_async  (LhLocation          *location,
                                       const char          *token,
                                       LhLocalOpenFlags     flags,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
LhConnection *lh_location_open_finish (GAsyncResult        *result,
                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhLocation, lh_location_free)

G_END_DECLS
