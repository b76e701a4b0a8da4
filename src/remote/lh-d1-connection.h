/* lh-d1-connection.h — LhD1Connection: a Cloudflare D1 database through its REST API
 * (…/accounts/{account}/d1/database/{id}/raw) with a bearer token. Stateless: every
 * operation is one request; a batch (an edit set) is one request D1 runs as a unit. */
#pragma once

#include "lh-connection.h"
#include "lh-http-client.h"

G_BEGIN_DECLS

#define LH_D1_DEFAULT_BASE_URL "https://api.cloudflare.com/client/v4"

typedef struct
{
  char   *uuid;
  char   *name;
  gint64  file_size;      /* bytes, or -1 */
  gint64  num_tables;     /* or -1 */
} LhD1Database;

#define LH_TYPE_D1_CONNECTION (lh_d1_connection_get_type ())

G_DECLARE_FINAL_TYPE (LhD1Connection, lh_d1_connection, LH, D1_CONNECTION, GObject)

const char     *lh_d1_default_base_url          (void);
void            lh_d1_connection_open_async     (const char          *base_url,
                                                 const char          *account_id,
                                                 const char          *database_id,
                                                 const char          *token,
                                                 LhHttpClient        *http,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
LhD1Connection *lh_d1_connection_open_finish    (GAsyncResult        *result,
                                                 GError             **error);
const char     *lh_d1_connection_get_account_id (LhD1Connection      *self);
const char     *lh_d1_connection_get_database_id (LhD1Connection     *self);

void            lh_d1_list_databases_async      (const char          *base_url,
                                                 const char          *account_id,
                                                 const char          *token,
                                                 LhHttpClient        *http,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray      *lh_d1_list_databases_finish     (GAsyncResult        *result,
                                                 GError             **error);
void            lh_d1_database_free             (LhD1Database        *database);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhD1Database, lh_d1_database_free)

G_END_DECLS
