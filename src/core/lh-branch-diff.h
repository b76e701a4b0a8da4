/* lh-branch-diff.h — LhBranchDiff: what differs between two local SQLite databases (a
 * branch and its parent), in the schema and row by row, and the SQL script that turns the
 * old one into the new one, as SQLite's sqldiff tool writes it.
 *
 * lh_branch_diff_async() opens both files read-only and works on threads of its own; the
 * files should not change meanwhile. Cancelled, it fails with G_IO_ERROR_CANCELLED; a file
 * that is missing or no SQLite database fails with LH_CONNECTION_ERROR_NOT_FOUND or
 * LH_CONNECTION_ERROR_NOT_A_DATABASE, the message naming it.
 *
 * Rows are matched by key: the PRIMARY KEY, or the rowid of a rowid table that has none
 * (or holds NULL in it). Two values are the same only when of the same type and equal,
 * text byte for byte whatever the column's collation; -0.0 and 0.0 are the same, as SQLite
 * has them. A table whose definition changed (a column added, say) is not compared: the
 * script makes it anew with all its rows. A virtual table is compared in the tables that
 * store its rows (FTS5's, R*Tree's), which the summaries list too; where they differ, the
 * script makes it anew and copies them all (a module may keep what it read: FTS5 would not
 * see its tables changed under it by the connection that runs the script), and the
 * indexes and triggers on those tables again; ANALYZE's
 * statistics (sqlite_stat1) are the new database's. A virtual table whose module no
 * connection here has (an extension's) cannot be read: its summary says so, and tables
 * named after it are compared as any other. A rowid table matched by another
 * primary key gets the new database's rowids for the rows inserted, where no row that
 * stays holds them (an external-content FTS index refers to them); a matched row whose
 * rowid alone differs (VACUUM renumbers them) is not a change.
 *
 * The script is one transaction, "BEGIN;\n" … "COMMIT;\n", between "PRAGMA foreign_keys =
 * OFF;\n" and "PRAGMA foreign_keys = ON;\n", or "" when the databases do not differ: drops
 * first, then tables made and filled, then each table's DELETE, UPDATE (of the columns that
 * changed) and INSERT statements, then sqlite_sequence, then the indexes, views and
 * triggers to make. A row with a new value in a UNIQUE index is deleted and inserted again
 * rather than updated, so that rows may trade such values. Neither triggers (it drops and
 * makes again those of the tables it changes) nor foreign key actions act on its changes,
 * whatever the connection that runs it had; run to its end, it leaves foreign keys on (a
 * statement that fails leaves its transaction open, to roll back). Apply it with
 * SQLITE_DBCONFIG_DEFENSIVE off (it writes virtual tables' shadow tables). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The rows of one table, old against new. */
typedef struct
{
  char     *table;
  guint     added;      /* rows the script inserts */
  guint     removed;    /* rows the script deletes, or that go with the table */
  guint     changed;    /* rows the script updates */
  gboolean  compared;   /* whether its rows were matched by key, one by one */
  char     *reason;     /* if not, why, and what the script does instead (for a person) */
} LhTableDiff;

#define LH_TYPE_BRANCH_DIFF (lh_branch_diff_get_type ())

G_DECLARE_FINAL_TYPE (LhBranchDiff, lh_branch_diff, LH, BRANCH_DIFF, GObject)

void          lh_branch_diff_async              (const char          *old_path,
                                                 const char          *new_path,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
LhBranchDiff *lh_branch_diff_finish             (GAsyncResult        *result,
                                                 GError             **error);

/* (transfer none) LhSchemaChange of lh-schema-diff.h, as lh_schema_diff_finish() orders
 * them; lh_schema_change_describe() words each. */
GPtrArray    *lh_branch_diff_get_schema_changes (LhBranchDiff        *self);
/* (transfer none) LhTableDiff, by table name. */
GPtrArray    *lh_branch_diff_get_tables         (LhBranchDiff        *self);
const char   *lh_branch_diff_get_sql            (LhBranchDiff        *self);

void          lh_table_diff_free                (LhTableDiff         *diff);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhTableDiff, lh_table_diff_free)

G_END_DECLS
