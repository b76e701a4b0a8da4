/* lh-branch-diff.c — two local databases compared row by row, and the SQL script that
 * turns the old one into the new one.
 *
 * lh_schema_diff_async() compares the schemas over two read-only LhLocalConnections; then
 * a worker thread opens the old file read-only with the new one attached as "branch" and,
 * in one read transaction, writes the script in an order that applies:
 *
 *   1. triggers, views and indexes removed or changed are dropped, then the tables removed
 *      or whose definition changed (a column added, a constraint, WITHOUT ROWID);
 *   2. tables added or changed are made with the new database's CREATE statement and
 *      filled with all its rows (for a virtual table: the tables that store its rows);
 *   3. every other table found in both with the same columns is compared on its key (its
 *      PRIMARY KEY, or the rowid of a rowid table without one or with NULL in it): DELETE
 *      for the rows only the old one has, UPDATE of the columns that differ, INSERT for the
 *      rows only the new one has. Its triggers are dropped first, so that they do not fire
 *      on the script's own changes, and made again at the end;
 *   4. sqlite_sequence gets the new database's numbers, if they can differ;
 *   5. indexes, views and triggers added, changed or dropped with their table are made.
 *
 * Two values are the same only when they are of the same type and equal, text byte by
 * byte whatever the column's collation. Each difference streams from a join into the
 * script, whose literals are lh-row-format's: memory holds the script, never a table. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "lh-branch-diff.h"
#include "lh-local-connection.h"
#include "lh-row-format.h"
#include "lh-schema-diff.h"
#include "lh-script.h"
#include "lh-sqlite-private.h"

/* How often the worker looks at its cancellable: every this many rows written, and
 * every this many virtual machine steps of SQLite (where sqlite3_interrupt() came too
 * early to stop a statement). */
#define CANCEL_CHECK_ROWS 1000
#define PROGRESS_STEPS    1000

/* The tables of a database, without SQLite's own (sqlite_schema, sqlite_sequence,
 * sqlite_stat1). The schema name goes in %s, the same as ?1. */
#define TABLES_SQL \
  "SELECT l.name, l.type, l.wr, s.sql FROM pragma_table_list AS l " \
  "JOIN %s.sqlite_schema AS s ON s.type = 'table' AND s.name = l.name " \
  "WHERE l.schema = ?1 AND l.name NOT LIKE 'sqlite\\_%%' ESCAPE '\\' ORDER BY l.name"

/* Indexes, views and triggers, the type in ?1 first, views next: the order to drop them
 * in ("trigger") or to make them in ("index"), each type as the database made them. */
#define OBJECTS_SQL \
  "SELECT type, name, tbl_name, sql FROM %s.sqlite_schema " \
  "WHERE type IN ('index', 'view', 'trigger') AND sql IS NOT NULL " \
  "ORDER BY CASE type WHEN ?1 THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid"

#define COLUMNS_SQL \
  "SELECT name, pk, hidden, type FROM pragma_table_xinfo (?1, ?2) ORDER BY cid"

/* The columns of each UNIQUE index (the primary key's too) of table ?1 in schema ?2; a
 * NULL name for an expression, and partial set where a WHERE clause picks the rows. */
#define UNIQUE_COLUMNS_SQL \
  "SELECT x.name, l.partial FROM pragma_index_list (?1, ?2) AS l " \
  "JOIN pragma_index_xinfo (l.name, ?2) AS x WHERE l.\"unique\" AND x.key AND x.cid <> -1"

/* A primary key of a rowid table that SQLite keeps in an index of its own: any but a
 * rowid's ("INTEGER PRIMARY KEY DESC" is one, a quirk SQLite keeps). */
#define PK_INDEX_SQL \
  "SELECT 1 FROM pragma_index_list (?1, ?2) WHERE origin = 'pk'"

#define TRIGGERS_SQL \
  "SELECT name FROM main.sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE"

#define STATISTICS_DIFFER_SQL \
  "SELECT 1 FROM (SELECT tbl, idx, stat FROM main.sqlite_stat1 " \
  "  EXCEPT SELECT tbl, idx, stat FROM branch.sqlite_stat1) " \
  "UNION ALL SELECT 1 FROM (SELECT tbl, idx, stat FROM branch.sqlite_stat1 " \
  "  EXCEPT SELECT tbl, idx, stat FROM main.sqlite_stat1) LIMIT 1"

#define SEQUENCES_DIFFER_SQL \
  "SELECT 1 FROM (SELECT name, seq FROM main.sqlite_sequence " \
  "  EXCEPT SELECT name, seq FROM branch.sqlite_sequence) " \
  "UNION ALL SELECT 1 FROM (SELECT name, seq FROM branch.sqlite_sequence " \
  "  EXCEPT SELECT name, seq FROM main.sqlite_sequence) LIMIT 1"

enum { OLD, NEW, N_SIDES };

static const char * const schema_names[N_SIDES] = { "main", "branch" };

struct _LhBranchDiff
{
  GObject parent_instance;

  /* owned */
  GPtrArray *schema_changes;
  GPtrArray *tables;
  char      *sql;
};

G_DEFINE_FINAL_TYPE (LhBranchDiff, lh_branch_diff, G_TYPE_OBJECT)

void
lh_table_diff_free (LhTableDiff *diff)
{
  if (diff == NULL)
    return;
  g_free (diff->table);
  g_free (diff->reason);
  g_free (diff);
}

/* Names. SQLite matches names without regard to ASCII case. */

static char *
fold (const char *name)
{
  return g_ascii_strdown (name, -1);
}

static GHashTable *
name_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
name_set_add (GHashTable *set,
              const char *name)
{
  g_hash_table_add (set, fold (name));
}

static gboolean
name_set_contains (GHashTable *set,
                   const char *name)
{
  g_autofree char *folded = fold (name);

  return g_hash_table_contains (set, folded);
}

/* "trigger\x1fname": triggers have names of their own, apart from the other objects. */
static char *
object_key (const char *type,
            const char *name)
{
  g_autofree char *folded = fold (name);

  return g_strconcat (type, "\x1f", folded, NULL);
}

/* Whether name is table's name, then "_" and more: the names of its shadow tables. */
static gboolean
is_named_after (const char *name,
                const char *table)
{
  gsize length = strlen (table);

  return g_ascii_strncasecmp (name, table, length) == 0 && name[length] == '_';
}

/* The tables of one database. */

typedef struct
{
  char     *name;
  char     *type;            /* pragma_table_list's: "table", "virtual" or "shadow" */
  char     *sql;
  gboolean  without_rowid;
} TableInfo;

typedef struct
{
  GPtrArray  *tables;        /* TableInfo, by name */
  GHashTable *by_name;       /* folded name → TableInfo */
} TableList;

static void
table_info_free (TableInfo *info)
{
  g_free (info->name);
  g_free (info->type);
  g_free (info->sql);
  g_free (info);
}

static void
table_list_free (TableList *list)
{
  g_ptr_array_unref (list->tables);
  g_hash_table_unref (list->by_name);
  g_free (list);
}

static TableInfo *
find_table (TableList  *list,
            const char *name)
{
  g_autofree char *folded = fold (name);

  return g_hash_table_lookup (list->by_name, folded);
}

/* The virtual table a shadow table stores rows for: the one with the longest name that,
 * with "_", starts the shadow table's. */
static TableInfo *
find_shadow_owner (TableList  *list,
                   const char *shadow)
{
  TableInfo *owner = NULL;

  for (guint i = 0; i < list->tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (list->tables, i);

      if (g_str_equal (info->type, "virtual") && is_named_after (shadow, info->name) &&
          (owner == NULL || strlen (info->name) > strlen (owner->name)))
        owner = info;
    }
  return owner;
}

static const char *
text_at (LhResultSet *rows,
         guint        row,
         guint        column)
{
  const LhValue *value = lh_result_set_get_value (rows, row, column);

  return value->kind == LH_VALUE_TEXT ? value->v.text.data : NULL;
}

static gint64
integer_at (LhResultSet *rows,
            guint        row,
            guint        column)
{
  const LhValue *value = lh_result_set_get_value (rows, row, column);

  return value->kind == LH_VALUE_INTEGER ? value->v.integer : 0;
}

/* The worker. */

typedef struct
{
  sqlite3      *db;
  GCancellable *cancellable;
  gulong        cancel_handler;
  TableList    *lists[N_SIDES];
  GHashTable   *dropped_tables;    /* folded names of tables removed or made anew */
  GHashTable   *made_tables;       /* folded names of tables added or made anew */
  GHashTable   *dropped_objects;   /* object_key() of indexes, views and triggers dropped */
  GHashTable   *made_objects;      /* object_key() of those made at the end */
  GString      *sql;
  GPtrArray    *summaries;         /* LhTableDiff */
  GHashTable   *summary_by_name;   /* folded name → LhTableDiff */
  guint         n_rows;            /* rows written, to look at the cancellable now and then */
  gboolean      autoincrement_rows; /* whether rows go into an AUTOINCREMENT table */
  GHashTable   *refilled_virtual;  /* folded names of virtual tables made anew for their rows */
  GHashTable   *compared_shadows;  /* folded names of shadow tables compared already */
} Differ;

