/* lh-schema-diff.c — comparing the schemas of two databases, and copying a database into
 * a new local file.
 *
 * The diff loads both schemas with LhSchema (sqlite_master and pragma_table_xinfo, which
 * every backend answers) and compares the main databases' objects by type and name,
 * leaving out the shadow tables of virtual tables. SQL is compared token by token, so
 * whitespace and comments outside strings and quoted names do not count. A table found in
 * both is compared column by column (a declaration made of pragma_table_xinfo's type,
 * pk, notnull, dflt_value and hidden); each column added, removed or changed is reported,
 * and the table itself only when its CREATE statement still differs once the definitions
 * of those columns are taken out of both: a constraint, WITHOUT ROWID, STRICT, another
 * column's CHECK or COLLATE, the order of the columns. Virtual tables are compared whole.
 *
 * A copy is written under a temporary name beside its path and linked into place only
 * when complete: link() fails if something took the name meanwhile, where rename() would
 * replace it. */
#define _POSIX_C_SOURCE 200809L   /* lstat(), behind g_lstat(), under -std=c11 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "lh-error.h"
#include "lh-file-util-private.h"
#include "lh-schema.h"
#include "lh-schema-diff.h"
#include "lh-script.h"
#include "lh-sqlite-private.h"

/* Tables that a virtual table made for itself: copying the virtual table makes them. */
#define SHADOW_TABLES_SQL \
  "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'"

/* What a schema-only copy makes, in an order that works: virtual tables first (a table
 * they make is then there already), tables, indexes, views, triggers. */
#define COPY_OBJECTS_SQL \
  "SELECT type, name, sql FROM sqlite_master " \
  "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " \
  "AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND tbl_name NOT LIKE '\\_cf\\_%' ESCAPE '\\' " \
  "ORDER BY CASE WHEN type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' THEN 0 " \
  "WHEN type = 'table' THEN 1 WHEN type = 'index' THEN 2 WHEN type = 'view' THEN 3 " \
  "ELSE 4 END, rowid"

enum { OLD, NEW, N_SIDES };

/* SQL text as tokens. */

typedef struct
{
  const char *start;
  gsize       length;
} Token;

/* SQLite's IdChar(): what may continue an identifier, keyword or number. */
static gboolean
is_id_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$' || c >= 0x80;
}

/* The end of the string or quoted name that starts at p; a doubled quote stays inside. */
static const char *
quoted_end (const char *p)
{
  char close = *p == '[' ? ']' : *p;

  for (p++; *p != '\0'; p++)
    if (*p == close)
      {
        if (close == ']' || p[1] != close)
          return p + 1;
        p++;
      }
  return p;
}

/* The end of the token, whitespace or comment at p; *blank tells the latter two apart. */
static const char *
token_end (const char *p,
           gboolean   *blank)
{
  *blank = TRUE;
  if (g_ascii_isspace (*p))
    {
      while (g_ascii_isspace (*p))
        p++;
      return p;
    }
  if (p[0] == '-' && p[1] == '-')
    return p + strcspn (p, "\n");
  if (p[0] == '/' && p[1] == '*')
    {
      const char *close = strstr (p + 2, "*/");

      return close != NULL ? close + 2 : p + strlen (p);
    }
  *blank = FALSE;
  if (*p == '\'' || *p == '"' || *p == '`' || *p == '[')
    return quoted_end (p);
  /* A blob literal, x'41', is one token (x '41' is a name and a string). */
  if ((*p == 'x' || *p == 'X') && p[1] == '\'')
    return quoted_end (p + 1);
  if (is_id_char (*p))
    {
      while (is_id_char (*p))
        p++;
      return p;
    }
  return p + 1;
}

static GArray *
tokenize (const char *sql)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (Token));

  for (const char *p = sql; *p != '\0';)
    {
      gboolean blank;
      const char *end = token_end (p, &blank);

      if (!blank)
        {
          Token token = { p, end - p };

          g_array_append_val (tokens, token);
        }
      p = end;
    }
  return tokens;
}

/* Whether sql holds keyword (ASCII, any case) as a token of its own: not part of a name,
 * a string, a quoted name or a comment. */
