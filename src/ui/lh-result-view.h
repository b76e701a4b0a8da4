/* lh-result-view.h — LhResultView: an LhResultSet in a GtkColumnView, NULL shown apart
 * from text, numbers to the right, blobs by their size. */
#pragma once

#include <gtk/gtk.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_RESULT_VIEW (lh_result_view_get_type ())

G_DECLARE_FINAL_TYPE (LhResultView, lh_result_view, LH, RESULT_VIEW, GtkWidget)

GtkWidget     *lh_result_view_new             (void);
void           lh_result_view_set_result      (LhResultView *self,
                                               LhResultSet  *result);
LhResultSet   *lh_result_view_get_result      (LhResultView *self);
void           lh_result_view_set_pager       (LhResultView *self,
                                               LhQueryPager *pager);
LhQueryPager  *lh_result_view_get_pager       (LhResultView *self);
GtkColumnView *lh_result_view_get_column_view (LhResultView *self);

G_END_DECLS
