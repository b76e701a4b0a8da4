/* lh-secrets.h — tokens of remote databases in the Secret Service (libsecret), looked up
 * by kind ("d1", "libsql"), location (the account ID or the URL) and database. Where no
 * Secret Service answers, a token is kept in this process's memory only, and the store
 * says so: it never goes to a file. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void      lh_secrets_store_async   (const char          *kind,
                                    const char          *location,
                                    const char          *database,
                                    const char          *label,
                                    const char          *token,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  lh_secrets_store_finish  (GAsyncResult        *result,
                                    gboolean            *kept_in_memory,
                                    GError             **error);
void      lh_secrets_lookup_async  (const char          *kind,
                                    const char          *location,
                                    const char          *database,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
char     *lh_secrets_lookup_finish (GAsyncResult        *result,
                                    GError             **error);
void      lh_secrets_clear_async   (const char          *kind,
                                    const char          *location,
                                    const char          *database,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  lh_secrets_clear_finish  (GAsyncResult        *result,
                                    GError             **error);
void      lh_secrets_free          (char                *token);

G_END_DECLS
