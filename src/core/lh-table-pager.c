/* lh-table-pager.c — LhTablePager fetches the rows a list widget asks for, a page of
 * LH_TABLE_PAGER_PAGE_SIZE rows at a time, never OFFSET from the start of a big table:
 *
 * The rows are ordered by the sort column (if any) and then by the key (rowid, or the
 * primary key of a WITHOUT ROWID table). The first and last rows of each fetched page are
 * remembered as anchors: a position and the values of the ORDER BY terms there. A page is
 * then read with a keyset condition after the nearest anchor before it, or before the
 * nearest anchor after it in reverse order, with an OFFSET of only the distance to that
 * anchor. The start and the end of the table are anchors too, so the first and the last
 * page are one short query each. Views, virtual tables and tables with no usable key fall
 * back to LIMIT/OFFSET.
 *
 * At most one page is fetched at a time; requests wait in a short most-recent-first queue
 * so that scrolling fast reads only the pages still wanted. The cache keeps MAX_PAGES
 * pages and MAX_ANCHORS anchors, so memory does not grow with the table. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-error.h"
#include "lh-script.h"
#include "lh-page-cache.h"
#include "lh-table-pager.h"

#define PAGE_SIZE   LH_TABLE_PAGER_PAGE_SIZE
#define MAX_PAGES   40
#define MAX_ANCHORS 4096
#define MAX_WANTED  8

typedef struct
{
  LhCachedPage cached;    /* first: see lh_page_cache_evict() */
  guint        start;
  LhResultSet *rows;
} Page;

typedef struct
{
  LhColumnHidden hidden;
  char          *name;
  LhSchemaColumn *column;
} PagerColumn;

typedef struct
{
  guint      column;
  LhFilterOp op;
  LhValue   *value;
} Filter;

struct _LhTablePager
{
  GObject parent_instance;

  /* owned */
  LhConnection   *connection;
  LhSchemaObject *object;
  char           *quoted_table;
  GPtrArray      *columns;       /* PagerColumn */
  GPtrArray      *key;           /* key column names, unquoted; empty when not keyed */
  GPtrArray      *filters;       /* Filter */
  GHashTable     *pages;         /* page index → Page */
  GTree          *anchors;       /* position → LhValue[n_terms] */
  GQueue          wanted;        /* page indexes, most recent first */
  GCancellable   *cancellable;        /* the count's */
  GCancellable   *fetch_cancellable;  /* the page being fetched */
  GError         *error;

  /* state */
  int      sort_column;
  gboolean sort_descending;
  guint    n_items;
  gint64   row_count;
  guint64  tick;
  guint    generation;
  gboolean fetching;
  guint    fetching_page;
  gboolean counting;
  gboolean started;
  gboolean rowid_key;     /* the key is the rowid, under one of its names */
  gboolean dense;         /* the rowids are first…first + count - 1, none missing */
  gint64   dense_first;
};

struct _LhPagerRow
{
  GObject parent_instance;

  /* owned */
  LhResultSet *rows;

  /* state */
  guint    position;
  guint    index;
  guint    n_key;
  guint    inserted_id;
  gboolean inserted;
};

enum {
  PROP_0,
  PROP_ROW_COUNT,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lh_table_pager_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LhTablePager, lh_table_pager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lh_table_pager_list_model_init))
G_DEFINE_FINAL_TYPE (LhPagerRow, lh_pager_row, G_TYPE_OBJECT)

/* LhPagerRow */

static void
lh_pager_row_dispose (GObject *object)
{
  g_clear_object (&LH_PAGER_ROW (object)->rows);
  G_OBJECT_CLASS (lh_pager_row_parent_class)->dispose (object);
}

static void
lh_pager_row_class_init (LhPagerRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lh_pager_row_dispose;
}

static void
lh_pager_row_init (LhPagerRow *self)
{
}

/* A row the user added and has not written yet; its values live in an LhEditSet. */
LhPagerRow *
lh_pager_row_new_inserted (guint id)
{
  LhPagerRow *self = g_object_new (LH_TYPE_PAGER_ROW, NULL);

  self->inserted = TRUE;
  self->inserted_id = id;
  return self;
}

guint
lh_pager_row_get_position (LhPagerRow *self)
{
  g_return_val_if_fail (LH_IS_PAGER_ROW (self), 0);
  return self->position;
}

/* FALSE while the row's page has not arrived; inserted rows have no values to load. */
gboolean
lh_pager_row_get_loaded (LhPagerRow *self)
{
  g_return_val_if_fail (LH_IS_PAGER_ROW (self), FALSE);
  return self->rows != NULL;
}

gboolean
lh_pager_row_get_inserted (LhPagerRow *self)
{
  g_return_val_if_fail (LH_IS_PAGER_ROW (self), FALSE);
  return self->inserted;
}

/* The value in the pager's column, or NULL when the row is not loaded. */
const LhValue *
lh_pager_row_get_value (LhPagerRow *self,
                        guint       column)
{
  g_return_val_if_fail (LH_IS_PAGER_ROW (self), NULL);

  if (self->rows == NULL || self->n_key + column >= lh_result_set_get_n_columns (self->rows))
    return NULL;
  return lh_result_set_get_value (self->rows, self->index, self->n_key + column);
}

