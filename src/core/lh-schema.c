/* lh-schema.c — LhSchema reads sqlite_master, pragma_table_list, every table's and view's
 * columns (pragma_table_xinfo) and every table's foreign keys (pragma_foreign_key_list) in
 * one batch. A view that no longer compiles (its table was dropped) makes the joined
 * column query fail: then the columns are read object by object, and the broken one keeps
 * its error instead of columns. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-error.h"
#include "lh-schema.h"
#include "lh-script.h"

/* sqlite_master rather than sqlite_schema: the older name works on every SQLite a
 * remote server may run. Internal objects are left out: SQLite's (sqlite_…) and D1's
 * (_cf_…, which D1 reserves and wrangler hides too, also in its local files). */
#define USER_OBJECT(column) \
  column " NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND " column " NOT LIKE '\\_cf\\_%' ESCAPE '\\'"

/* In each, @DB@ stands for the database's name quoted as an identifier and @NAME@ for it
 * as a string literal; "main" is the database the connection opened. */
#define OBJECTS_SQL \
  "SELECT type, name, tbl_name, sql FROM @DB@.sqlite_master " \
  "WHERE type IN ('table', 'view', 'index', 'trigger') AND " USER_OBJECT ("name") " " \
  "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 WHEN 'index' THEN 2 ELSE 3 END, " \
  "name COLLATE NOCASE, name"

#define TABLE_LIST_SQL \
  "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = @NAME@"

#define COLUMNS_SQL \
  "SELECT m.name, c.name, c.type, c.\"notnull\", c.dflt_value, c.pk, c.hidden " \
  "FROM @DB@.sqlite_master AS m, pragma_table_xinfo(m.name, @NAME@) AS c " \
  "WHERE m.type IN ('table', 'view') AND " USER_OBJECT ("m.name") " ORDER BY m.name, c.cid"

#define FOREIGN_KEYS_SQL \
  "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete " \
  "FROM @DB@.sqlite_master AS m, pragma_foreign_key_list(m.name, @NAME@) AS f " \
  "WHERE m.type = 'table' AND " USER_OBJECT ("m.name") " ORDER BY m.name, f.id, f.seq"

#define OBJECT_COLUMNS_SQL \
  "SELECT ?1, name, type, \"notnull\", dflt_value, pk, hidden " \
  "FROM pragma_table_xinfo(?1, ?2) ORDER BY cid"

/* Asked for once with the first batch: attached databases need a batch of their own. */
#define DATABASES_SQL \
  "SELECT name FROM pragma_database_list WHERE name NOT IN ('main', 'temp') ORDER BY seq"

enum { QUERY_OBJECTS, QUERY_TABLE_LIST, QUERY_COLUMNS, QUERY_FOREIGN_KEYS, N_QUERIES };

struct _LhSchema
{
  GObject parent_instance;

  /* owned */
  GListStore *objects;       /* of every database, main first */
  GHashTable *by_name;       /* "database\x1fname" → LhSchemaObject */
  GPtrArray  *databases;     /* names, main first */

  /* state */
  guint counts[LH_SCHEMA_OBJECT_N_KINDS];
};

struct _LhSchemaObject
{
  GObject parent_instance;

  /* owned */
  char       *database;
  char       *name;
  char       *table_name;
  char       *sql;
  GListStore *columns;
  GListStore *foreign_keys;
  char       *columns_error;

  /* state */
  LhSchemaObjectKind kind;
  gboolean           without_rowid;
  gboolean           strict;
};

struct _LhSchemaColumn
{
  GObject parent_instance;

  /* owned */
  char *name;
  char *declared_type;
  char *default_value;

  /* state */
  guint          primary_key;
  gboolean       not_null;
  LhColumnHidden hidden;
};

struct _LhSchemaForeignKey
{
  GObject parent_instance;

  /* owned */
  char      *table;
  GPtrArray *from;
  GPtrArray *to;
  char      *on_update;
  char      *on_delete;

