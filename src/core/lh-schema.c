/* lh-schema.c — LhSchema reads sqlite_schema into a list of LhSchemaObject, ordered by
 * kind and then by name, for the sidebar. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-schema.h"

/* sqlite_master rather than sqlite_schema: the older name works on every SQLite a
 * remote server may run. Internal objects (sqlite_…) are left out. */
#define SCHEMA_SQL \
  "SELECT type, name, tbl_name, sql FROM sqlite_master " \
  "WHERE type IN ('table', 'view', 'index', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " \
  "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 WHEN 'index' THEN 2 ELSE 3 END, " \
  "name COLLATE NOCASE"

struct _LhSchema
{
  GObject parent_instance;

  /* owned */
  GListStore *objects;

  /* state */
  guint counts[LH_SCHEMA_OBJECT_N_KINDS];
};

struct _LhSchemaObject
{
  GObject parent_instance;

  /* owned */
  char *name;
  char *table_name;
  char *sql;

  /* state */
  LhSchemaObjectKind kind;
};

G_DEFINE_FINAL_TYPE (LhSchema, lh_schema, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (LhSchemaObject, lh_schema_object, G_TYPE_OBJECT)

static void
lh_schema_object_finalize (GObject *object)
{
  LhSchemaObject *self = LH_SCHEMA_OBJECT (object);

  g_free (self->name);
  g_free (self->table_name);
  g_free (self->sql);
  G_OBJECT_CLASS (lh_schema_object_parent_class)->finalize (object);
}

static void
lh_schema_object_class_init (LhSchemaObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_schema_object_finalize;
}

static void
lh_schema_object_init (LhSchemaObject *self)
{
}

static void
lh_schema_dispose (GObject *object)
{
  g_clear_object (&LH_SCHEMA (object)->objects);
  G_OBJECT_CLASS (lh_schema_parent_class)->dispose (object);
}

static void
lh_schema_class_init (LhSchemaClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lh_schema_dispose;
}

static void
lh_schema_init (LhSchema *self)
{
  self->objects = g_list_store_new (LH_TYPE_SCHEMA_OBJECT);
}

static gboolean
kind_from_type (const char         *type,
                LhSchemaObjectKind *kind)
{
  static const char * const types[] = { "table", "view", "index", "trigger" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_strcmp0 (type, types[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

static char *
dup_text (const LhValue *value)
{
  if (value->kind != LH_VALUE_TEXT)
    return NULL;
  return g_strndup (value->v.text.data, value->v.text.length);
}

static LhSchema *
lh_schema_new_from_result (LhResultSet *result)
{
  LhSchema *self = g_object_new (LH_TYPE_SCHEMA, NULL);

  for (guint row = 0; row < lh_result_set_get_n_rows (result); row++)
    {
      g_autoptr(LhSchemaObject) object = NULL;
      g_autofree char *type = dup_text (lh_result_set_get_value (result, row, 0));
      LhSchemaObjectKind kind;

      if (!kind_from_type (type, &kind))
        continue;

      object = g_object_new (LH_TYPE_SCHEMA_OBJECT, NULL);
      object->kind = kind;
      object->name = dup_text (lh_result_set_get_value (result, row, 1));
      object->table_name = dup_text (lh_result_set_get_value (result, row, 2));
      object->sql = dup_text (lh_result_set_get_value (result, row, 3));
      if (object->name == NULL)
        continue;
      g_list_store_append (self->objects, object);
      self->counts[kind]++;
    }
  return self;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  GError *error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (object), result, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, lh_schema_new_from_result (rows), g_object_unref);
}

void
lh_schema_load_async (LhConnection        *connection,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (LH_IS_CONNECTION (connection));

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_schema_load_async);
  lh_connection_execute_async (connection, SCHEMA_SQL, NULL, 0, cancellable, load_cb, task);
}

LhSchema *
lh_schema_load_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A GListModel of LhSchemaObject. */
GListModel *
lh_schema_get_objects (LhSchema *self)
{
  g_return_val_if_fail (LH_IS_SCHEMA (self), NULL);
  return G_LIST_MODEL (self->objects);
}

guint
lh_schema_count (LhSchema           *self,
                 LhSchemaObjectKind  kind)
{
  g_return_val_if_fail (LH_IS_SCHEMA (self), 0);
  g_return_val_if_fail (kind < LH_SCHEMA_OBJECT_N_KINDS, 0);
  return self->counts[kind];
}

LhSchemaObjectKind
lh_schema_object_get_kind (LhSchemaObject *self)
{
  return self->kind;
}

const char *
lh_schema_object_get_name (LhSchemaObject *self)
{
  return self->name;
}

const char *
lh_schema_object_get_table_name (LhSchemaObject *self)
{
  return self->table_name;
}

/* NULL for objects SQLite made itself. */
const char *
lh_schema_object_get_sql (LhSchemaObject *self)
{
  return self->sql;
}

const char *
lh_schema_object_kind_to_label (LhSchemaObjectKind kind)
{
  switch (kind)
    {
    case LH_SCHEMA_OBJECT_TABLE:
      return _("Tables");
    case LH_SCHEMA_OBJECT_VIEW:
      return _("Views");
    case LH_SCHEMA_OBJECT_INDEX:
      return _("Indexes");
    case LH_SCHEMA_OBJECT_TRIGGER:
      return _("Triggers");
    default:
      g_assert_not_reached ();
    }
}