guint
lh_pager_row_get_n_key_values (LhPagerRow *self)
{
  g_return_val_if_fail (LH_IS_PAGER_ROW (self), 0);
  return self->rows != NULL ? self->n_key : 0;
}

/* The row's rowid or primary key values, which find it again in an UPDATE or DELETE. */
const LhValue *
lh_pager_row_get_key_value (LhPagerRow *self,
                            guint       index)
{
  g_return_val_if_fail (LH_IS_PAGER_ROW (self), NULL);
  g_return_val_if_fail (self->rows != NULL && index < self->n_key, NULL);
  return lh_result_set_get_value (self->rows, self->index, index);
}

static void
append_value_identity (GString       *identity,
                       const LhValue *value)
{
  switch (value->kind)
    {
    case LH_VALUE_INTEGER:
      g_string_append_printf (identity, "i%" G_GINT64_FORMAT ";", value->v.integer);
      break;
    case LH_VALUE_REAL:
      g_string_append_printf (identity, "r%a;", value->v.real);
      break;
    case LH_VALUE_TEXT:
      /* In hex: the identity is a C string, and text may hold NULs. */
      g_string_append_printf (identity, "t%" G_GSIZE_FORMAT ":", value->v.text.length);
      for (gsize i = 0; i < value->v.text.length; i++)
        g_string_append_printf (identity, "%02x", (guchar) value->v.text.data[i]);
      break;
    case LH_VALUE_BLOB:
      {
        gsize size;
        const guint8 *data = g_bytes_get_data (value->v.blob, &size);

        g_string_append_printf (identity, "b%" G_GSIZE_FORMAT ":", size);
        for (gsize i = 0; i < size; i++)
          g_string_append_printf (identity, "%02x", data[i]);
      }
      break;
    case LH_VALUE_NULL:
    default:
      g_string_append (identity, "n;");
      break;
    }
}

/* A string that is the same for two LhPagerRow of the same table row (their key values),
 * and distinct for rows the user inserted. NULL when the row is not loaded or the pager
 * has no key. */
char *
lh_pager_row_dup_identity (LhPagerRow *self)
{
  GString *identity;

  g_return_val_if_fail (LH_IS_PAGER_ROW (self), NULL);

  if (self->inserted)
    return g_strdup_printf ("new:%u", self->inserted_id);
  if (self->rows == NULL || self->n_key == 0)
    return NULL;
  identity = g_string_new ("row:");
  for (guint i = 0; i < self->n_key; i++)
    append_value_identity (identity, lh_result_set_get_value (self->rows, self->index, i));
  return g_string_free (identity, FALSE);
}

/* Filters and columns */

static void
filter_free (Filter *filter)
{
  g_clear_pointer (&filter->value, lh_value_free);
  g_free (filter);
}

static void
pager_column_free (PagerColumn *column)
{
  g_free (column->name);
  g_clear_object (&column->column);
  g_free (column);
}

static void
page_free (Page *page)
{
  g_clear_object (&page->rows);
  g_free (page);
}

const char *
lh_filter_op_to_string (LhFilterOp op)
{
  static const char * const ops[LH_FILTER_N_OPS] = {
    "=", "!=", "<", ">", "LIKE", "IS NULL", "IS NOT NULL",
  };

  g_return_val_if_fail (op < LH_FILTER_N_OPS, "=");
  return ops[op];
}

gboolean
lh_filter_op_takes_value (LhFilterOp op)
{
  return op != LH_FILTER_IS_NULL && op != LH_FILTER_IS_NOT_NULL;
}

/* Construction */

static gint
compare_positions (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  guint pa = GPOINTER_TO_UINT (a);
  guint pb = GPOINTER_TO_UINT (b);

  return pa < pb ? -1 : pa > pb;
}

static guint
n_terms (LhTablePager *self)
{
  return self->key->len + (self->sort_column >= 0 ? 1 : 0);
}

static void
free_anchor (gpointer data)
{
  LhValue *values = data;

  /* The array's length is not stored: the terminating entry has kind -1. */
  for (LhValue *v = values; (int) v->kind != -1; v++)
    lh_value_clear (v);
  g_free (values);
}

static void
lh_table_pager_init (LhTablePager *self)
{
  self->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) pager_column_free);
  self->key = g_ptr_array_new_with_free_func (g_free);
  self->filters = g_ptr_array_new_with_free_func ((GDestroyNotify) filter_free);
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  self->anchors = g_tree_new_full (compare_positions, NULL, NULL, free_anchor);
  g_queue_init (&self->wanted);
  self->sort_column = -1;
  self->row_count = -1;
}

static void
lh_table_pager_dispose (GObject *object)
{
  LhTablePager *self = LH_TABLE_PAGER (object);

  lh_table_pager_stop (self);
  g_clear_object (&self->connection);
  g_clear_object (&self->object);
  G_OBJECT_CLASS (lh_table_pager_parent_class)->dispose (object);
}

