/* lh-query-pager.h — LhQueryPager: a GListModel of LhResultRow over every row a statement
 * returned. The rows of its first LhResultSet are always there; when that result carries
 * an LhCursor, the rest are read a page at a time when they are asked for, kept in a
 * bounded cache, and counted in the background. */
#pragma once

#include "lh-result-set.h"

G_BEGIN_DECLS

#define LH_QUERY_PAGER_PAGE_SIZE 1000

#define LH_TYPE_QUERY_PAGER (lh_query_pager_get_type ())

G_DECLARE_FINAL_TYPE (LhQueryPager, lh_query_pager, LH, QUERY_PAGER, GObject)

LhQueryPager  *lh_query_pager_new                (LhResultSet   *first);
LhResultSet   *lh_query_pager_get_first          (LhQueryPager  *self);
gboolean       lh_query_pager_get_paged          (LhQueryPager  *self);
guint          lh_query_pager_get_n_columns      (LhQueryPager  *self);
const char    *lh_query_pager_get_column_name    (LhQueryPager  *self,
                                                  guint          column);
gint64         lh_query_pager_get_row_count      (LhQueryPager  *self);
gboolean       lh_query_pager_get_counting       (LhQueryPager  *self);
gboolean       lh_query_pager_get_loading        (LhQueryPager  *self);
const GError  *lh_query_pager_get_error          (LhQueryPager  *self);
gboolean       lh_query_pager_is_loaded          (LhQueryPager  *self,
                                                  guint          position);
const LhValue *lh_query_pager_get_value          (LhQueryPager  *self,
                                                  guint          position,
                                                  guint          column);
void           lh_query_pager_request            (LhQueryPager  *self,
                                                  guint          position);
guint          lh_query_pager_get_n_cached_pages (LhQueryPager  *self);
void           lh_query_pager_stop               (LhQueryPager  *self);

void           lh_query_pager_read_async         (LhQueryPager  *self,
                                                  guint64        first,
                                                  guint          n_rows,
                                                  GCancellable  *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer       user_data);
LhResultSet   *lh_query_pager_read_finish        (LhQueryPager  *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

G_END_DECLS