gboolean
lh_sql_has_keyword (const char *sql,
                    const char *keyword)
{
  g_autoptr(GArray) tokens = tokenize (sql);
  gsize length = strlen (keyword);

  for (guint i = 0; i < tokens->len; i++)
    {
      const Token *token = &g_array_index (tokens, Token, i);

      if (token->length == length && g_ascii_strncasecmp (token->start, keyword, length) == 0)
        return TRUE;
    }
  return FALSE;
}

static const Token *
token_at (GArray *tokens,
          guint   index)
{
  return &g_array_index (tokens, Token, index);
}

static gboolean
token_is_char (GArray *tokens,
               guint   index,
               char    c)
{
  const Token *token = token_at (tokens, index);

  return token->length == 1 && token->start[0] == c;
}

/* Appends the tokens from to to, one space between each. */
static void
append_tokens (GString *text,
               GArray  *tokens,
               guint    from,
               guint    to)
{
  for (guint i = from; i < to; i++)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_len (text, token_at (tokens, i)->start, token_at (tokens, i)->length);
    }
}

/* The same for two statements that differ only in whitespace and comments. */
static char *
normalize_sql (const char *sql)
{
  g_autoptr(GArray) tokens = tokenize (sql);
  GString *text = g_string_new (NULL);

  append_tokens (text, tokens, 0, tokens->len);
  return g_string_free (text, FALSE);
}

static gboolean
same_sql (const char *a,
          const char *b)
{
  g_autofree char *normal_a = NULL;
  g_autofree char *normal_b = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  normal_a = normalize_sql (a);
  normal_b = normalize_sql (b);
  return g_str_equal (normal_a, normal_b);
}

/* The name a token spells: bare, or in "", '', `` or [] quotes. */
static char *
token_name (const Token *token)
{
  char open = token->start[0];
  char close = open == '[' ? ']' : open;
  GString *name;

  if (open != '"' && open != '\'' && open != '`' && open != '[')
    return g_strndup (token->start, token->length);
  name = g_string_new (NULL);
  for (gsize i = 1; i + 1 < token->length; i++)
    {
      g_string_append_c (name, token->start[i]);
      if (token->start[i] == close && close != ']')
        i++;
    }
  return g_string_free (name, FALSE);
}

/* Whether the item from to to of a CREATE TABLE's list defines one of columns (rather
 * than being a table constraint, or another column). */
static gboolean
defines_column (GArray     *tokens,
                guint       from,
                guint       to,
                GHashTable *columns)
{
  static const char * const constraints[] = { "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN" };
  const Token *first;
  g_autofree char *name = NULL;

  if (from >= to)
    return FALSE;
  first = token_at (tokens, from);
  for (guint i = 0; i < G_N_ELEMENTS (constraints); i++)
    if (first->length == strlen (constraints[i]) &&
        g_ascii_strncasecmp (first->start, constraints[i], first->length) == 0)
      return FALSE;
  name = token_name (first);
  return g_hash_table_contains (columns, name);
}

/* A table's CREATE statement, normalised, without the definitions of columns. */
static char *
table_skeleton (const char *sql,
                GHashTable *columns)
{
  g_autoptr(GArray) tokens = tokenize (sql);
  GString *text = g_string_new (NULL);
  gboolean first_item = TRUE;
  guint open = 0;
  guint item;
  guint depth = 1;

  while (open < tokens->len && !token_is_char (tokens, open, '('))
    open++;
  append_tokens (text, tokens, 0, MIN (open + 1, tokens->len));
  item = open + 1;
  for (guint i = item; i < tokens->len && depth > 0; i++)
    {
      if (token_is_char (tokens, i, '('))
        depth++;
      else if (token_is_char (tokens, i, ')'))
        depth--;
      if (depth > 1 || (depth == 1 && !token_is_char (tokens, i, ',')))
        continue;
      if (!defines_column (tokens, item, i, columns))
        {
          if (!first_item)
            g_string_append (text, " ,");
          append_tokens (text, tokens, item, i);
          first_item = FALSE;
        }
      item = i + 1;
    }
  /* The closing parenthesis and what follows it. */
  append_tokens (text, tokens, item - 1, tokens->len);
  return g_string_free (text, FALSE);
}

/* Changes. */