  /* state */
  gint64 id;
};

G_DEFINE_FINAL_TYPE (LhSchema, lh_schema, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (LhSchemaObject, lh_schema_object, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (LhSchemaColumn, lh_schema_column, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (LhSchemaForeignKey, lh_schema_foreign_key, G_TYPE_OBJECT)

static void
lh_schema_column_finalize (GObject *object)
{
  LhSchemaColumn *self = LH_SCHEMA_COLUMN (object);

  g_free (self->name);
  g_free (self->declared_type);
  g_free (self->default_value);
  G_OBJECT_CLASS (lh_schema_column_parent_class)->finalize (object);
}

static void
lh_schema_column_class_init (LhSchemaColumnClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_schema_column_finalize;
}

static void
lh_schema_column_init (LhSchemaColumn *self)
{
}

static void
lh_schema_foreign_key_finalize (GObject *object)
{
  LhSchemaForeignKey *self = LH_SCHEMA_FOREIGN_KEY (object);

  g_free (self->table);
  g_ptr_array_unref (self->from);
  g_ptr_array_unref (self->to);
  g_free (self->on_update);
  g_free (self->on_delete);
  G_OBJECT_CLASS (lh_schema_foreign_key_parent_class)->finalize (object);
}

static void
lh_schema_foreign_key_class_init (LhSchemaForeignKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_schema_foreign_key_finalize;
}

static void
lh_schema_foreign_key_init (LhSchemaForeignKey *self)
{
  self->from = g_ptr_array_new_with_free_func (g_free);
  self->to = g_ptr_array_new_with_free_func (g_free);
}

static void
lh_schema_object_finalize (GObject *object)
{
  LhSchemaObject *self = LH_SCHEMA_OBJECT (object);

  g_free (self->database);
  g_free (self->name);
  g_free (self->table_name);
  g_free (self->sql);
  g_clear_object (&self->columns);
  g_clear_object (&self->foreign_keys);
  g_free (self->columns_error);
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
  self->columns = g_list_store_new (LH_TYPE_SCHEMA_COLUMN);
  self->foreign_keys = g_list_store_new (LH_TYPE_SCHEMA_FOREIGN_KEY);
}

static void
lh_schema_dispose (GObject *object)
{
  LhSchema *self = LH_SCHEMA (object);

  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->databases, g_ptr_array_unref);
  g_clear_object (&self->objects);
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
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->databases = g_ptr_array_new_with_free_func (g_free);
}

static char *
object_key (const char *database,
            const char *name)
{
  return g_strconcat (database, "\x1f", name, NULL);
}

static char *
dup_text (LhResultSet *result,
          guint        row,
          guint        column)
{
  const LhValue *value = lh_result_set_get_value (result, row, column);

  if (value->kind == LH_VALUE_NULL || value->kind == LH_VALUE_BLOB)
    return NULL;
  if (value->kind == LH_VALUE_TEXT)
    return g_strndup (value->v.text.data, value->v.text.length);
  return lh_value_to_display_string (value, 0);
}

static const char *
peek_text (LhResultSet *result,
           guint        row,
           guint        column)
{
  const LhValue *value = lh_result_set_get_value (result, row, column);

  return value->kind == LH_VALUE_TEXT ? value->v.text.data : NULL;
}

static gint64
get_integer (LhResultSet *result,
             guint        row,
             guint        column)
{
  const LhValue *value = lh_result_set_get_value (result, row, column);

  if (value->kind == LH_VALUE_INTEGER)
    return value->v.integer;
  if (value->kind == LH_VALUE_TEXT)
    return g_ascii_strtoll (value->v.text.data, NULL, 10);
  return 0;
}

/* The object of database that a row's first column names. */
static LhSchemaObject *
row_object (LhSchema    *self,
            const char  *database,
            LhResultSet *result,
            guint        row)
{
  const char *name = peek_text (result, row, 0);
  g_autofree char *key = NULL;

  if (name == NULL)
    return NULL;
  key = object_key (database, name);
  return g_hash_table_lookup (self->by_name, key);
}

static gboolean
kind_from_type (const char         *type,
                const char         *sql,
                LhSchemaObjectKind *kind)
{
  static const char * const types[] = { "table", "view", NULL, "index", "trigger" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (types[i] != NULL && g_strcmp0 (type, types[i]) == 0)
      {
        *kind = i;
        /* Told apart again by pragma_table_list when it answers. */
        if (*kind == LH_SCHEMA_OBJECT_TABLE && sql != NULL &&
            g_ascii_strncasecmp (sql, "CREATE VIRTUAL TABLE", 20) == 0)
          *kind = LH_SCHEMA_OBJECT_VIRTUAL_TABLE;
        return TRUE;
      }
  return FALSE;
}

static void
add_objects (LhSchema    *self,
             const char  *database,
             LhResultSet *result)
{
  for (guint row = 0; row < lh_result_set_get_n_rows (result); row++)
    {
      g_autoptr(LhSchemaObject) object = NULL;
      LhSchemaObjectKind kind;

      if (!kind_from_type (peek_text (result, row, 0), peek_text (result, row, 3), &kind))
        continue;
      object = g_object_new (LH_TYPE_SCHEMA_OBJECT, NULL);
      object->kind = kind;
      object->database = g_strdup (database);
      object->name = dup_text (result, row, 1);
      object->table_name = dup_text (result, row, 2);
      object->sql = dup_text (result, row, 3);
      if (object->name == NULL)
        continue;
      g_list_store_append (self->objects, object);
      /* Triggers have a namespace of their own: one may share its table's name. */
      if (kind != LH_SCHEMA_OBJECT_TRIGGER)
        g_hash_table_insert (self->by_name, object_key (database, object->name), object);
    }
}

static void
apply_table_list (LhSchema    *self,
                  const char  *database,
                  LhResultSet *result)
{
  for (guint row = 0; row < lh_result_set_get_n_rows (result); row++)
    {
      LhSchemaObject *object = row_object (self, database, result, row);
      const char *type = peek_text (result, row, 1);

      if (object == NULL || object->kind == LH_SCHEMA_OBJECT_VIEW)
        continue;
      if (g_strcmp0 (type, "virtual") == 0)
        object->kind = LH_SCHEMA_OBJECT_VIRTUAL_TABLE;
      object->without_rowid = get_integer (result, row, 2) != 0;
      object->strict = get_integer (result, row, 3) != 0;
    }
}

static void
add_columns (LhSchema    *self,
             const char  *database,
             LhResultSet *result)
{
  for (guint row = 0; row < lh_result_set_get_n_rows (result); row++)
    {
      LhSchemaObject *object = row_object (self, database, result, row);
      g_autoptr(LhSchemaColumn) column = NULL;

      if (object == NULL)
        continue;
      column = g_object_new (LH_TYPE_SCHEMA_COLUMN, NULL);
      column->name = dup_text (result, row, 1);
      column->declared_type = dup_text (result, row, 2);
      column->not_null = get_integer (result, row, 3) != 0;
      column->default_value = dup_text (result, row, 4);
      column->primary_key = get_integer (result, row, 5);
      column->hidden = CLAMP (get_integer (result, row, 6), 0, LH_COLUMN_GENERATED_STORED);
      if (column->name == NULL)
        column->name = g_strdup ("");
      g_list_store_append (object->columns, column);
    }
}

static void
add_foreign_keys (LhSchema    *self,
                  const char  *database,
                  LhResultSet *result)
{
  LhSchemaForeignKey *current = NULL;
  LhSchemaObject *current_object = NULL;

  for (guint row = 0; row < lh_result_set_get_n_rows (result); row++)
    {
      LhSchemaObject *object = row_object (self, database, result, row);
      gint64 id = get_integer (result, row, 1);

      if (object == NULL)
        continue;
      if (current == NULL || current_object != object || current->id != id)
        {
          g_autoptr(LhSchemaForeignKey) key = g_object_new (LH_TYPE_SCHEMA_FOREIGN_KEY, NULL);

          key->id = id;
          key->table = dup_text (result, row, 2);
          key->on_update = dup_text (result, row, 5);
          key->on_delete = dup_text (result, row, 6);
          g_list_store_append (object->foreign_keys, key);
          current = key;
          current_object = object;
        }
      g_ptr_array_add (current->from, dup_text (result, row, 3));
      /* NULL "to" means the referenced table's primary key. */
      g_ptr_array_add (current->to, dup_text (result, row, 4));
    }
}

static void
count_objects (LhSchema *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->objects));

  memset (self->counts, 0, sizeof self->counts);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaObject) object = g_list_model_get_item (G_LIST_MODEL (self->objects), i);

      if (g_str_equal (object->database, "main"))
        self->counts[object->kind]++;
    }
}

