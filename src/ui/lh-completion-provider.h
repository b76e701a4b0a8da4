/* lh-completion-provider.h — LhCompletionProvider: SQL completion for the editor from the
 * live schema (tables, views, the columns of the tables a statement names, aliases
 * included), SQLite's functions and its keywords. */
#pragma once

#include <gtksourceview/gtksource.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_COMPLETION_PROVIDER (lh_completion_provider_get_type ())
#define LH_TYPE_COMPLETION_ITEM     (lh_completion_item_get_type ())

G_DECLARE_FINAL_TYPE (LhCompletionProvider, lh_completion_provider, LH, COMPLETION_PROVIDER, GObject)
G_DECLARE_FINAL_TYPE (LhCompletionItem, lh_completion_item, LH, COMPLETION_ITEM, GObject)

LhCompletionProvider *lh_completion_provider_new           (void);
void                  lh_completion_provider_set_schema    (LhCompletionProvider *self,
                                                            LhSchema             *schema);
void                  lh_completion_provider_set_functions (LhCompletionProvider *self,
                                                            const char * const   *functions);
GListModel           *lh_completion_provider_propose       (LhCompletionProvider *self,
                                                            const char           *text,
                                                            gsize                 cursor);

const char           *lh_completion_item_get_label         (LhCompletionItem     *self);
const char           *lh_completion_item_get_text          (LhCompletionItem     *self);
const char           *lh_completion_item_get_detail        (LhCompletionItem     *self);

G_END_DECLS