static Differ *
differ_new (GCancellable *cancellable)
{
  Differ *differ = g_new0 (Differ, 1);

  differ->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  differ->dropped_tables = name_set_new ();
  differ->made_tables = name_set_new ();
  differ->dropped_objects = name_set_new ();
  differ->made_objects = name_set_new ();
  differ->refilled_virtual = name_set_new ();
  differ->compared_shadows = name_set_new ();
  differ->sql = g_string_new (NULL);
  differ->summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_table_diff_free);
  differ->summary_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return differ;
}

static void
differ_free (Differ *differ)
{
  /* Waits for a cancel handler running on another thread, before db goes. */
  if (differ->cancel_handler != 0)
    g_cancellable_disconnect (differ->cancellable, differ->cancel_handler);
  g_clear_pointer (&differ->db, sqlite3_close_v2);
  g_clear_object (&differ->cancellable);
  for (guint side = 0; side < N_SIDES; side++)
    g_clear_pointer (&differ->lists[side], table_list_free);
  g_hash_table_unref (differ->dropped_tables);
  g_hash_table_unref (differ->made_tables);
  g_hash_table_unref (differ->dropped_objects);
  g_hash_table_unref (differ->made_objects);
  g_hash_table_unref (differ->refilled_virtual);
  g_hash_table_unref (differ->compared_shadows);
  if (differ->sql != NULL)
    g_string_free (differ->sql, TRUE);
  g_ptr_array_unref (differ->summaries);
  g_hash_table_unref (differ->summary_by_name);
  g_free (differ);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Differ, differ_free)

static gboolean
check_cancelled (Differ  *differ,
                 GError **error)
{
  return !g_cancellable_set_error_if_cancelled (differ->cancellable, error);
}

static LhResultSet *query (Differ      *differ,
                           GError     **error,
                           const char  *sql,
                           ...) G_GNUC_NULL_TERMINATED;

/* The rows of sql, run with the text parameters that follow it. */
static LhResultSet *
query (Differ      *differ,
       GError     **error,
       const char  *sql,
       ...)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  const char *param;
  va_list args;

  va_start (args, sql);
  while ((param = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (params, lh_value_new_text (param, -1));
  va_end (args);
  return lh_sqlite_execute (differ->db, sql, params, 0, NULL, error);
}

/* The module of virtual table info, of the database of side, when this connection does not
 * have it (no extension loaded it): its rows cannot be read. NULL when it has it. */
static char *
missing_module (Differ          *differ,
                guint            side,
                const TableInfo *info)
{
  static const char prefix[] = "no such module: ";
  g_autoptr(GString) sql = g_string_new ("SELECT * FROM ");
  sqlite3_stmt *stmt = NULL;
  char *module = NULL;

  if (!g_str_equal (info->type, "virtual"))
    return NULL;
  g_string_append_printf (sql, "%s.", schema_names[side]);
  lh_sql_append_identifier (sql, info->name);
  g_string_append (sql, " LIMIT 0");
  if (sqlite3_prepare_v2 (differ->db, sql->str, -1, &stmt, NULL) != SQLITE_OK &&
      g_str_has_prefix (sqlite3_errmsg (differ->db), prefix))
    module = g_strdup (sqlite3_errmsg (differ->db) + strlen (prefix));
  sqlite3_finalize (stmt);
  return module;
}

/* The summary of a table, made on first use. */
static LhTableDiff *
summary_for (Differ     *differ,
             const char *table)
{
  char *folded = fold (table);
  LhTableDiff *summary = g_hash_table_lookup (differ->summary_by_name, folded);

  if (summary != NULL)
    {
      g_free (folded);
      return summary;
    }
  summary = g_new0 (LhTableDiff, 1);
  summary->table = g_strdup (table);
  g_ptr_array_add (differ->summaries, summary);
  g_hash_table_insert (differ->summary_by_name, folded, summary);
  return summary;
}

static void
set_reason (LhTableDiff *summary,
            const char  *reason)
{
  g_free (summary->reason);
  summary->reason = g_strdup (reason);
}

static void set_reason_printf (LhTableDiff *summary,
                               const char  *format,
                               ...) G_GNUC_PRINTF (2, 3);

static void
set_reason_printf (LhTableDiff *summary,
                   const char  *format,
                   ...)
{
  va_list args;

  g_free (summary->reason);
  va_start (args, format);
  summary->reason = g_strdup_vprintf (format, args);
  va_end (args);
}

/* Opening both files. */

static void
interrupt_cb (GCancellable *cancellable,
              sqlite3      *db)
{
  sqlite3_interrupt (db);
}

static int
progress_cb (void *cancellable)
{
  return g_cancellable_is_cancelled (cancellable);
}

/* Runs sql (with one text parameter, or none) for its effect; an error names path. */
static gboolean
run_naming (sqlite3     *db,
            const char  *sql,
            const char  *param,
            const char  *path,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK && param != NULL)
    rc = sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
    g_propagate_error (error, lh_sqlite_error (db, rc, path));
  sqlite3_finalize (stmt);
  return rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* A "file:" URI that opens path read-only, whatever characters it holds. */
static char *
read_only_uri (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *uri = g_filename_to_uri (absolute, NULL, NULL);

  return g_strconcat (uri, "?mode=ro", NULL);
}

/* Reading the schema is where a file that is not a database shows itself. */
static gboolean
open_databases (Differ             *differ,
                const char * const *paths,
                GError            **error)
{
  g_autofree char *old_uri = read_only_uri (paths[OLD]);
  g_autofree char *new_uri = read_only_uri (paths[NEW]);
  int rc = sqlite3_open_v2 (old_uri, &differ->db,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE, NULL);

  if (rc != SQLITE_OK)
    {
      g_propagate_error (error, lh_sqlite_error (differ->db, rc, paths[OLD]));
      return FALSE;
    }
  sqlite3_busy_timeout (differ->db, LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS);
  /* A quoted name that is no column is an error, never a string. */
  sqlite3_db_config (differ->db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
  sqlite3_db_config (differ->db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);
  if (differ->cancellable != NULL)
    {
      sqlite3_progress_handler (differ->db, PROGRESS_STEPS, progress_cb, differ->cancellable);
      differ->cancel_handler = g_cancellable_connect (differ->cancellable,
                                                      G_CALLBACK (interrupt_cb), differ->db, NULL);
    }
  return run_naming (differ->db, "SELECT count(*) FROM main.sqlite_schema", NULL, paths[OLD],
                     error) &&
         run_naming (differ->db, "ATTACH DATABASE ?1 AS branch", new_uri, paths[NEW], error) &&
         run_naming (differ->db, "SELECT count(*) FROM branch.sqlite_schema", NULL, paths[NEW],
                     error) &&
         run_naming (differ->db, "BEGIN", NULL, NULL, error);
}

static TableList *
load_table_list (Differ  *differ,
                 guint    side,
                 GError **error)
{
  g_autofree char *sql = g_strdup_printf (TABLES_SQL, schema_names[side]);
  g_autoptr(LhResultSet) rows = query (differ, error, sql, schema_names[side], NULL);
  TableList *list;

  if (rows == NULL)
    return NULL;
  list = g_new0 (TableList, 1);
  list->tables = g_ptr_array_new_with_free_func ((GDestroyNotify) table_info_free);
  list->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint r = 0; r < lh_result_set_get_n_rows (rows); r++)
    {
      TableInfo *info = g_new0 (TableInfo, 1);

      info->name = g_strdup (text_at (rows, r, 0));
      info->type = g_strdup (text_at (rows, r, 1));
      info->without_rowid = integer_at (rows, r, 2) != 0;
      info->sql = g_strdup (text_at (rows, r, 3));
      g_ptr_array_add (list->tables, info);
      g_hash_table_insert (list->by_name, fold (info->name), info);
    }
  return list;
}

static gboolean
load_table_lists (Differ  *differ,
                  GError **error)
{
  for (guint side = 0; side < N_SIDES; side++)
    {
      differ->lists[side] = load_table_list (differ, side, error);
      if (differ->lists[side] == NULL)
        return FALSE;
    }
  return TRUE;
}

/* What the schema diff found decides which tables are made anew and which objects are
 * dropped and made. A table with a column changed is made anew, even for a column added
 * at the end, which ALTER TABLE could add: only then is its CREATE statement the new one,
 * word for word. */
static void
classify_changes (Differ    *differ,
                  GPtrArray *changes)
{
  for (guint i = 0; i < changes->len; i++)
    {
      LhSchemaChange *change = g_ptr_array_index (changes, i);
      gboolean drops = change->kind != LH_SCHEMA_ADDED;
      gboolean makes = change->kind != LH_SCHEMA_REMOVED;

      if (g_str_equal (change->type, "column"))
        {
          name_set_add (differ->dropped_tables, change->table);
          name_set_add (differ->made_tables, change->table);
        }
      else if (g_str_equal (change->type, "table"))
        {
          if (drops)
            name_set_add (differ->dropped_tables, change->name);
          if (makes)
            name_set_add (differ->made_tables, change->name);
        }
      else
        {
          if (drops)
            g_hash_table_add (differ->dropped_objects, object_key (change->type, change->name));
          if (makes)
            g_hash_table_add (differ->made_objects, object_key (change->type, change->name));
        }
    }
}

/* The columns of a table, and the key its rows are matched by. */

typedef struct
{
  char      *name;
  gboolean   without_rowid;
  gboolean   integer_key;   /* its INTEGER PRIMARY KEY is the rowid */
  char      *rowid;         /* the rowid's name no column hides, when it is no column */
  GPtrArray *columns;       /* every column's name, in order */
  GPtrArray *writable;      /* those not generated */
  GPtrArray *primary_key;   /* in the key's order */
  /* Set by plan_set_key(): */
  GPtrArray *key;           /* what identifies a row: primary key columns, or the rowid */
  GPtrArray *values;        /* the writable columns besides */
  GPtrArray *row;           /* key then values: the columns an INSERT writes */
  gboolean   rowid_key;
  /* Set by find_unique_values(): the values a UNIQUE index holds (on either side). */
  GPtrArray *unique_values;
} TablePlan;

static void
table_plan_free (TablePlan *plan)
{
  g_free (plan->name);
  g_free (plan->rowid);
  g_ptr_array_unref (plan->columns);
  g_ptr_array_unref (plan->writable);
  g_ptr_array_unref (plan->primary_key);
  g_clear_pointer (&plan->key, g_ptr_array_unref);
  g_clear_pointer (&plan->values, g_ptr_array_unref);
  g_clear_pointer (&plan->row, g_ptr_array_unref);
  g_clear_pointer (&plan->unique_values, g_ptr_array_unref);
  g_free (plan);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TablePlan, table_plan_free)

static gboolean
contains_folded (GPtrArray  *names,
                 const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (names, i), name) == 0)
      return TRUE;
  return FALSE;
}

