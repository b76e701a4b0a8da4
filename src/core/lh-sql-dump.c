/* lh-sql-dump.c — SQL dumps (see lh-sql-dump.h). Writing and loading into a connection run
 * in a GTask thread that makes its own main context its thread-default one and waits there
 * for each asynchronous call of the connection, one at a time, in order. */
#define _POSIX_C_SOURCE 200809L   /* O_CLOEXEC under -std=c11 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "lh-error.h"
#include "lh-row-format.h"
#include "lh-script.h"
#include "lh-sql-dump.h"
#include "lh-thread-util-private.h"

/* Rows a page of a table's dump reads; statements a batch of a load sends. */
#define ROWS_PER_PAGE 1000
#define STATEMENTS_PER_BATCH 200
#define PROGRESS_INTERVAL_USEC (G_USEC_PER_SEC / 10)

#define DUMP_HEADER "PRAGMA defer_foreign_keys=TRUE;\n"
/* What a dump leaves out: SQLite's, libSQL's and D1's own tables (LIKE's escape is \). */
#define INTERNAL_NAME_SQL(column) \
  "(" column " LIKE 'sqlite\\_%' ESCAPE '\\' OR " column " LIKE 'libsql\\_%' ESCAPE '\\' OR " \
  column " LIKE '\\_cf\\_%' ESCAPE '\\')"
#define TABLES_SQL \
  "SELECT l.name, l.type, l.wr, s.sql FROM pragma_table_list AS l" \
  " JOIN sqlite_schema AS s ON s.name = l.name AND s.type = 'table'" \
  " WHERE l.schema = 'main' AND l.type IN ('table', 'virtual') AND NOT " INTERNAL_NAME_SQL ("l.name") \
  " ORDER BY s.rowid"
#define COLUMNS_SQL "SELECT name, hidden, type, pk FROM pragma_table_xinfo(?) ORDER BY cid"
#define HAS_SEQUENCE_SQL "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'"
#define SEQUENCE_SQL "SELECT name, seq FROM sqlite_sequence ORDER BY name"
#define OTHER_OBJECTS_SQL \
  "SELECT sql FROM sqlite_schema WHERE type IN ('index', 'view', 'trigger') AND sql IS NOT NULL" \
  " AND NOT " INTERNAL_NAME_SQL ("name") " AND NOT " INTERNAL_NAME_SQL ("tbl_name") \
  " ORDER BY CASE type WHEN 'index' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid"
/* A virtual table drops its shadow tables itself. */
#define DROP_OBJECTS_SQL \
  "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view', 'trigger')" \
  " AND NOT " INTERNAL_NAME_SQL ("name") \
  " AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')" \
  " ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid DESC"

/* Waiting for a connection's asynchronous calls, on a thread. */

static LhResultSet *
run_query (LhConnection  *connection,
           const char    *sql,
           GPtrArray     *params,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_connection_execute_async (connection, sql, params, 0, cancellable, lh_store_result_cb, &result);
  return lh_connection_execute_finish (connection, lh_wait_for_result (&result), error);
}

static gboolean
run_batch (LhConnection  *connection,
           GPtrArray     *statements,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;

  lh_connection_batch_async (connection, statements, LH_BATCH_NONE, cancellable, lh_store_result_cb,
                             &result);
  results = lh_connection_batch_finish (connection, lh_wait_for_result (&result), error);
  return results != NULL;
}

static GPtrArray *
params_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
}

static const char *
text_at (LhResultSet *set,
         guint        row,
         guint        column)
{
  const LhValue *value = lh_result_set_get_value (set, row, column);

  return lh_value_get_kind (value) == LH_VALUE_TEXT ? value->v.text.data : NULL;
}

static gint64
integer_at (LhResultSet *set,
            guint        row,
            guint        column)
{
  const LhValue *value = lh_result_set_get_value (set, row, column);

  return lh_value_get_kind (value) == LH_VALUE_INTEGER ? value->v.integer : 0;
}

/* Progress, sent to the caller's context at most every PROGRESS_INTERVAL_USEC. */

typedef struct
{
  GMainContext          *context;
  GFileProgressCallback  callback;
  gpointer               data;
  gint64                 last_usec;
} Progress;