void
lh_schema_change_free (LhSchemaChange *change)
{
  if (change == NULL)
    return;
  g_free (change->type);
  g_free (change->table);
  g_free (change->name);
  g_free (change->old_sql);
  g_free (change->new_sql);
  g_free (change);
}

static void
add_change (GPtrArray          *changes,
            LhSchemaChangeKind  kind,
            const char         *type,
            const char         *table,
            const char         *name,
            const char         *old_sql,
            const char         *new_sql)
{
  LhSchemaChange *change = g_new0 (LhSchemaChange, 1);

  change->kind = kind;
  change->type = g_strdup (type);
  change->table = g_strdup (table);
  change->name = g_strdup (name);
  change->old_sql = kind != LH_SCHEMA_ADDED ? g_strdup (old_sql) : NULL;
  change->new_sql = kind != LH_SCHEMA_REMOVED ? g_strdup (new_sql) : NULL;
  g_ptr_array_add (changes, change);
}

static const char *
object_type (LhSchemaObject *object)
{
  switch (lh_schema_object_get_kind (object))
    {
    case LH_SCHEMA_OBJECT_VIEW:
      return "view";
    case LH_SCHEMA_OBJECT_INDEX:
      return "index";
    case LH_SCHEMA_OBJECT_TRIGGER:
      return "trigger";
    case LH_SCHEMA_OBJECT_TABLE:
    case LH_SCHEMA_OBJECT_VIRTUAL_TABLE:
    default:
      return "table";
    }
}

/* The table an index or a trigger belongs to; NULL for the others. */
static const char *
object_table (LhSchemaObject *object)
{
  LhSchemaObjectKind kind = lh_schema_object_get_kind (object);

  if (kind == LH_SCHEMA_OBJECT_INDEX || kind == LH_SCHEMA_OBJECT_TRIGGER)
    return lh_schema_object_get_table_name (object);
  return NULL;
}

static void
add_object_change (GPtrArray          *changes,
                   LhSchemaChangeKind  kind,
                   LhSchemaObject     *old_object,
                   LhSchemaObject     *new_object)
{
  LhSchemaObject *object = new_object != NULL ? new_object : old_object;

  add_change (changes, kind, object_type (object), object_table (object),
              lh_schema_object_get_name (object),
              old_object != NULL ? lh_schema_object_get_sql (old_object) : NULL,
              new_object != NULL ? lh_schema_object_get_sql (new_object) : NULL);
}

/* "TEXT NOT NULL DEFAULT 'x'": the column as pragma_table_xinfo describes it. */
static char *
column_declaration (LhSchemaColumn *column)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *type = lh_schema_column_get_declared_type (column);
  const char *default_value = lh_schema_column_get_default (column);

  if (*type != '\0')
    g_ptr_array_add (parts, g_strdup (type));
  if (lh_schema_column_get_primary_key (column) > 0)
    g_ptr_array_add (parts, g_strdup ("PRIMARY KEY"));
  if (lh_schema_column_get_not_null (column))
    g_ptr_array_add (parts, g_strdup ("NOT NULL"));
  if (default_value != NULL)
    g_ptr_array_add (parts, g_strconcat ("DEFAULT ", default_value, NULL));
  if (lh_schema_column_get_hidden (column) == LH_COLUMN_GENERATED_VIRTUAL)
    g_ptr_array_add (parts, g_strdup ("GENERATED VIRTUAL"));
  else if (lh_schema_column_get_hidden (column) == LH_COLUMN_GENERATED_STORED)
    g_ptr_array_add (parts, g_strdup ("GENERATED STORED"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" ", (char **) parts->pdata);
}

/* name → LhSchemaColumn of a table. */
static GHashTable *
columns_by_name (LhSchemaObject *table)
{
  GListModel *columns = lh_schema_object_get_columns (table);
  GHashTable *by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      LhSchemaColumn *column = g_list_model_get_item (columns, i);

      g_hash_table_insert (by_name, (gpointer) lh_schema_column_get_name (column), column);
    }
  return by_name;
}

/* Adds the columns of table that one side has and the other not, or that differ, and
 * their names to reported. */
