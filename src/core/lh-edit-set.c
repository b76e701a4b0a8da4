/* lh-edit-set.c — LhEditSet keeps, per row (by the row's key values), the new value of
 * each edited cell and whether the row is to be deleted, plus the rows the user added.
 * Applying turns them into DELETE, UPDATE and INSERT statements with bound values, in
 * that order (so that a unique value freed by a delete can be reused), run as one
 * transactional batch: each UPDATE and DELETE must change exactly its one row. On failure
 * nothing is written and everything stays pending, with the failing row remembered. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-edit-set.h"
#include "lh-error.h"
#include "lh-script.h"

typedef struct
{
  LhPagerRow *row;
  LhValue   **values;   /* n_columns entries, NULL where unchanged */
  guint       n_columns;
  gboolean    deleted;
  guint64     serial;   /* order of the first change, for a stable statement order */
} RowEdit;

struct _LhEditSet
{
  GObject parent_instance;

  /* owned */
  LhTablePager *pager;
  GHashTable   *edits;          /* identity → RowEdit */
  GListStore   *inserted;       /* LhPagerRow */
  LhPagerRow   *failed_row;

  /* state */
  guint   n_columns;
  guint   next_inserted_id;
  guint64 serial;
  gboolean applying;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LhEditSet, lh_edit_set, G_TYPE_OBJECT)

static RowEdit *
row_edit_new (LhPagerRow *row,
              guint       n_columns,
              guint64     serial)
{
  RowEdit *edit = g_new0 (RowEdit, 1);

  edit->row = g_object_ref (row);
  edit->values = g_new0 (LhValue *, MAX (n_columns, 1));
  edit->n_columns = n_columns;
  edit->serial = serial;
  return edit;
}

static void
row_edit_free (gpointer data)
{
  RowEdit *edit = data;
  for (guint i = 0; i < edit->n_columns; i++)
    g_clear_pointer (&edit->values[i], lh_value_free);
  g_free (edit->values);
  g_object_unref (edit->row);
  g_free (edit);
}

static gboolean
row_edit_is_empty (RowEdit *edit)
{
  for (guint i = 0; i < edit->n_columns; i++)
    if (edit->values[i] != NULL)
      return FALSE;
  return TRUE;
}

static void
lh_edit_set_dispose (GObject *object)
{
  LhEditSet *self = LH_EDIT_SET (object);

  g_clear_pointer (&self->edits, g_hash_table_unref);
  g_clear_object (&self->inserted);
  g_clear_object (&self->failed_row);
  g_clear_object (&self->pager);
  G_OBJECT_CLASS (lh_edit_set_parent_class)->dispose (object);
}

static void
lh_edit_set_class_init (LhEditSetClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lh_edit_set_dispose;

  /* Something was edited, written or reverted. */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lh_edit_set_init (LhEditSet *self)
{
  self->edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, row_edit_free);
  self->inserted = g_list_store_new (LH_TYPE_PAGER_ROW);
}

LhEditSet *
lh_edit_set_new (LhTablePager *pager)
{
  LhEditSet *self;

  g_return_val_if_fail (LH_IS_TABLE_PAGER (pager), NULL);

  self = g_object_new (LH_TYPE_EDIT_SET, NULL);
  self->pager = g_object_ref (pager);
  self->n_columns = lh_table_pager_get_n_columns (pager);
  return self;
}

