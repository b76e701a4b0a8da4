/* lh-row-format.h — rows of values written as text for the clipboard and for export:
 * tab-separated for pasting into a spreadsheet, CSV (RFC 4180), a JSON array of objects,
 * or SQL INSERT statements that put the same values back into a table. */
#pragma once

#include "lh-value.h"

G_BEGIN_DECLS

typedef enum
{
  LH_ROW_FORMAT_TSV,
  LH_ROW_FORMAT_CSV,
  LH_ROW_FORMAT_JSON,
  LH_ROW_FORMAT_SQL,
} LhRowFormat;

char       *lh_row_format_rows          (LhRowFormat         format,
                                         const char         *table_name,
                                         const char * const *column_names,
                                         guint               n_columns,
                                         GPtrArray          *rows,
                                         gboolean            header);
typedef struct _LhRowWriter LhRowWriter;

LhRowWriter *lh_row_writer_new          (LhRowFormat         format,
                                         const char         *table_name,
                                         const char * const *column_names,
                                         guint               n_columns,
                                         gboolean            header);
void        lh_row_writer_add           (LhRowWriter        *self,
                                         GString            *out,
                                         GPtrArray          *rows);
void        lh_row_writer_finish        (LhRowWriter        *self,
                                         GString            *out);
void        lh_row_writer_free          (LhRowWriter        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhRowWriter, lh_row_writer_free)

const char *lh_row_format_get_mime_type (LhRowFormat         format);
const char *lh_row_format_get_extension (LhRowFormat         format);

char       *lh_value_to_sql_literal     (const LhValue      *value);

G_END_DECLS
