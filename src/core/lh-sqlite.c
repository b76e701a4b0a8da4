/* lh-sqlite.c — running one statement on an sqlite3 handle into an LhResultSet, and the
 * messages a person reads when SQLite says no. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-error.h"
#include "lh-script.h"
#include "lh-sqlite-private.h"

/* path names the file when the error comes from opening it, NULL otherwise. */
GError *
lh_sqlite_error (sqlite3    *db,
                 int         rc,
                 const char *path)
{
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int offset = db != NULL ? sqlite3_error_offset (db) : -1;

  switch (rc & 0xff)
    {
    case SQLITE_INTERRUPT:
      return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                  _("The statement was cancelled."));
    case SQLITE_NOTADB:
      return path != NULL
        ? g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_A_DATABASE,
                       _("“%s” is not an SQLite database."), path)
        : g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_A_DATABASE,
                               _("The file is not an SQLite database."));
    case SQLITE_CORRUPT:
      return path != NULL
        ? g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CORRUPT,
                       _("“%s” is damaged or truncated (SQLite: %s)."), path, message)
        : g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CORRUPT,
                       _("The database file is damaged or truncated (SQLite: %s)."), message);
    case SQLITE_BUSY:
      return path != NULL
        ? g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY,
                       _("“%s” is locked by another program that is writing to it. "
                         "Try again when it has finished."), path)
        : g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY,
                               _("The database is busy: another program holds a lock "
                                 "this statement needs. Try again when it has finished."));
    case SQLITE_LOCKED:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY,
                          _("A table is in use by another statement of this connection "
                            "(SQLite: %s)."), message);
    case SQLITE_READONLY:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_READ_ONLY,
                          _("The database is open read-only, so it cannot be changed "
                            "(SQLite: %s)."), message);
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PERMISSION_DENIED,
                          _("Permission denied (SQLite: %s)."), message);
    case SQLITE_CANTOPEN:
      return path != NULL
        ? g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                       _("Cannot open “%s” (SQLite: %s)."), path, message)
        : g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                       _("SQLite cannot open a file it needs; is the database’s folder "
                         "writable? (SQLite: %s)"), message);
    case SQLITE_CONSTRAINT:
      return lh_connection_error_new_sql (LH_CONNECTION_ERROR_CONSTRAINT, offset, "%s", message);
    case SQLITE_FULL:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                          _("The disk is full (SQLite: %s)."), message);
    default:
      return lh_connection_error_new_sql (LH_CONNECTION_ERROR_SQL, offset, "%s", message);
    }
}

static void
read_column (sqlite3_stmt *stmt,
             int           column,
             LhValue      *value)
{
  memset (value, 0, sizeof *value);

  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      value->kind = LH_VALUE_INTEGER;
      value->v.integer = sqlite3_column_int64 (stmt, column);
      break;
    case SQLITE_FLOAT:
      value->kind = LH_VALUE_REAL;
      value->v.real = sqlite3_column_double (stmt, column);
      break;
    case SQLITE_TEXT:
      value->kind = LH_VALUE_TEXT;
      value->v.text.length = sqlite3_column_bytes (stmt, column);
      value->v.text.data = lh_value_dup_text_bytes ((const char *) sqlite3_column_text (stmt, column),
                                                    value->v.text.length);
      break;
    case SQLITE_BLOB:
      value->kind = LH_VALUE_BLOB;
      value->v.blob = g_bytes_new (sqlite3_column_blob (stmt, column),
                                   sqlite3_column_bytes (stmt, column));
      break;
    case SQLITE_NULL:
    default:
      value->kind = LH_VALUE_NULL;
      break;
    }
}

int
lh_sqlite_bind_value (sqlite3_stmt  *stmt,
            int            index,
            const LhValue *value)
{
  switch (value->kind)
    {
    case LH_VALUE_INTEGER:
      return sqlite3_bind_int64 (stmt, index, value->v.integer);
    case LH_VALUE_REAL:
      return sqlite3_bind_double (stmt, index, value->v.real);
    case LH_VALUE_TEXT:
      return sqlite3_bind_text64 (stmt, index, value->v.text.data, value->v.text.length,
                                  SQLITE_TRANSIENT, SQLITE_UTF8);
    case LH_VALUE_BLOB:
      {
        gsize size;
        gconstpointer data = g_bytes_get_data (value->v.blob, &size);

        return sqlite3_bind_blob64 (stmt, index, data, size, SQLITE_TRANSIENT);
      }
    case LH_VALUE_NULL:
    default:
      return sqlite3_bind_null (stmt, index);
    }
}