static void
lh_table_pager_finalize (GObject *object)
{
  LhTablePager *self = LH_TABLE_PAGER (object);

  g_free (self->quoted_table);
  g_ptr_array_unref (self->columns);
  g_ptr_array_unref (self->key);
  g_ptr_array_unref (self->filters);
  g_hash_table_unref (self->pages);
  g_tree_unref (self->anchors);
  g_queue_clear (&self->wanted);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (lh_table_pager_parent_class)->finalize (object);
}

static void
lh_table_pager_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LhTablePager *self = LH_TABLE_PAGER (object);

  switch (prop_id)
    {
    case PROP_ROW_COUNT:
      g_value_set_int64 (value, self->row_count);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, lh_table_pager_get_loading (self));
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_table_pager_class_init (LhTablePagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lh_table_pager_dispose;
  object_class->finalize = lh_table_pager_finalize;
  object_class->get_property = lh_table_pager_get_property;

  /* The number of rows the filters let through; -1 while it is being counted. */
  properties[PROP_ROW_COUNT] =
    g_param_spec_int64 ("row-count", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Why the last page or count could not be read; NULL when all went well. */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* The single INTEGER PRIMARY KEY column of a rowid table is the rowid under the name the
 * user knows it by. */
static gboolean
is_rowid_alias (LhTablePager *self,
                GStrv         primary_key)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      PagerColumn *column = g_ptr_array_index (self->columns, i);

      if (g_str_equal (column->name, primary_key[0]))
        return g_ascii_strcasecmp (lh_schema_column_get_declared_type (column->column),
                                   "INTEGER") == 0;
    }
  return FALSE;
}

static void
choose_key (LhTablePager *self)
{
  g_autofree char *rowid = NULL;
  g_auto(GStrv) primary_key = NULL;

  if (lh_schema_object_get_kind (self->object) != LH_SCHEMA_OBJECT_TABLE)
    return;
  primary_key = lh_schema_object_dup_primary_key (self->object);
  rowid = lh_schema_object_dup_rowid_name (self->object);
  if (rowid != NULL && primary_key != NULL && g_strv_length (primary_key) == 1 &&
      !lh_schema_object_get_without_rowid (self->object) && is_rowid_alias (self, primary_key))
    {
      g_ptr_array_add (self->key, g_strdup (primary_key[0]));
      self->rowid_key = TRUE;
      return;
    }
  if (rowid != NULL)
    {
      g_ptr_array_add (self->key, g_steal_pointer (&rowid));
      self->rowid_key = TRUE;
      return;
    }
  for (guint i = 0; primary_key != NULL && primary_key[i] != NULL; i++)
    g_ptr_array_add (self->key, g_strdup (primary_key[i]));
}

/* object is a table, view or virtual table of a schema read from connection. */
LhTablePager *
lh_table_pager_new (LhConnection   *connection,
                    LhSchemaObject *object)
{
  LhTablePager *self;
  GListModel *columns;

  g_return_val_if_fail (LH_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (LH_IS_SCHEMA_OBJECT (object), NULL);
  g_return_val_if_fail (lh_schema_object_has_rows (object), NULL);

  self = g_object_new (LH_TYPE_TABLE_PAGER, NULL);
  self->connection = g_object_ref (connection);
  self->object = g_object_ref (object);
  self->quoted_table = lh_schema_object_dup_qualified_name (object);

  columns = lh_schema_object_get_columns (object);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(LhSchemaColumn) column = g_list_model_get_item (columns, i);
      PagerColumn *pager_column;

      /* A virtual table's hidden columns are its arguments, not its data. */
      if (lh_schema_column_get_hidden (column) == LH_COLUMN_HIDDEN)
        continue;
      pager_column = g_new0 (PagerColumn, 1);
      pager_column->name = g_strdup (lh_schema_column_get_name (column));
      pager_column->hidden = lh_schema_column_get_hidden (column);
      pager_column->column = g_object_ref (column);
      g_ptr_array_add (self->columns, pager_column);
    }
  choose_key (self);
  return self;
}

LhSchemaObject *
lh_table_pager_get_object (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), NULL);
  return self->object;
}

LhConnection *
lh_table_pager_get_connection (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), NULL);
  return self->connection;
}

guint
lh_table_pager_get_n_columns (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), 0);
  return self->columns->len;
}

const char *
lh_table_pager_get_column_name (LhTablePager *self,
                                guint         column)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return ((PagerColumn *) g_ptr_array_index (self->columns, column))->name;
}

LhSchemaColumn *
lh_table_pager_get_column (LhTablePager *self,
                           guint         column)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return ((PagerColumn *) g_ptr_array_index (self->columns, column))->column;
}

/* TRUE when rows are found by rowid or primary key: then they can be edited. */
gboolean
lh_table_pager_get_keyed (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), FALSE);
  return self->key->len > 0;
}

guint
lh_table_pager_get_n_key_columns (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), 0);
  return self->key->len;
}

/* The name of a key column: rowid (or _rowid_, oid) or a primary key column. */
const char *
lh_table_pager_get_key_column (LhTablePager *self,
                               guint         index)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), NULL);
  g_return_val_if_fail (index < self->key->len, NULL);
  return g_ptr_array_index (self->key, index);
}

/* Building queries */

typedef struct
{
  GString   *sql;
  GPtrArray *params;
  guint      n_conditions;
} Query;