/* Loading. */

typedef struct
{
  LhConnection *connection;
  LhSchema     *schema;
  GQueue        databases;   /* attached databases still to read */
  char         *database;    /* the one being read */
  GQueue        pending;     /* objects whose columns are still to read, one by one */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->connection);
  g_clear_object (&data->schema);
  g_queue_clear_full (&data->databases, g_free);
  g_free (data->database);
  g_queue_clear_full (&data->pending, g_object_unref);
  g_free (data);
}

static char *
quote_literal (const char *text)
{
  g_autoptr(GString) quoted = g_string_new ("'");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (quoted, '\'');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '\'');
  return g_string_free (g_steal_pointer (&quoted), FALSE);
}

static void
add_statement (GPtrArray  *statements,
               const char *template,
               const char *id,
               const char *literal)
{
  g_autoptr(GString) sql = g_string_new (NULL);

  /* One pass, so that a name holding "@NAME@" is not replaced in its turn. */
  for (const char *p = template; *p != '\0';)
    {
      if (g_str_has_prefix (p, "@DB@"))
        {
          g_string_append (sql, id);
          p += strlen ("@DB@");
        }
      else if (g_str_has_prefix (p, "@NAME@"))
        {
          g_string_append (sql, literal);
          p += strlen ("@NAME@");
        }
      else
        g_string_append_c (sql, *p++);
    }
  g_ptr_array_add (statements, lh_batch_statement_new (sql->str, NULL));
}