/* rowid, _rowid_ or oid, whichever no column took; NULL when all three are columns. */
static char *
dup_rowid_name (GPtrArray *columns)
{
  static const char * const names[] = { "rowid", "_rowid_", "oid" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (!contains_folded (columns, names[i]))
      return g_strdup (names[i]);
  return NULL;
}

static TablePlan *
load_plan (Differ     *differ,
           guint       side,
           TableInfo  *info,
           GError    **error)
{
  g_autoptr(LhResultSet) rows = query (differ, error, COLUMNS_SQL, info->name, schema_names[side],
                                       NULL);
  g_autoptr(TablePlan) plan = NULL;
  guint n_rows;

  if (rows == NULL)
    return NULL;
  n_rows = lh_result_set_get_n_rows (rows);
  plan = g_new0 (TablePlan, 1);
  plan->name = g_strdup (info->name);
  plan->without_rowid = info->without_rowid;
  plan->columns = g_ptr_array_new_with_free_func (g_free);
  plan->writable = g_ptr_array_new ();
  plan->primary_key = g_ptr_array_new ();
  for (guint r = 0; r < n_rows; r++)
    {
      char *name = g_strdup (text_at (rows, r, 0));
      gint64 position = integer_at (rows, r, 1);
      gint64 hidden = integer_at (rows, r, 2);
      const char *type = text_at (rows, r, 3);

      g_ptr_array_add (plan->columns, name);
      /* 2 and 3: generated columns, which no statement writes. */
      if (hidden != 2 && hidden != 3)
        g_ptr_array_add (plan->writable, name);
      if (position > 0 && position <= n_rows)
        {
          if (plan->primary_key->len < position)
            g_ptr_array_set_size (plan->primary_key, position);
          g_ptr_array_index (plan->primary_key, position - 1) = name;
          plan->integer_key = type != NULL && g_ascii_strcasecmp (type, "INTEGER") == 0;
        }
    }
  plan->integer_key = plan->integer_key && !plan->without_rowid && plan->primary_key->len == 1;
  if (plan->integer_key)
    {
      g_autoptr(LhResultSet) index = query (differ, error, PK_INDEX_SQL, info->name,
                                            schema_names[side], NULL);

      if (index == NULL)
        return NULL;
      plan->integer_key = lh_result_set_get_n_rows (index) == 0;
    }
  if (!plan->without_rowid && !plan->integer_key)
    plan->rowid = dup_rowid_name (plan->columns);
  return g_steal_pointer (&plan);
}

/* Matches rows by their rowid, or by their primary key. */
static void
plan_set_key (TablePlan *plan,
              gboolean   rowid_key)
{
  g_clear_pointer (&plan->key, g_ptr_array_unref);
  g_clear_pointer (&plan->values, g_ptr_array_unref);
  g_clear_pointer (&plan->row, g_ptr_array_unref);
  plan->rowid_key = rowid_key;
  plan->key = g_ptr_array_new ();
  plan->values = g_ptr_array_new ();
  plan->row = g_ptr_array_new ();
  if (rowid_key)
    g_ptr_array_add (plan->key, plan->rowid);
  else
    g_ptr_array_extend (plan->key, plan->primary_key, NULL, NULL);
  for (guint i = 0; i < plan->writable->len; i++)
    {
      char *name = g_ptr_array_index (plan->writable, i);

      if (rowid_key || !g_ptr_array_find (plan->primary_key, name, NULL))
        g_ptr_array_add (plan->values, name);
    }
  g_ptr_array_extend (plan->row, plan->key, NULL, NULL);
  g_ptr_array_extend (plan->row, plan->values, NULL, NULL);
}

static gboolean
same_columns (TablePlan *a,
              TablePlan *b)
{
  if (a->columns->len != b->columns->len || a->without_rowid != b->without_rowid)
    return FALSE;
  for (guint i = 0; i < a->columns->len; i++)
    if (!g_str_equal (g_ptr_array_index (a->columns, i), g_ptr_array_index (b->columns, i)))
      return FALSE;
  return TRUE;
}

/* Writing queries. */

/* "m.a, m.b": names quoted, each after alias and a dot unless alias is NULL. */
static void
append_columns (GString    *sql,
                const char *alias,
                GPtrArray  *names)
{
  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      if (alias != NULL)
        g_string_append_printf (sql, "%s.", alias);
      lh_sql_append_identifier (sql, g_ptr_array_index (names, i));
    }
}

static void
append_table (GString    *sql,
              const char *schema,
              const char *table,
              const char *alias)
{
  g_string_append_printf (sql, "%s.", schema);
  lh_sql_append_identifier (sql, table);
  if (alias != NULL)
    g_string_append_printf (sql, " AS %s", alias);
}

/* Row m and row b have the same key: equal as the column compares (so that its index
 * finds the row), and the very same value. */
static void
append_same_key_of (GString    *sql,
                    TablePlan  *plan,
                    const char *m,
                    const char *b)
{
  for (guint i = 0; i < plan->key->len; i++)
    {
      g_autofree char *column = lh_sql_quote_identifier (g_ptr_array_index (plan->key, i));

      if (i > 0)
        g_string_append (sql, " AND ");
      g_string_append_printf (sql, "%2$s.%1$s = %3$s.%1$s", column, m, b);
      if (!plan->rowid_key)
        g_string_append_printf (sql, " AND %2$s.%1$s = %3$s.%1$s COLLATE BINARY"
                                " AND typeof (%2$s.%1$s) = typeof (%3$s.%1$s)", column, m, b);
    }
}

static void
append_same_key (GString   *sql,
                 TablePlan *plan)
{
  append_same_key_of (sql, plan, "m", "b");
}

/* 1 when column differs between row m (of the old database) and row b (of the new). */
static void
append_column_differs_of (GString    *sql,
                          const char *name,
                          const char *m,
                          const char *b)
{
  g_autofree char *column = lh_sql_quote_identifier (name);

  g_string_append_printf (sql, "(%2$s.%1$s IS NOT %3$s.%1$s COLLATE BINARY"
                          " OR typeof (%2$s.%1$s) <> typeof (%3$s.%1$s))", column, m, b);
}

static void
append_column_differs (GString    *sql,
                       const char *name)
{
  append_column_differs_of (sql, name, "m", "b");
}

/* The keys of the old database's rows that the new one has no row with the same key for:
 * the rows removed. */
static char *
removed_rows_sql (TablePlan *plan)
{
  GString *sql = g_string_new ("SELECT ");

  append_columns (sql, "m", plan->key);
  g_string_append (sql, " FROM ");
  append_table (sql, "main", plan->name, "m");
  g_string_append (sql, " WHERE NOT EXISTS (SELECT 1 FROM ");
  append_table (sql, "branch", plan->name, "b");
  g_string_append (sql, " WHERE ");
  append_same_key (sql, plan);
  g_string_append (sql, ")");
  return g_string_free (sql, FALSE);
}

/* "(differs) OR (differs) …" for each of columns. */
static void
append_any_differs (GString   *sql,
                    GPtrArray *columns)
{
  for (guint i = 0; i < columns->len; i++)
    {
      if (i > 0)
        g_string_append (sql, " OR ");
      append_column_differs (sql, g_ptr_array_index (columns, i));
    }
}

/* Which of the changed rows a query picks. */
typedef enum
{
  CHANGED_ALL,
  CHANGED_UNIQUE,   /* those with a new value in a UNIQUE index */
  CHANGED_OTHERS,   /* the rest */
} ChangedRows;

/* The rows in both whose values differ, those of which: the key, then (but for
 * CHANGED_UNIQUE, whose rows are deleted) for each value column whether it differs and its
 * new value. */