static void
progress_report (Progress *progress,
                 goffset   current,
                 goffset   total,
                 gboolean  force)
{
  gint64 now = g_get_monotonic_time ();

  if (progress->callback == NULL || (!force && now - progress->last_usec < PROGRESS_INTERVAL_USEC))
    return;
  progress->last_usec = now;
  lh_report_progress (progress->context, progress->callback, progress->data, current, total);
}

/* Writing */

typedef struct
{
  LhConnection  *connection;
  char          *path;
  Progress       progress;
  GOutputStream *output;
  gint64         rows_done;
  gint64         rows_total;
} WriteJob;

static void
write_job_free (WriteJob *job)
{
  g_clear_object (&job->connection);
  g_clear_object (&job->output);
  g_main_context_unref (job->progress.context);
  g_free (job->path);
  g_free (job);
}

typedef struct
{
  char      *name;
  char      *sql;
  gboolean   virtual;
  gboolean   without_rowid;
  GPtrArray *columns;     /* the quoted names of the columns a dump writes */
  char      *rowid;       /* a name that reaches the rowid, or NULL: page by position */
  gboolean   keep_rowid;  /* the rowid is no column's: the dump sets it */
} Table;

static void
table_free (Table *table)
{
  g_free (table->name);
  g_free (table->sql);
  g_clear_pointer (&table->columns, g_ptr_array_unref);
  g_free (table->rowid);
  g_free (table);
}

static gboolean
put (WriteJob      *job,
     GString       *text,
     GCancellable  *cancellable,
     GError       **error)
{
  gboolean ok = g_output_stream_write_all (job->output, text->str, text->len, NULL, cancellable,
                                           error);

  g_string_truncate (text, 0);
  return ok;
}

/* Reads the columns of table: those a dump writes, and a name for its rowid. */
static gboolean
read_columns (WriteJob      *job,
              Table         *table,
              GCancellable  *cancellable,
              GError       **error)
{
  static const char * const rowid_names[] = { "rowid", "_rowid_", "oid" };
  g_autoptr(GPtrArray) params = params_new ();
  g_autoptr(LhResultSet) columns = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_keys = 0;
  gboolean integer_key = FALSE;

  g_ptr_array_add (params, lh_value_new_text (table->name, -1));
  columns = run_query (job->connection, COLUMNS_SQL, params, cancellable, error);
  if (columns == NULL)
    return FALSE;
  table->columns = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < lh_result_set_get_n_rows (columns); i++)
    {
      const char *name = text_at (columns, i, 0);

      if (name == NULL)
        continue;
      g_hash_table_add (names, g_ascii_strdown (name, -1));
      /* 0: an ordinary column; 1: a virtual table's hidden one; 2 and 3: generated. */
      if (integer_at (columns, i, 1) == 0)
        g_ptr_array_add (table->columns, lh_sql_quote_identifier (name));
      if (integer_at (columns, i, 3) > 0)
        {
          n_keys++;
          integer_key = g_ascii_strcasecmp (text_at (columns, i, 2) ? text_at (columns, i, 2) : "",
                                            "INTEGER") == 0;
        }
    }
  /* Full-text tables keep their rowids (their documents' ids); other virtual tables may
   * have none. */
  if (table->virtual && g_regex_match_simple ("\\bUSING\\s+fts[345]\\b", table->sql,
                                              G_REGEX_CASELESS, 0))
    table->rowid = g_strdup ("rowid");
  else if (!table->virtual && !table->without_rowid)
    for (guint i = 0; i < G_N_ELEMENTS (rowid_names) && table->rowid == NULL; i++)
      if (!g_hash_table_contains (names, rowid_names[i]))
        table->rowid = g_strdup (rowid_names[i]);
  /* An INTEGER PRIMARY KEY is the rowid: its column carries it. */
  table->keep_rowid = table->rowid != NULL && !(n_keys == 1 && integer_key);
  return TRUE;
}

/* Appends to out the INSERT of row of set, whose first value is skipped when skip_first. */
static void
append_insert (GString     *out,
               const char  *prefix,
               LhResultSet *set,
               guint        row,
               guint        first)
{
  g_string_append (out, prefix);
  for (guint column = first; column < lh_result_set_get_n_columns (set); column++)
    {
      g_autofree char *literal = lh_value_to_sql_literal (lh_result_set_get_value (set, row, column));

      if (column > first)
        g_string_append_c (out, ',');
      g_string_append (out, literal);
    }
  g_string_append (out, ");\n");
}

