/* lh-hrana.c — Hrana's JSON values: {"type": "null" | "integer" (a decimal string) |
 * "float" | "text" | "blob" (base64)}, statements {sql, args, want_rows}, execute results
 * {cols, rows, affected_row_count, last_insert_rowid} and errors {message, code}. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-error.h"
#include "lh-hrana.h"

void
lh_hrana_add_value (JsonBuilder   *builder,
                    const LhValue *value)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  switch (value->kind)
    {
    case LH_VALUE_INTEGER:
      {
        char text[32];

        g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value->v.integer);
        json_builder_add_string_value (builder, "integer");
        json_builder_set_member_name (builder, "value");
        json_builder_add_string_value (builder, text);
      }
      break;
    case LH_VALUE_REAL:
      json_builder_add_string_value (builder, "float");
      json_builder_set_member_name (builder, "value");
      json_builder_add_double_value (builder, value->v.real);
      break;
    case LH_VALUE_TEXT:
      {
        /* JSON carries UTF-8 only. */
        g_autofree char *text = g_utf8_make_valid (value->v.text.data, value->v.text.length);

        json_builder_add_string_value (builder, "text");
        json_builder_set_member_name (builder, "value");
        json_builder_add_string_value (builder, text);
      }
      break;
    case LH_VALUE_BLOB:
      {
        gsize size;
        const guchar *data = g_bytes_get_data (value->v.blob, &size);
        g_autofree char *base64 = g_base64_encode (data, size);

        json_builder_add_string_value (builder, "blob");
        json_builder_set_member_name (builder, "base64");
        json_builder_add_string_value (builder, base64);
      }
      break;
    case LH_VALUE_NULL:
    default:
      json_builder_add_string_value (builder, "null");
      break;
    }
  json_builder_end_object (builder);
}

/* A stmt object: sql, its positional args (LhValue pointers, or NULL), want_rows. */
void
lh_hrana_add_stmt (JsonBuilder *builder,
                   const char  *sql,
                   GPtrArray   *params,
                   gboolean     want_rows)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sql");
  json_builder_add_string_value (builder, sql);
  json_builder_set_member_name (builder, "args");
  json_builder_begin_array (builder);
  for (guint i = 0; params != NULL && i < params->len; i++)
    lh_hrana_add_value (builder, g_ptr_array_index (params, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "want_rows");
  json_builder_add_boolean_value (builder, want_rows);
  json_builder_end_object (builder);
}

static GError *
protocol_error (const char *what)
{
  return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                      _("The server’s answer is not what the protocol says: %s."), what);
}

gboolean
lh_hrana_read_value (JsonNode  *node,
                     LhValue   *value,
                     GError   **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *type = object != NULL ? json_object_get_string_member_with_default (object, "type", NULL) : NULL;

  memset (value, 0, sizeof *value);
  if (type == NULL)
    {
      g_propagate_error (error, protocol_error (_("a value without a type")));
      return FALSE;
    }
  if (g_str_equal (type, "null"))
    value->kind = LH_VALUE_NULL;
  else if (g_str_equal (type, "integer"))
    {
      JsonNode *member = json_object_get_member (object, "value");
      const char *text = member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
                         json_node_get_value_type (member) == G_TYPE_STRING
                           ? json_node_get_string (member) : NULL;
      char *end = NULL;

      value->kind = LH_VALUE_INTEGER;
      if (text != NULL)
        value->v.integer = g_ascii_strtoll (text, &end, 10);
      else if (member != NULL && JSON_NODE_HOLDS_VALUE (member))
        value->v.integer = json_node_get_int (member);
      if (text != NULL && (end == text || *end != '\0'))
        {
          g_propagate_error (error, protocol_error (_("an integer that is not a number")));
          return FALSE;
        }
    }
  else if (g_str_equal (type, "float"))
    {
      JsonNode *member = json_object_get_member (object, "value");

      value->kind = LH_VALUE_REAL;
      value->v.real = member != NULL && JSON_NODE_HOLDS_VALUE (member) ? json_node_get_double (member) : 0.0;
    }
  else if (g_str_equal (type, "text"))
    {
      const char *text = json_object_get_string_member_with_default (object, "value", "");

      value->kind = LH_VALUE_TEXT;
      value->v.text.length = strlen (text);
      value->v.text.data = g_strndup (text, value->v.text.length);
    }
  else if (g_str_equal (type, "blob"))
    {
      const char *base64 = json_object_get_string_member_with_default (object, "base64", "");
      /* sqld writes base64 without its padding, which g_base64_decode() needs. */
      g_autoptr(GString) padded = g_string_new (base64);
      gsize size = 0;
      guchar *data;

      while (padded->len % 4 != 0)
        g_string_append_c (padded, '=');
      data = g_base64_decode (padded->str, &size);

      value->kind = LH_VALUE_BLOB;
      value->v.blob = g_bytes_new_take (data, size);
    }
  else
    {
      g_autofree char *what = g_strdup_printf (_("a value of unknown type “%s”"), type);

      g_propagate_error (error, protocol_error (what));
      return FALSE;
    }
  return TRUE;
}

