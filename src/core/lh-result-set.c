/* lh-result-set.c — LhResultSet keeps the rows of one statement in one flat array of
 * LhValue (row-major), and hands out light LhResultRow items for list widgets. */
#include "config.h"

#include "lh-result-set.h"

struct _LhResultSet
{
  GObject parent_instance;

  /* owned */
  GStrv   column_names;
  GStrv   declared_types;
  GArray *values;
  LhCursor *cursor;

  /* state */
  guint    n_columns;
  guint    n_rows;
  gint64   changes;
  gint64   last_insert_rowid;
  gint64   elapsed_usec;
  gboolean truncated;
};

struct _LhResultRow
{
  GObject parent_instance;

  /* owned */
  LhResultSet *result_set;

  /* state */
  guint index;
};

static void lh_result_set_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LhResultSet, lh_result_set, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lh_result_set_list_model_init))
G_DEFINE_FINAL_TYPE (LhResultRow, lh_result_row, G_TYPE_OBJECT)

static void
lh_result_row_dispose (GObject *object)
{
  LhResultRow *self = LH_RESULT_ROW (object);

  g_clear_object (&self->result_set);
  G_OBJECT_CLASS (lh_result_row_parent_class)->dispose (object);
}

static void
lh_result_row_class_init (LhResultRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lh_result_row_dispose;
}

static void
lh_result_row_init (LhResultRow *self)
{
}

LhResultSet *
lh_result_row_get_result_set (LhResultRow *self)
{
  g_return_val_if_fail (LH_IS_RESULT_ROW (self), NULL);
  return self->result_set;
}

guint
lh_result_row_get_index (LhResultRow *self)
{
  g_return_val_if_fail (LH_IS_RESULT_ROW (self), 0);
  return self->index;
}

/* A row of result_set; with no result set, a row not read yet, whose values are NULL
 * pointers (index is then its position in the whole result). */
LhResultRow *
lh_result_row_new (LhResultSet *result_set,
                   guint        index)
{
  LhResultRow *row = g_object_new (LH_TYPE_RESULT_ROW, NULL);

  row->result_set = result_set != NULL ? g_object_ref (result_set) : NULL;
  row->index = index;
  return row;
}

/* NULL for a row not read yet. */
const LhValue *
lh_result_row_get_value (LhResultRow *self,
                         guint        column)
{
  g_return_val_if_fail (LH_IS_RESULT_ROW (self), NULL);
  if (self->result_set == NULL)
    return NULL;
  return lh_result_set_get_value (self->result_set, self->index, column);
}

static GType
lh_result_set_get_item_type (GListModel *model)
{
  return LH_TYPE_RESULT_ROW;
}

static guint
lh_result_set_get_n_items (GListModel *model)
{
  return LH_RESULT_SET (model)->n_rows;
}

static gpointer
lh_result_set_get_item (GListModel *model,
                        guint       position)
{
  LhResultSet *self = LH_RESULT_SET (model);

  if (position >= self->n_rows)
    return NULL;
  return lh_result_row_new (self, position);
}

static void
lh_result_set_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lh_result_set_get_item_type;
  iface->get_n_items = lh_result_set_get_n_items;
  iface->get_item = lh_result_set_get_item;
}

static void
lh_result_set_finalize (GObject *object)
{
  LhResultSet *self = LH_RESULT_SET (object);

  g_clear_pointer (&self->column_names, g_strfreev);
  g_clear_pointer (&self->declared_types, g_strfreev);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_object (&self->cursor);
  G_OBJECT_CLASS (lh_result_set_parent_class)->finalize (object);
}

static void
lh_result_set_class_init (LhResultSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_result_set_finalize;
}

static void
lh_result_set_init (LhResultSet *self)
{
  self->values = g_array_new (FALSE, FALSE, sizeof (LhValue));
  g_array_set_clear_func (self->values, (GDestroyNotify) lh_value_clear);
}

/* declared_types may be NULL, and any of its entries empty: expressions have none. */
LhResultSet *
lh_result_set_new (const char * const *column_names,
                   const char * const *declared_types)
{
  LhResultSet *self = g_object_new (LH_TYPE_RESULT_SET, NULL);

  self->column_names = g_strdupv ((char **) column_names);
  self->n_columns = column_names != NULL ? g_strv_length (self->column_names) : 0;
  if (declared_types != NULL)
    self->declared_types = g_strdupv ((char **) declared_types);
  return self;
}

/* Takes the contents of n_columns values; the caller's array itself stays the caller's. */
void
lh_result_set_append_row (LhResultSet *self,
                          LhValue     *values)
{
  g_return_if_fail (LH_IS_RESULT_SET (self));

  g_array_append_vals (self->values, values, self->n_columns);
  self->n_rows++;
}

void
lh_result_set_set_changes (LhResultSet *self,
                           gint64       changes,
                           gint64       last_insert_rowid)
{
  self->changes = changes;
  self->last_insert_rowid = last_insert_rowid;
}

void
lh_result_set_set_elapsed (LhResultSet *self,
                           gint64       elapsed_usec)
{
  self->elapsed_usec = elapsed_usec;
}

void
lh_result_set_set_truncated (LhResultSet *self,
                             gboolean     truncated)
{
  self->truncated = !!truncated;
}

guint
lh_result_set_get_n_columns (LhResultSet *self)
{
  return self->n_columns;
}

const char *
lh_result_set_get_column_name (LhResultSet *self,
                               guint        column)
{
  g_return_val_if_fail (column < self->n_columns, NULL);
  return self->column_names[column];
}

const char *
lh_result_set_get_declared_type (LhResultSet *self,
                                 guint        column)
{
  g_return_val_if_fail (column < self->n_columns, NULL);
  if (self->declared_types == NULL)
    return "";
  return self->declared_types[column];
}

guint
lh_result_set_get_n_rows (LhResultSet *self)
{
  return self->n_rows;
}

const LhValue *
lh_result_set_get_value (LhResultSet *self,
                         guint        row,
                         guint        column)
{
  g_return_val_if_fail (row < self->n_rows && column < self->n_columns, NULL);
  return &g_array_index (self->values, LhValue, (gsize) row * self->n_columns + column);
}

gint64
lh_result_set_get_changes (LhResultSet *self)
{
  return self->changes;
}

gint64
lh_result_set_get_last_insert_rowid (LhResultSet *self)
{
  return self->last_insert_rowid;
}

gint64
lh_result_set_get_elapsed (LhResultSet *self)
{
  return self->elapsed_usec;
}

gboolean
lh_result_set_get_truncated (LhResultSet *self)
{
  return self->truncated;
}

/* The cursor that reads the rows past the ones kept (see lh_cursor_read_async()). */
void
lh_result_set_set_cursor (LhResultSet *self,
                          LhCursor    *cursor)
{
  g_return_if_fail (LH_IS_RESULT_SET (self));
  g_set_object (&self->cursor, cursor);
}

LhCursor *
lh_result_set_get_cursor (LhResultSet *self)
{
  g_return_val_if_fail (LH_IS_RESULT_SET (self), NULL);
  return self->cursor;
}

/* Gives column a new name (a backend putting back the name a wrapping query changed). */
void
lh_result_set_set_column_name (LhResultSet *self,
                               guint        column,
                               const char  *name)
{
  g_return_if_fail (LH_IS_RESULT_SET (self));
  g_return_if_fail (column < self->n_columns);

  g_free (self->column_names[column]);
  self->column_names[column] = g_strdup (name);
}