/* Writes table's CREATE statement and its rows. */
static gboolean
write_table (WriteJob      *job,
             Table         *table,
             GString       *out,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *quoted = lh_sql_quote_identifier (table->name);
  g_autofree char *column_list = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *select = NULL;
  g_autofree char *page_sql = NULL;
  gint64 offset = 0;
  gint64 last_rowid = 0;
  gboolean first_page = TRUE;

  g_string_append_printf (out, "%s;\n", table->sql);
  if (table->columns->len == 0)
    return put (job, out, cancellable, error);
  g_ptr_array_add (table->columns, NULL);
  column_list = g_strjoinv (",", (char **) table->columns->pdata);
  g_ptr_array_remove_index (table->columns, table->columns->len - 1);
  prefix = g_strdup_printf ("INSERT INTO %s (%s%s%s) VALUES(", quoted,
                            table->keep_rowid ? table->rowid : "", table->keep_rowid ? "," : "",
                            column_list);
  if (table->rowid != NULL)
    {
      select = g_strdup_printf ("SELECT %s, %s FROM %s", table->rowid, column_list, quoted);
      page_sql = g_strdup_printf ("%s WHERE %s > ? ORDER BY %s LIMIT %d", select, table->rowid,
                                  table->rowid, ROWS_PER_PAGE);
    }
  else
    select = g_strdup_printf ("SELECT %s FROM %s", column_list, quoted);

  for (;;)
    {
      g_autoptr(GPtrArray) params = params_new ();
      g_autoptr(LhResultSet) rows = NULL;
      g_autofree char *sql = NULL;
      guint n_rows;

      if (table->rowid != NULL && first_page)
        sql = g_strdup_printf ("%s ORDER BY %s LIMIT %d", select, table->rowid, ROWS_PER_PAGE);
      else if (table->rowid != NULL)
        {
          sql = g_strdup (page_sql);
          g_ptr_array_add (params, lh_value_new_integer (last_rowid));
        }
      else
        sql = g_strdup_printf ("%s LIMIT %d OFFSET %" G_GINT64_FORMAT, select, ROWS_PER_PAGE, offset);
      first_page = FALSE;

      rows = run_query (job->connection, sql, params, cancellable, error);
      if (rows == NULL)
        return FALSE;
      n_rows = lh_result_set_get_n_rows (rows);
      for (guint i = 0; i < n_rows; i++)
        append_insert (out, prefix, rows, i, table->rowid != NULL && !table->keep_rowid ? 1 : 0);
      if (n_rows > 0 && table->rowid != NULL)
        last_rowid = integer_at (rows, n_rows - 1, 0);
      offset += n_rows;
      job->rows_done += n_rows;
      if (!put (job, out, cancellable, error))
        return FALSE;
      progress_report (&job->progress, job->rows_done, MAX (job->rows_total, job->rows_done), FALSE);
      if (n_rows < ROWS_PER_PAGE)
        return TRUE;
    }
}

static gboolean
write_sequence (WriteJob      *job,
                GString       *out,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(LhResultSet) has = run_query (job->connection, HAS_SEQUENCE_SQL, NULL, cancellable, error);
  g_autoptr(LhResultSet) rows = NULL;

  if (has == NULL)
    return FALSE;
  if (integer_at (has, 0, 0) == 0)
    return TRUE;
  rows = run_query (job->connection, SEQUENCE_SQL, NULL, cancellable, error);
  if (rows == NULL)
    return FALSE;
  g_string_append (out, "DELETE FROM sqlite_sequence;\n");
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    append_insert (out, "INSERT INTO sqlite_sequence (name,seq) VALUES(", rows, i, 0);
  return put (job, out, cancellable, error);
}