static void
emit_changed (LhEditSet *self)
{
  g_clear_object (&self->failed_row);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Only tables found by key can be edited, and never their generated columns. */
gboolean
lh_edit_set_can_edit_column (LhEditSet *self,
                             guint      column)
{
  LhColumnHidden hidden;

  g_return_val_if_fail (LH_IS_EDIT_SET (self), FALSE);

  if (column >= self->n_columns || !lh_table_pager_get_keyed (self->pager) ||
      lh_connection_get_read_only (lh_table_pager_get_connection (self->pager)))
    return FALSE;
  hidden = lh_schema_column_get_hidden (lh_table_pager_get_column (self->pager, column));
  return hidden == LH_COLUMN_NORMAL;
}

static RowEdit *
lookup_edit (LhEditSet  *self,
             LhPagerRow *row)
{
  g_autofree char *identity = lh_pager_row_dup_identity (row);

  return identity != NULL ? g_hash_table_lookup (self->edits, identity) : NULL;
}

static RowEdit *
ensure_edit (LhEditSet  *self,
             LhPagerRow *row)
{
  g_autofree char *identity = lh_pager_row_dup_identity (row);
  RowEdit *edit;

  g_return_val_if_fail (identity != NULL, NULL);

  edit = g_hash_table_lookup (self->edits, identity);
  if (edit != NULL)
    return edit;
  edit = row_edit_new (row, self->n_columns, ++self->serial);
  g_hash_table_insert (self->edits, g_steal_pointer (&identity), edit);
  return edit;
}

/* Sets the pending value of a cell of a loaded or inserted row. */
void
lh_edit_set_set_value (LhEditSet     *self,
                       LhPagerRow    *row,
                       guint          column,
                       const LhValue *value)
{
  RowEdit *edit;

  g_return_if_fail (LH_IS_EDIT_SET (self));
  g_return_if_fail (LH_IS_PAGER_ROW (row));
  g_return_if_fail (value != NULL);
  g_return_if_fail (lh_edit_set_can_edit_column (self, column));
  g_return_if_fail (lh_pager_row_get_loaded (row) || lh_pager_row_get_inserted (row));
  g_return_if_fail (!self->applying);

  edit = ensure_edit (self, row);
  g_clear_pointer (&edit->values[column], lh_value_free);
  edit->values[column] = lh_value_copy (value);
  emit_changed (self);
}

/* The pending value of a cell, or NULL when it has none. */
const LhValue *
lh_edit_set_get_value (LhEditSet  *self,
                       LhPagerRow *row,
                       guint       column)
{
  RowEdit *edit;

  g_return_val_if_fail (LH_IS_EDIT_SET (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  edit = lookup_edit (self, row);
  return edit != NULL ? edit->values[column] : NULL;
}

/* A new, empty row: its columns take their defaults unless given values. */
LhPagerRow *
lh_edit_set_insert_row (LhEditSet *self)
{
  g_autoptr(LhPagerRow) row = NULL;

  g_return_val_if_fail (LH_IS_EDIT_SET (self), NULL);
  g_return_val_if_fail (!self->applying, NULL);

  row = lh_pager_row_new_inserted (++self->next_inserted_id);
  ensure_edit (self, row);
  g_list_store_append (self->inserted, row);
  emit_changed (self);
  return row;
}

/* Marks a row to be deleted; a row inserted here is simply dropped. Deleting a row marked
 * already takes the mark away again. */
void
lh_edit_set_delete_row (LhEditSet  *self,
                        LhPagerRow *row)
{
  g_return_if_fail (LH_IS_EDIT_SET (self));
  g_return_if_fail (LH_IS_PAGER_ROW (row));
  g_return_if_fail (!self->applying);

  if (lh_pager_row_get_inserted (row))
    {
      g_autofree char *identity = lh_pager_row_dup_identity (row);
      guint position;

      if (g_list_store_find (self->inserted, row, &position))
        g_list_store_remove (self->inserted, position);
      g_hash_table_remove (self->edits, identity);
    }
  else
    {
      RowEdit *edit;

      g_return_if_fail (lh_table_pager_get_keyed (self->pager));
      g_return_if_fail (lh_pager_row_get_loaded (row));
      edit = ensure_edit (self, row);
      edit->deleted = !edit->deleted;
      if (!edit->deleted && row_edit_is_empty (edit))
        {
          g_autofree char *identity = lh_pager_row_dup_identity (row);

          g_hash_table_remove (self->edits, identity);
        }
    }
  emit_changed (self);
}

gboolean
lh_edit_set_is_deleted (LhEditSet  *self,
                        LhPagerRow *row)
{
  RowEdit *edit;

  g_return_val_if_fail (LH_IS_EDIT_SET (self), FALSE);
  edit = lookup_edit (self, row);
  return edit != NULL && edit->deleted;
}

/* TRUE for a row with any pending change: edited, inserted or to be deleted. */
gboolean
lh_edit_set_is_changed (LhEditSet  *self,
                        LhPagerRow *row)
{
  g_return_val_if_fail (LH_IS_EDIT_SET (self), FALSE);
  return lookup_edit (self, row) != NULL;
}

/* The rows added and not yet written, as LhPagerRow. */
GListModel *
lh_edit_set_get_inserted_rows (LhEditSet *self)
{
  g_return_val_if_fail (LH_IS_EDIT_SET (self), NULL);
  return G_LIST_MODEL (self->inserted);
}

guint
lh_edit_set_get_n_changed_rows (LhEditSet *self)
{
  g_return_val_if_fail (LH_IS_EDIT_SET (self), 0);
  return g_hash_table_size (self->edits);
}

gboolean
lh_edit_set_get_applying (LhEditSet *self)
{
  g_return_val_if_fail (LH_IS_EDIT_SET (self), FALSE);
  return self->applying;
}

/* Drops every pending change. */
void
lh_edit_set_revert (LhEditSet *self)
{
  g_return_if_fail (LH_IS_EDIT_SET (self));
  g_return_if_fail (!self->applying);

  g_hash_table_remove_all (self->edits);
  g_list_store_remove_all (self->inserted);
  emit_changed (self);
}

/* The row the last failed apply stopped at, or NULL. */
LhPagerRow *
lh_edit_set_get_failed_row (LhEditSet *self)
{
  g_return_val_if_fail (LH_IS_EDIT_SET (self), NULL);
  return self->failed_row;
}

/* How a person recognises the row: "the row with id 17", "new row 2". */
char *
lh_edit_set_describe_row (LhEditSet  *self,
                          LhPagerRow *row)
{
  g_autoptr(GString) key = g_string_new (NULL);
  guint n_key;

  g_return_val_if_fail (LH_IS_EDIT_SET (self), NULL);

  if (lh_pager_row_get_inserted (row))
    {
      guint position = 0;

      g_list_store_find (self->inserted, row, &position);
      return g_strdup_printf (_("new row %u"), position + 1);
    }
  n_key = lh_pager_row_get_n_key_values (row);
  for (guint i = 0; i < n_key; i++)
    {
      g_autofree char *value = lh_value_to_display_string (lh_pager_row_get_key_value (row, i), 40);

      if (i > 0)
        g_string_append (key, ", ");
      g_string_append_printf (key, "%s %s", lh_table_pager_get_key_column (self->pager, i), value);
    }
  return g_strdup_printf (_("the row with %s"), key->str);
}

/* Applying */

static void
append_key_condition (LhEditSet  *self,
                      GString    *sql,
                      GPtrArray  *params,
                      LhPagerRow *row)
{
  guint n_key = lh_table_pager_get_n_key_columns (self->pager);

  g_string_append (sql, " WHERE ");
  for (guint i = 0; i < n_key; i++)
    {
      if (i > 0)
        g_string_append (sql, " AND ");
      lh_sql_append_identifier (sql, lh_table_pager_get_key_column (self->pager, i));
      g_string_append (sql, " = ?");
      g_ptr_array_add (params, lh_value_copy (lh_pager_row_get_key_value (row, i)));
    }
}

static void
append_table (LhEditSet *self,
              GString   *sql)
{
  g_autofree char *table = lh_schema_object_dup_qualified_name (lh_table_pager_get_object (self->pager));

  g_string_append (sql, table);
}

static LhBatchStatement *
new_statement (GString   *sql,
               GPtrArray *params,
               gint64     expected_changes)
{
  LhBatchStatement *statement = lh_batch_statement_new (sql->str, params);

  statement->expected_changes = expected_changes;
  return statement;
}

static LhBatchStatement *
build_delete (LhEditSet *self,
              RowEdit   *edit)
{
  g_autoptr(GString) sql = g_string_new ("DELETE FROM ");
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);

  append_table (self, sql);
  append_key_condition (self, sql, params, edit->row);
  return new_statement (sql, params, 1);
}

static LhBatchStatement *
build_update (LhEditSet *self,
              RowEdit   *edit)
{
  g_autoptr(GString) sql = g_string_new ("UPDATE ");
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  gboolean first = TRUE;

  append_table (self, sql);
  g_string_append (sql, " SET ");
  for (guint i = 0; i < self->n_columns; i++)
    {
      if (edit->values[i] == NULL)
        continue;
      if (!first)
        g_string_append (sql, ", ");
      first = FALSE;
      lh_sql_append_identifier (sql, lh_table_pager_get_column_name (self->pager, i));
      g_string_append (sql, " = ?");
      g_ptr_array_add (params, lh_value_copy (edit->values[i]));
    }
  if (first)
    return NULL;
  append_key_condition (self, sql, params, edit->row);
  return new_statement (sql, params, 1);
}

static LhBatchStatement *
build_insert (LhEditSet *self,
              RowEdit   *edit)
{
  g_autoptr(GString) sql = g_string_new ("INSERT INTO ");
  g_autoptr(GString) values = g_string_new (NULL);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);

  append_table (self, sql);
  for (guint i = 0; i < self->n_columns; i++)
    {
      if (edit->values[i] == NULL)
        continue;
      g_string_append (sql, params->len == 0 ? " (" : ", ");
      g_string_append (values, params->len == 0 ? "?" : ", ?");
      lh_sql_append_identifier (sql, lh_table_pager_get_column_name (self->pager, i));
      g_ptr_array_add (params, lh_value_copy (edit->values[i]));
    }
  if (params->len == 0)
    g_string_append (sql, " DEFAULT VALUES");
  else
    g_string_append_printf (sql, ") VALUES (%s)", values->str);
  return new_statement (sql, params, 1);
}

static gint
compare_serial (gconstpointer a,
                gconstpointer b)
{
  const RowEdit *ea = *(RowEdit * const *) a;
  const RowEdit *eb = *(RowEdit * const *) b;

  return ea->serial < eb->serial ? -1 : ea->serial > eb->serial;
}

typedef struct
{
  GPtrArray *rows;   /* LhPagerRow of each statement, for the error */
} ApplyData;

static void
apply_data_free (ApplyData *data)
{
  g_ptr_array_unref (data->rows);
  g_free (data);
}

static void
add_statement (GPtrArray        *statements,
               GPtrArray        *rows,
               LhBatchStatement *statement,
               LhPagerRow       *row)
{
  if (statement == NULL)
    return;
  g_ptr_array_add (statements, statement);
  g_ptr_array_add (rows, g_object_ref (row));
}

/* Deletes, then updates, then inserts, each in the order the user made them. */
static GPtrArray *
build_statements (LhEditSet *self,
                  GPtrArray *rows)
{
  GPtrArray *statements = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  g_autoptr(GPtrArray) edits = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->edits);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (edits, value);
  g_ptr_array_sort (edits, compare_serial);
  for (guint i = 0; i < edits->len; i++)
    {
      RowEdit *edit = g_ptr_array_index (edits, i);

      if (edit->deleted)
        add_statement (statements, rows, build_delete (self, edit), edit->row);
    }
  for (guint i = 0; i < edits->len; i++)
    {
      RowEdit *edit = g_ptr_array_index (edits, i);

      if (!edit->deleted && !lh_pager_row_get_inserted (edit->row))
        add_statement (statements, rows, build_update (self, edit), edit->row);
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->inserted)); i++)
    {
      g_autoptr(LhPagerRow) row = g_list_model_get_item (G_LIST_MODEL (self->inserted), i);

      add_statement (statements, rows, build_insert (self, lookup_edit (self, row)), row);
    }
  return statements;
}