static void
diff_columns (GPtrArray      *changes,
              const char     *table,
              LhSchemaObject *old_table,
              LhSchemaObject *new_table,
              GHashTable     *reported)
{
  g_autoptr(GHashTable) old_columns = columns_by_name (old_table);
  g_autoptr(GHashTable) new_columns = columns_by_name (new_table);
  GHashTableIter iter;
  const char *name;
  LhSchemaColumn *column;

  g_hash_table_iter_init (&iter, old_columns);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &column))
    {
      LhSchemaColumn *other = g_hash_table_lookup (new_columns, name);
      g_autofree char *old_declaration = column_declaration (column);
      g_autofree char *new_declaration = other != NULL ? column_declaration (other) : NULL;

      if (other != NULL && same_sql (old_declaration, new_declaration))
        continue;
      add_change (changes, other != NULL ? LH_SCHEMA_CHANGED : LH_SCHEMA_REMOVED, "column", table,
                  name, old_declaration, new_declaration);
      g_hash_table_add (reported, g_strdup (name));
    }

  g_hash_table_iter_init (&iter, new_columns);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &column))
    {
      g_autofree char *declaration = NULL;

      if (g_hash_table_contains (old_columns, name))
        continue;
      declaration = column_declaration (column);
      add_change (changes, LH_SCHEMA_ADDED, "column", table, name, NULL, declaration);
      g_hash_table_add (reported, g_strdup (name));
    }
}

static void
diff_table (GPtrArray      *changes,
            LhSchemaObject *old_table,
            LhSchemaObject *new_table)
{
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *old_skeleton = NULL;
  g_autofree char *new_skeleton = NULL;

  diff_columns (changes, lh_schema_object_get_name (new_table), old_table, new_table, reported);
  old_skeleton = table_skeleton (lh_schema_object_get_sql (old_table), reported);
  new_skeleton = table_skeleton (lh_schema_object_get_sql (new_table), reported);
  if (!g_str_equal (old_skeleton, new_skeleton))
    add_object_change (changes, LH_SCHEMA_CHANGED, old_table, new_table);
}

static void
diff_object (GPtrArray      *changes,
             LhSchemaObject *old_object,
             LhSchemaObject *new_object)
{
  const char *old_sql = lh_schema_object_get_sql (old_object);
  const char *new_sql = lh_schema_object_get_sql (new_object);

  /* A table's columns come from its CREATE statement: the same statement, the same columns. */
  if (same_sql (old_sql, new_sql))
    return;
  if (lh_schema_object_get_kind (old_object) == LH_SCHEMA_OBJECT_TABLE &&
      lh_schema_object_get_kind (new_object) == LH_SCHEMA_OBJECT_TABLE)
    diff_table (changes, old_object, new_object);
  else
    add_object_change (changes, LH_SCHEMA_CHANGED, old_object, new_object);
}

/* "type\x1fname" → LhSchemaObject of the main database, shadow tables and the objects
 * SQLite made itself left out. */
static GHashTable *
index_objects (LhSchema   *schema,
               GHashTable *shadow_tables)
{
  GListModel *objects = lh_schema_get_objects (schema);
  GHashTable *by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(LhSchemaObject) object = g_list_model_get_item (objects, i);
      const char *name = lh_schema_object_get_name (object);
      char *key;

      if (!g_str_equal (lh_schema_object_get_database (object), "main") ||
          lh_schema_object_get_sql (object) == NULL ||
          (lh_schema_object_get_kind (object) == LH_SCHEMA_OBJECT_TABLE &&
           g_hash_table_contains (shadow_tables, name)))
        continue;
      key = g_strconcat (object_type (object), "\x1f", name, NULL);
      g_hash_table_insert (by_key, key, g_steal_pointer (&object));
    }
  return by_key;
}

static int
type_rank (const char *type)
{
  static const char * const order[] = { "table", "column", "view", "index", "trigger" };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_str_equal (type, order[i]))
      return i;
  g_assert_not_reached ();
}

static int
compare_names (const char *a,
               const char *b)
{
  int order = g_ascii_strcasecmp (a, b);

  return order != 0 ? order : strcmp (a, b);
}