static gboolean
write_dump (WriteJob      *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(LhResultSet) tables_set = NULL;
  g_autoptr(LhResultSet) others = NULL;
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func ((GDestroyNotify) table_free);
  g_autoptr(GString) out = g_string_new (DUMP_HEADER);

  tables_set = run_query (job->connection, TABLES_SQL, NULL, cancellable, error);
  if (tables_set == NULL)
    return FALSE;
  for (guint i = 0; i < lh_result_set_get_n_rows (tables_set); i++)
    {
      Table *table = g_new0 (Table, 1);
      g_autofree char *count_sql = NULL;
      g_autoptr(LhResultSet) count = NULL;

      table->name = g_strdup (text_at (tables_set, i, 0));
      table->virtual = g_strcmp0 (text_at (tables_set, i, 1), "virtual") == 0;
      table->without_rowid = integer_at (tables_set, i, 2) != 0;
      table->sql = g_strdup (text_at (tables_set, i, 3));
      g_ptr_array_add (tables, table);
      if (table->name == NULL || table->sql == NULL)
        {
          g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                       _("The database’s schema lists a table without a name or SQL."));
          return FALSE;
        }
      if (!read_columns (job, table, cancellable, error))
        return FALSE;
      if (table->columns->len > 0)
        {
          g_autofree char *quoted = lh_sql_quote_identifier (table->name);

          count_sql = g_strdup_printf ("SELECT count(*) FROM %s", quoted);
          count = run_query (job->connection, count_sql, NULL, cancellable, error);
          if (count == NULL)
            return FALSE;
          job->rows_total += integer_at (count, 0, 0);
        }
    }
  progress_report (&job->progress, 0, job->rows_total, TRUE);
  if (!put (job, out, cancellable, error))
    return FALSE;
  for (guint i = 0; i < tables->len; i++)
    if (!write_table (job, g_ptr_array_index (tables, i), out, cancellable, error))
      return FALSE;
  if (!write_sequence (job, out, cancellable, error))
    return FALSE;
  others = run_query (job->connection, OTHER_OBJECTS_SQL, NULL, cancellable, error);
  if (others == NULL)
    return FALSE;
  for (guint i = 0; i < lh_result_set_get_n_rows (others); i++)
    if (text_at (others, i, 0) != NULL)
      g_string_append_printf (out, "%s;\n", text_at (others, i, 0));
  return put (job, out, cancellable, error);
}

static gboolean
open_output (WriteJob  *job,
             GError   **error)
{
  int fd = g_open (job->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_autoptr(GOutputStream) file = NULL;

  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *name = g_filename_display_name (job->path);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), name, g_strerror (saved_errno));
      return FALSE;
    }
  file = g_unix_output_stream_new (fd, TRUE);
  job->output = g_buffered_output_stream_new_sized (file, 256 * 1024);
  return TRUE;
}

static gboolean
finish_output (WriteJob      *job,
               GCancellable  *cancellable,
               GError       **error)
{
  GOutputStream *file = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (job->output));
  int fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (file));

  if (!g_output_stream_flush (job->output, cancellable, error))
    return FALSE;
  if (fsync (fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
                   g_strerror (saved_errno));
      return FALSE;
    }
  return g_output_stream_close (job->output, cancellable, error);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  WriteJob *job = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  gboolean transaction = (lh_connection_get_capabilities (job->connection) &
                          LH_CAPABILITY_TRANSACTIONS) != 0;
  GError *error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (context);
  ok = open_output (job, &error);
  if (ok && transaction)
    {
      g_autoptr(LhResultSet) begun = run_query (job->connection, "BEGIN", NULL, cancellable, &error);

      ok = begun != NULL;
      transaction = ok;
    }
  ok = ok && write_dump (job, cancellable, &error);
  if (transaction)
    {
      /* A read transaction: nothing to keep, and nothing lost if it fails. */
      g_autoptr(LhResultSet) ended = run_query (job->connection, "ROLLBACK", NULL, NULL, NULL);
    }
  ok = ok && finish_output (job, cancellable, &error);
  g_main_context_pop_thread_default (context);
  if (ok)
    {
      progress_report (&job->progress, job->rows_done, job->rows_total, TRUE);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

void
lh_sql_dump_write_async (LhConnection          *connection,
                         const char            *path,
                         GCancellable          *cancellable,
                         GFileProgressCallback  progress,
                         gpointer               progress_data,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteJob *job;

  g_return_if_fail (LH_IS_CONNECTION (connection));
  g_return_if_fail (path != NULL);

  job = g_new0 (WriteJob, 1);
  job->connection = g_object_ref (connection);
  job->path = g_strdup (path);
  job->progress.context = g_main_context_ref_thread_default ();
  job->progress.callback = progress;
  job->progress.data = progress_data;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_sql_dump_write_async);
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  g_task_run_in_thread (task, write_in_thread);
}

