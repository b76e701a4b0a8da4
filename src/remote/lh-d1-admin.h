/* lh-d1-admin.h — a D1 database's endpoints beside its queries: export (D1's SQL dump of
 * the whole database, downloaded into a file), import (an SQL file run in the database, all
 * or nothing) and Time Travel (the bookmark of a point in time; restoring the database to
 * one in place, which gives back the bookmark of the state it replaced, so that a restore
 * can be undone).
 *
 * Export and import are Cloudflare's polling protocols: a request starts the work, the
 * same request with the returned bookmark asks how it goes, until it is complete or
 * failed; the dump is fetched from, and the import's file sent to, the signed URL given
 * (which never gets the API token). D1's dump is its own: D1 writes numbers as JavaScript
 * does (integers beyond 2^53 lose digits, 2.0 becomes 2) and refuses to export a database
 * with virtual tables.
 *
 * Each operation runs in a GTask thread; results come back on the caller's context. A
 * cancel stops an operation until D1 has taken it: an import whose ingest D1 accepted, or a
 * restore sent, runs to its end (D1 goes on regardless), and an import that then could not
 * be followed fails with LH_CONNECTION_ERROR_TIMEOUT, saying D1 may apply it. */
#pragma once

#include "lh-d1-connection.h"

G_BEGIN_DECLS

/* Downloads D1's dump of the database into the file at path (created or emptied, synced).
 * progress (or NULL) gets 0 of 0 while D1 makes the dump, then bytes received of the
 * dump's size (0 when not told), the last call its size of its size. */
void      lh_d1_export_async             (LhD1Connection        *self,
                                          const char            *path,
                                          GCancellable          *cancellable,
                                          GFileProgressCallback  progress,
                                          gpointer               progress_data,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
gboolean  lh_d1_export_finish            (GAsyncResult          *result,
                                          GError               **error);

/* Runs the SQL file at path (plain, not compressed) in the database, all or nothing; the
 * finish gives the bookmark of the database after it. progress (or NULL) gets bytes of
 * the file sent while it uploads, the last call its size of its size (D1 skips the upload
 * of a file it has already: no call then). */
void      lh_d1_import_async             (LhD1Connection        *self,
                                          const char            *path,
                                          GCancellable          *cancellable,
                                          GFileProgressCallback  progress,
                                          gpointer               progress_data,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
char     *lh_d1_import_finish            (GAsyncResult          *result,
                                          GError               **error);

/* The bookmark of the database at time (or now, for NULL): the last at or before it. */
void      lh_d1_get_bookmark_async       (LhD1Connection        *self,
                                          GDateTime             *time,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
char     *lh_d1_get_bookmark_finish      (GAsyncResult          *result,
                                          GError               **error);

/* Restores the database in place to bookmark; the finish gives the bookmark of the state
 * it replaced (restore that to undo) and, in *new_bookmark (or NULL), the current one. */
void      lh_d1_restore_bookmark_async   (LhD1Connection        *self,
                                          const char            *bookmark,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
char     *lh_d1_restore_bookmark_finish  (GAsyncResult          *result,
                                          char                 **new_bookmark,
                                          GError               **error);

G_END_DECLS
