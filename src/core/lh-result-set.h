/* lh-result-set.h — what one statement returned: its columns, its rows of LhValue, how
 * many rows it changed and how long it took. A GListModel of LhResultRow for the grid. */
#pragma once

#include <gio/gio.h>

#include "lh-cursor.h"
#include "lh-value.h"

G_BEGIN_DECLS

#define LH_TYPE_RESULT_SET (lh_result_set_get_type ())
#define LH_TYPE_RESULT_ROW (lh_result_row_get_type ())

G_DECLARE_FINAL_TYPE (LhResultSet, lh_result_set, LH, RESULT_SET, GObject)
G_DECLARE_FINAL_TYPE (LhResultRow, lh_result_row, LH, RESULT_ROW, GObject)

LhResultSet   *lh_result_set_new                  (const char * const *column_names,
                                                   const char * const *declared_types);
void           lh_result_set_append_row           (LhResultSet        *self,
                                                   LhValue            *values);
void           lh_result_set_set_changes          (LhResultSet        *self,
                                                   gint64              changes,
                                                   gint64              last_insert_rowid);
void           lh_result_set_set_elapsed          (LhResultSet        *self,
                                                   gint64              elapsed_usec);
void           lh_result_set_set_truncated        (LhResultSet        *self,
                                                   gboolean            truncated);
guint          lh_result_set_get_n_columns        (LhResultSet        *self);
const char    *lh_result_set_get_column_name      (LhResultSet        *self,
                                                   guint               column);
const char    *lh_result_set_get_declared_type    (LhResultSet        *self,
                                                   guint               column);
guint          lh_result_set_get_n_rows           (LhResultSet        *self);
const LhValue *lh_result_set_get_value            (LhResultSet        *self,
                                                   guint               row,
                                                   guint               column);
gint64         lh_result_set_get_changes          (LhResultSet        *self);
gint64         lh_result_set_get_last_insert_rowid (LhResultSet       *self);
gint64         lh_result_set_get_elapsed          (LhResultSet        *self);
gboolean       lh_result_set_get_truncated        (LhResultSet        *self);
void           lh_result_set_set_cursor           (LhResultSet        *self,
                                                   LhCursor           *cursor);
LhCursor      *lh_result_set_get_cursor           (LhResultSet        *self);
void           lh_result_set_set_column_name      (LhResultSet        *self,
                                                   guint               column,
                                                   const char         *name);

LhResultRow   *lh_result_row_new                  (LhResultSet        *result_set,
                                                   guint               index);
LhResultSet   *lh_result_row_get_result_set       (LhResultRow        *self);
guint          lh_result_row_get_index            (LhResultRow        *self);
const LhValue *lh_result_row_get_value            (LhResultRow        *self,
                                                   guint               column);

G_END_DECLS