static void
query_init (Query *query)
{
  query->sql = g_string_new (NULL);
  query->params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  query->n_conditions = 0;
}

static void
begin_condition (Query *query)
{
  g_string_append (query->sql, query->n_conditions++ == 0 ? " WHERE " : " AND ");
}

static void
query_clear (Query *query)
{
  g_string_free (query->sql, TRUE);
  g_ptr_array_unref (query->params);
}

static void
append_param (Query         *query,
              const LhValue *value)
{
  g_string_append_c (query->sql, '?');
  g_ptr_array_add (query->params, lh_value_copy (value));
}

/* The expression of ORDER BY term i: the sort column first, then the key columns. */
static const char *
term_name (LhTablePager *self,
           guint         term)
{
  if (self->sort_column >= 0)
    {
      if (term == 0)
        return lh_table_pager_get_column_name (self, self->sort_column);
      term--;
    }
  return g_ptr_array_index (self->key, term);
}

static gboolean
term_descending (LhTablePager *self,
                 gboolean      backward)
{
  return self->sort_descending != backward;
}

static void
append_select (LhTablePager *self,
               Query        *query)
{
  query->n_conditions = 0;
  g_string_append (query->sql, "SELECT ");
  for (guint i = 0; i < self->key->len; i++)
    {
      lh_sql_append_identifier (query->sql, g_ptr_array_index (self->key, i));
      g_string_append (query->sql, ", ");
    }
  for (guint i = 0; i < self->columns->len; i++)
    {
      if (i > 0)
        g_string_append (query->sql, ", ");
      lh_sql_append_identifier (query->sql, lh_table_pager_get_column_name (self, i));
    }
  if (self->columns->len == 0)
    g_string_append (query->sql, "*");
  g_string_append (query->sql, " FROM ");
  g_string_append (query->sql, self->quoted_table);
}

static void
append_filters (LhTablePager *self,
                Query        *query)
{
  for (guint i = 0; i < self->filters->len; i++)
    {
      Filter *filter = g_ptr_array_index (self->filters, i);

      begin_condition (query);
      lh_sql_append_identifier (query->sql, lh_table_pager_get_column_name (self, filter->column));
      g_string_append_printf (query->sql, " %s", lh_filter_op_to_string (filter->op));
      if (lh_filter_op_takes_value (filter->op))
        {
          g_string_append_c (query->sql, ' ');
          append_param (query, filter->value);
        }
    }
}

/* Rows that come after the cursor in the order being read: for terms t1..tn,
 * OR over i of (t1 IS v1 AND … AND t(i-1) IS v(i-1) AND ti after vi), where NULL sorts
 * first in ascending order and last in descending order, as in SQLite. */
static void
append_keyset (LhTablePager  *self,
               Query         *query,
               const LhValue *cursor,
               gboolean       backward)
{
  gboolean descending = term_descending (self, backward);
  guint n = n_terms (self);

  begin_condition (query);
  g_string_append_c (query->sql, '(');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (query->sql, " OR ");
      g_string_append_c (query->sql, '(');
      for (guint j = 0; j < i; j++)
        {
          lh_sql_append_identifier (query->sql, term_name (self, j));
          g_string_append (query->sql, " IS ");
          append_param (query, &cursor[j]);
          g_string_append (query->sql, " AND ");
        }
      if (cursor[i].kind == LH_VALUE_NULL)
        {
          if (descending)
            g_string_append (query->sql, "0");
          else
            {
              lh_sql_append_identifier (query->sql, term_name (self, i));
              g_string_append (query->sql, " IS NOT NULL");
            }
        }
      else
        {
          g_string_append_c (query->sql, '(');
          lh_sql_append_identifier (query->sql, term_name (self, i));
          g_string_append (query->sql, descending ? " < " : " > ");
          append_param (query, &cursor[i]);
          if (descending)
            {
              g_string_append (query->sql, " OR ");
              lh_sql_append_identifier (query->sql, term_name (self, i));
              g_string_append (query->sql, " IS NULL");
            }
          g_string_append_c (query->sql, ')');
        }
      g_string_append_c (query->sql, ')');
    }
  g_string_append_c (query->sql, ')');
}

/* Without a key, ties in the sort column are broken by every column, so that two reads
 * with different offsets agree on the order. */
static void
append_order (LhTablePager *self,
              Query        *query,
              gboolean      backward)
{
  const char *direction = term_descending (self, backward) ? " DESC" : "";
  guint n = n_terms (self);

  if (n == 0)
    return;
  g_string_append (query->sql, " ORDER BY ");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (query->sql, ", ");
      lh_sql_append_identifier (query->sql, term_name (self, i));
      g_string_append (query->sql, direction);
    }
  if (self->key->len == 0)
    for (guint i = 0; i < self->columns->len; i++)
      {
        g_string_append (query->sql, ", ");
        lh_sql_append_identifier (query->sql, lh_table_pager_get_column_name (self, i));
      }
}

/* Anchors */