gboolean
lh_sql_dump_write_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading */

GInputStream *
lh_sql_dump_open (const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = g_file_read (file, cancellable, error);
  g_autoptr(GBufferedInputStream) buffered = NULL;
  gsize available = 0;
  const guint8 *head;

  if (input == NULL)
    return NULL;
  buffered = G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new_sized (G_INPUT_STREAM (input),
                                                                         256 * 1024));
  if (g_buffered_input_stream_fill (buffered, 2, cancellable, error) < 0)
    return NULL;
  head = g_buffered_input_stream_peek_buffer (buffered, &available);
  if (available >= 2 && head[0] == 0x1f && head[1] == 0x8b)
    {
      g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

      return g_converter_input_stream_new (G_INPUT_STREAM (buffered), G_CONVERTER (decompressor));
    }
  return G_INPUT_STREAM (g_steal_pointer (&buffered));
}

/* The statements of a dump, one at a time, with the line each starts on. */
typedef struct
{
  GDataInputStream *lines;
  GString          *statement;
  guint             line;
  guint             statement_line;
  goffset           bytes_read;
} Reader;

static void
reader_clear (Reader *reader)
{
  g_clear_object (&reader->lines);
  if (reader->statement != NULL)
    g_string_free (reader->statement, TRUE);
}

static gboolean
reader_open (Reader        *reader,
             const char    *path,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GInputStream) input = lh_sql_dump_open (path, cancellable, error);

  if (input == NULL)
    return FALSE;
  reader->lines = g_data_input_stream_new (input);
  g_data_input_stream_set_newline_type (reader->lines, G_DATA_STREAM_NEWLINE_TYPE_LF);
  reader->statement = g_string_new (NULL);
  return TRUE;
}

/* The next whole statement (without its final newline), or NULL at the end (error unset)
 * or on an error. What is left at the end that is not a whole statement is an error. */
static const char *
reader_next (Reader        *reader,
             GCancellable  *cancellable,
             GError       **error)
{
  g_string_truncate (reader->statement, 0);
  for (;;)
    {
      gsize length = 0;
      GError *read_error = NULL;
      g_autofree char *line = g_data_input_stream_read_line (reader->lines, &length, cancellable,
                                                             &read_error);

      if (line == NULL)
        {
          /* A .sql.gz cut short or damaged: zlib's words ("Need more input") say little. */
          if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
              g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
            {
              if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
                g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL,
                             _("The dump is cut short after line %u: its compressed data ends "
                               "too early."), reader->line);
              else
                g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL,
                             _("The dump is damaged after line %u: its compressed data is not "
                               "valid gzip."), reader->line);
              g_error_free (read_error);
              return NULL;
            }
          if (read_error != NULL)
            {
              g_propagate_error (error, read_error);
              return NULL;
            }
          g_strstrip (reader->statement->str);
          if (*reader->statement->str != '\0')
            g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL,
                         _("The dump ends in the middle of a statement, on line %u."),
                         reader->statement_line);
          return NULL;
        }
      reader->line++;
      reader->bytes_read += length + 1;
      if (reader->statement->len == 0)
        {
          const char *c = line;

          while (g_ascii_isspace (*c))
            c++;
          if (*c == '\0')
            continue;
          reader->statement_line = reader->line;
        }
      else
        g_string_append_c (reader->statement, '\n');
      g_string_append_len (reader->statement, line, length);
      if (sqlite3_complete (reader->statement->str))
        return reader->statement->str;
    }
}

static void
interrupt_cb (GCancellable *cancellable,
              sqlite3      *db)
{
  sqlite3_interrupt (db);
}

static void
set_load_error (GError     **error,
                sqlite3     *db,
                int          rc,
                guint        line)
{
  if (rc == SQLITE_INTERRUPT)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The load was cancelled."));
  else
    g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL,
                 _("The statement on line %u of the dump failed: %s"), line, sqlite3_errmsg (db));
}

/* What a dump may do where it is loaded: make and fill its own tables, nothing else. A
 * dump is a file from anywhere: no ATTACH (another file written), no PRAGMA set but
 * foreign-key ones, no VACUUM INTO. */
