/* lh-libsql-connection.h — LhLibsqlConnection: a libSQL database (sqld, Turso) spoken to
 * with Hrana over HTTP (/v3/pipeline, or /v2 where the server has no v3). A transaction
 * the user begins keeps its stream (baton) across requests; other statements open and
 * close a stream in the same request. */
#pragma once

#include "lh-connection.h"
#include "lh-http-client.h"

G_BEGIN_DECLS

#define LH_TYPE_LIBSQL_CONNECTION (lh_libsql_connection_get_type ())

G_DECLARE_FINAL_TYPE (LhLibsqlConnection, lh_libsql_connection, LH, LIBSQL_CONNECTION, GObject)

void                lh_libsql_connection_open_async    (const char          *url,
                                                        const char          *token,
                                                        LhHttpClient        *http,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
LhLibsqlConnection *lh_libsql_connection_open_finish   (GAsyncResult        *result,
                                                        GError             **error);
void                lh_libsql_connection_open_another_async (LhLibsqlConnection  *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);   /* finish: lh_libsql_connection_open_finish() */
guint               lh_libsql_connection_get_version   (LhLibsqlConnection  *self);
char               *lh_libsql_url_dup_token            (const char          *url);
char               *lh_libsql_normalize_url            (const char          *url,
                                                        GError             **error);

G_END_DECLS