/* The queries that read one database; with_columns FALSE leaves out the joined column
 * query (the fallback reads columns object by object). */
static GPtrArray *
database_batch (const char *database,
                gboolean    with_columns,
                gboolean    with_database_list)
{
  GPtrArray *statements = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
  g_autofree char *id = lh_sql_quote_identifier (database);
  g_autofree char *literal = quote_literal (database);

  add_statement (statements, OBJECTS_SQL, id, literal);
  add_statement (statements, TABLE_LIST_SQL, id, literal);
  if (with_columns)
    add_statement (statements, COLUMNS_SQL, id, literal);
  add_statement (statements, FOREIGN_KEYS_SQL, id, literal);
  if (with_database_list)
    g_ptr_array_add (statements, lh_batch_statement_new (DATABASES_SQL, NULL));
  return statements;
}

static void read_database (GTask      *task,
                           const char *database);

static void
next_database (GTask *task)
{
  LoadData *data = g_task_get_task_data (task);
  g_autofree char *database = g_queue_pop_head (&data->databases);

  if (database == NULL)
    {
      count_objects (data->schema);
      g_task_return_pointer (task, g_steal_pointer (&data->schema), g_object_unref);
      g_object_unref (task);
      return;
    }
  read_database (task, database);
}

static void read_next_object (GTask *task);

