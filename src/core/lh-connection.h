/* lh-connection.h — LhConnection, the one interface every screen speaks: run a statement
 * and get an LhResultSet back, whether the database is a local file or a remote one. */
#pragma once

#include <gio/gio.h>

#include "lh-result-set.h"

G_BEGIN_DECLS

typedef enum
{
  LH_CONNECTION_KIND_LOCAL,
  LH_CONNECTION_KIND_D1,
  LH_CONNECTION_KIND_LIBSQL,
} LhConnectionKind;

typedef enum /*< flags >*/
{
  LH_CAPABILITY_NONE         = 0,
  LH_CAPABILITY_TRANSACTIONS = 1 << 0,
  LH_CAPABILITY_BACKUP_API   = 1 << 1,
  LH_CAPABILITY_ATTACH       = 1 << 2,
} LhCapabilities;

typedef enum /*< flags >*/
{
  LH_BATCH_NONE        = 0,
  LH_BATCH_TRANSACTION = 1 << 0,
} LhBatchFlags;

/* One statement of a batch: its SQL, the LhValue pointers bound to it (or NULL), and
 * how many rows it must change (-1: any number); a different number fails the batch. */
typedef struct
{
  char      *sql;
  GPtrArray *params;
  gint64     expected_changes;
} LhBatchStatement;

#define LH_TYPE_CONNECTION (lh_connection_get_type ())

G_DECLARE_INTERFACE (LhConnection, lh_connection, LH, CONNECTION, GObject)

struct _LhConnectionInterface
{
  GTypeInterface parent_iface;

  LhConnectionKind  (*get_kind)         (LhConnection         *self);
  LhCapabilities    (*get_capabilities) (LhConnection         *self);
  const char       *(*get_title)        (LhConnection         *self);
  const char       *(*get_location)     (LhConnection         *self);
  gboolean          (*get_read_only)    (LhConnection         *self);
  gboolean          (*get_in_transaction) (LhConnection       *self);
  void              (*execute_async)    (LhConnection         *self,
                                         const char           *sql,
                                         GPtrArray            *params,
                                         guint                 max_rows,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  LhResultSet      *(*execute_finish)   (LhConnection         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void              (*execute_background_async) (LhConnection *self,
                                         const char           *sql,
                                         GPtrArray            *params,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  void              (*batch_async)      (LhConnection         *self,
                                         GPtrArray            *statements,
                                         LhBatchFlags          flags,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  GPtrArray        *(*batch_finish)     (LhConnection         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
  void              (*close_async)      (LhConnection         *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
  gboolean          (*close_finish)     (LhConnection         *self,
                                         GAsyncResult         *result,
                                         GError              **error);
};

LhConnectionKind  lh_connection_get_kind         (LhConnection         *self);
LhCapabilities    lh_connection_get_capabilities (LhConnection         *self);
const char       *lh_connection_get_title        (LhConnection         *self);
const char       *lh_connection_get_location     (LhConnection         *self);
gboolean          lh_connection_get_read_only    (LhConnection         *self);
gboolean          lh_connection_get_in_transaction (LhConnection       *self);
void              lh_connection_execute_async    (LhConnection         *self,
                                                  const char           *sql,
                                                  GPtrArray            *params,
                                                  guint                 max_rows,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
LhResultSet      *lh_connection_execute_finish   (LhConnection         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void              lh_connection_execute_background_async (LhConnection *self,
                                                  const char           *sql,
                                                  GPtrArray            *params,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
void              lh_connection_batch_async      (LhConnection         *self,
                                                  GPtrArray            *statements,
                                                  LhBatchFlags          flags,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray        *lh_connection_batch_finish     (LhConnection         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void              lh_connection_close_async      (LhConnection         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean          lh_connection_close_finish     (LhConnection         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

LhBatchStatement *lh_batch_statement_new         (const char           *sql,
                                                  GPtrArray            *params);
void              lh_batch_statement_free        (LhBatchStatement     *statement);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhBatchStatement, lh_batch_statement_free)

G_END_DECLS
