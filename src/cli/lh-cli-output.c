/* lh-cli-output.c — aligned text tables (numbers to the right, NULL spelled out, control
 * characters escaped so a value never breaks a row) and the JSON form of a script's
 * results, written with json-glib. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lh-cli-output.h"

/* Control characters from the database never reach the terminal as they are: they could
 * break a row, or be an escape sequence the terminal would obey. */
static char *
escape_text (const char *text)
{
  GString *escaped = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '\n': g_string_append (escaped, "\\n"); break;
        case '\r': g_string_append (escaped, "\\r"); break;
        case '\t': g_string_append (escaped, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (escaped, "\\x%02x", c);
          else
            g_string_append_c (escaped, c);
          break;
        }
    }
  return g_string_free (escaped, FALSE);
}

static char *
cell_text (const LhValue *value)
{
  g_autofree char *text = lh_value_to_display_string (value, 0);

  return escape_text (text);
}

static void
append_padded (GString    *out,
               const char *text,
               gsize       width,
               gboolean    right)
{
  gsize length = g_utf8_strlen (text, -1);
  gsize pad = width > length ? width - length : 0;

  if (right)
    for (gsize i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (gsize i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
}

static gboolean
is_number (const LhValue *value)
{
  return value->kind == LH_VALUE_INTEGER || value->kind == LH_VALUE_REAL;
}

void
lh_cli_print_table (GString     *out,
                    LhResultSet *result)
{
  guint n_columns = lh_result_set_get_n_columns (result);
  guint n_rows = lh_result_set_get_n_rows (result);
  g_autofree gsize *widths = g_new0 (gsize, n_columns);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < n_columns; c++)
    {
      char *name = escape_text (lh_result_set_get_column_name (result, c));

      widths[c] = g_utf8_strlen (name, -1);
      g_ptr_array_add (names, name);
    }

  for (guint r = 0; r < n_rows; r++)
    for (guint c = 0; c < n_columns; c++)
      {
        char *text = cell_text (lh_result_set_get_value (result, r, c));

        widths[c] = MAX (widths[c], (gsize) g_utf8_strlen (text, -1));
        g_ptr_array_add (cells, text);
      }

  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append (out, " | ");
      append_padded (out, g_ptr_array_index (names, c), c + 1 < n_columns ? widths[c] : 0, FALSE);
    }
  g_string_append_c (out, '\n');

  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append (out, "-+-");
      for (gsize i = 0; i < widths[c]; i++)
        g_string_append_c (out, '-');
    }
  g_string_append_c (out, '\n');

  for (guint r = 0; r < n_rows; r++)
    {
      for (guint c = 0; c < n_columns; c++)
        {
          const LhValue *value = lh_result_set_get_value (result, r, c);

          if (c > 0)
            g_string_append (out, " | ");
          append_padded (out, g_ptr_array_index (cells, (gsize) r * n_columns + c),
                         c + 1 < n_columns || is_number (value) ? widths[c] : 0,
                         is_number (value));
        }
      g_string_append_c (out, '\n');
    }

  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "(%u row)\n", "(%u rows)\n", n_rows),
                          n_rows);
}

static void
add_value (JsonBuilder   *builder,
           const LhValue *value)
{
  switch (value->kind)
    {
    case LH_VALUE_NULL:
      json_builder_add_null_value (builder);
      break;
    case LH_VALUE_INTEGER:
      json_builder_add_int_value (builder, value->v.integer);
      break;
    case LH_VALUE_REAL:
      json_builder_add_double_value (builder, value->v.real);
      break;
    case LH_VALUE_TEXT:
      {
        g_autofree char *text = g_utf8_make_valid (value->v.text.data, value->v.text.length);

        json_builder_add_string_value (builder, text);
      }
      break;
    case LH_VALUE_BLOB:
      {
        gsize size;
        gconstpointer data = g_bytes_get_data (value->v.blob, &size);
        g_autofree char *encoded = g_base64_encode (data, size);

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "base64");
        json_builder_add_string_value (builder, encoded);
        json_builder_end_object (builder);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
add_result (JsonBuilder *builder,
            LhResultSet *result)
{
  guint n_columns = lh_result_set_get_n_columns (result);

  json_builder_set_member_name (builder, "columns");
  json_builder_begin_array (builder);
  for (guint c = 0; c < n_columns; c++)
    json_builder_add_string_value (builder, lh_result_set_get_column_name (result, c));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint r = 0; r < lh_result_set_get_n_rows (result); r++)
    {
      json_builder_begin_array (builder);
      for (guint c = 0; c < n_columns; c++)
        add_value (builder, lh_result_set_get_value (result, r, c));
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "rows_changed");
  json_builder_add_int_value (builder, lh_result_set_get_changes (result));
  json_builder_set_member_name (builder, "last_insert_rowid");
  json_builder_add_int_value (builder, lh_result_set_get_last_insert_rowid (result));
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_double_value (builder, lh_result_set_get_elapsed (result) / 1000.0);
}

static void
add_error (JsonBuilder  *builder,
           const GError *error,
           const char   *script_text)
{
  int offset = lh_connection_error_get_offset (error);

  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  if (offset >= 0)
    {
      guint line, column;

      lh_sql_offset_to_line_column (script_text, offset, &line, &column);
      json_builder_set_member_name (builder, "offset");
      json_builder_add_int_value (builder, offset);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, line);
      json_builder_set_member_name (builder, "column");
      json_builder_add_int_value (builder, column);
    }
  json_builder_end_object (builder);
}

/* One object per statement that ran, in order; the failing one, if any, carries "error". */
char *
lh_cli_results_json (GPtrArray  *statements,
                     const char *script_text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < statements->len; i++)
    {
      LhStatementResult *statement = g_ptr_array_index (statements, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sql");
      json_builder_add_string_value (builder, statement->sql);
      if (statement->error != NULL)
        add_error (builder, statement->error, script_text);
      else
        add_result (builder, statement->result);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}
