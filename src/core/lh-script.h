/* lh-script.h — LhScript: SQL text split into statements the way SQLite reads it, run
 * one by one on a connection, each reporting its own result, time or error. */
#pragma once

#include "lh-connection.h"

G_BEGIN_DECLS

typedef struct
{
  gsize offset;
  gsize length;
} LhStatementSpan;

typedef struct
{
  guint        index;
  gsize        offset;
  gsize        length;
  char        *sql;
  LhResultSet *result;
  GError      *error;
} LhStatementResult;

/* A table a statement names, as written: for completing its columns. */
typedef struct
{
  char *database;   /* or NULL */
  char *table;
  char *alias;      /* or NULL */
} LhTableRef;

#define LH_TYPE_SCRIPT (lh_script_get_type ())

G_DECLARE_FINAL_TYPE (LhScript, lh_script, LH, SCRIPT, GObject)

LhScript              *lh_script_new                (const char    *text);
void                   lh_script_set_values         (LhScript      *self,
                                                     GHashTable    *values);
const char            *lh_script_get_text           (LhScript      *self);
guint                  lh_script_get_n_statements   (LhScript      *self);
const LhStatementSpan *lh_script_get_statement      (LhScript      *self,
                                                     guint          index);
char                  *lh_script_dup_statement_sql  (LhScript      *self,
                                                     guint          index);
void                   lh_script_run_async          (LhScript      *self,
                                                     LhConnection  *connection,
                                                     guint          max_rows,
                                                     GCancellable  *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer       user_data);
GPtrArray             *lh_script_run_finish         (LhScript      *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

GArray                *lh_sql_split                 (const char    *text,
                                                     gssize         length);
GStrv                  lh_sql_dup_keywords          (void);
GPtrArray             *lh_sql_parameters            (const char    *statement);
GPtrArray             *lh_sql_table_refs            (const char    *statement);
char                  *lh_sql_word_before           (const char    *text,
                                                     gsize          cursor,
                                                     char         **qualifier);
void                   lh_table_ref_free            (LhTableRef    *ref);
int                    lh_sql_statement_at          (GArray        *spans,
                                                     gsize          cursor);
char                  *lh_sql_dup_first_keyword     (const char    *sql);
gboolean               lh_sql_is_plain_read         (const char    *sql);
gboolean               lh_sql_is_blank              (const char    *text,
                                                     gssize         length);
void                   lh_sql_offset_to_line_column (const char    *text,
                                                     gsize          offset,
                                                     guint         *line,
                                                     guint         *column);

char                  *lh_sql_quote_identifier      (const char    *name);
void                   lh_sql_append_identifier     (GString       *sql,
                                                     const char    *name);
gboolean               lh_sql_changes_schema        (const char    *sql);

void                   lh_statement_result_free     (LhStatementResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhStatementResult, lh_statement_result_free)

G_END_DECLS