static gboolean
find_anchor_after (LhTablePager  *self,
                   guint          target,
                   guint         *position,
                   const LhValue **values)
{
  GTreeNode *node = g_tree_lower_bound (self->anchors, GUINT_TO_POINTER (target));

  if (node == NULL)
    return FALSE;
  *position = GPOINTER_TO_UINT (g_tree_node_key (node));
  *values = g_tree_node_value (node);
  return TRUE;
}

static gboolean
find_anchor_before (LhTablePager  *self,
                    guint          target,
                    guint         *position,
                    const LhValue **values)
{
  GTreeNode *node = g_tree_upper_bound (self->anchors, GUINT_TO_POINTER (target));

  /* upper_bound is the first key > target: the one before it is the last <= target. */
  node = node != NULL ? g_tree_node_previous (node) : g_tree_node_last (self->anchors);
  if (node == NULL)
    return FALSE;
  *position = GPOINTER_TO_UINT (g_tree_node_key (node));
  *values = g_tree_node_value (node);
  return TRUE;
}

static void
thin_anchors (LhTablePager *self)
{
  g_autoptr(GArray) doomed = NULL;
  gboolean odd = FALSE;

  if (g_tree_nnodes (self->anchors) <= MAX_ANCHORS)
    return;
  doomed = g_array_new (FALSE, FALSE, sizeof (guint));
  for (GTreeNode *node = g_tree_node_first (self->anchors); node != NULL;
       node = g_tree_node_next (node), odd = !odd)
    if (odd)
      {
        guint position = GPOINTER_TO_UINT (g_tree_node_key (node));

        g_array_append_val (doomed, position);
      }
  for (guint i = 0; i < doomed->len; i++)
    g_tree_remove (self->anchors, GUINT_TO_POINTER (g_array_index (doomed, guint, i)));
}

static void
add_anchor (LhTablePager *self,
            guint         position,
            LhResultSet  *rows,
            guint         row)
{
  guint n = n_terms (self);
  LhValue *values = g_new0 (LhValue, n + 1);

  for (guint i = 0; i < n; i++)
    {
      guint column = self->sort_column >= 0
        ? (i == 0 ? self->key->len + (guint) self->sort_column : i - 1)
        : i;

      lh_value_init_copy (&values[i], lh_result_set_get_value (rows, row, column));
    }
  values[n].kind = -1;
  g_tree_insert (self->anchors, GUINT_TO_POINTER (position), values);
}

/* Fetching */

typedef struct
{
  LhTablePager *self;
  guint         generation;
  guint         page;
  guint         start;
  guint         length;
  gboolean      backward;
} FetchData;

static void start_next_fetch (LhTablePager *self);
static void start_count (LhTablePager *self);

static void
set_error (LhTablePager *self,
           const GError *error)
{
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
notify_loading (LhTablePager *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static LhResultSet *
reverse_rows (LhResultSet *rows)
{
  guint n_columns = lh_result_set_get_n_columns (rows);
  guint n_rows = lh_result_set_get_n_rows (rows);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree LhValue *row = g_new0 (LhValue, MAX (n_columns, 1));
  LhResultSet *reversed;

  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (names, (gpointer) lh_result_set_get_column_name (rows, i));
  g_ptr_array_add (names, NULL);
  reversed = lh_result_set_new ((const char * const *) names->pdata, NULL);
  for (guint r = n_rows; r > 0; r--)
    {
      for (guint c = 0; c < n_columns; c++)
        lh_value_init_copy (&row[c], lh_result_set_get_value (rows, r - 1, c));
      lh_result_set_append_row (reversed, row);
    }
  return reversed;
}

static void
store_page (LhTablePager *self,
            FetchData    *data,
            LhResultSet  *rows)
{
  guint n_rows = lh_result_set_get_n_rows (rows);
  Page *page = g_new0 (Page, 1);

  page->start = data->start;
  page->rows = data->backward ? reverse_rows (rows) : g_object_ref (rows);
  page->cached.last_used = ++self->tick;
  g_hash_table_replace (self->pages, GUINT_TO_POINTER (data->page), page);
  lh_page_cache_evict (self->pages, MAX_PAGES);

  if (self->key->len > 0 && n_rows > 0)
    {
      add_anchor (self, data->start, page->rows, 0);
      add_anchor (self, data->start + n_rows - 1, page->rows, n_rows - 1);
      thin_anchors (self);
    }
}

/* The first page of a fresh load also tells how many items to show until the count
 * arrives: a short first page is the whole table. */
static void
first_page_arrived (LhTablePager *self,
                    guint         n_rows)
{
  guint old = self->n_items;

  self->n_items = n_rows;
  if (n_rows < PAGE_SIZE)
    {
      self->row_count = n_rows;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROW_COUNT]);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, n_rows);
  if (n_rows == PAGE_SIZE)
    start_count (self);
}

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  FetchData *data = user_data;
  g_autoptr(LhTablePager) self = data->self;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean current = data->generation == self->generation;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (current)
    {
      self->fetching = FALSE;
      g_clear_object (&self->fetch_cancellable);
      if (rows == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_queue_clear (&self->wanted);
          set_error (self, error);
        }
      else if (rows != NULL)
        {
          guint n_rows = lh_result_set_get_n_rows (rows);

          store_page (self, data, rows);
          if (self->row_count < 0 && data->page == 0 && self->n_items == 0)
            first_page_arrived (self, n_rows);
          else if (data->start < self->n_items)
            g_list_model_items_changed (G_LIST_MODEL (self), data->start,
                                        MIN (data->length, self->n_items - data->start),
                                        MIN (data->length, self->n_items - data->start));
        }
      start_next_fetch (self);
      notify_loading (self);
    }
  g_free (data);
}