static int
authorize_cb (void       *data,
              int         action,
              const char *first,
              const char *second,
              const char *database,
              const char *trigger)
{
  switch (action)
    {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      /* Reading one is harmless (a full-text table reads page_size); setting one is not. */
      return second == NULL || g_strcmp0 (first, "defer_foreign_keys") == 0 ||
             g_strcmp0 (first, "foreign_keys") == 0 ? SQLITE_OK : SQLITE_DENY;
    default:
      return SQLITE_OK;
    }
}

/* Whether statement is one a dump may hold but the load does itself: the transaction
 * around it (sqlite3's .dump writes BEGIN TRANSACTION … COMMIT). */
static gboolean
is_transaction_control (const char *statement)
{
  g_autofree char *keyword = lh_sql_dup_first_keyword (statement);

  return g_strcmp0 (keyword, "BEGIN") == 0 || g_strcmp0 (keyword, "COMMIT") == 0 ||
         g_strcmp0 (keyword, "END") == 0;
}

/* Whether statement gives the dump up: sqlite3's .dump ends with ROLLBACK when it met an
 * error. */
static gboolean
is_rollback (const char *statement)
{
  g_autofree char *keyword = lh_sql_dup_first_keyword (statement);

  return g_strcmp0 (keyword, "ROLLBACK") == 0;
}

static void
set_rollback_error (GError **error,
                    guint    line)
{
  g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL,
               _("The dump gives itself up with ROLLBACK on line %u: it is not whole."), line);
}

gboolean
lh_sql_dump_load_into_file (const char    *dump_path,
                            const char    *db_path,
                            GCancellable  *cancellable,
                            GError       **error)
{
  Reader reader = { 0 };
  sqlite3 *db = NULL;
  gulong handler = 0;
  gboolean ok = FALSE;
  const char *statement;
  GError *read_error = NULL;
  int rc;

  if (!reader_open (&reader, dump_path, cancellable, error))
    return FALSE;
  rc = sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_autofree char *name = g_filename_display_name (db_path);

      g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                   _("Cannot open “%s”: %s"), name, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      goto out;
    }
  sqlite3_limit (db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_set_authorizer (db, authorize_cb, NULL);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (interrupt_cb), db, NULL);
  rc = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  while (rc == SQLITE_OK && (statement = reader_next (&reader, cancellable, &read_error)) != NULL)
    {
      if (is_transaction_control (statement))
        continue;
      if (is_rollback (statement))
        {
          set_rollback_error (error, reader.statement_line);
          rc = SQLITE_ABORT;
          break;
        }
      rc = g_cancellable_is_cancelled (cancellable) ? SQLITE_INTERRUPT
                                                    : sqlite3_exec (db, statement, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        set_load_error (error, db, rc, reader.statement_line);
    }
  if (rc == SQLITE_OK && read_error != NULL)
    g_propagate_error (error, g_steal_pointer (&read_error));
  else if (rc == SQLITE_OK)
    {
      rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      ok = rc == SQLITE_OK;
      if (!ok)
        set_load_error (error, db, rc, reader.line);
    }
  if (!ok)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  g_clear_error (&read_error);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

out:
  sqlite3_close (db);
  reader_clear (&reader);
  return ok;
}

/* Loading into a connection */

typedef struct
{
  LhConnection *connection;
  char         *path;
  Progress      progress;
  goffset       size;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->connection);
  g_main_context_unref (job->progress.context);
  g_free (job->path);
  g_free (job);
}

/* Adds the DROP of each table, view and trigger of the database to statements. */
static gboolean
add_drops (LoadJob       *job,
           GPtrArray     *statements,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(LhResultSet) objects = run_query (job->connection, DROP_OBJECTS_SQL, NULL, cancellable,
                                              error);

  if (objects == NULL)
    return FALSE;
  for (guint i = 0; i < lh_result_set_get_n_rows (objects); i++)
    {
      g_autofree char *type = g_ascii_strup (text_at (objects, i, 0), -1);
      g_autofree char *quoted = lh_sql_quote_identifier (text_at (objects, i, 1));
      g_autofree char *sql = g_strdup_printf ("DROP %s IF EXISTS %s", type, quoted);

      g_ptr_array_add (statements, lh_batch_statement_new (sql, NULL));
    }
  return TRUE;
}