static void
object_columns_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(LhSchemaObject) object = g_queue_pop_head (&data->pending);
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rows != NULL)
    add_columns (data->schema, data->database, rows);
  else
    object->columns_error = g_strdup (error->message);
  read_next_object (g_steal_pointer (&task));
}

static void
read_next_object (GTask *task)
{
  LoadData *data = g_task_get_task_data (task);
  LhSchemaObject *object = g_queue_peek_head (&data->pending);
  g_autoptr(GPtrArray) params = NULL;

  if (object == NULL)
    {
      next_database (task);
      return;
    }
  params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_ptr_array_add (params, lh_value_new_text (object->name, -1));
  g_ptr_array_add (params, lh_value_new_text (object->database, -1));
  lh_connection_execute_async (data->connection, OBJECT_COLUMNS_SQL, params, 0,
                               g_task_get_cancellable (task), object_columns_cb, task);
}

static void
fallback_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;
  guint n;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  add_objects (data->schema, data->database, g_ptr_array_index (results, 0));
  apply_table_list (data->schema, data->database, g_ptr_array_index (results, 1));
  add_foreign_keys (data->schema, data->database, g_ptr_array_index (results, 2));

  n = g_list_model_get_n_items (G_LIST_MODEL (data->schema->objects));
  for (guint i = 0; i < n; i++)
    {
      LhSchemaObject *object = g_list_model_get_item (G_LIST_MODEL (data->schema->objects), i);

      if (lh_schema_object_has_rows (object) && g_str_equal (object->database, data->database))
        g_queue_push_tail (&data->pending, object);
      else
        g_object_unref (object);
    }
  read_next_object (g_steal_pointer (&task));
}

static void
database_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results == NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);
      g_autoptr(GPtrArray) statements = NULL;

      if (lh_connection_error_get_statement_index (error) != QUERY_COLUMNS)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      statements = database_batch (data->database, FALSE, FALSE);
      lh_connection_batch_async (data->connection, statements, LH_BATCH_NONE, cancellable,
                                 fallback_cb, g_steal_pointer (&task));
      return;
    }

  add_objects (data->schema, data->database, g_ptr_array_index (results, QUERY_OBJECTS));
  apply_table_list (data->schema, data->database, g_ptr_array_index (results, QUERY_TABLE_LIST));
  add_columns (data->schema, data->database, g_ptr_array_index (results, QUERY_COLUMNS));
  add_foreign_keys (data->schema, data->database, g_ptr_array_index (results, QUERY_FOREIGN_KEYS));
  if (results->len > N_QUERIES)
    {
      LhResultSet *databases = g_ptr_array_index (results, N_QUERIES);

      for (guint i = 0; i < lh_result_set_get_n_rows (databases); i++)
        g_queue_push_tail (&data->databases, dup_text (databases, i, 0));
    }
  next_database (g_steal_pointer (&task));
}

/* Reads one database: main with the list of attached ones in the same round trip. */
static void
read_database (GTask      *task,
               const char *database)
{
  LoadData *data = g_task_get_task_data (task);
  /* Attached databases only where the backend has them: D1 does not even allow the
   * question (pragma_database_list is "not authorized" there). */
  gboolean main_database = g_str_equal (database, "main") &&
                           (lh_connection_get_capabilities (data->connection) & LH_CAPABILITY_ATTACH) != 0;
  g_autoptr(GPtrArray) statements = database_batch (database, TRUE, main_database);

  g_free (data->database);
  data->database = g_strdup (database);
  g_ptr_array_add (data->schema->databases, g_strdup (database));
  lh_connection_batch_async (data->connection, statements, LH_BATCH_NONE,
                             g_task_get_cancellable (task), database_cb, task);
}

