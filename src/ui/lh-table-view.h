/* lh-table-view.h — LhTableView: the data grid of one table or view, paged, sortable,
 * filterable and editable, with pending changes written in one transaction. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"
#include "lh-object-details.h"

G_BEGIN_DECLS

#define LH_TYPE_TABLE_VIEW (lh_table_view_get_type ())

G_DECLARE_FINAL_TYPE (LhTableView, lh_table_view, LH, TABLE_VIEW, GtkWidget)

GtkWidget      *lh_table_view_new                (LhConnection   *connection,
                                                  LhSchemaObject *object);
LhSchemaObject *lh_table_view_get_object         (LhTableView    *self);
LhTablePager   *lh_table_view_get_pager          (LhTableView    *self);
LhEditSet      *lh_table_view_get_edit_set       (LhTableView    *self);
GtkColumnView  *lh_table_view_get_column_view    (LhTableView    *self);
gboolean        lh_table_view_get_has_changes    (LhTableView    *self);
gboolean        lh_table_view_get_busy           (LhTableView    *self);
const char     *lh_table_view_get_error_text     (LhTableView    *self);
const char     *lh_table_view_get_count_text     (LhTableView    *self);
void            lh_table_view_add_condition      (LhTableView    *self,
                                                  guint           column,
                                                  LhFilterOp      op,
                                                  const char     *text);
gboolean        lh_table_view_edit_cell          (LhTableView    *self,
                                                  guint           position,
                                                  guint           column);
GtkTextBuffer  *lh_table_view_get_editor_buffer  (LhTableView    *self);
GtkWidget      *lh_table_view_get_editor         (LhTableView    *self);
void            lh_table_view_select             (LhTableView    *self,
                                                  guint           position,
                                                  gboolean        unselect_rest);
char           *lh_table_view_dup_selection_text (LhTableView    *self,
                                                  const char     *format,
                                                  guint          *n_rows,
                                                  GError        **error);
void            lh_table_view_set_schema         (LhTableView    *self,
                                                  LhSchema       *schema);
void            lh_table_view_set_show_structure (LhTableView    *self,
                                                  gboolean        show);
LhObjectDetails *lh_table_view_get_details       (LhTableView    *self);
void            lh_table_view_scroll_to          (LhTableView    *self,
                                                  guint           position);
void            lh_table_view_stop               (LhTableView    *self);

G_END_DECLS