/* Tables, columns (by table), views, indexes, triggers; by name within each. */
static int
compare_changes (gconstpointer a,
                 gconstpointer b)
{
  const LhSchemaChange *change_a = *(LhSchemaChange * const *) a;
  const LhSchemaChange *change_b = *(LhSchemaChange * const *) b;
  int order = type_rank (change_a->type) - type_rank (change_b->type);

  if (order == 0 && g_str_equal (change_a->type, "column"))
    order = compare_names (change_a->table, change_b->table);
  return order != 0 ? order : compare_names (change_a->name, change_b->name);
}

static GPtrArray *
diff_schemas (LhSchema   *old_schema,
              GHashTable *old_shadow_tables,
              LhSchema   *new_schema,
              GHashTable *new_shadow_tables)
{
  g_autoptr(GHashTable) old_objects = index_objects (old_schema, old_shadow_tables);
  g_autoptr(GHashTable) new_objects = index_objects (new_schema, new_shadow_tables);
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_schema_change_free);
  GHashTableIter iter;
  const char *key;
  LhSchemaObject *object;

  g_hash_table_iter_init (&iter, old_objects);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &object))
    {
      LhSchemaObject *other = g_hash_table_lookup (new_objects, key);

      if (other == NULL)
        add_object_change (changes, LH_SCHEMA_REMOVED, object, NULL);
      else
        diff_object (changes, object, other);
    }
  g_hash_table_iter_init (&iter, new_objects);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &object))
    if (!g_hash_table_contains (old_objects, key))
      add_object_change (changes, LH_SCHEMA_ADDED, NULL, object);

  g_ptr_array_sort (changes, compare_changes);
  return changes;
}

/* Describing a change. */

static char *
describe_column (const LhSchemaChange *change)
{
  const char *old_declaration = change->old_sql != NULL && *change->old_sql != '\0'
                                ? change->old_sql : _("any type");
  const char *new_declaration = change->new_sql != NULL && *change->new_sql != '\0'
                                ? change->new_sql : _("any type");

  switch (change->kind)
    {
    case LH_SCHEMA_ADDED:
      /* TRANSLATORS: a column of a table, "table.column", and its declaration */
      return g_strdup_printf (_("Column “%s.%s” added: %s"), change->table, change->name,
                              new_declaration);
    case LH_SCHEMA_REMOVED:
      return g_strdup_printf (_("Column “%s.%s” removed"), change->table, change->name);
    case LH_SCHEMA_CHANGED:
    default:
      /* TRANSLATORS: a column of a table, "table.column", its old and its new declaration */
      return g_strdup_printf (_("Column “%s.%s” changed: %s → %s"), change->table, change->name,
                              old_declaration, new_declaration);
    }
}

/* One line for a person: "Table “users” added", "Index “by_due” on “tasks” changed". */
char *
lh_schema_change_describe (const LhSchemaChange *change)
{
  gboolean added, removed;

  g_return_val_if_fail (change != NULL, NULL);

  added = change->kind == LH_SCHEMA_ADDED;
  removed = change->kind == LH_SCHEMA_REMOVED;
  if (g_str_equal (change->type, "column"))
    return describe_column (change);
  if (g_str_equal (change->type, "view"))
    return g_strdup_printf (added ? _("View “%s” added")
                            : removed ? _("View “%s” removed")
                            : _("View “%s” changed"), change->name);
  if (g_str_equal (change->type, "index"))
    return g_strdup_printf (added ? _("Index “%s” on “%s” added")
                            : removed ? _("Index “%s” on “%s” removed")
                            : _("Index “%s” on “%s” changed"), change->name, change->table);
  if (g_str_equal (change->type, "trigger"))
    return g_strdup_printf (added ? _("Trigger “%s” on “%s” added")
                            : removed ? _("Trigger “%s” on “%s” removed")
                            : _("Trigger “%s” on “%s” changed"), change->name, change->table);
  return g_strdup_printf (added ? _("Table “%s” added")
                          : removed ? _("Table “%s” removed")
                          : _("Table “%s” changed"), change->name);
}

/* Reading both schemas. */

typedef struct
{
  LhSchema   *schemas[N_SIDES];
  GHashTable *shadow_tables[N_SIDES];
  GError     *error;     /* the first read that failed */
  guint       pending;
} DiffData;

/* One read of one side, holding a reference on the task. */
typedef struct
{
  GTask *task;
  guint  side;
} DiffRead;

