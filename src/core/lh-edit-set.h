/* lh-edit-set.h — LhEditSet: the pending cell edits, new rows and deleted rows of one
 * table, written in one transaction (all or nothing) or dropped. */
#pragma once

#include "lh-table-pager.h"

G_BEGIN_DECLS

#define LH_TYPE_EDIT_SET (lh_edit_set_get_type ())

G_DECLARE_FINAL_TYPE (LhEditSet, lh_edit_set, LH, EDIT_SET, GObject)

LhEditSet     *lh_edit_set_new               (LhTablePager   *pager);
gboolean       lh_edit_set_can_edit_column   (LhEditSet      *self,
                                              guint           column);
void           lh_edit_set_set_value         (LhEditSet      *self,
                                              LhPagerRow     *row,
                                              guint           column,
                                              const LhValue  *value);
const LhValue *lh_edit_set_get_value         (LhEditSet      *self,
                                              LhPagerRow     *row,
                                              guint           column);
LhPagerRow    *lh_edit_set_insert_row        (LhEditSet      *self);
void           lh_edit_set_delete_row        (LhEditSet      *self,
                                              LhPagerRow     *row);
gboolean       lh_edit_set_is_deleted        (LhEditSet      *self,
                                              LhPagerRow     *row);
gboolean       lh_edit_set_is_changed        (LhEditSet      *self,
                                              LhPagerRow     *row);
GListModel    *lh_edit_set_get_inserted_rows (LhEditSet      *self);
guint          lh_edit_set_get_n_changed_rows (LhEditSet     *self);
gboolean       lh_edit_set_get_applying      (LhEditSet      *self);
void           lh_edit_set_revert            (LhEditSet      *self);
void           lh_edit_set_apply_async       (LhEditSet      *self,
                                              GCancellable   *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer        user_data);
gboolean       lh_edit_set_apply_finish      (LhEditSet      *self,
                                              GAsyncResult   *result,
                                              GError        **error);
LhPagerRow    *lh_edit_set_get_failed_row    (LhEditSet      *self);
char          *lh_edit_set_describe_row      (LhEditSet      *self,
                                              LhPagerRow     *row);

G_END_DECLS