static char *
changed_rows_sql (TablePlan   *plan,
                  ChangedRows  which)
{
  GString *sql = g_string_new ("SELECT ");

  append_columns (sql, "m", plan->key);
  for (guint i = 0; which != CHANGED_UNIQUE && i < plan->values->len; i++)
    {
      g_string_append (sql, ", ");
      append_column_differs (sql, g_ptr_array_index (plan->values, i));
      g_string_append (sql, ", b.");
      lh_sql_append_identifier (sql, g_ptr_array_index (plan->values, i));
    }
  g_string_append (sql, " FROM ");
  append_table (sql, "main", plan->name, "m");
  g_string_append (sql, " JOIN ");
  append_table (sql, "branch", plan->name, "b");
  g_string_append (sql, " ON ");
  append_same_key (sql, plan);
  g_string_append (sql, " WHERE (");
  append_any_differs (sql, plan->values);
  g_string_append (sql, ")");
  if (which != CHANGED_ALL)
    {
      g_string_append (sql, which == CHANGED_UNIQUE ? " AND (" : " AND NOT (");
      append_any_differs (sql, plan->unique_values);
      g_string_append (sql, ")");
    }
  return g_string_free (sql, FALSE);
}

static char *
all_rows_sql (TablePlan *plan)
{
  GString *sql = g_string_new ("SELECT ");

  append_columns (sql, NULL, plan->row);
  g_string_append (sql, " FROM ");
  append_table (sql, "branch", plan->name, NULL);
  return g_string_free (sql, FALSE);
}

/* Writing the script's statements. */

typedef void (*RowFunc) (GString       *sql,
                         const LhValue *row,
                         gpointer       data);

static void
append_literal (GString       *sql,
                const LhValue *value)
{
  g_autofree char *literal = lh_value_to_sql_literal (value);

  g_string_append (sql, literal);
}

/* statement, then ";" — on a line of its own after a "--" comment that SQLite kept at
 * the end of a CREATE statement, which would hide it. */
static void
append_statement (GString    *sql,
                  const char *statement)
{
  const char *last_line = strrchr (statement, '\n');

  g_string_append (sql, statement);
  if (strstr (last_line != NULL ? last_line : statement, "--") != NULL)
    g_string_append_c (sql, '\n');
  g_string_append (sql, ";\n");
}

/* "DROP INDEX "name";" */
static void
append_drop (GString    *sql,
             const char *type,
             const char *name)
{
  g_autofree char *keyword = g_ascii_strup (type, -1);

  g_string_append_printf (sql, "DROP %s ", keyword);
  lh_sql_append_identifier (sql, name);
  g_string_append (sql, ";\n");
}

/* "DROP TABLE IF EXISTS "name";" */
static void
append_drop_if_exists (GString    *sql,
                       const char *table)
{
  g_string_append (sql, "DROP TABLE IF EXISTS ");
  lh_sql_append_identifier (sql, table);
  g_string_append (sql, ";\n");
}

/* " WHERE "k" = 1 AND …", from the key's values at the start of row. */
static void
append_key_condition (GString       *sql,
                      TablePlan     *plan,
                      const LhValue *row)
{
  for (guint i = 0; i < plan->key->len; i++)
    {
      g_string_append (sql, i == 0 ? " WHERE " : " AND ");
      lh_sql_append_identifier (sql, g_ptr_array_index (plan->key, i));
      g_string_append (sql, " = ");
      append_literal (sql, &row[i]);
    }
}

/* A row of removed_rows_sql (plan), or a key to delete. */
static void
write_delete (GString       *sql,
              const LhValue *row,
              gpointer       data)
{
  TablePlan *plan = data;

  g_string_append (sql, "DELETE FROM ");
  lh_sql_append_identifier (sql, plan->name);
  append_key_condition (sql, plan, row);
  g_string_append (sql, ";\n");
}

/* A row of changed_rows_sql (plan): only the columns that differ are set. */
static void
write_update (GString       *sql,
              const LhValue *row,
              gpointer       data)
{
  TablePlan *plan = data;
  const char *separator = " SET ";

  g_string_append (sql, "UPDATE ");
  lh_sql_append_identifier (sql, plan->name);
  for (guint i = 0; i < plan->values->len; i++)
    {
      const LhValue *differs = &row[plan->key->len + 2 * i];

      if (differs->kind != LH_VALUE_INTEGER || differs->v.integer == 0)
        continue;
      g_string_append (sql, separator);
      lh_sql_append_identifier (sql, g_ptr_array_index (plan->values, i));
      g_string_append (sql, " = ");
      append_literal (sql, differs + 1);
      separator = ", ";
    }
  append_key_condition (sql, plan, row);
  g_string_append (sql, ";\n");
}

/* A row of the INSERT writer data. */
static void
write_insert (GString       *sql,
              const LhValue *row,
              gpointer       data)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  g_ptr_array_add (rows, (gpointer) row);
  lh_row_writer_add (data, sql, rows);
}

static LhRowWriter *
insert_writer (const char *table,
               GPtrArray  *columns)
{
  return lh_row_writer_new (LH_ROW_FORMAT_SQL, table, (const char * const *) columns->pdata,
                            columns->len, FALSE);
}