void
lh_schema_load_async (LhConnection        *connection,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  LoadData *data;
  GTask *task;

  g_return_if_fail (LH_IS_CONNECTION (connection));

  data = g_new0 (LoadData, 1);
  data->connection = g_object_ref (connection);
  data->schema = g_object_new (LH_TYPE_SCHEMA, NULL);
  g_queue_init (&data->databases);
  g_queue_init (&data->pending);

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_schema_load_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  read_database (task, "main");
}

LhSchema *
lh_schema_load_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A GListModel of LhSchemaObject, ordered by name. */
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

/* An object of the main database; see lh_schema_lookup_in(). */
LhSchemaObject *
lh_schema_lookup (LhSchema   *self,
                  const char *name)
{
  return lh_schema_lookup_in (self, "main", name);
}

/* SQLite's names are case-insensitive for ASCII: so is the lookup, an exact match first. */
LhSchemaObject *
lh_schema_lookup_in (LhSchema   *self,
                     const char *database,
                     const char *name)
{
  g_autofree char *key = NULL;
  LhSchemaObject *object;
  guint n;

  g_return_val_if_fail (LH_IS_SCHEMA (self), NULL);
  g_return_val_if_fail (database != NULL && name != NULL, NULL);

  key = object_key (database, name);
  object = g_hash_table_lookup (self->by_name, key);
  if (object != NULL)
    return object;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->objects));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaObject) candidate = g_list_model_get_item (G_LIST_MODEL (self->objects), i);

      if (candidate->kind != LH_SCHEMA_OBJECT_TRIGGER &&
          g_ascii_strcasecmp (candidate->database, database) == 0 &&
          g_ascii_strcasecmp (candidate->name, name) == 0)
        return candidate;
    }
  return NULL;
}

/* The databases the connection sees: "main" first, then attached ones. */
guint
lh_schema_get_n_databases (LhSchema *self)
{
  g_return_val_if_fail (LH_IS_SCHEMA (self), 0);
  return self->databases->len;
}

const char *
lh_schema_get_database (LhSchema *self,
                        guint     index)
{
  g_return_val_if_fail (LH_IS_SCHEMA (self), NULL);
  g_return_val_if_fail (index < self->databases->len, NULL);
  return g_ptr_array_index (self->databases, index);
}

/* The indexes or triggers (kind) that belong to table, as a new list. */
GListModel *
lh_schema_dup_related (LhSchema           *self,
                       LhSchemaObject     *table,
                       LhSchemaObjectKind  kind)
{
  GListStore *related = g_list_store_new (LH_TYPE_SCHEMA_OBJECT);
  guint n;

  g_return_val_if_fail (LH_IS_SCHEMA (self), NULL);
  g_return_val_if_fail (LH_IS_SCHEMA_OBJECT (table), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->objects));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaObject) object = g_list_model_get_item (G_LIST_MODEL (self->objects), i);

      if (object->kind == kind && object != table && g_str_equal (object->database, table->database) &&
          g_strcmp0 (object->table_name, table->name) == 0)
        g_list_store_append (related, object);
    }
  return G_LIST_MODEL (related);
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

/* "main", or the name an attached database was given. */
const char *
lh_schema_object_get_database (LhSchemaObject *self)
{
  return self->database;
}

