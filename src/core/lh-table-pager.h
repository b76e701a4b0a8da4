/* lh-table-pager.h — LhTablePager: a GListModel over the rows of a table or view that
 * fetches pages of rows when they are asked for (keyset paging by rowid or primary key),
 * keeps a bounded cache of them, and sorts and filters in SQL. Its items are LhPagerRow. */
#pragma once

#include "lh-schema.h"

G_BEGIN_DECLS

typedef enum
{
  LH_FILTER_EQUAL,
  LH_FILTER_NOT_EQUAL,
  LH_FILTER_LESS,
  LH_FILTER_GREATER,
  LH_FILTER_LIKE,
  LH_FILTER_IS_NULL,
  LH_FILTER_IS_NOT_NULL,
} LhFilterOp;

#define LH_FILTER_N_OPS (LH_FILTER_IS_NOT_NULL + 1)

#define LH_TABLE_PAGER_PAGE_SIZE 200

#define LH_TYPE_TABLE_PAGER (lh_table_pager_get_type ())
#define LH_TYPE_PAGER_ROW   (lh_pager_row_get_type ())

G_DECLARE_FINAL_TYPE (LhTablePager, lh_table_pager, LH, TABLE_PAGER, GObject)
G_DECLARE_FINAL_TYPE (LhPagerRow, lh_pager_row, LH, PAGER_ROW, GObject)

LhTablePager   *lh_table_pager_new               (LhConnection    *connection,
                                                  LhSchemaObject  *object);
LhSchemaObject *lh_table_pager_get_object        (LhTablePager    *self);
LhConnection   *lh_table_pager_get_connection    (LhTablePager    *self);
guint           lh_table_pager_get_n_columns     (LhTablePager    *self);
const char     *lh_table_pager_get_column_name   (LhTablePager    *self,
                                                  guint            column);
LhSchemaColumn *lh_table_pager_get_column        (LhTablePager    *self,
                                                  guint            column);
gboolean        lh_table_pager_get_keyed         (LhTablePager    *self);
guint           lh_table_pager_get_n_key_columns (LhTablePager    *self);
const char     *lh_table_pager_get_key_column    (LhTablePager    *self,
                                                  guint            index);

void            lh_table_pager_set_sort          (LhTablePager    *self,
                                                  int              column,
                                                  gboolean         descending);
int             lh_table_pager_get_sort_column   (LhTablePager    *self);
gboolean        lh_table_pager_get_sort_descending (LhTablePager  *self);
void            lh_table_pager_clear_filters     (LhTablePager    *self);
void            lh_table_pager_add_filter        (LhTablePager    *self,
                                                  guint            column,
                                                  LhFilterOp       op,
                                                  const LhValue   *value);
guint           lh_table_pager_get_n_filters     (LhTablePager    *self);
void            lh_table_pager_apply             (LhTablePager    *self);
void            lh_table_pager_refresh           (LhTablePager    *self);
void            lh_table_pager_stop              (LhTablePager    *self);

gint64          lh_table_pager_get_row_count     (LhTablePager    *self);
gboolean        lh_table_pager_get_loading       (LhTablePager    *self);
const GError   *lh_table_pager_get_error         (LhTablePager    *self);
gboolean        lh_table_pager_is_loaded         (LhTablePager    *self,
                                                  guint            position);
guint           lh_table_pager_get_n_cached_pages (LhTablePager   *self);

const char     *lh_filter_op_to_string           (LhFilterOp       op);
gboolean        lh_filter_op_takes_value         (LhFilterOp       op);

LhPagerRow     *lh_pager_row_new_inserted        (guint            id);
guint           lh_pager_row_get_position        (LhPagerRow      *self);
gboolean        lh_pager_row_get_loaded          (LhPagerRow      *self);
gboolean        lh_pager_row_get_inserted        (LhPagerRow      *self);
const LhValue  *lh_pager_row_get_value           (LhPagerRow      *self,
                                                  guint            column);
guint           lh_pager_row_get_n_key_values    (LhPagerRow      *self);
const LhValue  *lh_pager_row_get_key_value       (LhPagerRow      *self,
                                                  guint            index);
char           *lh_pager_row_dup_identity        (LhPagerRow      *self);

G_END_DECLS