/* Writes a statement for each row of query_sql with write_row, counting them in n_rows. */
static gboolean
stream_rows (Differ      *differ,
             const char  *query_sql,
             RowFunc      write_row,
             gpointer     data,
             guint       *n_rows,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree LhValue *row = NULL;
  int n_columns;
  int rc = sqlite3_prepare_v2 (differ->db, query_sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      g_propagate_error (error, lh_sqlite_error (differ->db, rc, NULL));
      return FALSE;
    }
  n_columns = sqlite3_column_count (stmt);
  row = g_new0 (LhValue, n_columns);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      lh_sqlite_read_row (stmt, row);
      write_row (differ->sql, row, data);
      for (int i = 0; i < n_columns; i++)
        lh_value_clear (&row[i]);
      (*n_rows)++;
      if (++differ->n_rows % CANCEL_CHECK_ROWS == 0 && !check_cancelled (differ, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    g_propagate_error (error, lh_sqlite_error (differ->db, rc, NULL));
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* 1. Dropping. */

static gboolean
count_rows (Differ     *differ,
            const char *table,
            guint      *n_rows,
            GError    **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT count(*) FROM ");
  g_autoptr(LhResultSet) rows = NULL;

  append_table (sql, "main", table, NULL);
  rows = query (differ, error, sql->str, NULL);
  if (rows == NULL)
    return FALSE;
  *n_rows = integer_at (rows, 0, 0);
  return TRUE;
}

static gboolean
drop_objects (Differ  *differ,
              GError **error)
{
  g_autofree char *sql = g_strdup_printf (OBJECTS_SQL, "main");
  g_autoptr(LhResultSet) rows = query (differ, error, sql, "trigger", NULL);

  if (rows == NULL)
    return FALSE;
  for (guint r = 0; r < lh_result_set_get_n_rows (rows); r++)
    {
      g_autofree char *key = object_key (text_at (rows, r, 0), text_at (rows, r, 1));

      if (g_hash_table_contains (differ->dropped_objects, key))
        append_drop (differ->sql, text_at (rows, r, 0), text_at (rows, r, 1));
    }
  return TRUE;
}

/* Whether info, no virtual table, is named after one the script drops. */
static gboolean
is_named_after_dropped (Differ    *differ,
                        TableInfo *info)
{
  TableInfo *owner = find_shadow_owner (differ->lists[OLD], info->name);

  return !g_str_equal (info->type, "virtual") && owner != NULL &&
         name_set_contains (differ->dropped_tables, owner->name);
}

/* After virtual_table is dropped: the tables SQLite counts as its shadow tables by their
 * names that its module did not drop with it (an external content table named so), where
 * the new database has them otherwise or not at all. */
static void
drop_foreign_shadows (Differ    *differ,
                      TableInfo *virtual_table)
{
  TableList *list = differ->lists[OLD];

  for (guint i = 0; i < list->tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (list->tables, i);
      TableInfo *other;

      if (!g_str_equal (info->type, "shadow") ||
          find_shadow_owner (list, info->name) != virtual_table)
        continue;
      other = find_table (differ->lists[NEW], info->name);
      if (other != NULL && g_strcmp0 (info->sql, other->sql) == 0)
        continue;
      append_drop_if_exists (differ->sql, info->name);
    }
}

static gboolean
drop_tables (Differ  *differ,
             GError **error)
{
  GPtrArray *tables = differ->lists[OLD]->tables;

  for (guint i = 0; i < tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (tables, i);
      LhTableDiff *summary;

      if (!name_set_contains (differ->dropped_tables, info->name))
        continue;
      summary = summary_for (differ, info->name);
      if (!name_set_contains (differ->made_tables, info->name))
        set_reason (summary, _("The table was removed: the script drops it with all its rows."));
      /* A virtual table's module may be missing: its rows go uncounted. */
      if (!g_str_equal (info->type, "virtual") &&
          !count_rows (differ, info->name, &summary->removed, error))
        return FALSE;
      if (is_named_after_dropped (differ, info))
        {
          /* Its virtual table's module (known where the script runs) may have dropped it. */
          append_drop_if_exists (differ->sql, info->name);
        }
      else
        append_drop (differ->sql, "table", info->name);
      if (g_str_equal (info->type, "virtual"))
        drop_foreign_shadows (differ, info);
    }
  return TRUE;
}

/* 2. Making tables. */

/* All the rows of a table of the new database (with their rowids). */
static gboolean
fill_table (Differ     *differ,
            TableInfo  *info,
            guint      *n_rows,
            GError    **error)
{
  g_autoptr(TablePlan) plan = load_plan (differ, NEW, info, error);
  g_autoptr(LhRowWriter) writer = NULL;
  g_autofree char *sql = NULL;

  if (plan == NULL)
    return FALSE;
  plan_set_key (plan, plan->rowid != NULL);
  sql = all_rows_sql (plan);
  writer = insert_writer (plan->name, plan->row);
  return stream_rows (differ, sql, write_insert, writer, n_rows, error);
}

/* The tables that store the rows of a virtual table just made get the new database's
 * rows in place of those the module put there. */
static gboolean
fill_shadow_tables (Differ     *differ,
                    TableInfo  *virtual_table,
                    GError    **error)
{
  TableList *list = differ->lists[NEW];

  for (guint i = 0; i < list->tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (list->tables, i);
      g_autofree char *folded = NULL;
      LhTableDiff *summary;
      gboolean counted;
      guint n_rows = 0;

      if (!g_str_equal (info->type, "shadow") ||
          find_shadow_owner (list, info->name) != virtual_table)
        continue;
      /* Counted row by row already (find_refilled_virtual_tables()), or all new. */
      folded = fold (info->name);
      counted = g_hash_table_contains (differ->summary_by_name, folded);
      summary = summary_for (differ, info->name);
      if (!counted)
        {
          TableInfo *old = find_table (differ->lists[OLD], info->name);

          set_reason (summary, _("The table stores the rows of a virtual table that the script "
                                 "makes: it fills it with all its rows."));
          if (old != NULL && !g_str_equal (old->type, "virtual") &&
              !count_rows (differ, old->name, &summary->removed, error))
            return FALSE;
        }
      /* A table the module makes only once it needs it (FTS4's _stat) is made here. */
      if (info->sql != NULL && g_str_has_prefix (info->sql, "CREATE TABLE "))
        {
          g_string_append (differ->sql, "CREATE TABLE IF NOT EXISTS ");
          append_statement (differ->sql, info->sql + strlen ("CREATE TABLE "));
        }
      g_string_append (differ->sql, "DELETE FROM ");
      lh_sql_append_identifier (differ->sql, info->name);
      g_string_append (differ->sql, ";\n");
      if (!fill_table (differ, info, counted ? &n_rows : &summary->added, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
make_tables (Differ  *differ,
             GError **error)
{
  GPtrArray *tables = differ->lists[NEW]->tables;

  for (guint i = 0; i < tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (tables, i);
      g_autofree char *module = NULL;
      LhTableDiff *summary;
      gboolean filled;

      if (!name_set_contains (differ->made_tables, info->name))
        continue;
      if (!check_cancelled (differ, error))
        return FALSE;
      summary = summary_for (differ, info->name);
      module = missing_module (differ, NEW, info);
      if (module != NULL)
        set_reason_printf (summary, _("A virtual table of the module “%s”, which is not loaded "
                                      "here: its rows cannot be read. Tables named after it are "
                                      "copied as ordinary tables: check the script before "
                                      "running it where the module is loaded."), module);
      else if (name_set_contains (differ->refilled_virtual, info->name))
        set_reason (summary, _("A virtual table: its rows are compared in the tables that store "
                               "them. They changed, so the script makes it anew with all its "
                               "rows, which its module then reads afresh."));
      else
        set_reason (summary, name_set_contains (differ->dropped_tables, info->name)
                    ? _("The table’s definition changed: the script makes it anew with all its rows.")
                    : _("The table is new: the script makes it with all its rows."));
      append_statement (differ->sql, info->sql);
      if (g_str_equal (info->type, "virtual"))
        filled = fill_shadow_tables (differ, info, error);
      else
        filled = fill_table (differ, info, &summary->added, error);
      if (!filled)
        return FALSE;
    }
  return TRUE;
}

static gboolean is_autoincrement (TableInfo *info);

/* 3. Comparing rows. */

static gboolean
primary_key_has_null (Differ     *differ,
                      TablePlan  *plan,
                      gboolean   *has_null,
                      GError    **error)
{
  for (guint side = 0; side < N_SIDES && !*has_null; side++)
    {
      g_autoptr(GString) sql = g_string_new ("SELECT 1 FROM ");
      g_autoptr(LhResultSet) rows = NULL;

      append_table (sql, schema_names[side], plan->name, NULL);
      for (guint i = 0; i < plan->primary_key->len; i++)
        {
          g_string_append (sql, i == 0 ? " WHERE " : " OR ");
          lh_sql_append_identifier (sql, g_ptr_array_index (plan->primary_key, i));
          g_string_append (sql, " IS NULL");
        }
      g_string_append (sql, " LIMIT 1");
      rows = query (differ, error, sql->str, NULL);
      if (rows == NULL)
        return FALSE;
      *has_null = lh_result_set_get_n_rows (rows) > 0;
    }
  return TRUE;
}

/* The primary key, unless the table has none or (a rowid table) holds NULL in it, where
 * the rowid matches rows instead. FALSE in *usable when there is no rowid either. */
static gboolean
choose_key (Differ     *differ,
            TablePlan  *plan,
            gboolean   *usable,
            GError    **error)
{
  gboolean has_null = FALSE;
  gboolean rowid_key;

  if (!plan->without_rowid && !plan->integer_key && plan->primary_key->len > 0 &&
      !primary_key_has_null (differ, plan, &has_null, error))
    return FALSE;
  rowid_key = plan->primary_key->len == 0 || has_null;
  *usable = !rowid_key || plan->rowid != NULL;
  if (*usable)
    plan_set_key (plan, rowid_key);
  return TRUE;
}

/* Drops at mark, before the statements that change its rows, the triggers of table that
 * are not dropped already, and has them made again at the end. */
static gboolean
drop_triggers_at (Differ      *differ,
                  const char  *table,
                  gsize        mark,
                  GError     **error)
{
  g_autoptr(LhResultSet) rows = query (differ, error, TRIGGERS_SQL, table, NULL);
  g_autoptr(GString) drops = g_string_new (NULL);

  if (rows == NULL)
    return FALSE;
  for (guint r = 0; r < lh_result_set_get_n_rows (rows); r++)
    {
      char *key = object_key ("trigger", text_at (rows, r, 0));

      if (g_hash_table_contains (differ->dropped_objects, key))
        {
          g_free (key);
          continue;
        }
      append_drop (drops, "trigger", text_at (rows, r, 0));
      g_hash_table_add (differ->made_objects, g_strdup (key));
      g_hash_table_add (differ->dropped_objects, key);
    }
  g_string_insert_len (differ->sql, mark, drops->str, drops->len);
  return TRUE;
}

/* Adds name to values once if it is one of plan's values; FALSE if it is neither a value
 * nor in the key (a generated column, which any value may change). */
static gboolean
add_unique_value (TablePlan  *plan,
                  const char *name)
{
  for (guint i = 0; i < plan->values->len; i++)
    {
      char *value = g_ptr_array_index (plan->values, i);

      if (g_ascii_strcasecmp (value, name) != 0)
        continue;
      if (!g_ptr_array_find (plan->unique_values, value, NULL))
        g_ptr_array_add (plan->unique_values, value);
      return TRUE;
    }
  return contains_folded (plan->key, name);
}

/* The value columns of plan that a UNIQUE index of the table holds on either side; all of
 * them for an index on an expression, on a generated column or of some rows only. */
static gboolean
find_unique_values (Differ     *differ,
                    TablePlan  *plan,
                    GError    **error)
{
  plan->unique_values = g_ptr_array_new ();
  for (guint side = OLD; side < N_SIDES; side++)
    {
      g_autoptr(LhResultSet) rows = query (differ, error, UNIQUE_COLUMNS_SQL, plan->name,
                                           schema_names[side], NULL);

      if (rows == NULL)
        return FALSE;
      for (guint r = 0; r < lh_result_set_get_n_rows (rows); r++)
        {
          const char *name = text_at (rows, r, 0);

          if (name == NULL || integer_at (rows, r, 1) != 0 || !add_unique_value (plan, name))
            {
              g_ptr_array_set_size (plan->unique_values, 0);
              g_ptr_array_extend (plan->unique_values, plan->values, NULL, NULL);
              return TRUE;
            }
        }
    }
  return TRUE;
}

/* How inserted rows of a rowid table matched by its primary key get their rowid. */
typedef enum
{
  ROWID_NONE,   /* not written: the key is the rowid, or there is none */
  ROWID_KEPT,   /* the new database's, where no row that stays holds it */
  ROWID_NEW,    /* a new one, where one does (NULL: SQLite picks it) */
} RowidChoice;

/* Whether row b's rowid is free for it: no row that stays holds it (one in both databases,
 * not moved); those removed and moved are deleted before any insert. */
static void
append_rowid_free (GString   *sql,
                   TablePlan *plan)
{
  g_autofree char *rowid = lh_sql_quote_identifier (plan->rowid);

  g_string_append (sql, "NOT EXISTS (SELECT 1 FROM ");
  append_table (sql, "main", plan->name, "o");
  g_string_append (sql, " JOIN ");
  append_table (sql, "branch", plan->name, "n");
  g_string_append (sql, " ON ");
  append_same_key_of (sql, plan, "o", "n");
  g_string_append_printf (sql, " WHERE o.%1$s = b.%1$s", rowid);
  for (guint i = 0; plan->unique_values != NULL && i < plan->unique_values->len; i++)
    {
      g_string_append (sql, i == 0 ? " AND NOT (" : " OR ");
      append_column_differs_of (sql, g_ptr_array_index (plan->unique_values, i), "o", "n");
      if (i + 1 == plan->unique_values->len)
        g_string_append (sql, ")");
    }
  g_string_append (sql, ")");
}

/* The rows to insert, rowid (ROWID_KEPT, ROWID_NEW) then plan->row: those the new database
 * added, or (moved) those with a new value in a UNIQUE index. */
static char *
inserted_rows_sql (TablePlan   *plan,
                   gboolean     moved,
                   RowidChoice  rowid)
{
  GString *sql = g_string_new ("SELECT ");

  if (rowid == ROWID_KEPT)
    {
      g_string_append (sql, "b.");
      lh_sql_append_identifier (sql, plan->rowid);
      g_string_append (sql, ", ");
    }
  else if (rowid == ROWID_NEW)
    g_string_append (sql, "NULL, ");
  append_columns (sql, "b", plan->row);
  g_string_append (sql, " FROM ");
  if (moved)
    {
      append_table (sql, "main", plan->name, "m");
      g_string_append (sql, " JOIN ");
      append_table (sql, "branch", plan->name, "b");
      g_string_append (sql, " ON ");
      append_same_key (sql, plan);
      g_string_append (sql, " WHERE (");
      append_any_differs (sql, plan->values);
      g_string_append (sql, ") AND (");
      append_any_differs (sql, plan->unique_values);
      g_string_append (sql, ")");
    }
  else
    {
      append_table (sql, "branch", plan->name, "b");
      g_string_append (sql, " WHERE NOT EXISTS (SELECT 1 FROM ");
      append_table (sql, "main", plan->name, "m");
      g_string_append (sql, " WHERE ");
      append_same_key (sql, plan);
      g_string_append (sql, ")");
    }
  if (rowid != ROWID_NONE)
    {
      g_string_append (sql, rowid == ROWID_KEPT ? " AND " : " AND NOT ");
      append_rowid_free (sql, plan);
    }
  return g_string_free (sql, FALSE);
}

/* Inserts the rows added and, when moved, those deleted to be inserted again. A rowid
 * table matched by its primary key keeps the new database's rowids where it can (an
 * external-content FTS index refers to them): first the rows whose rowid is free, then
 * the others, with rowids SQLite picks past all those. */
static gboolean
stream_inserts (Differ       *differ,
                TablePlan    *plan,
                gboolean      moved,
                LhTableDiff  *summary,
                GError      **error)
{
  gboolean keep = plan->rowid != NULL && !plan->rowid_key;
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autoptr(LhRowWriter) writer = NULL;
  const RowidChoice kept[] = { ROWID_KEPT, ROWID_NEW };
  guint n_moved = 0;

  if (keep)
    g_ptr_array_add (columns, plan->rowid);
  g_ptr_array_extend (columns, plan->row, NULL, NULL);
  writer = insert_writer (plan->name, columns);
  for (guint pass = 0; pass < (keep ? G_N_ELEMENTS (kept) : 1); pass++)
    {
      RowidChoice rowid = keep ? kept[pass] : ROWID_NONE;
      g_autofree char *moved_sql = moved ? inserted_rows_sql (plan, TRUE, rowid) : NULL;
      g_autofree char *added_sql = inserted_rows_sql (plan, FALSE, rowid);

      if ((moved_sql != NULL &&
           !stream_rows (differ, moved_sql, write_insert, writer, &n_moved, error)) ||
          !stream_rows (differ, added_sql, write_insert, writer, &summary->added, error))
        return FALSE;
    }
  return TRUE;
}

/* Deletes, updates, inserts. A row with a new value in a UNIQUE index is deleted with the
 * rows removed and inserted with the rows added, not updated: an update would fail where
 * rows trade values (a swap of two e-mail addresses), each value still held by the other
 * row when its update runs. */
static gboolean
stream_differences (Differ       *differ,
                    TablePlan    *plan,
                    LhTableDiff  *summary,
                    GError      **error)
{
  g_autofree char *removed_sql = removed_rows_sql (plan);
  g_autofree char *moved_sql = NULL;
  g_autofree char *changed_sql = NULL;
  gboolean moved;

  if (!stream_rows (differ, removed_sql, write_delete, plan, &summary->removed, error))
    return FALSE;
  if (plan->values->len == 0)
    return stream_inserts (differ, plan, FALSE, summary, error);
  if (!find_unique_values (differ, plan, error))
    return FALSE;
  moved = plan->unique_values->len > 0;
  /* The moved rows' keys lead, as the rows removed lead with theirs. */
  if (moved)
    {
      moved_sql = changed_rows_sql (plan, CHANGED_UNIQUE);
      if (!stream_rows (differ, moved_sql, write_delete, plan, &summary->changed, error))
        return FALSE;
    }
  changed_sql = changed_rows_sql (plan, moved ? CHANGED_OTHERS : CHANGED_ALL);
  return stream_rows (differ, changed_sql, write_update, plan, &summary->changed, error) &&
         stream_inserts (differ, plan, moved, summary, error);
}

static gboolean
diff_table (Differ     *differ,
            TableInfo  *old_info,
            TableInfo  *new_info,
            GError    **error)
{
  g_autoptr(TablePlan) old_plan = load_plan (differ, OLD, old_info, error);
  g_autoptr(TablePlan) plan = old_plan != NULL ? load_plan (differ, NEW, new_info, error) : NULL;
  LhTableDiff *summary = summary_for (differ, new_info->name);
  gsize mark = differ->sql->len;
  gboolean usable;

  if (plan == NULL)
    return FALSE;
  if (!same_columns (old_plan, plan))
    {
      set_reason (summary, _("The table’s columns differ between the two databases: its rows "
                             "are not compared, and the script leaves them as they are."));
      return TRUE;
    }
  if (!choose_key (differ, plan, &usable, error))
    return FALSE;
  if (!usable)
    {
      set_reason (summary, _("The table has neither a primary key nor a rowid to match its "
                             "rows by: the script leaves them as they are."));
      return TRUE;
    }
  summary->compared = TRUE;
  if (!stream_differences (differ, plan, summary, error))
    return FALSE;
  if (summary->removed + summary->changed + summary->added == 0)
    return TRUE;
  /* Rows inserted (or deleted and inserted again) may raise its number past the new
   * database's. */
  if (summary->added + summary->changed > 0 && is_autoincrement (new_info))
    differ->autoincrement_rows = TRUE;
  return drop_triggers_at (differ, old_info->name, mark, error);
}

/* A shadow table of a virtual table made anew was filled with it. */
static gboolean
is_refilled (Differ    *differ,
             TableInfo *info)
{
  TableInfo *owner;

  if (!g_str_equal (info->type, "shadow"))
    return FALSE;
  owner = find_shadow_owner (differ->lists[NEW], info->name);
  return owner != NULL && name_set_contains (differ->made_tables, owner->name);
}

static gboolean
diff_tables (Differ  *differ,
             GError **error)
{
  GPtrArray *tables = differ->lists[OLD]->tables;

  for (guint i = 0; i < tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (tables, i);
      TableInfo *other = find_table (differ->lists[NEW], info->name);
      g_autofree char *module = NULL;

      if (other == NULL || name_set_contains (differ->dropped_tables, info->name) ||
          name_set_contains (differ->made_tables, info->name) || is_refilled (differ, other) ||
          name_set_contains (differ->compared_shadows, info->name))
        continue;
      if (!check_cancelled (differ, error))
        return FALSE;
      module = missing_module (differ, NEW, other);
      if (module != NULL)
        set_reason_printf (summary_for (differ, other->name),
                           _("A virtual table of the module “%s”, which is not loaded here: its "
                             "rows cannot be read. Tables named after it are compared as "
                             "ordinary tables."), module);
      else if (g_str_equal (other->type, "virtual"))
        set_reason (summary_for (differ, other->name),
                    _("A virtual table: its rows are compared in the tables that store them."));
      else if (!diff_table (differ, info, other, error))
        return FALSE;
    }
  return TRUE;
}

/* 4. sqlite_sequence. */

/* Whether one of SQLite's own tables, name, is in the database of side. */
static gboolean
has_own_table (Differ      *differ,
               guint        side,
               const char  *name,
               gboolean    *exists,
               GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s.sqlite_schema "
                                          "WHERE type = 'table' AND name = ?1", schema_names[side]);
  g_autoptr(LhResultSet) rows = query (differ, error, sql, name, NULL);

  if (rows == NULL)
    return FALSE;
  *exists = lh_result_set_get_n_rows (rows) > 0;
  return TRUE;
}

static gboolean
is_autoincrement (TableInfo *info)
{
  return info->sql != NULL && lh_sql_has_keyword (info->sql, "AUTOINCREMENT");
}

/* Whether an AUTOINCREMENT table is dropped or made: that changes its number. */
static gboolean
remakes_autoincrement (Differ *differ)
{
  for (guint side = 0; side < N_SIDES; side++)
    {
      GPtrArray *tables = differ->lists[side]->tables;

      for (guint i = 0; i < tables->len; i++)
        {
          TableInfo *info = g_ptr_array_index (tables, i);

          if ((name_set_contains (differ->dropped_tables, info->name) ||
               name_set_contains (differ->made_tables, info->name)) && is_autoincrement (info))
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
sequences_differ (Differ    *differ,
                  gboolean  *differ_out,
                  GError   **error)
{
  g_autoptr(LhResultSet) rows = query (differ, error, SEQUENCES_DIFFER_SQL, NULL);

  if (rows == NULL)
    return FALSE;
  *differ_out = lh_result_set_get_n_rows (rows) > 0;
  return TRUE;
}

/* Whether the script makes an AUTOINCREMENT table, which makes sqlite_sequence too. */
static gboolean
makes_autoincrement (Differ *differ)
{
  GPtrArray *tables = differ->lists[NEW]->tables;

  for (guint i = 0; i < tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (tables, i);

      if (name_set_contains (differ->made_tables, info->name) && is_autoincrement (info))
        return TRUE;
    }
  return FALSE;
}

/* sqlite_sequence, which only SQLite makes: with an AUTOINCREMENT table of a name neither
 * database has, made and dropped. */
static void
append_make_sequences (Differ *differ)
{
  g_autofree char *name = NULL;

  for (guint i = 0; name == NULL || find_table (differ->lists[OLD], name) != NULL ||
                    find_table (differ->lists[NEW], name) != NULL; i++)
    {
      g_free (name);
      name = i == 0 ? g_strdup ("litehouse_make_sqlite_sequence")
                    : g_strdup_printf ("litehouse_make_sqlite_sequence_%u", i);
    }
  g_string_append (differ->sql, "CREATE TABLE ");
  lh_sql_append_identifier (differ->sql, name);
  g_string_append (differ->sql, " (id INTEGER PRIMARY KEY AUTOINCREMENT);\n");
  append_drop (differ->sql, "table", name);
}

/* Inserting rows with their ids raises the numbers of their AUTOINCREMENT tables only
 * where the new database's are higher, so comparing the tables is enough, unless a table
 * was made anew or dropped, or rows went into one (its number in the new database may be
 * lower than its rows' ids, set so by hand). */
static gboolean
write_sequences (Differ  *differ,
                 GError **error)
{
  static const char * const columns[] = { "name", "seq" };
  gboolean exists[N_SIDES] = { FALSE, FALSE };
  gboolean rewrite = TRUE;
  g_autoptr(LhRowWriter) writer = NULL;
  g_autoptr(LhResultSet) any = NULL;
  guint n_rows = 0;

  if (!has_own_table (differ, OLD, "sqlite_sequence", &exists[OLD], error) ||
      !has_own_table (differ, NEW, "sqlite_sequence", &exists[NEW], error))
    return FALSE;
  if (!exists[OLD] && !exists[NEW])
    return TRUE;
  if (exists[OLD] && exists[NEW] && !remakes_autoincrement (differ) &&
      !differ->autoincrement_rows && !sequences_differ (differ, &rewrite, error))
    return FALSE;
  if (!rewrite)
    return TRUE;
  if (!exists[NEW])
    {
      append_statement (differ->sql, "DELETE FROM sqlite_sequence");
      return TRUE;
    }
  if (!exists[OLD] && !makes_autoincrement (differ))
    {
      /* Left by an AUTOINCREMENT table dropped since: made only when it holds a number. */
      any = query (differ, error, "SELECT 1 FROM branch.sqlite_sequence LIMIT 1", NULL);
      if (any == NULL)
        return FALSE;
      if (lh_result_set_get_n_rows (any) == 0)
        return TRUE;
      append_make_sequences (differ);
    }
  append_statement (differ->sql, "DELETE FROM sqlite_sequence");
  writer = lh_row_writer_new (LH_ROW_FORMAT_SQL, "sqlite_sequence", columns, 2, FALSE);
  return stream_rows (differ, "SELECT name, seq FROM branch.sqlite_sequence ORDER BY rowid",
                      write_insert, writer, &n_rows, error);
}

/* sqlite_stat1, the query planner's statistics that ANALYZE writes: the new database's,
 * where they differ. "ANALYZE sqlite_schema" makes the table (the schema table has no
 * index to write statistics of). */
static gboolean
write_statistics (Differ  *differ,
                  GError **error)
{
  static const char * const columns[] = { "tbl", "idx", "stat" };
  gboolean exists[N_SIDES] = { FALSE, FALSE };
  g_autoptr(LhRowWriter) writer = NULL;
  g_autoptr(LhResultSet) differs = NULL;
  guint n_rows = 0;

  if (!has_own_table (differ, OLD, "sqlite_stat1", &exists[OLD], error) ||
      !has_own_table (differ, NEW, "sqlite_stat1", &exists[NEW], error))
    return FALSE;
  if (!exists[OLD] && !exists[NEW])
    return TRUE;
  if (!exists[NEW])
    {
      append_drop (differ->sql, "table", "sqlite_stat1");
      return TRUE;
    }
  /* A table or index dropped took its statistics with it. */
  if (exists[OLD] && g_hash_table_size (differ->dropped_tables) == 0 &&
      g_hash_table_size (differ->dropped_objects) == 0)
    {
      differs = query (differ, error, STATISTICS_DIFFER_SQL, NULL);
      if (differs == NULL)
        return FALSE;
      if (lh_result_set_get_n_rows (differs) == 0)
        return TRUE;
    }
  else if (!exists[OLD])
    append_statement (differ->sql, "ANALYZE sqlite_schema");
  append_statement (differ->sql, "DELETE FROM sqlite_stat1");
  writer = lh_row_writer_new (LH_ROW_FORMAT_SQL, "sqlite_stat1", columns, 3, FALSE);
  return stream_rows (differ, "SELECT tbl, idx, stat FROM branch.sqlite_stat1 ORDER BY rowid",
                      write_insert, writer, &n_rows, error);
}

/* 5. Making indexes, views and triggers. */

/* Whether the script drops the view name (to make it anew, or for good). */
static gboolean
drops_view (Differ     *differ,
            const char *name)
{
  g_autofree char *key = object_key ("view", name);

  return g_hash_table_contains (differ->dropped_objects, key);
}

/* Whether table is a table that stores the rows of a virtual table the script makes. */
static gboolean
is_shadow_of_made (Differ     *differ,
                   const char *table)
{
  TableInfo *info = find_table (differ->lists[NEW], table);
  TableInfo *owner = info != NULL && g_str_equal (info->type, "shadow")
                     ? find_shadow_owner (differ->lists[NEW], table) : NULL;

  return owner != NULL && name_set_contains (differ->made_tables, owner->name);
}

/* statement, an index's or a trigger's CREATE as SQLite keeps it (from "CREATE INDEX" or
 * the like straight to its name), with IF NOT EXISTS. */
static void
append_if_not_exists (GString    *sql,
                      const char *statement)
{
  static const char * const starts[] = { "CREATE UNIQUE INDEX ", "CREATE INDEX ", "CREATE TRIGGER " };

  for (guint i = 0; i < G_N_ELEMENTS (starts); i++)
    if (g_str_has_prefix (statement, starts[i]))
      {
        g_autofree char *guarded = g_strconcat (starts[i], "IF NOT EXISTS ",
                                                statement + strlen (starts[i]), NULL);

        append_statement (sql, guarded);
        return;
      }
  append_statement (sql, statement);
}

static gboolean
make_objects (Differ  *differ,
              GError **error)
{
  g_autofree char *sql = g_strdup_printf (OBJECTS_SQL, "branch");
  g_autoptr(LhResultSet) rows = query (differ, error, sql, "index", NULL);

  if (rows == NULL)
    return FALSE;
  for (guint r = 0; r < lh_result_set_get_n_rows (rows); r++)
    {
      const char *type = text_at (rows, r, 0);
      g_autofree char *key = object_key (type, text_at (rows, r, 1));

      /* Dropping a table dropped its indexes and triggers too, and dropping a view its
       * INSTEAD OF triggers. */
      if (g_hash_table_contains (differ->made_objects, key) ||
          (!g_str_equal (type, "view") &&
           name_set_contains (differ->made_tables, text_at (rows, r, 2))) ||
          (g_str_equal (type, "trigger") && drops_view (differ, text_at (rows, r, 2))))
        append_statement (differ->sql, text_at (rows, r, 3));
      /* Dropping a virtual table dropped the tables that hold its rows, and what was on
       * them (which its module may or may not make again). */
      else if (!g_str_equal (type, "view") && is_shadow_of_made (differ, text_at (rows, r, 2)))
        append_if_not_exists (differ->sql, text_at (rows, r, 3));
    }
  return TRUE;
}

/* Whether the shadow tables of a virtual table in both databases differ: their rows are
 * compared (counted in their summaries; the statements are thrown away), and their names. */
static gboolean
shadow_tables_differ (Differ     *differ,
                      TableInfo  *old_table,
                      TableInfo  *new_table,
                      gboolean   *differs,
                      GError    **error)
{
  GString *script = differ->sql;
  gboolean ok = TRUE;

  *differs = FALSE;
  differ->sql = g_string_new (NULL);
  for (guint side = OLD; side < N_SIDES && ok; side++)
    {
      TableList *list = differ->lists[side];
      TableList *other_list = differ->lists[side == OLD ? NEW : OLD];
      TableInfo *owner = side == OLD ? old_table : new_table;
      TableInfo *other_owner = side == OLD ? new_table : old_table;

      for (guint i = 0; i < list->tables->len && ok; i++)
        {
          TableInfo *info = g_ptr_array_index (list->tables, i);
          TableInfo *other;
          LhTableDiff *summary;
          gsize before;

          if (!g_str_equal (info->type, "shadow") || find_shadow_owner (list, info->name) != owner)
            continue;
          other = find_table (other_list, info->name);
          if (other == NULL || !g_str_equal (other->type, "shadow") ||
              find_shadow_owner (other_list, other->name) != other_owner ||
              g_strcmp0 (info->sql, other->sql) != 0)
            {
              *differs = TRUE;
              continue;
            }
          if (side == NEW)
            continue;   /* compared from the old side */
          before = differ->sql->len;
          name_set_add (differ->compared_shadows, info->name);
          ok = diff_table (differ, info, other, error);
          summary = summary_for (differ, other->name);
          if (ok && (differ->sql->len != before || !summary->compared))
            *differs = TRUE;
        }
    }
  g_string_free (differ->sql, TRUE);
  differ->sql = script;
  return ok;
}

/* A virtual table whose rows changed is made anew, all its rows copied, rather than its
 * shadow tables changed row by row under it: a module that keeps what it read (FTS5, its
 * index's structure) would not see changes a connection that has read it makes that way. */
static gboolean
find_refilled_virtual_tables (Differ  *differ,
                              GError **error)
{
  GPtrArray *tables = differ->lists[NEW]->tables;

  for (guint i = 0; i < tables->len; i++)
    {
      TableInfo *info = g_ptr_array_index (tables, i);
      TableInfo *old = find_table (differ->lists[OLD], info->name);
      gboolean differs = FALSE;

      if (!g_str_equal (info->type, "virtual") || old == NULL ||
          !g_str_equal (old->type, "virtual") ||
          name_set_contains (differ->made_tables, info->name) ||
          name_set_contains (differ->dropped_tables, info->name))
        continue;
      if (!check_cancelled (differ, error) ||
          !shadow_tables_differ (differ, old, info, &differs, error))
        return FALSE;
      if (!differs)
        continue;
      name_set_add (differ->dropped_tables, info->name);
      name_set_add (differ->made_tables, info->name);
      name_set_add (differ->refilled_virtual, info->name);
    }
  return TRUE;
}

/* The script, in BEGIN … COMMIT; empty when the databases do not differ. Foreign keys
 * are off while it runs (outside its transaction, where the PRAGMA works): their actions
 * would change rows behind its back (a DROP TABLE of a table made anew deletes its rows
 * first, and ON DELETE CASCADE the rows that refer to them). They are on at its end, as
 * Litehouse's own connections have them. */
static gboolean
write_script (Differ     *differ,
              GPtrArray  *changes,
              GError    **error)
{
  gsize start;

  classify_changes (differ, changes);
  if (!find_refilled_virtual_tables (differ, error))
    return FALSE;
  append_statement (differ->sql, "PRAGMA foreign_keys = OFF");
  append_statement (differ->sql, "BEGIN");
  start = differ->sql->len;
  if (!drop_objects (differ, error) ||
      !drop_tables (differ, error) ||
      !make_tables (differ, error) ||
      !diff_tables (differ, error) ||
      !write_sequences (differ, error) ||
      !write_statistics (differ, error) ||
      !make_objects (differ, error))
    return FALSE;
  if (differ->sql->len == start)
    {
      g_string_truncate (differ->sql, 0);
      return TRUE;
    }
  append_statement (differ->sql, "COMMIT");
  append_statement (differ->sql, "PRAGMA foreign_keys = ON");
  return TRUE;
}

static int
compare_summaries (gconstpointer a,
                   gconstpointer b)
{
  const LhTableDiff *summary_a = *(LhTableDiff * const *) a;
  const LhTableDiff *summary_b = *(LhTableDiff * const *) b;
  int order = g_ascii_strcasecmp (summary_a->table, summary_b->table);

  return order != 0 ? order : strcmp (summary_a->table, summary_b->table);
}

/* The object. */

static void
lh_branch_diff_finalize (GObject *object)
{
  LhBranchDiff *self = LH_BRANCH_DIFF (object);

  g_clear_pointer (&self->schema_changes, g_ptr_array_unref);
  g_clear_pointer (&self->tables, g_ptr_array_unref);
  g_clear_pointer (&self->sql, g_free);

  G_OBJECT_CLASS (lh_branch_diff_parent_class)->finalize (object);
}

static void
lh_branch_diff_class_init (LhBranchDiffClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lh_branch_diff_finalize;
}

static void
lh_branch_diff_init (LhBranchDiff *self)
{
}

static LhBranchDiff *
lh_branch_diff_new (GPtrArray *changes,
                    Differ    *differ)
{
  LhBranchDiff *self = g_object_new (LH_TYPE_BRANCH_DIFF, NULL);

  self->schema_changes = g_ptr_array_ref (changes);
  g_ptr_array_sort (differ->summaries, compare_summaries);
  self->tables = g_ptr_array_ref (differ->summaries);
  self->sql = g_string_free (g_steal_pointer (&differ->sql), FALSE);
  return self;
}

/* Running it. */

typedef struct
{
  char         *paths[N_SIDES];
  LhConnection *connections[N_SIDES];
  GPtrArray    *changes;   /* LhSchemaChange */
} Job;

static void
job_free (Job *job)
{
  for (guint side = 0; side < N_SIDES; side++)
    {
      g_free (job->paths[side]);
      g_clear_object (&job->connections[side]);
    }
  g_clear_pointer (&job->changes, g_ptr_array_unref);
  g_free (job);
}

static void
diff_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(Differ) differ = differ_new (cancellable);
  GError *error = NULL;

  if (!open_databases (differ, (const char * const *) job->paths, &error) ||
      !load_table_lists (differ, &error) ||
      !write_script (differ, job->changes, &error))
    {
      /* Whatever SQLite said as it was interrupted, it was a cancel. */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&error);
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       _("Comparing the databases was cancelled."));
        }
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, lh_branch_diff_new (job->changes, differ), g_object_unref);
}

static void
schema_diffed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  job->changes = lh_schema_diff_finish (result, &error);
  for (guint side = 0; side < N_SIDES; side++)
    g_clear_object (&job->connections[side]);
  if (job->changes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, diff_thread);
}

static void open_next (GTask *task);

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  LhLocalConnection *connection = lh_local_connection_open_finish (result, &error);

  if (connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->connections[job->connections[OLD] == NULL ? OLD : NEW] = LH_CONNECTION (connection);
  open_next (g_steal_pointer (&task));
}

/* Opens the old database, then the new one, then compares their schemas (task taken). */
static void
open_next (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint side = job->connections[OLD] == NULL ? OLD : job->connections[NEW] == NULL ? NEW : N_SIDES;

  if (side < N_SIDES)
    lh_local_connection_open_async (job->paths[side], LH_LOCAL_OPEN_READ_ONLY,
                                    LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS, cancellable,
                                    opened_cb, task);
  else
    lh_schema_diff_async (job->connections[OLD], job->connections[NEW], cancellable,
                          schema_diffed_cb, task);
}

/* Compares the database at new_path (a branch, say) with the one at old_path (its
 * parent), both opened read-only: see lh-branch-diff.h. */
void
lh_branch_diff_async (const char          *old_path,
                      const char          *new_path,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (old_path != NULL);
  g_return_if_fail (new_path != NULL);

  job = g_new0 (Job, 1);
  job->paths[OLD] = g_strdup (old_path);
  job->paths[NEW] = g_strdup (new_path);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_branch_diff_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* A cancel is reported in our words, by whichever step it stopped. */
  g_task_set_check_cancellable (task, FALSE);
  open_next (g_steal_pointer (&task));
}

LhBranchDiff *
lh_branch_diff_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_branch_diff_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The LhSchemaChange of lh_schema_diff_async(), in its order. */
GPtrArray *
lh_branch_diff_get_schema_changes (LhBranchDiff *self)
{
  g_return_val_if_fail (LH_IS_BRANCH_DIFF (self), NULL);
  return self->schema_changes;
}

/* The LhTableDiff of each table compared, added, removed or made anew, by name. */
GPtrArray *
lh_branch_diff_get_tables (LhBranchDiff *self)
{
  g_return_val_if_fail (LH_IS_BRANCH_DIFF (self), NULL);
  return self->tables;
}

/* The script that turns the old database into the new one; "" when they do not differ. */
const char *
lh_branch_diff_get_sql (LhBranchDiff *self)
{
  g_return_val_if_fail (LH_IS_BRANCH_DIFF (self), NULL);
  return self->sql;
}