/* Which anchor to read the page from: the nearer of the last one before it (read
 * forwards) and the first one after it (read backwards); the start and, once the count
 * is known, the end of the rows are anchors without values. */
static void
choose_anchor (LhTablePager   *self,
               FetchData      *data,
               const LhValue **cursor,
               guint          *offset)
{
  guint end = data->start + data->length;
  const LhValue *before_values = NULL;
  const LhValue *after_values = NULL;
  guint forward = data->start;
  guint backward = G_MAXUINT;
  guint position;

  if (data->start > 0 && find_anchor_before (self, data->start - 1, &position, &before_values))
    forward = data->start - 1 - position;
  if (self->row_count >= 0)
    {
      backward = self->n_items - end;
      if (find_anchor_after (self, end, &position, &after_values) && position < self->n_items)
        backward = position - end;
      else
        after_values = NULL;
    }

  data->backward = backward < forward;
  *cursor = data->backward ? after_values : before_values;
  *offset = data->backward ? backward : forward;
}

static gboolean
sort_column_not_null (LhTablePager *self)
{
  return lh_schema_column_get_not_null (lh_table_pager_get_column (self, self->sort_column));
}

/* A descending read after a value of a column that may hold NULLs: those come last. */
static gboolean
needs_null_region (LhTablePager  *self,
                   const LhValue *cursor,
                   gboolean       backward)
{
  return cursor != NULL && self->sort_column >= 0 && cursor[0].kind != LH_VALUE_NULL &&
         term_descending (self, backward) && !sort_column_not_null (self);
}

/* The rows after the cursor in the order being read. The keyset condition is an OR that
 * no index can seek, so a plain bound on the sort column goes before it: the sort column's
 * index then starts at the cursor instead of at the start. null_region asks for the NULLs
 * of the sort column instead. */
static void
append_range (LhTablePager  *self,
              Query         *query,
              const LhValue *cursor,
              gboolean       backward,
              gboolean       null_region)
{
  append_select (self, query);
  append_filters (self, query);
  if (null_region)
    {
      begin_condition (query);
      lh_sql_append_identifier (query->sql, term_name (self, 0));
      g_string_append (query->sql, " IS NULL");
    }
  else if (cursor != NULL)
    {
      if (self->sort_column >= 0 && cursor[0].kind != LH_VALUE_NULL)
        {
          begin_condition (query);
          lh_sql_append_identifier (query->sql, term_name (self, 0));
          g_string_append (query->sql, term_descending (self, backward) ? " <= " : " >= ");
          append_param (query, &cursor[0]);
        }
      append_keyset (self, query, cursor, backward);
    }
  append_order (self, query, backward);
}

/* Dense rowids put the row at position p at rowid first + p: one seek, however deep. */
static void
append_dense_range (LhTablePager *self,
                    Query        *query,
                    guint         start)
{
  g_autoptr(LhValue) first = lh_value_new_integer (self->dense_first + start);

  append_select (self, query);
  begin_condition (query);
  lh_sql_append_identifier (query->sql, g_ptr_array_index (self->key, 0));
  g_string_append (query->sql, " >= ");
  append_param (query, first);
  append_order (self, query, FALSE);
}

static void
fetch_page (LhTablePager *self,
            guint         page)
{
  FetchData *data = g_new0 (FetchData, 1);
  const LhValue *cursor = NULL;
  guint offset;
  Query query;

  data->self = g_object_ref (self);
  data->generation = self->generation;
  data->page = page;
  data->start = page * PAGE_SIZE;
  data->length = self->row_count >= 0
    ? MIN (PAGE_SIZE, self->n_items - data->start)
    : PAGE_SIZE;
  offset = data->start;

  query_init (&query);
  if (self->dense && self->row_count >= 0)
    {
      append_dense_range (self, &query, data->start);
      offset = 0;
    }
  else if (self->key->len > 0)
    choose_anchor (self, data, &cursor, &offset);

  if (self->dense && self->row_count >= 0)
    {
      /* The range is in the query already. */
    }
  else if (needs_null_region (self, cursor, data->backward))
    {
      /* Rows after the cursor are those up to it, then every NULL: two ranges that each
       * seek the index, read one after the other. */
      g_string_append (query.sql, "SELECT * FROM (");
      append_range (self, &query, cursor, data->backward, FALSE);
      g_string_append_printf (query.sql, " LIMIT %u) UNION ALL SELECT * FROM (",
                              data->length + offset);
      append_range (self, &query, cursor, data->backward, TRUE);
      g_string_append_printf (query.sql, " LIMIT %u)", data->length + offset);
    }
  else
    append_range (self, &query, cursor, data->backward, FALSE);
  g_string_append_printf (query.sql, " LIMIT %u", data->length);
  if (offset > 0)
    g_string_append_printf (query.sql, " OFFSET %u", offset);

  self->fetching = TRUE;
  self->fetching_page = page;
  g_clear_object (&self->fetch_cancellable);
  self->fetch_cancellable = g_cancellable_new ();
  lh_connection_execute_async (self->connection, query.sql->str, query.params, 0,
                               self->fetch_cancellable, fetch_cb, data);
  query_clear (&query);
}