static void
diff_data_free (DiffData *data)
{
  for (guint side = 0; side < N_SIDES; side++)
    {
      g_clear_object (&data->schemas[side]);
      g_clear_pointer (&data->shadow_tables[side], g_hash_table_unref);
    }
  g_clear_error (&data->error);
  g_free (data);
}

static DiffRead *
diff_read_new (GTask *task,
               guint  side)
{
  DiffRead *read = g_new (DiffRead, 1);
  DiffData *data = g_task_get_task_data (task);

  read->task = g_object_ref (task);
  read->side = side;
  data->pending++;
  return read;
}

/* Ends one read: the last one compares, or returns the first error. */
static void
diff_read_done (DiffRead *read,
                GError   *error)
{
  g_autoptr(GTask) task = read->task;
  DiffData *data = g_task_get_task_data (task);

  g_free (read);
  if (data->error == NULL)
    data->error = error;
  else
    g_clear_error (&error);
  if (--data->pending > 0)
    return;
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_pointer (task,
                           diff_schemas (data->schemas[OLD], data->shadow_tables[OLD],
                                         data->schemas[NEW], data->shadow_tables[NEW]),
                           (GDestroyNotify) g_ptr_array_unref);
}

static GHashTable *
name_set (LhResultSet *rows)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint row = 0; row < lh_result_set_get_n_rows (rows); row++)
    {
      const LhValue *value = lh_result_set_get_value (rows, row, 0);

      if (value->kind == LH_VALUE_TEXT)
        g_hash_table_add (names, g_strndup (value->v.text.data, value->v.text.length));
    }
  return names;
}

static void
schema_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DiffRead *read = user_data;
  DiffData *data = g_task_get_task_data (read->task);
  GError *error = NULL;

  data->schemas[read->side] = lh_schema_load_finish (result, &error);
  diff_read_done (read, error);
}

static void
shadow_tables_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DiffRead *read = user_data;
  DiffData *data = g_task_get_task_data (read->task);
  g_autoptr(LhResultSet) rows = NULL;
  GError *error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows != NULL)
    data->shadow_tables[read->side] = name_set (rows);
  diff_read_done (read, error);
}

/* Compares the schema of new_db's main database with old_db's; both are read at once. */
void
lh_schema_diff_async (LhConnection        *old_db,
                      LhConnection        *new_db,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LhConnection *connections[N_SIDES] = { old_db, new_db };

  g_return_if_fail (LH_IS_CONNECTION (old_db));
  g_return_if_fail (LH_IS_CONNECTION (new_db));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_schema_diff_async);
  g_task_set_task_data (task, g_new0 (DiffData, 1), (GDestroyNotify) diff_data_free);
  for (guint side = 0; side < N_SIDES; side++)
    {
      lh_schema_load_async (connections[side], cancellable, schema_loaded_cb,
                            diff_read_new (task, side));
      lh_connection_execute_async (connections[side], SHADOW_TABLES_SQL, NULL, 0, cancellable,
                                   shadow_tables_cb, diff_read_new (task, side));
    }
}

/* The LhSchemaChange found, in order (see compare_changes()); empty when the schemas
 * are the same. */
GPtrArray *
lh_schema_diff_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_schema_diff_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Copying. */

typedef struct
{
  LhConnection       *connection;
  char               *path;
  char               *temp_path;     /* beside path, until linked there or removed */
  LhResultSet        *objects;       /* schema only: COPY_OBJECTS_SQL's rows */
  GHashTable         *shadow_tables;
  GError             *error;         /* a failed VACUUM INTO, returned once the file is removed */
} CopyData;

static void
copy_data_free (CopyData *data)
{
  g_clear_object (&data->connection);
  g_free (data->path);
  g_free (data->temp_path);
  g_clear_object (&data->objects);
  g_clear_pointer (&data->shadow_tables, g_hash_table_unref);
  g_clear_error (&data->error);
  g_free (data);
}

static void
set_exists_error (GError     **error,
                  const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("“%s” already exists. A copy is only written to a new file."), name);
}