/* An execute result as a result set, keeping max_rows rows (0: all) and marking it
 * truncated when there were more. */
LhResultSet *
lh_hrana_read_result (JsonObject  *result,
                      guint        max_rows,
                      GError     **error)
{
  JsonArray *cols = json_object_get_array_member (result, "cols");
  JsonArray *rows = json_object_has_member (result, "rows") ? json_object_get_array_member (result, "rows") : NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) types = g_ptr_array_new ();
  g_autoptr(LhResultSet) set = NULL;
  g_autofree LhValue *row = NULL;
  guint n_columns, n_rows;
  JsonNode *rowid;

  if (cols == NULL)
    {
      g_propagate_error (error, protocol_error (_("a result without columns")));
      return NULL;
    }
  n_columns = json_array_get_length (cols);
  for (guint c = 0; c < n_columns; c++)
    {
      JsonObject *col = json_array_get_object_element (cols, c);
      const char *name = col != NULL ? json_object_get_string_member_with_default (col, "name", NULL) : NULL;
      const char *decltype = col != NULL ? json_object_get_string_member_with_default (col, "decltype", NULL) : NULL;

      g_ptr_array_add (names, (gpointer) (name != NULL ? name : ""));
      g_ptr_array_add (types, (gpointer) (decltype != NULL ? decltype : ""));
    }
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (types, NULL);
  set = lh_result_set_new ((const char * const *) names->pdata, (const char * const *) types->pdata);

  row = g_new0 (LhValue, MAX (n_columns, 1));
  n_rows = rows != NULL ? json_array_get_length (rows) : 0;
  for (guint r = 0; r < n_rows; r++)
    {
      JsonArray *values = json_array_get_array_element (rows, r);

      if (max_rows > 0 && r == max_rows)
        {
          lh_result_set_set_truncated (set, TRUE);
          break;
        }
      if (values == NULL || json_array_get_length (values) != n_columns)
        {
          g_propagate_error (error, protocol_error (_("a row with the wrong number of values")));
          return NULL;
        }
      for (guint c = 0; c < n_columns; c++)
        if (!lh_hrana_read_value (json_array_get_element (values, c), &row[c], error))
          {
            for (guint k = 0; k < c; k++)
              lh_value_clear (&row[k]);
            return NULL;
          }
      lh_result_set_append_row (set, row);
    }

  rowid = json_object_get_member (result, "last_insert_rowid");
  lh_result_set_set_changes (set,
                             json_object_get_int_member_with_default (result, "affected_row_count", 0),
                             rowid != NULL && JSON_NODE_HOLDS_VALUE (rowid) &&
                               json_node_get_value_type (rowid) == G_TYPE_STRING
                               ? g_ascii_strtoll (json_node_get_string (rowid), NULL, 10) : 0);
  return g_steal_pointer (&set);
}

/* Where in sql an error points, from the "near "TOKEN"" SQLite puts in syntax errors:
 * the first place the token stands (-1 when the message names none). */
int
lh_sql_error_offset (const char *sql,
                     const char *message)
{
  const char *near = message != NULL ? strstr (message, "near \"") : NULL;
  const char *end;
  g_autofree char *token = NULL;
  const char *found;

  if (near == NULL || sql == NULL)
    return -1;
  near += 6;
  end = strstr (near, "\": ");
  if (end == NULL)
    end = strchr (near, '"');
  if (end == NULL || end == near)
    return -1;
  token = g_strndup (near, end - near);
  found = strstr (sql, token);
  return found != NULL ? (int) (found - sql) : -1;
}

/* A statement's error as SQLite gave it, with the place it points at in sql. */
GError *
lh_hrana_read_error (JsonObject *error,
                     const char *sql)
{
  const char *message = json_object_get_string_member_with_default (error, "message", NULL);
  const char *code = json_object_get_string_member_with_default (error, "code", "");
  LhConnectionError kind = g_str_has_prefix (code, "SQLITE_CONSTRAINT")
    ? LH_CONNECTION_ERROR_CONSTRAINT : LH_CONNECTION_ERROR_SQL;

  if (message == NULL)
    return protocol_error (_("an error without a message"));
  return lh_connection_error_new_sql (kind, lh_sql_error_offset (sql, message), "%s", message);
}