/* The name as SQL reaches it: "name" in the main database, "database"."name" else. */
char *
lh_schema_object_dup_qualified_name (LhSchemaObject *self)
{
  g_autoptr(GString) sql = g_string_new (NULL);

  if (!g_str_equal (self->database, "main"))
    {
      lh_sql_append_identifier (sql, self->database);
      g_string_append_c (sql, '.');
    }
  lh_sql_append_identifier (sql, self->name);
  return g_string_free (g_steal_pointer (&sql), FALSE);
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

gboolean
lh_schema_object_get_without_rowid (LhSchemaObject *self)
{
  return self->without_rowid;
}

gboolean
lh_schema_object_get_strict (LhSchemaObject *self)
{
  return self->strict;
}

/* LhSchemaColumn, in declaration order; hidden and generated columns included. */
GListModel *
lh_schema_object_get_columns (LhSchemaObject *self)
{
  return G_LIST_MODEL (self->columns);
}

/* LhSchemaForeignKey of a table. */
GListModel *
lh_schema_object_get_foreign_keys (LhSchemaObject *self)
{
  return G_LIST_MODEL (self->foreign_keys);
}

/* Why the columns could not be read (a view over a dropped table, say), or NULL. */
const char *
lh_schema_object_get_columns_error (LhSchemaObject *self)
{
  return self->columns_error;
}

/* Tables, views and virtual tables have rows; indexes and triggers do not. */
gboolean
lh_schema_object_has_rows (LhSchemaObject *self)
{
  return self->kind == LH_SCHEMA_OBJECT_TABLE || self->kind == LH_SCHEMA_OBJECT_VIEW ||
         self->kind == LH_SCHEMA_OBJECT_VIRTUAL_TABLE;
}

static gboolean
has_column (LhSchemaObject *self,
            const char     *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->columns));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaColumn) column = g_list_model_get_item (G_LIST_MODEL (self->columns), i);

      if (g_ascii_strcasecmp (column->name, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The name that reaches the row's rowid (rowid, _rowid_ or oid: whichever no column of
 * the table has taken), or NULL: a view, a WITHOUT ROWID table, or all three taken. */
char *
lh_schema_object_dup_rowid_name (LhSchemaObject *self)
{
  static const char * const names[] = { "rowid", "_rowid_", "oid" };

  if (self->kind != LH_SCHEMA_OBJECT_TABLE || self->without_rowid)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (!has_column (self, names[i]))
      return g_strdup (names[i]);
  return NULL;
}

/* The primary key's columns in key order, or NULL when the table declares none. */
GStrv
lh_schema_object_dup_primary_key (LhSchemaObject *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->columns));
  g_autoptr(GPtrArray) key = g_ptr_array_new_null_terminated (n, g_free, TRUE);
  guint n_key = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaColumn) column = g_list_model_get_item (G_LIST_MODEL (self->columns), i);

      n_key = MAX (n_key, column->primary_key);
    }
  if (n_key == 0)
    return NULL;
  for (guint position = 1; position <= n_key; position++)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(LhSchemaColumn) column = g_list_model_get_item (G_LIST_MODEL (self->columns), i);

        if (column->primary_key == position)
          g_ptr_array_add (key, g_strdup (column->name));
      }
  return (GStrv) g_ptr_array_steal (key, NULL);
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
    case LH_SCHEMA_OBJECT_VIRTUAL_TABLE:
      return _("Virtual Tables");
    case LH_SCHEMA_OBJECT_INDEX:
      return _("Indexes");
    case LH_SCHEMA_OBJECT_TRIGGER:
      return _("Triggers");
    default:
      g_assert_not_reached ();
    }
}

const char *
lh_schema_column_get_name (LhSchemaColumn *self)
{
  return self->name;
}

/* "" when the column was declared without a type. */
const char *
lh_schema_column_get_declared_type (LhSchemaColumn *self)
{
  return self->declared_type != NULL ? self->declared_type : "";
}

/* The column's place in the primary key, from 1; 0 when it is not part of it. */
guint
lh_schema_column_get_primary_key (LhSchemaColumn *self)
{
  return self->primary_key;
}

gboolean
lh_schema_column_get_not_null (LhSchemaColumn *self)
{
  return self->not_null;
}

/* The default as written in the CREATE statement (an SQL expression), or NULL. */
const char *
lh_schema_column_get_default (LhSchemaColumn *self)
{
  return self->default_value;
}

LhColumnHidden
lh_schema_column_get_hidden (LhSchemaColumn *self)
{
  return self->hidden;
}

guint
lh_schema_foreign_key_get_n_columns (LhSchemaForeignKey *self)
{
  return self->from->len;
}