/* Makes the empty file that the copy is written to, unless path exists already. */
static gboolean
make_temp_file (CopyData  *data,
                GError   **error)
{
  GStatBuf info;
  int fd;

  if (g_lstat (data->path, &info) == 0)
    {
      set_exists_error (error, data->path);
      return FALSE;
    }
  fd = lh_file_open_temp_beside (data->path, O_RDWR, 0666, &data->temp_path);
  if (fd < 0)
    {
      lh_file_set_write_error (error, errno, data->path);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static void
remove_temp_file (CopyData *data)
{
  g_autofree char *journal = NULL;

  if (data->temp_path == NULL)
    return;
  journal = g_strconcat (data->temp_path, "-journal", NULL);
  g_unlink (journal);
  g_unlink (data->temp_path);
  g_clear_pointer (&data->temp_path, g_free);
}

/* Puts the complete copy at path, synced to the disk first. */
static gboolean
publish (CopyData      *data,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autofree char *dir = g_path_get_dirname (data->path);
  int saved_errno;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  saved_errno = lh_file_sync (data->temp_path);
  if (saved_errno != 0)
    {
      lh_file_set_write_error (error, saved_errno, data->path);
      return FALSE;
    }
  saved_errno = lh_file_link_new (data->temp_path, data->path);
  if (saved_errno == EEXIST)
    set_exists_error (error, data->path);
  else if (saved_errno != 0)
    lh_file_set_write_error (error, saved_errno, data->path);
  if (saved_errno != 0)
    return FALSE;
  remove_temp_file (data);
  /* The new name is in the folder: synced too, it is there after a crash. */
  lh_file_sync_folder (dir);
  return TRUE;
}

static gboolean
run_statement (sqlite3     *db,
               const char  *sql,
               GPtrArray   *params,
               GError     **error)
{
  g_autoptr(LhResultSet) result = lh_sqlite_execute (db, sql, params, 0, NULL, error);

  return result != NULL;
}

static gboolean
table_exists (sqlite3    *db,
              const char *name)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  g_autoptr(LhResultSet) result = NULL;

  g_ptr_array_add (params, lh_value_new_text (name, -1));
  result = lh_sqlite_execute (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                              params, 0, NULL, NULL);
  return result != NULL && lh_result_set_get_n_rows (result) > 0;
}

/* Whether a table of the schema is one a virtual table made: pragma_table_list says so
 * where it is there (SQLite 3.37 on); elsewhere the virtual table, made first, has
 * made it already. */
static gboolean
is_shadow_table (CopyData   *data,
                 sqlite3    *db,
                 const char *name)
{
  return g_hash_table_contains (data->shadow_tables, name) || table_exists (db, name);
}

static char *
dup_text (LhResultSet *rows,
          guint        row,
          guint        column)
{
  const LhValue *value = lh_result_set_get_value (rows, row, column);

  return value->kind == LH_VALUE_TEXT ? g_strndup (value->v.text.data, value->v.text.length) : NULL;
}

static gboolean
make_object (CopyData     *data,
             sqlite3      *db,
             guint         row,
             GError      **error)
{
  g_autofree char *type = dup_text (data->objects, row, 0);
  g_autofree char *name = dup_text (data->objects, row, 1);
  g_autofree char *sql = dup_text (data->objects, row, 2);
  g_autofree char *keyword = NULL;

  if (type == NULL || name == NULL || sql == NULL)
    return TRUE;
  /* The schema may come from a server: it runs here only if it creates something. */
  keyword = lh_sql_dup_first_keyword (sql);
  if (!g_str_equal (keyword, "CREATE"))
    {
      g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                   _("The schema of the database holds “%s”, which does not create “%s”."),
                   sql, name);
      return FALSE;
    }
  if (g_str_equal (type, "table") && g_ascii_strncasecmp (sql, "CREATE VIRTUAL TABLE", 20) != 0 &&
      is_shadow_table (data, db, name))
    return TRUE;
  if (!run_statement (db, sql, NULL, error))
    {
      g_prefix_error (error, _("Cannot make “%s” in the copy: "), name);
      return FALSE;
    }
  return TRUE;
}

