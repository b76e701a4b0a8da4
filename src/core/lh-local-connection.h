/* lh-local-connection.h — LhLocalConnection, an SQLite file opened on a worker thread of
 * its own; statements run there in the order they were asked for. */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

typedef enum /*< flags >*/
{
  LH_LOCAL_OPEN_NONE      = 0,
  LH_LOCAL_OPEN_READ_ONLY = 1 << 0,
  LH_LOCAL_OPEN_CREATE    = 1 << 1,
} LhLocalOpenFlags;

#define LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS 5000

#define LH_TYPE_LOCAL_CONNECTION (lh_local_connection_get_type ())

G_DECLARE_FINAL_TYPE (LhLocalConnection, lh_local_connection, LH, LOCAL_CONNECTION, GObject)

void               lh_local_connection_open_async  (const char           *path,
                                                    LhLocalOpenFlags      flags,
                                                    guint                 busy_timeout_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
LhLocalConnection *lh_local_connection_open_finish (GAsyncResult         *result,
                                                    GError              **error);
const char        *lh_local_connection_get_path    (LhLocalConnection    *self);

G_END_DECLS
