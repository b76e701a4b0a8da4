/* lh-sql-dump.h — SQL dumps: a database written out as the SQL that makes it again, taken
 * through any LhConnection (a local file or libSQL; D1 has its own export), and loaded into
 * a new local file or into any connection that has transactions.
 *
 * The format is D1's (what `wrangler d1 export` writes, so that each loads the other's):
 * `PRAGMA defer_foreign_keys=TRUE;`, then for each table its CREATE statement and its rows
 * as `INSERT INTO "t" ("a","b") VALUES(…);` (generated columns left out), then
 * sqlite_sequence's rows, then the indexes, triggers and views, one statement a line or
 * more, each ending in `;`. SQLite's own tables, libSQL's (libsql_*) and D1's (_cf_*) are
 * left out, as are the shadow tables of virtual tables (their rows come back through the
 * virtual table). A dump file may be gzip-compressed (read either way).
 *
 * Consistency: a dump reads in one read transaction (BEGIN … COMMIT) where the connection
 * has transactions; the rows of each table go in pages keyed by rowid (or by position in a
 * WITHOUT ROWID table), so that memory stays bounded whatever the table's size.
 *
 * Threads: both operations run in a GTask thread. Writing uses the connection from there:
 * give it one of its own, that nothing else uses until the callback. */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

/* Writes the dump of connection's database into the file at path (created or emptied and
 * synced; the caller names it and moves it into place). progress: rows written of the rows
 * counted at the start. */
void      lh_sql_dump_write_async      (LhConnection          *connection,
                                        const char            *path,
                                        GCancellable          *cancellable,
                                        GFileProgressCallback  progress,
                                        gpointer               progress_data,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
gboolean  lh_sql_dump_write_finish     (GAsyncResult          *result,
                                        GError               **error);

/* Runs the dump at dump_path in the SQLite file at db_path (made if missing), in one
 * transaction: all of it or, on an error (naming the line of the statement), nothing.
 * Synchronous, for a thread: cancellable interrupts it. */
gboolean  lh_sql_dump_load_into_file   (const char            *dump_path,
                                        const char            *db_path,
                                        GCancellable          *cancellable,
                                        GError               **error);

/* Replaces connection's database with the dump at dump_path, all or nothing, in one
 * transaction (LH_CAPABILITY_TRANSACTIONS needed): its tables, views and triggers are
 * dropped, then the dump runs. progress: bytes of the dump run of its size. The connection
 * is used from another thread, as for a write. */
void      lh_sql_dump_load_async       (LhConnection          *connection,
                                        const char            *dump_path,
                                        GCancellable          *cancellable,
                                        GFileProgressCallback  progress,
                                        gpointer               progress_data,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
gboolean  lh_sql_dump_load_finish      (GAsyncResult          *result,
                                        GError               **error);

/* Opens the dump at path for reading, decompressing it if it is gzip. */
GInputStream *lh_sql_dump_open         (const char            *path,
                                        GCancellable          *cancellable,
                                        GError               **error);

G_END_DECLS