/* Sends statements (and empties it); an error names the dump's line of the failing one. */
static gboolean
send_statements (LoadJob       *job,
                 GPtrArray     *statements,
                 GArray        *lines,
                 GCancellable  *cancellable,
                 GError       **error)
{
  GError *batch_error = NULL;
  gboolean ok;

  if (statements->len == 0)
    return TRUE;
  ok = run_batch (job->connection, statements, cancellable, &batch_error);
  if (!ok)
    {
      int index = lh_connection_error_get_statement_index (batch_error);
      guint line = index >= 0 && (guint) index < lines->len ? g_array_index (lines, guint, index) : 0;

      if (line > 0 && batch_error->domain == LH_CONNECTION_ERROR)
        g_prefix_error (&batch_error, _("Line %u of the dump: "), line);
      g_propagate_error (error, batch_error);
    }
  g_ptr_array_set_size (statements, 0);
  g_array_set_size (lines, 0);
  return ok;
}

static gboolean
load_statements (LoadJob       *job,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (guint));
  Reader reader = { 0 };
  const char *statement;
  GError *read_error = NULL;
  gboolean ok = TRUE;
  guint none = 0;

  if (!reader_open (&reader, job->path, cancellable, error))
    return FALSE;
  g_ptr_array_add (statements, lh_batch_statement_new ("PRAGMA defer_foreign_keys = TRUE", NULL));
  g_array_append_val (lines, none);
  ok = add_drops (job, statements, cancellable, error);
  g_array_set_size (lines, statements->len);
  while (ok && (statement = reader_next (&reader, cancellable, &read_error)) != NULL)
    {
      if (is_transaction_control (statement))
        continue;
      if (is_rollback (statement))
        {
          set_rollback_error (error, reader.statement_line);
          ok = FALSE;
          break;
        }
      g_ptr_array_add (statements, lh_batch_statement_new (statement, NULL));
      g_array_append_val (lines, reader.statement_line);
      if (statements->len >= STATEMENTS_PER_BATCH)
        {
          ok = send_statements (job, statements, lines, cancellable, error);
          progress_report (&job->progress, MIN (reader.bytes_read, job->size), job->size, FALSE);
        }
    }
  if (ok && read_error != NULL)
    {
      g_propagate_error (error, read_error);
      ok = FALSE;
    }
  else
    g_clear_error (&read_error);
  ok = ok && send_statements (job, statements, lines, cancellable, error);
  reader_clear (&reader);
  return ok;
}

static void
load_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadJob *job = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(LhResultSet) begun = NULL;
  GError *error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (context);
  begun = run_query (job->connection, "BEGIN IMMEDIATE", NULL, cancellable, &error);
  ok = begun != NULL && load_statements (job, cancellable, &error);
  if (begun != NULL)
    {
      g_autoptr(LhResultSet) ended = NULL;

      if (ok)
        {
          ended = run_query (job->connection, "COMMIT", NULL, NULL, &error);
          ok = ended != NULL;
          if (!ok)
            g_prefix_error (&error, _("The dump could not be committed: "));
        }
      if (!ok)
        ended = run_query (job->connection, "ROLLBACK", NULL, NULL, NULL);
    }
  g_main_context_pop_thread_default (context);
  if (ok)
    {
      progress_report (&job->progress, job->size, job->size, TRUE);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

void
lh_sql_dump_load_async (LhConnection          *connection,
                        const char            *dump_path,
                        GCancellable          *cancellable,
                        GFileProgressCallback  progress,
                        gpointer               progress_data,
                        GAsyncReadyCallback    callback,
                        gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadJob *job;
  GStatBuf info;

  g_return_if_fail (LH_IS_CONNECTION (connection));
  g_return_if_fail (dump_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_sql_dump_load_async);
  if (!(lh_connection_get_capabilities (connection) & LH_CAPABILITY_TRANSACTIONS))
    {
      g_task_return_new_error (task, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                               _("“%s” has no transactions, so a dump cannot be loaded into it "
                                 "all or nothing."),
                               lh_connection_get_title (connection));
      return;
    }
  job = g_new0 (LoadJob, 1);
  job->connection = g_object_ref (connection);
  job->path = g_strdup (dump_path);
  job->size = g_stat (dump_path, &info) == 0 ? info.st_size : 0;
  job->progress.context = g_main_context_ref_thread_default ();
  job->progress.callback = progress;
  job->progress.data = progress_data;
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_in_thread);
}

gboolean
lh_sql_dump_load_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