static void
start_next_fetch (LhTablePager *self)
{
  if (self->fetching || self->error != NULL)
    return;
  while (!g_queue_is_empty (&self->wanted))
    {
      guint page = GPOINTER_TO_UINT (g_queue_pop_head (&self->wanted));

      if (g_hash_table_contains (self->pages, GUINT_TO_POINTER (page)))
        continue;
      if ((gsize) page * PAGE_SIZE >= self->n_items && !(page == 0 && self->row_count < 0))
        continue;
      fetch_page (self, page);
      notify_loading (self);
      return;
    }
}

static void
request_page (LhTablePager *self,
              guint         page)
{
  if (self->error != NULL)
    return;
  if (self->fetching && self->fetching_page == page)
    return;
  g_queue_remove (&self->wanted, GUINT_TO_POINTER (page));
  g_queue_push_head (&self->wanted, GUINT_TO_POINTER (page));
  /* A jump far away makes the page being read (a long OFFSET, maybe) wait its turn again
   * behind the one now in view, instead of holding the database until it is done. */
  if (self->fetching && (page > self->fetching_page + 2 || page + 2 < self->fetching_page) &&
      self->fetch_cancellable != NULL && !g_cancellable_is_cancelled (self->fetch_cancellable))
    {
      g_queue_push_tail (&self->wanted, GUINT_TO_POINTER (self->fetching_page));
      g_cancellable_cancel (self->fetch_cancellable);
    }
  while (g_queue_get_length (&self->wanted) > MAX_WANTED)
    g_queue_pop_tail (&self->wanted);
  start_next_fetch (self);
}

static gboolean
dense_possible (LhTablePager *self)
{
  return self->rowid_key && self->sort_column < 0 && self->filters->len == 0;
}

static void
note_density (LhTablePager *self,
              LhResultSet  *rows)
{
  const LhValue *first, *last;

  self->dense = FALSE;
  if (!dense_possible (self) || lh_result_set_get_n_columns (rows) != 3)
    return;
  first = lh_result_set_get_value (rows, 0, 1);
  last = lh_result_set_get_value (rows, 0, 2);
  if (first->kind != LH_VALUE_INTEGER || last->kind != LH_VALUE_INTEGER)
    return;
  self->dense = last->v.integer - first->v.integer + 1 == self->row_count;
  self->dense_first = first->v.integer;
}

typedef struct
{
  LhTablePager *self;
  guint         generation;
} CountData;

static void
count_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CountData *data = user_data;
  g_autoptr(LhTablePager) self = data->self;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (data->generation == self->generation)
    {
      self->counting = FALSE;
      if (rows == NULL || lh_result_set_get_n_rows (rows) != 1)
        {
          if (rows != NULL)
            error = g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                                         _("Counting the rows gave no answer."));
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            set_error (self, error);
        }
      else
        {
          const LhValue *count = lh_result_set_get_value (rows, 0, 0);
          guint old = self->n_items;

          self->row_count = count->kind == LH_VALUE_INTEGER ? MAX (count->v.integer, 0) : 0;
          self->n_items = (guint) MIN (self->row_count, (gint64) G_MAXUINT);
          note_density (self, rows);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROW_COUNT]);
          /* After a refresh every row may have moved: all of them are new. */
          g_list_model_items_changed (G_LIST_MODEL (self), 0, old, self->n_items);
        }
      notify_loading (self);
    }
  g_free (data);
}

static void
start_count (LhTablePager *self)
{
  CountData *data = g_new0 (CountData, 1);
  Query query;

  data->self = g_object_ref (self);
  data->generation = self->generation;
  query_init (&query);
  if (dense_possible (self))
    {
      /* Three subqueries keep SQLite's fast paths for a bare count(*), min() and max(). */
      g_autofree char *key = lh_sql_quote_identifier (g_ptr_array_index (self->key, 0));

      g_string_append_printf (query.sql,
                              "SELECT (SELECT count(*) FROM %s), (SELECT min(%s) FROM %s), "
                              "(SELECT max(%s) FROM %s)",
                              self->quoted_table, key, self->quoted_table, key, self->quoted_table);
    }
  else
    {
      g_string_append (query.sql, "SELECT count(*) FROM ");
      g_string_append (query.sql, self->quoted_table);
      append_filters (self, &query);
    }
  self->counting = TRUE;
  lh_connection_execute_async (self->connection, query.sql->str, query.params, 0,
                               self->cancellable, count_cb, data);
  query_clear (&query);
  notify_loading (self);
}