static gboolean
bind_params (sqlite3_stmt  *stmt,
             GPtrArray     *params,
             GError       **error)
{
  guint expected = sqlite3_bind_parameter_count (stmt);
  guint given = params != NULL ? params->len : 0;

  if (given != expected)
    {
      g_autofree char *has = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "The statement has %u parameter.",
                                                           "The statement has %u parameters.",
                                                           expected), expected);
      g_autofree char *got = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "%u value was given.",
                                                           "%u values were given.",
                                                           given), given);

      /* TRANSLATORS: two sentences, about a statement's parameters and the values given */
      g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL, _("%s %s"), has, got);
      return FALSE;
    }

  for (guint i = 0; i < given; i++)
    {
      int rc = lh_sqlite_bind_value (stmt, i + 1, g_ptr_array_index (params, i));

      if (rc != SQLITE_OK)
        {
          g_propagate_error (error, lh_sqlite_error (sqlite3_db_handle (stmt), rc, NULL));
          return FALSE;
        }
    }
  return TRUE;
}

/* An empty result set with stmt's columns. */
LhResultSet *
lh_sqlite_new_result_set (sqlite3_stmt *stmt)
{
  int n_columns = sqlite3_column_count (stmt);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) types = g_ptr_array_new ();

  for (int i = 0; i < n_columns; i++)
    {
      const char *decltype = sqlite3_column_decltype (stmt, i);

      g_ptr_array_add (names, (gpointer) sqlite3_column_name (stmt, i));
      g_ptr_array_add (types, (gpointer) (decltype != NULL ? decltype : ""));
    }
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (types, NULL);

  return lh_result_set_new ((const char * const *) names->pdata,
                            (const char * const *) types->pdata);
}

/* The row stmt is on, into row (as many values as it has columns). */
void
lh_sqlite_read_row (sqlite3_stmt *stmt,
                    LhValue      *row)
{
  int n_columns = sqlite3_column_count (stmt);

  for (int i = 0; i < n_columns; i++)
    read_column (stmt, i, &row[i]);
}

static gboolean
step_rows (sqlite3_stmt  *stmt,
           LhResultSet   *result,
           guint          max_rows,
           GError       **error)
{
  int n_columns = sqlite3_column_count (stmt);
  g_autofree LhValue *row = g_new (LhValue, MAX (n_columns, 1));
  guint n_rows = 0;

  for (;;)
    {
      int rc = sqlite3_step (stmt);

      if (rc == SQLITE_DONE)
        return TRUE;
      if (rc != SQLITE_ROW)
        {
          g_propagate_error (error, lh_sqlite_error (sqlite3_db_handle (stmt), rc, NULL));
          return FALSE;
        }
      if (max_rows > 0 && n_rows == max_rows)
        {
          lh_result_set_set_truncated (result, TRUE);
          return TRUE;
        }
      lh_sqlite_read_row (stmt, row);
      lh_result_set_append_row (result, row);
      n_rows++;
    }
}

/* Runs the one statement in sql. Trailing whitespace and comments are fine; a second
 * statement is an error, so that nothing runs that the caller did not mean to run.
 * max_rows > 0 keeps that many rows and marks the result truncated if there were more;
 * then, when rest is given and the statement only reads, *rest is the statement, on the
 * first row not kept, for the caller to read on (and finalize). */
LhResultSet *
lh_sqlite_execute (sqlite3       *db,
                   const char    *sql,
                   GPtrArray     *params,
                   guint          max_rows,
                   sqlite3_stmt **rest,
                   GError       **error)
{
  g_autoptr(LhResultSet) result = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *tail = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 changes_before = sqlite3_total_changes64 (db);
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, &tail);
  if (rc != SQLITE_OK)
    {
      g_propagate_error (error, lh_sqlite_error (db, rc, NULL));
      return NULL;
    }

  if (tail != NULL && !lh_sql_is_blank (tail, -1))
    {
      while (g_ascii_isspace (*tail))
        tail++;
      sqlite3_finalize (stmt);
      g_propagate_error (error,
                         lh_connection_error_new_sql (LH_CONNECTION_ERROR_SQL, tail - sql,
                                                      _("Only one statement can run here; "
                                                        "run several as a script.")));
      return NULL;
    }

  if (stmt == NULL)
    {
      result = lh_result_set_new (NULL, NULL);
      lh_result_set_set_elapsed (result, g_get_monotonic_time () - start);
      return g_steal_pointer (&result);
    }

  result = lh_sqlite_new_result_set (stmt);
  if (!bind_params (stmt, params, error) ||
      !step_rows (stmt, result, max_rows, error))
    {
      sqlite3_finalize (stmt);
      return NULL;
    }
  if (rest != NULL && lh_result_set_get_truncated (result) && sqlite3_stmt_readonly (stmt))
    *rest = stmt;
  else
    sqlite3_finalize (stmt);

  /* sqlite3_changes64() keeps the count of the last INSERT, UPDATE or DELETE, even
   * across later statements that change nothing. */
  lh_result_set_set_changes (result,
                             sqlite3_total_changes64 (db) != changes_before
                               ? sqlite3_changes64 (db) : 0,
                             sqlite3_last_insert_rowid (db));
  lh_result_set_set_elapsed (result, g_get_monotonic_time () - start);
  return g_steal_pointer (&result);
}