static void
apply_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LhEditSet *self = g_task_get_source_object (task);
  ApplyData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  int index;

  self->applying = FALSE;
  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results != NULL)
    {
      g_hash_table_remove_all (self->edits);
      g_list_store_remove_all (self->inserted);
      emit_changed (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  index = lh_connection_error_get_statement_index (error);
  if (index >= 0 && (guint) index < data->rows->len)
    {
      LhPagerRow *row = g_ptr_array_index (data->rows, index);
      g_autofree char *which = lh_edit_set_describe_row (self, row);

      /* Set before returning: the caller's callback runs inside g_task_return_*(). */
      g_set_object (&self->failed_row, row);
      g_signal_emit (self, signals[CHANGED], 0);
      g_task_return_new_error (task, error->domain, error->code,
                               _("Nothing was written: %s could not be saved. %s"),
                               which, error->message);
      return;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_new_error (task, error->domain, error->code,
                             _("Nothing was written. %s"), error->message);
}

/* Writes every pending change in one transaction. On success the set is empty; on
 * failure nothing was written, the changes stay, and get_failed_row() names the row the
 * database refused, when it was one. */
void
lh_edit_set_apply_async (LhEditSet           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GPtrArray) statements = NULL;
  ApplyData *data;
  GTask *task;

  g_return_if_fail (LH_IS_EDIT_SET (self));
  g_return_if_fail (!self->applying);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_edit_set_apply_async);
  g_task_set_check_cancellable (task, FALSE);
  g_clear_object (&self->failed_row);

  data = g_new0 (ApplyData, 1);
  data->rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, data, (GDestroyNotify) apply_data_free);
  statements = build_statements (self, data->rows);
  if (statements->len == 0)
    {
      /* Only edits that change nothing (a row deleted, then kept): nothing to write. */
      if (g_hash_table_size (self->edits) > 0)
        {
          g_hash_table_remove_all (self->edits);
          emit_changed (self);
        }
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  self->applying = TRUE;
  g_signal_emit (self, signals[CHANGED], 0);
  lh_connection_batch_async (lh_table_pager_get_connection (self->pager), statements,
                             LH_BATCH_TRANSACTION, cancellable, apply_cb, task);
}

gboolean
lh_edit_set_apply_finish (LhEditSet     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