/* Forgets every page and anchor and stops what is running; the items stay. */
static void
invalidate (LhTablePager *self)
{
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->fetch_cancellable);
  self->dense = FALSE;
  g_hash_table_remove_all (self->pages);
  g_tree_destroy (self->anchors);
  self->anchors = g_tree_new_full (compare_positions, NULL, NULL, free_anchor);
  g_queue_clear (&self->wanted);
  self->fetching = FALSE;
  self->counting = FALSE;
  self->row_count = -1;
  if (self->error != NULL)
    set_error (self, NULL);
}

/* Reads the rows again from the first page, with the current sort and filters. */
void
lh_table_pager_apply (LhTablePager *self)
{
  guint old;

  g_return_if_fail (LH_IS_TABLE_PAGER (self));

  invalidate (self);
  self->started = TRUE;
  old = self->n_items;
  self->n_items = 0;
  if (old > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROW_COUNT]);
  request_page (self, 0);
}

/* The data changed (a write): reads it again but keeps the rows shown where they are
 * until the new count says how many there are. */
void
lh_table_pager_refresh (LhTablePager *self)
{
  g_return_if_fail (LH_IS_TABLE_PAGER (self));

  if (!self->started || self->n_items == 0)
    {
      lh_table_pager_apply (self);
      return;
    }
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROW_COUNT]);
  start_count (self);
}

/* Stops fetching for good (the view is closing). */
void
lh_table_pager_stop (LhTablePager *self)
{
  g_return_if_fail (LH_IS_TABLE_PAGER (self));

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->fetch_cancellable);
  g_queue_clear (&self->wanted);
  self->fetching = FALSE;
  self->counting = FALSE;
}

/* column -1 for the table's own order (its key). Takes effect on apply(). */
void
lh_table_pager_set_sort (LhTablePager *self,
                         int           column,
                         gboolean      descending)
{
  g_return_if_fail (LH_IS_TABLE_PAGER (self));
  g_return_if_fail (column < (int) self->columns->len);

  self->sort_column = column;
  self->sort_descending = column >= 0 && descending;
}

int
lh_table_pager_get_sort_column (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), -1);
  return self->sort_column;
}

gboolean
lh_table_pager_get_sort_descending (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), FALSE);
  return self->sort_descending;
}

void
lh_table_pager_clear_filters (LhTablePager *self)
{
  g_return_if_fail (LH_IS_TABLE_PAGER (self));
  g_ptr_array_set_size (self->filters, 0);
}

/* Keeps only rows whose column compares so with value (ignored for IS NULL and IS NOT
 * NULL). Conditions add up with AND; values are bound as parameters, never spliced into
 * the SQL. Takes effect on apply(). */
void
lh_table_pager_add_filter (LhTablePager  *self,
                           guint          column,
                           LhFilterOp     op,
                           const LhValue *value)
{
  Filter *filter;

  g_return_if_fail (LH_IS_TABLE_PAGER (self));
  g_return_if_fail (column < self->columns->len);
  g_return_if_fail (op < LH_FILTER_N_OPS);
  g_return_if_fail (value != NULL || !lh_filter_op_takes_value (op));

  filter = g_new0 (Filter, 1);
  filter->column = column;
  filter->op = op;
  if (lh_filter_op_takes_value (op))
    filter->value = lh_value_copy (value);
  g_ptr_array_add (self->filters, filter);
}

guint
lh_table_pager_get_n_filters (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), 0);
  return self->filters->len;
}

gint64
lh_table_pager_get_row_count (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), -1);
  return self->row_count;
}

gboolean
lh_table_pager_get_loading (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), FALSE);
  return self->fetching || self->counting;
}

const GError *
lh_table_pager_get_error (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), NULL);
  return self->error;
}

gboolean
lh_table_pager_is_loaded (LhTablePager *self,
                          guint         position)
{
  Page *page;

  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), FALSE);

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (position / PAGE_SIZE));
  return page != NULL && position - page->start < lh_result_set_get_n_rows (page->rows);
}

guint
lh_table_pager_get_n_cached_pages (LhTablePager *self)
{
  g_return_val_if_fail (LH_IS_TABLE_PAGER (self), 0);
  return g_hash_table_size (self->pages);
}

/* GListModel */

static GType
lh_table_pager_get_item_type (GListModel *model)
{
  return LH_TYPE_PAGER_ROW;
}

static guint
lh_table_pager_get_n_items (GListModel *model)
{
  return LH_TABLE_PAGER (model)->n_items;
}

static gpointer
lh_table_pager_get_item (GListModel *model,
                         guint       position)
{
  LhTablePager *self = LH_TABLE_PAGER (model);
  guint page_index = position / PAGE_SIZE;
  LhPagerRow *row;
  Page *page;

  if (position >= self->n_items)
    return NULL;

  row = g_object_new (LH_TYPE_PAGER_ROW, NULL);
  row->position = position;
  row->n_key = self->key->len;
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page_index));
  if (page != NULL && position - page->start < lh_result_set_get_n_rows (page->rows))
    {
      page->cached.last_used = ++self->tick;
      row->rows = g_object_ref (page->rows);
      row->index = position - page->start;
    }
  else if (page == NULL)
    request_page (self, page_index);
  return row;
}

static void
lh_table_pager_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lh_table_pager_get_item_type;
  iface->get_n_items = lh_table_pager_get_n_items;
  iface->get_item = lh_table_pager_get_item;
}
