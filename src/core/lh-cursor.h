/* lh-cursor.h — LhCursor: the rest of a statement's rows, past the first ones its
 * LhResultSet holds, read a range at a time and counted in short slices. Each backend
 * has its own: the local one keeps the prepared statement and steps it on. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LhResultSet LhResultSet;

#define LH_TYPE_CURSOR (lh_cursor_get_type ())

G_DECLARE_DERIVABLE_TYPE (LhCursor, lh_cursor, LH, CURSOR, GObject)

struct _LhCursorClass
{
  GObjectClass parent_class;

  void          (*read_async)   (LhCursor             *self,
                                 guint64               first,
                                 guint                 n_rows,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  LhResultSet  *(*read_finish)  (LhCursor             *self,
                                 GAsyncResult         *result,
                                 GError              **error);
  void          (*count_async)  (LhCursor             *self,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  gint64        (*count_finish) (LhCursor             *self,
                                 GAsyncResult         *result,
                                 gboolean             *complete,
                                 GError              **error);
};

void          lh_cursor_read_async   (LhCursor             *self,
                                      guint64               first,
                                      guint                 n_rows,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
LhResultSet  *lh_cursor_read_finish  (LhCursor             *self,
                                      GAsyncResult         *result,
                                      GError              **error);
void          lh_cursor_count_async  (LhCursor             *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gint64        lh_cursor_count_finish (LhCursor             *self,
                                      GAsyncResult         *result,
                                      gboolean             *complete,
                                      GError              **error);

G_END_DECLS