const char *
lh_schema_foreign_key_get_from (LhSchemaForeignKey *self,
                                guint               index)
{
  g_return_val_if_fail (index < self->from->len, NULL);
  return g_ptr_array_index (self->from, index);
}

/* NULL when the key names no column: it references the other table's primary key. */
const char *
lh_schema_foreign_key_get_to (LhSchemaForeignKey *self,
                              guint               index)
{
  g_return_val_if_fail (index < self->to->len, NULL);
  return g_ptr_array_index (self->to, index);
}

const char *
lh_schema_foreign_key_get_table (LhSchemaForeignKey *self)
{
  return self->table;
}

const char *
lh_schema_foreign_key_get_on_update (LhSchemaForeignKey *self)
{
  return self->on_update;
}

const char *
lh_schema_foreign_key_get_on_delete (LhSchemaForeignKey *self)
{
  return self->on_delete;
}

/* What a person needs to know of a column at a glance: "INTEGER · PK · NOT NULL · = 0". */
char *
lh_schema_column_dup_summary (LhSchemaColumn *column)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *type = lh_schema_column_get_declared_type (column);
  const char *default_value = lh_schema_column_get_default (column);

  g_ptr_array_add (parts, g_strdup (*type != '\0' ? type : _("any type")));
  if (lh_schema_column_get_primary_key (column) > 0)
    /* TRANSLATORS: short for "primary key", beside a column's type */
    g_ptr_array_add (parts, g_strdup (_("PK")));
  if (lh_schema_column_get_not_null (column))
    g_ptr_array_add (parts, g_strdup ("NOT NULL"));
  if (default_value != NULL)
    g_ptr_array_add (parts, g_strdup_printf ("= %s", default_value));
  switch (lh_schema_column_get_hidden (column))
    {
    case LH_COLUMN_GENERATED_VIRTUAL:
    case LH_COLUMN_GENERATED_STORED:
      g_ptr_array_add (parts, g_strdup (_("generated")));
      break;
    case LH_COLUMN_HIDDEN:
      g_ptr_array_add (parts, g_strdup (_("hidden")));
      break;
    case LH_COLUMN_NORMAL:
    default:
      break;
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* "team_id → teams (id)"; without the parenthesis when the key names the primary key. */
char *
lh_schema_foreign_key_dup_label (LhSchemaForeignKey *key)
{
  g_autoptr(GString) from = g_string_new (NULL);
  g_autoptr(GString) to = g_string_new (NULL);
  guint n = lh_schema_foreign_key_get_n_columns (key);

  for (guint i = 0; i < n; i++)
    {
      const char *target = lh_schema_foreign_key_get_to (key, i);

      g_string_append_printf (from, i > 0 ? ", %s" : "%s", lh_schema_foreign_key_get_from (key, i));
      if (target != NULL)
        g_string_append_printf (to, i > 0 ? ", %s" : "%s", target);
    }
  if (to->len == 0)
    return g_strdup_printf ("%s → %s", from->str, lh_schema_foreign_key_get_table (key));
  return g_strdup_printf ("%s → %s (%s)", from->str, lh_schema_foreign_key_get_table (key), to->str);
}

/* Its ON DELETE and ON UPDATE actions other than NO ACTION, or "". */
char *
lh_schema_foreign_key_dup_actions (LhSchemaForeignKey *key)
{
  const char *on_delete = lh_schema_foreign_key_get_on_delete (key);
  const char *on_update = lh_schema_foreign_key_get_on_update (key);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (on_delete != NULL && g_strcmp0 (on_delete, "NO ACTION") != 0)
    g_ptr_array_add (parts, g_strdup_printf ("ON DELETE %s", on_delete));
  if (on_update != NULL && g_strcmp0 (on_update, "NO ACTION") != 0)
    g_ptr_array_add (parts, g_strdup_printf ("ON UPDATE %s", on_update));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}