/* Makes the objects of the schema in the temporary file, in one transaction. */
static gboolean
write_schema (CopyData      *data,
              GCancellable  *cancellable,
              GError       **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (data->temp_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  gboolean ok;

  if (rc != SQLITE_OK)
    {
      g_propagate_error (error, lh_sqlite_error (db, rc, data->path));
      sqlite3_close (db);
      return FALSE;
    }
  ok = run_statement (db, "BEGIN", NULL, error);
  for (guint row = 0; ok && row < lh_result_set_get_n_rows (data->objects); row++)
    ok = !g_cancellable_set_error_if_cancelled (cancellable, error) &&
         make_object (data, db, row, error);
  ok = ok && run_statement (db, "COMMIT", NULL, error);
  /* Rolls back what a failure left open. */
  sqlite3_close (db);
  return ok;
}

static void
write_schema_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CopyData *data = task_data;
  GError *error = NULL;

  if (!make_temp_file (data, &error) ||
      !write_schema (data, cancellable, &error) ||
      !publish (data, cancellable, &error))
    {
      remove_temp_file (data);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
shadow_tables_read_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CopyData *data = g_task_get_task_data (task);
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  /* Without pragma_table_list, shadow tables are found as the copy is made. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->shadow_tables = rows != NULL ? name_set (rows)
                                     : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_run_in_thread (task, write_schema_thread);
}

static void
objects_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CopyData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->objects = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (data->objects == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lh_connection_execute_async (data->connection, SHADOW_TABLES_SQL, NULL, 0,
                               g_task_get_cancellable (task), shadow_tables_read_cb,
                               g_object_ref (task));
}

static void
finish_rows_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  CopyData *data = task_data;
  GError *error = NULL;

  if (data->error != NULL)
    error = g_steal_pointer (&data->error);
  else if (publish (data, cancellable, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  remove_temp_file (data);
  g_task_return_error (task, error);
}

static void
vacuum_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CopyData *data = g_task_get_task_data (task);
  g_autoptr(LhResultSet) rows = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &data->error);
  g_task_run_in_thread (task, finish_rows_thread);
}

static void
temp_file_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CopyData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (params, lh_value_new_text (data->temp_path, -1));
  lh_connection_execute_async (data->connection, "VACUUM INTO ?", params, 0,
                               g_task_get_cancellable (task), vacuum_cb, g_object_ref (task));
}

static void
temp_file_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;

  if (make_temp_file (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Makes the temporary file for task (taken), then runs VACUUM INTO it. */
static void
make_temp_file_async (GTask *task)
{
  g_autoptr(GTask) temp_file = g_task_new (NULL, g_task_get_cancellable (task), temp_file_cb, task);

  /* A file made despite a cancel must be reported, to be removed. */
  g_task_set_check_cancellable (temp_file, FALSE);
  g_task_set_task_data (temp_file, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (temp_file, temp_file_thread);
}

/* Writes a new SQLite file at path, which must not exist, from the main database of
 * connection: with LH_DATABASE_COPY_ROWS a consistent copy of it all (VACUUM INTO, so a
 * local database only); with LH_DATABASE_COPY_SCHEMA_ONLY its tables, indexes, views and
 * triggers without rows, from any backend. On failure or cancel nothing is left at path. */
void
lh_database_copy_async (LhConnection        *connection,
                        const char          *path,
                        LhDatabaseCopyMode   mode,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CopyData *data;

  g_return_if_fail (LH_IS_CONNECTION (connection));
  g_return_if_fail (path != NULL);

  data = g_new0 (CopyData, 1);
  data->connection = g_object_ref (connection);
  data->path = g_strdup (path);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_database_copy_async);
  g_task_set_task_data (task, data, (GDestroyNotify) copy_data_free);
  /* Once the copy is in place, it is reported done, even if a cancel came too late. */
  g_task_set_check_cancellable (task, FALSE);

  if (mode == LH_DATABASE_COPY_SCHEMA_ONLY)
    {
      lh_connection_execute_async (connection, COPY_OBJECTS_SQL, NULL, 0, cancellable,
                                   objects_read_cb, g_steal_pointer (&task));
      return;
    }
  if (lh_connection_get_kind (connection) != LH_CONNECTION_KIND_LOCAL)
    {
      g_task_return_new_error (task, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                               _("A copy with all the rows needs a local database file; "
                                 "of “%s” only the schema can be copied."),
                               lh_connection_get_title (connection));
      return;
    }
  make_temp_file_async (g_steal_pointer (&task));
}

gboolean
lh_database_copy_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_database_copy_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
