/* lh-cursor.c — LhCursor's dispatch functions. */
#include "config.h"

#include "lh-cursor.h"
#include "lh-result-set.h"

G_DEFINE_ABSTRACT_TYPE (LhCursor, lh_cursor, G_TYPE_OBJECT)

static void
lh_cursor_class_init (LhCursorClass *klass)
{
}

static void
lh_cursor_init (LhCursor *self)
{
}

/* Reads rows first … first + n_rows - 1 of the statement (counting from its first row,
 * the ones its first result set already holds included). Fewer rows come back where the
 * statement ends. The statement may run again to get there: rows of a database that
 * changed meanwhile are read as they are now. */
void
lh_cursor_read_async (LhCursor            *self,
                      guint64              first,
                      guint                n_rows,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (LH_IS_CURSOR (self));
  g_return_if_fail (n_rows > 0);
  LH_CURSOR_GET_CLASS (self)->read_async (self, first, n_rows, cancellable, callback, user_data);
}

LhResultSet *
lh_cursor_read_finish (LhCursor      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (LH_IS_CURSOR (self), NULL);
  return LH_CURSOR_GET_CLASS (self)->read_finish (self, result, error);
}

/* Counts the statement's rows for a short while and returns how many it has found so
 * far; *complete tells whether that is all of them. Call it again to go on: other work
 * on the connection runs between two slices. */
void
lh_cursor_count_async (LhCursor            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (LH_IS_CURSOR (self));
  LH_CURSOR_GET_CLASS (self)->count_async (self, cancellable, callback, user_data);
}

gint64
lh_cursor_count_finish (LhCursor      *self,
                        GAsyncResult  *result,
                        gboolean      *complete,
                        GError       **error)
{
  gboolean ignored;

  g_return_val_if_fail (LH_IS_CURSOR (self), -1);
  return LH_CURSOR_GET_CLASS (self)->count_finish (self, result,
                                                   complete != NULL ? complete : &ignored, error);
}
